// Placeholder files and directories for missing protected paths.
#include "sandbox/linux/placeholders.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sodium.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>
#include <string>
#include <string_view>

namespace cordon::sandbox {
namespace {

constexpr char kMark[] = "user.cordon.placeholder";

bool IsPlaceholderAt(const std::string& path, int depth);

// Empty, or holding only placeholders (.git holds the placeholders of
// .git/hooks and .git/config while runs share it).
bool IsEmptyDir(const std::string& path, int depth) {
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return false;
  bool empty = true;
  while (struct dirent* e = readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (depth >= 2 || !IsPlaceholderAt(path + "/" + e->d_name, depth + 1)) {
      empty = false;
      break;
    }
  }
  closedir(dir);
  return empty;
}

// A file holding kSameDir and nothing else.
bool HoldsSameDir(const std::string& path) {
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK));
  char buf[8] = {};  // more than kSameDir: a longer file reads longer
  return fd.valid() && read(fd.get(), buf, sizeof(buf)) == static_cast<ssize_t>(kSameDir.size()) &&
         std::string_view(buf, kSameDir.size()) == kSameDir;
}

bool IsEmpty(const std::string& path, const struct stat& st, int depth = 0) {
  if (S_ISREG(st.st_mode)) {
    return st.st_size == 0 ||
           (st.st_size == static_cast<off_t>(kSameDir.size()) && HoldsSameDir(path));
  }
  return S_ISDIR(st.st_mode) && IsEmptyDir(path, depth);
}

bool IsPlaceholderAt(const std::string& path, int depth) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || !IsEmpty(path, st, depth)) return false;
  return lgetxattr(path.c_str(), kMark, nullptr, 0) >= 0;
}

// The fd still names `name` in `parent`, and it is still an empty
// placeholder.
bool StillOurs(int fd, int parent, const std::string& name, const std::string& path) {
  struct stat a {};
  struct stat b {};
  return fstat(fd, &a) == 0 && fstatat(parent, name.c_str(), &b, AT_SYMLINK_NOFOLLOW) == 0 &&
         a.st_dev == b.st_dev && a.st_ino == b.st_ino && IsEmpty(path, b);
}

// 32 hex digits from getrandom(2).
bool RandomName(std::string* out) {
  unsigned char bytes[16];
  size_t got = 0;
  while (got < sizeof(bytes)) {
    ssize_t n = getrandom(bytes + got, sizeof(bytes) - got, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    got += static_cast<size_t>(n);
  }
  char hex[2 * sizeof(bytes) + 1];
  sodium_bin2hex(hex, sizeof(hex), bytes, sizeof(bytes));
  out->assign(hex, 2 * sizeof(bytes));
  return true;
}

// Opens the directory that will hold `path` without following any symlink
// (RESOLVE_NO_SYMLINKS), and sets `name` to its last component.
int OpenParent(const std::string& path, std::string* name) {
  size_t slash = path.rfind('/');
  if (slash == std::string::npos || slash + 1 >= path.size()) {
    errno = EINVAL;
    return -1;
  }
  *name = path.substr(slash + 1);
  const std::string parent = slash == 0 ? "/" : path.substr(0, slash);
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = syscall(SYS_openat2, AT_FDCWD, parent.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != EINTR) return static_cast<int>(fd);
  }
}

// Made under a random temporary name, marked, then renamed into place
// (without replacing anything): no run ever sees an unmarked placeholder,
// which it would take for the user's own file (a bare .git for a
// repository), and no sandbox can predict the name and squat it.
int CreateMarked(const PlaceholderSpec& spec, int parent, const std::string& name) {
  std::string tmp;
  int fd = -1;
  for (int attempt = 0; attempt < 4 && fd < 0; ++attempt) {
    if (!RandomName(&tmp)) return -1;
    tmp.insert(0, ".cordon-").insert(0, name).insert(0, ".");
    if (spec.is_dir) {
      if (mkdirat(parent, tmp.c_str(), 0755) != 0) {
        if (errno == EEXIST) continue;
        return -1;
      }
      fd = openat(parent, tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
      if (fd < 0) return -1;
    } else {
      fd = openat(parent, tmp.c_str(), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd < 0 && errno != EEXIST) return -1;
    }
  }
  if (fd < 0) return -1;
  if (!spec.content.empty() && write(fd, spec.content.data(), spec.content.size()) !=
                                   static_cast<ssize_t>(spec.content.size())) {
    const int err = errno == 0 ? EIO : errno;
    close(fd);
    (void)unlinkat(parent, tmp.c_str(), 0);
    errno = err;
    return -1;
  }
  // Best effort: on a filesystem without user xattrs the placeholder is
  // still removed by this run, just not adoptable after a crash.
  (void)fsetxattr(fd, kMark, "1", 1, 0);
  if (renameat2(parent, tmp.c_str(), parent, name.c_str(), RENAME_NOREPLACE) == 0) return fd;
  const int err = errno;
  close(fd);
  (void)unlinkat(parent, tmp.c_str(), spec.is_dir ? AT_REMOVEDIR : 0);
  errno = err;
  return -1;
}

int CreateOrAdopt(const PlaceholderSpec& spec, int parent, const std::string& name) {
  int fd = CreateMarked(spec, parent, name);
  if (fd >= 0 || errno != EEXIST || !IsPlaceholder(spec.path)) return fd;
  const int flags = spec.is_dir ? O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW
                                : O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
  return openat(parent, name.c_str(), flags);
}

// An exclusive flock on a directory for the scope of one Create or
// RemoveAll; without the directory, no lock (the placeholders still work,
// only concurrent runs may race).
class DirLock {
 public:
  explicit DirLock(const std::string& dir)
      : fd_(dir.empty() ? -1 : open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_.valid()) {
      while (flock(fd_.get(), LOCK_EX) != 0 && errno == EINTR) {
      }
    }
  }

 private:
  UniqueFd fd_;  // closing it releases the lock
};

}  // namespace

bool IsPlaceholder(const std::string& path) { return IsPlaceholderAt(path, 0); }

std::vector<Error> Placeholders::Create(const std::vector<PlaceholderSpec>& specs,
                                        const std::string& lock_dir) {
  lock_dir_ = lock_dir;
  DirLock lock(lock_dir_);
  std::vector<Error> failed;
  for (const PlaceholderSpec& spec : specs) {
    std::string name;
    UniqueFd parent(OpenParent(spec.path, &name));
    if (!parent.valid()) {
      failed.push_back(SysError("openat2(RESOLVE_NO_SYMLINKS)", spec.path, errno));
      continue;
    }
    // A few tries: a concurrent run may remove the one we just opened.
    int err = EAGAIN;
    for (int attempt = 0; attempt < 3; ++attempt) {
      UniqueFd fd(CreateOrAdopt(spec, parent.get(), name));
      if (!fd.valid()) {
        err = errno;
        break;
      }
      // Shared with concurrent runs; a run removing it takes it exclusively.
      if (flock(fd.get(), LOCK_SH) != 0) {
        err = errno;
        break;
      }
      if (!StillOurs(fd.get(), parent.get(), name, spec.path)) continue;
      held_.push_back({spec, std::move(parent), name, std::move(fd)});
      err = 0;
      break;
    }
    if (err != 0) {
      failed.push_back(
          SysError(spec.is_dir ? "mkdir(placeholder)" : "create(placeholder)", spec.path, err));
    }
  }
  return failed;
}

std::vector<int> Placeholders::LockFds() const {
  std::vector<int> fds;
  fds.reserve(held_.size());
  for (const Held& h : held_) fds.push_back(h.fd.get());
  return fds;
}

void Placeholders::RemoveAll() {
  if (held_.empty()) return;
  DirLock lock(lock_dir_);
  // Children before parents: .git/hooks before .git, which is only empty
  // (and removable) once they are gone.
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
    Held& h = *it;
    if (flock(h.fd.get(), LOCK_EX | LOCK_NB) == 0 &&
        StillOurs(h.fd.get(), h.parent.get(), h.name, h.spec.path)) {
      (void)unlinkat(h.parent.get(), h.name.c_str(), h.spec.is_dir ? AT_REMOVEDIR : 0);
    }
  }
  held_.clear();
}

}  // namespace cordon::sandbox
