// Placeholder files and directories for missing protected paths.
#include "sandbox/placeholders.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/file.h>
#include <sys/stat.h>
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

bool IsEmpty(const std::string& path, const struct stat& st, int depth = 0) {
  if (S_ISREG(st.st_mode)) return st.st_size == 0;
  return S_ISDIR(st.st_mode) && IsEmptyDir(path, depth);
}

bool IsPlaceholderAt(const std::string& path, int depth) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || !IsEmpty(path, st, depth)) return false;
  return lgetxattr(path.c_str(), kMark, nullptr, 0) >= 0;
}

// The fd still names `path`, and it is still an empty placeholder.
bool StillOurs(int fd, const std::string& path) {
  struct stat a {};
  struct stat b {};
  return fstat(fd, &a) == 0 && lstat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino && IsEmpty(path, b);
}

// Made under a temporary name, marked, then renamed into place (without
// replacing anything): no run ever sees an unmarked placeholder, which it
// would take for the user's own file (a bare .git for a repository).
int CreateMarked(const PlaceholderSpec& spec) {
  const std::string tmp = spec.path + ".cordon-new-" + std::to_string(getpid());
  // A leftover of a run with this pid that was killed right here.
  if (spec.is_dir) {
    (void)rmdir(tmp.c_str());
  } else {
    (void)unlink(tmp.c_str());
  }
  int fd = -1;
  if (spec.is_dir) {
    if (mkdir(tmp.c_str(), 0755) != 0) return -1;
    fd = open(tmp.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  } else {
    fd = open(tmp.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
  }
  // Best effort: on a filesystem without user xattrs the placeholder is
  // still removed by this run, just not adoptable after a crash.
  if (fd >= 0) (void)fsetxattr(fd, kMark, "1", 1, 0);
  if (fd >= 0 &&
      renameat2(AT_FDCWD, tmp.c_str(), AT_FDCWD, spec.path.c_str(), RENAME_NOREPLACE) == 0) {
    return fd;
  }
  const int err = errno;
  if (fd >= 0) close(fd);
  if (spec.is_dir) {
    (void)rmdir(tmp.c_str());
  } else {
    (void)unlink(tmp.c_str());
  }
  errno = err;
  return -1;
}

int CreateOrAdopt(const PlaceholderSpec& spec) {
  int fd = CreateMarked(spec);
  if (fd >= 0 || errno != EEXIST || !IsPlaceholder(spec.path)) return fd;
  const int flags = spec.is_dir ? O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW
                                : O_RDONLY | O_CLOEXEC | O_NOFOLLOW;
  return open(spec.path.c_str(), flags);
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

std::vector<std::string> Placeholders::Create(const std::vector<PlaceholderSpec>& specs,
                                              const std::string& lock_dir) {
  lock_dir_ = lock_dir;
  DirLock lock(lock_dir_);
  std::vector<std::string> ready;
  for (const PlaceholderSpec& spec : specs) {
    // A few tries: a concurrent run may remove the one we just opened.
    for (int attempt = 0; attempt < 3; ++attempt) {
      UniqueFd fd(CreateOrAdopt(spec));
      if (!fd.valid()) break;
      // Shared with concurrent runs; a run removing it takes it exclusively.
      if (flock(fd.get(), LOCK_SH) != 0) break;
      if (!StillOurs(fd.get(), spec.path)) continue;
      held_.push_back({spec, std::move(fd)});
      ready.push_back(spec.path);
      break;
    }
  }
  return ready;
}

void Placeholders::RemoveAll() {
  if (held_.empty()) return;
  DirLock lock(lock_dir_);
  // Children before parents: .git/hooks before .git, which is only empty
  // (and removable) once they are gone.
  for (auto it = held_.rbegin(); it != held_.rend(); ++it) {
    Held& h = *it;
    if (flock(h.fd.get(), LOCK_EX | LOCK_NB) == 0 && StillOurs(h.fd.get(), h.spec.path)) {
      if (h.spec.is_dir) {
        rmdir(h.spec.path.c_str());
      } else {
        unlink(h.spec.path.c_str());
      }
    }
  }
  held_.clear();
}

}  // namespace cordon::sandbox
