// Placeholder files for missing protected paths.
#include "sandbox/placeholders.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cerrno>

namespace cordon::sandbox {
namespace {

constexpr char kMark[] = "user.cordon.placeholder";

bool SameInode(int fd, const std::string& path) {
  struct stat a {
  }, b{};
  return fstat(fd, &a) == 0 && lstat(path.c_str(), &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino && a.st_size == 0 && S_ISREG(b.st_mode);
}

}  // namespace

bool IsPlaceholder(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size != 0) return false;
  return lgetxattr(path.c_str(), kMark, nullptr, 0) >= 0;
}

std::vector<std::string> Placeholders::Create(const std::vector<std::string>& paths) {
  std::vector<std::string> ready;
  for (const std::string& path : paths) {
    // A few tries: a concurrent run may remove the file we just opened.
    for (int attempt = 0; attempt < 3; ++attempt) {
      int fd = open(path.c_str(), O_CREAT | O_EXCL | O_RDONLY | O_CLOEXEC | O_NOFOLLOW, 0644);
      if (fd >= 0) {
        // Best effort: a filesystem without user xattrs still gets its
        // placeholder removed by this run.
        (void)fsetxattr(fd, kMark, "1", 1, 0);
      } else if (errno == EEXIST && IsPlaceholder(path)) {
        fd = open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
      }
      if (fd < 0) break;
      UniqueFd owned(fd);
      // Shared with concurrent runs; a run removing it takes it exclusively.
      if (flock(owned.get(), LOCK_SH) != 0) break;
      if (!SameInode(owned.get(), path)) continue;
      held_.push_back({path, std::move(owned)});
      ready.push_back(path);
      break;
    }
  }
  return ready;
}

void Placeholders::RemoveAll() {
  for (Held& h : held_) {
    if (!h.fd.valid()) continue;
    if (flock(h.fd.get(), LOCK_EX | LOCK_NB) == 0 && SameInode(h.fd.get(), h.path)) {
      unlink(h.path.c_str());
    }
    h.fd.Reset();
  }
  held_.clear();
}

}  // namespace cordon::sandbox
