// Creation and symlink-safe removal of the private temp directory.
#include "sandbox/linux/private_tmp.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <vector>

#include "common/dir_names.h"
#include "common/unique_fd.h"

namespace cordon::sandbox {
namespace {

constexpr int kMaxDepth = 512;

std::string Base() {
  const char* env = getenv("TMPDIR");
  struct stat st {};
  if (env != nullptr && env[0] == '/' && stat(env, &st) == 0 && S_ISDIR(st.st_mode)) return env;
  return "/tmp";
}

// Empties the directory open as `dir` (its path is `path`, for messages).
Status RemoveContents(int dir, const std::string& path, int depth) {
  if (depth > kMaxDepth) return PlainError("remove", path, "nested too deeply");
  int listing = dup(dir);
  if (listing < 0) return SysError("dup", path, errno);
  DIR* d = fdopendir(listing);
  if (d == nullptr) {
    Error e = SysError("fdopendir", path, errno);
    close(listing);
    return e;
  }
  std::vector<std::string> names = TakeNames(d);
  Status first;
  for (const std::string& name : names) {
    std::string child = path;
    child += '/';
    child += name;
    struct stat st {};
    if (fstatat(dir, name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      // A directory the command made unsearchable: it is ours, open it up.
      if ((st.st_mode & 0700) != 0700) fchmodat(dir, name.c_str(), 0700, 0);
      UniqueFd sub(openat(dir, name.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
      if (!sub.valid()) {
        if (first.ok()) first = SysError("open", child, errno);
        continue;
      }
      Status st_sub = RemoveContents(sub.get(), child, depth + 1);
      if (!st_sub.ok() && first.ok()) first = st_sub;
      if (unlinkat(dir, name.c_str(), AT_REMOVEDIR) != 0 && first.ok()) {
        first = SysError("rmdir", child, errno);
      }
    } else if (unlinkat(dir, name.c_str(), 0) != 0 && first.ok()) {
      first = SysError("unlink", child, errno);
    }
  }
  return first;
}

}  // namespace

PrivateTmp& PrivateTmp::operator=(PrivateTmp&& other) noexcept {
  if (this != &other) {
    (void)Remove();
    path_ = std::move(other.path_);
    other.path_.clear();
  }
  return *this;
}

Result<PrivateTmp> PrivateTmp::Create() {
  std::string tmpl = Base() + "/cordon-tmp-XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return SysError("mkdtemp", tmpl, errno);
  return PrivateTmp(std::move(tmpl));
}

Status PrivateTmp::Remove() {
  if (path_.empty()) return {};
  std::string path = std::move(path_);
  path_.clear();
  chmod(path.c_str(), 0700);
  UniqueFd dir(open(path.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) return SysError("open", path, errno);
  Status st = RemoveContents(dir.get(), path, 0);
  dir.Reset();
  if (rmdir(path.c_str()) != 0 && st.ok()) st = SysError("rmdir", path, errno);
  return st;
}

}  // namespace cordon::sandbox
