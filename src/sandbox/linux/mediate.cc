// The namespace-less tier's mediated calls (see mediate.h for what is
// allowed and why). Runs on the supervisor's notification thread.
#include "sandbox/linux/mediate.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <unistd.h>
#include <utime.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>

#include "sandbox/linux/fd_passing.h"
#include "sandbox/linux/proc_path.h"

#ifndef PIDFD_THREAD
#define PIDFD_THREAD O_EXCL
#endif

namespace cordon::sandbox::mediate {
namespace {

constexpr size_t kMaxPath = PATH_MAX;

int Arg(const seccomp_notif& req, int i) {
  return static_cast<int>(static_cast<int32_t>(req.data.args[i]));
}

// Reads a NUL-terminated string of the caller; false when it cannot.
bool ReadString(int mem, uint64_t addr, std::string* out) {
  char buf[kMaxPath];
  ssize_t got = pread(mem, buf, sizeof(buf), static_cast<off_t>(addr));
  if (got <= 0) return false;
  const void* nul = memchr(buf, '\0', static_cast<size_t>(got));
  if (nul == nullptr) return false;
  out->assign(buf, static_cast<size_t>(static_cast<const char*>(nul) - buf));
  return true;
}

bool ReadBytes(int mem, uint64_t addr, void* out, size_t size) {
  return pread(mem, out, size, static_cast<off_t>(addr)) == static_cast<ssize_t>(size);
}

std::string ProcLink(uint32_t pid, const char* name) {
  char path[64];
  ProcPath(path, sizeof(path), pid, name);
  return path;
}

bool ReadLink(const std::string& link, std::string* out) {
  char buf[kMaxPath];
  ssize_t n = readlink(link.c_str(), buf, sizeof(buf));
  if (n <= 0 || static_cast<size_t>(n) >= sizeof(buf)) return false;
  out->assign(buf, static_cast<size_t>(n));
  return true;
}

// A pidfd for the calling task (a thread id, when it is not the leader).
UniqueFd PidFd(uint32_t pid) {
  long fd = syscall(SYS_pidfd_open, pid, PIDFD_THREAD);
  if (fd < 0) fd = syscall(SYS_pidfd_open, pid, 0);
  return UniqueFd(static_cast<int>(fd));
}

bool StillWaiting(int listener, uint64_t id) {
  uint64_t copy = id;
  return ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &copy) == 0;
}

void Answer(int listener, uint64_t id, int neg_errno, bool cont) {
  seccomp_notif_resp resp{};
  resp.id = id;
  // CONTINUE only where no check was made (mediate.h).
  if (cont) {
    resp.flags = SECCOMP_USER_NOTIF_FLAG_CONTINUE;
  } else {
    resp.error = neg_errno;
  }
  (void)ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, &resp);
}

bool IsWithinRoot(const std::string& path, const std::string& root, std::string* rest) {
  if (path.compare(0, root.size(), root) != 0) return false;
  if (path.size() == root.size()) {
    *rest = ".";
    return true;
  }
  if (root == "/") {
    *rest = path.substr(1);
    return true;
  }
  if (path[root.size()] != '/') return false;
  *rest = path.substr(root.size() + 1);
  if (rest->empty()) *rest = ".";
  return true;
}

int Openat2(int dirfd, const std::string& rest, bool follow) {
  open_how how{};
  how.flags = O_PATH | O_CLOEXEC | (follow ? 0 : O_NOFOLLOW);
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS;
  long fd = syscall(SYS_openat2, dirfd, rest.c_str(), &how, sizeof(how));
  return fd < 0 ? -errno : static_cast<int>(fd);
}

int ReadUnprivilegedPortStart() {
  std::ifstream in("/proc/sys/net/ipv4/ip_unprivileged_port_start");
  int v = 1024;
  if (!(in >> v)) v = 1024;
  return v;
}

std::string EndpointText(const Endpoint& e) {
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(e.family, e.addr, text, sizeof text);
  return text;
}

bool IsLoopback(const Endpoint& e) {
  if (e.family == AF_INET) return e.addr[0] == 127;
  static const uint8_t kLoop6[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  return e.family == AF_INET6 && memcmp(e.addr, kLoop6, 16) == 0;
}

}  // namespace

bool ToEndpoint(const sockaddr_storage& in, socklen_t len, Endpoint* out) {
  *out = {};
  if (in.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
    const auto& a = reinterpret_cast<const sockaddr_in&>(in);
    out->family = AF_INET;
    memcpy(out->addr, &a.sin_addr, 4);
    out->port = ntohs(a.sin_port);
    return true;
  }
  if (in.ss_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    const auto& a = reinterpret_cast<const sockaddr_in6&>(in);
    out->port = ntohs(a.sin6_port);
    if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
      out->family = AF_INET;
      memcpy(out->addr, a.sin6_addr.s6_addr + 12, 4);
    } else {
      out->family = AF_INET6;
      memcpy(out->addr, a.sin6_addr.s6_addr, 16);
    }
    return true;
  }
  return false;
}

bool LoopbackBindAddress(const sockaddr_storage& in, socklen_t len, sockaddr_storage* out) {
  *out = in;
  if (in.ss_family == AF_INET && len >= sizeof(sockaddr_in)) {
    auto& a = reinterpret_cast<sockaddr_in&>(*out);
    if (a.sin_addr.s_addr == htonl(INADDR_ANY)) a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return (ntohl(a.sin_addr.s_addr) >> 24) == 127;
  }
  if (in.ss_family == AF_INET6 && len >= sizeof(sockaddr_in6)) {
    auto& a = reinterpret_cast<sockaddr_in6&>(*out);
    if (IN6_IS_ADDR_UNSPECIFIED(&a.sin6_addr)) a.sin6_addr = in6addr_loopback;
    if (IN6_IS_ADDR_V4MAPPED(&a.sin6_addr)) {
      uint8_t* v4 = a.sin6_addr.s6_addr + 12;
      if (v4[0] == 0 && v4[1] == 0 && v4[2] == 0 && v4[3] == 0) {
        v4[0] = 127;
        v4[3] = 1;
      }
      return v4[0] == 127;
    }
    return IN6_IS_ADDR_LOOPBACK(&a.sin6_addr);
  }
  return false;
}

Mediator::Mediator(Config config, std::function<void(const DirectConnect&)> report)
    : config_(std::move(config)), report_(std::move(report)) {
  for (const auto& r : config_.roots) {
    UniqueFd fd(open(r.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (fd.valid()) roots_.push_back({r, std::move(fd)});
  }
  unprivileged_port_start_ = ReadUnprivilegedPortStart();
}

bool Mediator::Handles(long nr) const {
  switch (nr) {
#ifdef SYS_chmod
    case SYS_chmod:
#endif
#ifdef SYS_utime
    case SYS_utime:
#endif
#ifdef SYS_utimes
    case SYS_utimes:
#endif
#ifdef SYS_futimesat
    case SYS_futimesat:
#endif
#ifdef SYS_fchmodat2
    case SYS_fchmodat2:
#endif
    case SYS_fchmod:
    case SYS_fchmodat:
    case SYS_utimensat:
      return config_.metadata;
    case SYS_bind:
    case SYS_connect:
      return config_.inet;
    default:
      return false;
  }
}

void Mediator::Handle(int listener, const seccomp_notif& req) {
  UniqueFd mem(open(ProcLink(req.pid, "mem").c_str(), O_RDONLY | O_CLOEXEC));
  int result = -EPERM;
  bool cont = false;
  const long nr = req.data.nr;
  if (!mem.valid()) {
    result = -EPERM;
  } else if (nr == SYS_bind) {
    result = Bind(req, mem.get(), listener, &cont);
  } else if (nr == SYS_connect) {
    result = Connect(req, mem.get(), listener, &cont);
  } else if (nr == SYS_fchmod || nr == SYS_fchmodat
#ifdef SYS_chmod
             || nr == SYS_chmod
#endif
#ifdef SYS_fchmodat2
             || nr == SYS_fchmodat2
#endif
  ) {
    result = Chmod(req, mem.get(), listener);
  } else {
    result = Utimes(req, mem.get(), listener);
  }
  Answer(listener, req.id, result, cont);
}

int Mediator::OpenBeneath(const seccomp_notif& req, int mem, int dirfd, uint64_t addr, bool follow,
                          UniqueFd* out) {
  std::string raw;
  if (!ReadString(mem, addr, &raw)) return -EFAULT;
  if (raw.empty()) return -ENOENT;
  std::string abs = raw;
  if (raw[0] != '/') {
    std::string base;
    std::string link = dirfd == AT_FDCWD ? ProcLink(req.pid, "cwd")
                                         : ProcLink(req.pid, "fd/") + std::to_string(dirfd);
    if (dirfd != AT_FDCWD && dirfd < 0) return -EBADF;
    if (!ReadLink(link, &base) || base.empty() || base[0] != '/') return -EBADF;
    abs = base == "/" ? "/" + raw : base + "/" + raw;
  }
  for (const Root& root : roots_) {
    std::string rest;
    if (!IsWithinRoot(abs, root.path, &rest)) continue;
    int fd = Openat2(root.fd.get(), rest, follow);
    // EXDEV: the path leads out of the root (.., a symlink): not beneath
    // a writable root after all, so refused as outside one.
    if (fd == -EXDEV || fd == -ELOOP) return -EPERM;
    if (fd < 0) return fd;
    *out = UniqueFd(fd);
    return 0;
  }
  return -EPERM;
}

int Mediator::TakeFileFd(const seccomp_notif& req, int fd, UniqueFd* out) {
  UniqueFd pidfd = PidFd(req.pid);
  if (!pidfd.valid()) return -EPERM;
  UniqueFd file(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  if (!file.valid()) return errno == EBADF ? -EBADF : -EPERM;
  struct stat st {};
  if (fstat(file.get(), &st) != 0) return -EBADF;
  // Where the file is now, then the same inode found again beneath a root.
  std::string path;
  if (!ReadLink("/proc/self/fd/" + std::to_string(file.get()), &path)) return -EPERM;
  for (const Root& root : roots_) {
    std::string rest;
    if (!IsWithinRoot(path, root.path, &rest)) continue;
    int again = Openat2(root.fd.get(), rest, false);
    if (again < 0) continue;
    UniqueFd guard(again);
    struct stat st2 {};
    if (fstat(again, &st2) == 0 && st2.st_dev == st.st_dev && st2.st_ino == st.st_ino) {
      *out = std::move(file);
      return 0;
    }
  }
  return -EPERM;
}

int Mediator::Chmod(const seccomp_notif& req, int mem, int listener) {
  const long nr = req.data.nr;
  int mode_arg = 2;
  UniqueFd file;
  int err = 0;
  bool by_fd = false;
  if (nr == SYS_fchmod) {
    mode_arg = 1;
    by_fd = true;
    err = TakeFileFd(req, Arg(req, 0), &file);
  } else {
    int dirfd = AT_FDCWD;
    uint64_t addr = req.data.args[0];
    bool follow = true;
#ifdef SYS_chmod
    if (nr == SYS_chmod) mode_arg = 1;
#endif
    if (mode_arg == 2) {
      dirfd = Arg(req, 0);
      addr = req.data.args[1];
    }
#ifdef SYS_fchmodat2
    if (nr == SYS_fchmodat2) {
      const uint64_t flags = req.data.args[3];
      if ((flags & ~static_cast<uint64_t>(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) {
        return -EINVAL;
      }
      follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
      std::string raw;
      if ((flags & AT_EMPTY_PATH) != 0 && ReadString(mem, addr, &raw) && raw.empty()) {
        by_fd = true;
        err = TakeFileFd(req, dirfd, &file);
      }
    }
#endif
    if (!by_fd) err = OpenBeneath(req, mem, dirfd, addr, follow, &file);
  }
  if (!StillWaiting(listener, req.id)) return -EPERM;  // the answer goes nowhere
  if (err != 0) return err;
  const auto mode = static_cast<mode_t>(req.data.args[mode_arg] & 07777);
  struct stat st {};
  if (fstat(file.get(), &st) != 0) return -errno;
  if (S_ISLNK(st.st_mode)) return -EOPNOTSUPP;  // Linux has no lchmod
  // No setuid program made for other users; setgid only on directories
  // (its meaning there is the group of new entries).
  if ((mode & S_ISUID) != 0 || ((mode & S_ISGID) != 0 && !S_ISDIR(st.st_mode))) return -EPERM;
  // The supervisor may be root with CAP_FOWNER; the sandbox's root has none.
  if (st.st_uid != geteuid()) return -EPERM;
  if (by_fd) {
    if ((fcntl(file.get(), F_GETFL) & O_PATH) != 0) return -EBADF;
    return fchmod(file.get(), mode) == 0 ? 0 : -errno;
  }
  std::string self = "/proc/self/fd/" + std::to_string(file.get());
  return chmod(self.c_str(), mode) == 0 ? 0 : -errno;
}

int Mediator::Utimes(const seccomp_notif& req, int mem, int listener) {
  const long nr = req.data.nr;
  timespec times[2] = {};
  bool have_times = false;
  int dirfd = AT_FDCWD;
  uint64_t path_addr = 0;
  uint64_t times_addr = 0;
  bool follow = true;
  bool empty_path_ok = false;
  int err = 0;
  if (nr == SYS_utimensat) {
    dirfd = Arg(req, 0);
    path_addr = req.data.args[1];
    times_addr = req.data.args[2];
    const uint64_t flags = req.data.args[3];
    if ((flags & ~static_cast<uint64_t>(AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH)) != 0) return -EINVAL;
    follow = (flags & AT_SYMLINK_NOFOLLOW) == 0;
    empty_path_ok = (flags & AT_EMPTY_PATH) != 0;
    if (times_addr != 0) {
      if (!ReadBytes(mem, times_addr, times, sizeof(times))) return -EFAULT;
      have_times = true;
    }
  } else {
    bool utime_buf = false;
#ifdef SYS_utime
    utime_buf = nr == SYS_utime;
#endif
#ifdef SYS_futimesat
    if (nr == SYS_futimesat) {
      dirfd = Arg(req, 0);
      path_addr = req.data.args[1];
      times_addr = req.data.args[2];
    } else
#endif
    {
      path_addr = req.data.args[0];
      times_addr = req.data.args[1];
    }
    if (times_addr != 0) {
      have_times = true;
      if (utime_buf) {
        utimbuf b{};
        if (!ReadBytes(mem, times_addr, &b, sizeof(b))) return -EFAULT;
        times[0] = {b.actime, 0};
        times[1] = {b.modtime, 0};
      } else {
        timeval tv[2] = {};
        if (!ReadBytes(mem, times_addr, tv, sizeof(tv))) return -EFAULT;
        for (int i = 0; i < 2; ++i) {
          if (tv[i].tv_usec < 0 || tv[i].tv_usec >= 1000000) return -EINVAL;
          times[i] = {tv[i].tv_sec, tv[i].tv_usec * 1000};
        }
      }
    }
  }
  UniqueFd file;
  bool by_fd = false;
  std::string raw;
  if (path_addr == 0 && nr != SYS_utimensat && dirfd == AT_FDCWD) return -EFAULT;
  if (path_addr == 0 || (empty_path_ok && ReadString(mem, path_addr, &raw) && raw.empty())) {
    by_fd = true;
    err = TakeFileFd(req, dirfd, &file);
  } else {
    err = OpenBeneath(req, mem, dirfd, path_addr, follow, &file);
  }
  if (!StillWaiting(listener, req.id)) return -EPERM;
  if (err != 0) return err;
  struct stat st {};
  if (fstat(file.get(), &st) != 0) return -errno;
  // The supervisor may be root (CAP_FOWNER, CAP_DAC_OVERRIDE); the
  // sandbox's root has neither: only its own files.
  if (geteuid() == 0 && st.st_uid != 0) return -EPERM;
  if (by_fd && (fcntl(file.get(), F_GETFL) & O_PATH) != 0 && path_addr == 0) return -EBADF;
  const timespec* ts = have_times ? times : nullptr;
  if (utimensat(file.get(), "", ts, AT_EMPTY_PATH) != 0) return -errno;
  return 0;
}

int Mediator::TakeSocketCall(const seccomp_notif& req, int mem, int listener, UniqueFd* out,
                             sockaddr_storage* addr, socklen_t* addr_len, bool* cont) {
  const int fd = Arg(req, 0);
  UniqueFd pidfd = PidFd(req.pid);
  if (!pidfd.valid()) return -EPERM;
  UniqueFd sock(static_cast<int>(syscall(SYS_pidfd_getfd, pidfd.get(), fd, 0)));
  if (!sock.valid()) return errno == EBADF ? -EBADF : -EPERM;
  int domain = 0;
  int type = 0;
  socklen_t len = sizeof(int);
  if (getsockopt(sock.get(), SOL_SOCKET, SO_DOMAIN, &domain, &len) != 0) {
    return -errno;  // ENOTSOCK, as bind and connect would answer
  }
  len = sizeof(int);
  if (getsockopt(sock.get(), SOL_SOCKET, SO_TYPE, &type, &len) != 0) return -errno;
  if ((domain != AF_INET && domain != AF_INET6) || type != SOCK_STREAM) {
    *cont = true;
    return 0;
  }
  *addr_len = static_cast<socklen_t>(req.data.args[2]);
  if (*addr_len > sizeof(sockaddr_storage) || *addr_len < sizeof(sa_family_t)) return -EINVAL;
  *addr = {};
  if (!ReadBytes(mem, req.data.args[1], addr, *addr_len)) return -EFAULT;
  if (!StillWaiting(listener, req.id)) return -EPERM;
  *out = std::move(sock);
  return 0;
}

int Mediator::Bind(const seccomp_notif& req, int mem, int listener, bool* cont) {
  UniqueFd sock;
  sockaddr_storage addr{};
  socklen_t len = 0;
  int err = TakeSocketCall(req, mem, listener, &sock, &addr, &len, cont);
  if (err != 0 || *cont) return err;
  sockaddr_storage loop{};
  if (!LoopbackBindAddress(addr, len, &loop)) {
    // What Landlock answers for a bind it denies; nothing listens on the LAN.
    return addr.ss_family == AF_INET || addr.ss_family == AF_INET6 ? -EACCES : -EAFNOSUPPORT;
  }
  Endpoint want;
  if (ToEndpoint(loop, len, &want) && want.port != 0 && want.port < unprivileged_port_start_ &&
      geteuid() == 0) {
    return -EACCES;  // the sandbox's root has no CAP_NET_BIND_SERVICE
  }
  if (bind(sock.get(), reinterpret_cast<sockaddr*>(&loop), len) != 0) return -errno;
  sockaddr_storage got{};
  socklen_t got_len = sizeof(got);
  Endpoint bound;
  if (getsockname(sock.get(), reinterpret_cast<sockaddr*>(&got), &got_len) == 0 &&
      ToEndpoint(got, got_len, &bound)) {
    std::lock_guard<std::mutex> lock(mu_);
    if (std::find(bound_.begin(), bound_.end(), bound) == bound_.end()) bound_.push_back(bound);
  }
  return 0;
}

int Mediator::Connect(const seccomp_notif& req, int mem, int listener, bool* cont) {
  UniqueFd sock;
  sockaddr_storage addr{};
  socklen_t len = 0;
  int err = TakeSocketCall(req, mem, listener, &sock, &addr, &len, cont);
  if (err != 0 || *cont) return err;
  bool allowed = addr.ss_family == AF_UNSPEC;  // disconnects
  Endpoint dest;
  if (!allowed && ToEndpoint(addr, len, &dest)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      allowed = std::find(bound_.begin(), bound_.end(), dest) != bound_.end();
    }
    if (!allowed && config_.proxy_port != 0) {
      allowed = dest.port == config_.proxy_port && IsLoopback(dest);
    }
    if (!allowed) {
      // Named by the policy, or refused: either is a network decision.
      DirectConnect decision{EndpointText(dest), dest.port, false, ""};
      for (const policy::HostRule& rule : config_.allow_local.allow_local) {
        policy::NetRules one;
        one.allow_local = {rule};
        if (policy::AddressNamed(one, reinterpret_cast<const sockaddr*>(&addr), dest.port)) {
          decision.allowed = allowed = true;
          decision.rule = policy::DescribeRule("allow_local", rule);
          break;
        }
      }
      if (report_) report_(decision);
    }
  }
  if (!allowed) return -ECONNREFUSED;
  if (connect(sock.get(), reinterpret_cast<sockaddr*>(&addr), len) != 0) return -errno;
  return 0;
}

ChildStatus SendListener(int channel, int listener) {
  ChildStatus st;
  if (listener >= 0) {
    const char data = 'N';
    if (SendWithFds(channel, &data, 1, &listener, 1) != 1) {
      st = ChildStatus::Errno("sendmsg(SCM_RIGHTS)", "seccomp listener");
    }
    close(listener);
  }
  close(channel);
  return st;
}

UniqueFd ReceiveListener(int channel) {
  char data = 0;
  int fd = -1;
  size_t nfds = 0;
  bool truncated = false;
  if (RecvWithFds(channel, &data, 1, &fd, 1, &nfds, &truncated) != 1 || nfds != 1) {
    return UniqueFd();
  }
  return UniqueFd(fd);
}

}  // namespace cordon::sandbox::mediate
