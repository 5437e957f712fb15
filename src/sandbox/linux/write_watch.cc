// The write watcher: a seccomp user-notification listener in the sandbox's
// init that observes write-intent path calls and always lets them continue.
#include "sandbox/linux/write_watch.h"

#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/clock.h"
#include "policy/paths.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/proc_path.h"

namespace cordon::sandbox::write_watch {
namespace {

// What a call does to its path(s), which decides when it cannot have been
// a denied write (the kernel fails it with EEXIST or ENOENT before any
// permission check).
enum class Op {
  kOpen,      // open/openat/creat: flags in an argument (creat: fixed)
  kOpenHow,   // openat2: flags in struct open_how
  kCreate,    // mkdir, mknod, symlink, link: the new path must not exist
  kExisting,  // unlink, rmdir, truncate: the path must exist
  kRename,    // rename*: the old path must exist; both paths change
};

// Argument positions; dirfd -1 means AT_FDCWD.
struct Shape {
  long nr;
  Op op;
  int dirfd, path;    // the path written
  int dirfd2, path2;  // kRename: the new path (-1: none)
  int flags;          // kOpen: flags argument (-1: creat); kOpenHow: the struct
};

constexpr Shape kShapes[] = {
#ifdef SYS_open
    {SYS_open, Op::kOpen, -1, 0, -1, -1, 1},
#endif
#ifdef SYS_creat
    {SYS_creat, Op::kOpen, -1, 0, -1, -1, -1},
#endif
#ifdef SYS_mkdir
    {SYS_mkdir, Op::kCreate, -1, 0, -1, -1, 0},
#endif
#ifdef SYS_mknod
    {SYS_mknod, Op::kCreate, -1, 0, -1, -1, 0},
#endif
#ifdef SYS_unlink
    {SYS_unlink, Op::kExisting, -1, 0, -1, -1, 0},
#endif
#ifdef SYS_rmdir
    {SYS_rmdir, Op::kExisting, -1, 0, -1, -1, 0},
#endif
#ifdef SYS_rename
    {SYS_rename, Op::kRename, -1, 0, -1, 1, 0},
#endif
#ifdef SYS_link
    {SYS_link, Op::kCreate, -1, 1, -1, -1, 0},
#endif
#ifdef SYS_symlink
    {SYS_symlink, Op::kCreate, -1, 1, -1, -1, 0},
#endif
#ifdef SYS_renameat
    {SYS_renameat, Op::kRename, 0, 1, 2, 3, 0},
#endif
    {SYS_openat, Op::kOpen, 0, 1, -1, -1, 2},        {SYS_openat2, Op::kOpenHow, 0, 1, -1, -1, 2},
    {SYS_mkdirat, Op::kCreate, 0, 1, -1, -1, 0},     {SYS_mknodat, Op::kCreate, 0, 1, -1, -1, 0},
    {SYS_unlinkat, Op::kExisting, 0, 1, -1, -1, 0},  {SYS_renameat2, Op::kRename, 0, 1, 2, 3, 0},
    {SYS_linkat, Op::kCreate, 2, 3, -1, -1, 0},      {SYS_symlinkat, Op::kCreate, 1, 2, -1, -1, 0},
    {SYS_truncate, Op::kExisting, -1, 0, -1, -1, 0},
};

const Shape* FindShape(long nr) {
  for (const Shape& s : kShapes) {
    if (s.nr == nr) return &s;
  }
  return nullptr;
}

// One path argument of the stopped caller, made absolute and normalized.
// Returns false when it cannot be read (the caller's memory is gone, the
// string is longer than PATH_MAX, the dirfd is no directory path).
bool ReadPath(int mem, uint32_t pid, uint64_t addr, int dirfd, char* out, size_t out_size) {
  char raw[PATH_MAX];
  ssize_t got = pread(mem, raw, sizeof(raw), static_cast<off_t>(addr));
  if (got <= 0) return false;
  const void* nul = memchr(raw, '\0', static_cast<size_t>(got));
  if (nul == nullptr) return false;
  const size_t raw_len = static_cast<size_t>(static_cast<const char*>(nul) - raw);
  if (raw_len == 0) return false;  // ENOENT, no write
  size_t len = 0;
  if (raw[0] != '/') {
    char link[64];
    if (dirfd == AT_FDCWD) {
      sandbox::ProcPath(link, sizeof(link), pid, "cwd");
    } else {
      if (dirfd < 0) return false;
      size_t at = sandbox::ProcPath(link, sizeof(link), pid, "fd/");
      sandbox::AppendDecimal(link, sizeof(link), at, static_cast<unsigned>(dirfd));
    }
    ssize_t base = readlink(link, out, out_size - 1);
    if (base <= 0 || out[0] != '/') return false;
    len = static_cast<size_t>(base);
    if (len + 1 + raw_len + 1 > out_size) return false;
    out[len++] = '/';
  }
  if (len + raw_len + 1 > out_size) return false;
  memcpy(out + len, raw, raw_len);
  len += raw_len;
  out[len] = '\0';
  NormalizeInPlace(out, len);
  return true;
}

bool Exists(const char* path) {
  struct stat st {};
  return fstatat(AT_FDCWD, path, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

constexpr size_t kStackSize = size_t{256} << 10;

}  // namespace

Roots FromPlan(const sandbox::Plan& plan) {
  namespace fs = landlock::fs;
  Roots roots;
  if (plan.use_landlock) {
    for (const auto& rule : plan.landlock.paths) {
      if ((rule.access & fs::kWrite) != 0) roots.writable.push_back(rule.path);
    }
  } else {
    for (const auto& c : plan.mounts.covers) {
      if (!c.read_only) roots.writable.push_back(c.path);
    }
    for (const auto& b : plan.mounts.binds) {
      if (!b.read_only) roots.writable.push_back(b.path);
    }
    for (const auto& o : plan.mounts.overlays) roots.writable.push_back(o.path);
  }
  for (const auto& p : plan.mounts.protects) roots.read_only.push_back(p);
  // A read-only bind inside a writable root (a --read path in the workspace).
  for (const auto& b : plan.mounts.binds) {
    if (!b.read_only) continue;
    for (const auto& w : roots.writable) {
      if (b.path != w && policy::IsWithin(b.path, w)) {
        roots.read_only.push_back(b.path);
        break;
      }
    }
  }
  return roots;
}

size_t NormalizeInPlace(char* path, size_t len) {
  // Components are copied down; ".." drops the last one written.
  size_t out = 0;
  size_t i = 0;
  while (i < len) {
    while (i < len && path[i] == '/') ++i;
    size_t start = i;
    while (i < len && path[i] != '/') ++i;
    size_t n = i - start;
    if (n == 0 || (n == 1 && path[start] == '.')) continue;
    if (n == 2 && path[start] == '.' && path[start + 1] == '.') {
      while (out > 0 && path[out - 1] != '/') --out;
      if (out > 0) --out;  // the slash before it
      continue;
    }
    path[out++] = '/';
    memmove(path + out, path + start, n);
    out += n;
  }
  if (out == 0) path[out++] = '/';
  path[out] = '\0';
  return out;
}

bool IsDeniedWrite(std::string_view path, const Roots& roots) {
  for (std::string_view skip : {"/proc", "/dev", "/sys"}) {
    if (policy::IsWithin(path, skip)) return false;
  }
  for (const auto& p : roots.read_only) {
    if (policy::IsWithin(path, p)) return true;
  }
  for (const auto& w : roots.writable) {
    if (policy::IsWithin(path, w)) return false;
  }
  return true;
}

Watch::Watch(Roots roots, mediate::Mediator* mediator)
    : roots_(std::move(roots)), stack_(new char[kStackSize]), mediator_(mediator) {
  // A failed pipe leaves -1: Stop then cannot end the thread early, and the
  // listener's hang-up (every sandbox process gone) ends it instead.
  if (pipe2(stop_, O_CLOEXEC) != 0) stop_[0] = stop_[1] = -1;
}

Watch::~Watch() {
  Stop();
  for (int fd : stop_) {
    if (fd >= 0) close(fd);
  }
}

void Watch::Stop() {
  if (!started_) return;
  started_ = false;
  if (stop_[1] >= 0) (void)!write(stop_[1], "x", 1);
  pthread_join(thread_, nullptr);
  if (listener_ >= 0) close(listener_);
  listener_ = -1;
}

ChildStatus Watch::Start(int listener) {
  listener_ = listener;
  pthread_attr_t attr;
  int err = pthread_attr_init(&attr);
  if (err != 0) {
    errno = err;
    return ChildStatus::Errno("pthread_attr_init", "write watcher");
  }
  sigset_t all;
  sigfillset(&all);
  // Init's sigwaitinfo loop must get every signal: none may land here.
  err = pthread_attr_setsigmask_np(&attr, &all);
  if (err == 0) err = pthread_attr_setstack(&attr, stack_.get(), kStackSize);
  if (err == 0) err = pthread_create(&thread_, &attr, &Watch::Main, this);
  started_ = err == 0;
  pthread_attr_destroy(&attr);
  if (err != 0) {
    errno = err;
    return ChildStatus::Errno("pthread_create", "write watcher");
  }
  return ChildStatus::Ok();
}

void Watch::Fill(ChildReport& report) {
  pthread_mutex_lock(&mu_);
  report.denied_writes = count_;
  report.denied_write_ms = last_ms_;
  memcpy(report.denied_write, last_, sizeof(report.denied_write));
  pthread_mutex_unlock(&mu_);
}

void* Watch::Main(void* self) {
  static_cast<Watch*>(self)->Serve();
  return nullptr;
}

void Watch::Record(const char* path, size_t len) {
  if (len >= sizeof(last_)) return;  // the report could not carry it
  if (!IsDeniedWrite(std::string_view(path, len), roots_)) return;
  pthread_mutex_lock(&mu_);
  ++count_;
  last_ms_ = MonotonicMs();
  memcpy(last_, path, len + 1);
  pthread_mutex_unlock(&mu_);
}

void Watch::Serve() {
  // Two paths of up to PATH_MAX joined to a base directory, on this
  // thread's own stack (made before clone).
  char first[PATH_MAX * 2];
  char second[PATH_MAX * 2];
  char mem_path[64];
  for (;;) {
    // The kernel's struct has not changed size since 5.0; RECV wants it zeroed.
    pollfd fds[2] = {{listener_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (poll(fds, stop_[0] >= 0 ? 2 : 1, -1) < 0) continue;  // EINTR
    if ((fds[1].revents & POLLIN) != 0) return;
    // Hang-up: every process of the filter is gone.
    if ((fds[0].revents & POLLIN) == 0) {
      if ((fds[0].revents & (POLLHUP | POLLERR | POLLNVAL)) != 0) return;
      continue;
    }
    seccomp_notif req{};
    if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_RECV, &req) != 0) {
      if (errno == EBADF) return;
      continue;  // EINTR; ENOENT: the caller went away before we read it
    }
    if (mediator_ != nullptr && mediator_->Handles(static_cast<long>(req.data.nr))) {
      mediator_->Handle(listener_, req);
      continue;
    }
    const Shape* shape = FindShape(req.data.nr);
    bool have_first = false;
    bool have_second = false;
    if (shape != nullptr) {
      sandbox::ProcPath(mem_path, sizeof(mem_path), req.pid, "mem");
      const int mem = open(mem_path, O_RDONLY | O_CLOEXEC);
      if (mem >= 0) {
        auto dirfd = [&](int arg) {
          return arg < 0 ? AT_FDCWD : static_cast<int>(static_cast<int32_t>(req.data.args[arg]));
        };
        have_first = ReadPath(mem, req.pid, req.data.args[shape->path], dirfd(shape->dirfd), first,
                              sizeof(first));
        if (shape->op == Op::kRename) {
          have_second = ReadPath(mem, req.pid, req.data.args[shape->path2], dirfd(shape->dirfd2),
                                 second, sizeof(second));
        }
        uint64_t flags = 0;
        if (shape->op == Op::kOpenHow) {
          open_how how{};
          if (pread(mem, &how, sizeof(how.flags), static_cast<off_t>(req.data.args[2])) !=
              static_cast<ssize_t>(sizeof(how.flags))) {
            have_first = false;
          }
          flags = how.flags;
        } else if (shape->op == Op::kOpen) {
          flags = shape->flags < 0 ? (O_CREAT | O_WRONLY | O_TRUNC) : req.data.args[shape->flags];
        }
        close(mem);
        // Calls that fail before any permission check were no denial.
        if (have_first) {
          const bool exists = Exists(first);
          switch (shape->op) {
            case Op::kOpen:
            case Op::kOpenHow: {
              const bool writes = (flags & (O_WRONLY | O_RDWR | O_TRUNC)) != 0;
              const bool creates = (flags & O_CREAT) != 0;
              if (exists) {
                have_first = writes && !(creates && (flags & O_EXCL) != 0);
              } else {
                have_first = creates;
              }
              break;
            }
            case Op::kCreate:
              have_first = !exists;
              break;
            case Op::kExisting:
              have_first = exists;
              break;
            case Op::kRename:
              have_first = exists;
              have_second = have_second && exists;
              break;
          }
        }
      }
    }
    // The memory read above is only meaningful if the caller is still
    // stopped in this very call (its pid may have been reused otherwise).
    if (ioctl(listener_, SECCOMP_IOCTL_NOTIF_ID_VALID, &req.id) == 0) {
      if (have_first) Record(first, strlen(first));
      if (have_second) Record(second, strlen(second));
    }
    // Always CONTINUE: the kernel's own checks decide. ENOENT: it is gone.
    seccomp_notif_resp resp{};
    resp.id = req.id;
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
    (void)ioctl(listener_, SECCOMP_IOCTL_NOTIF_SEND, &resp);
  }
}

}  // namespace cordon::sandbox::write_watch
