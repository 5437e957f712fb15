// Package-cache layer directories on the host (cache_layers.h).
#include "sandbox/linux/cache_layers.h"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "policy/paths.h"

namespace cordon::sandbox::cache_layers {
namespace {

// mkdir(0700) unless it exists; then it must be the user's own directory.
Status MakeOwnDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) != 0 && errno != EEXIST) return SysError("mkdir", path, errno);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return SysError("lstat", path, errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != ::geteuid()) {
    return PlainError("cache layer", path,
                      "is not a directory of this user (a symlink, or another user's): no "
                      "layer is made through it");
  }
  return {};
}

bool IsOwnDirNoSymlinks(const std::string& path) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS;
  UniqueFd fd(static_cast<int>(::syscall(SYS_openat2, AT_FDCWD, path.c_str(), &how, sizeof how)));
  struct stat st;
  return fd.valid() && ::fstat(fd.get(), &st) == 0 && st.st_uid == ::geteuid();
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

}  // namespace

Status Prepare(const std::string& workspace_layers, const std::string& layer, bool with_work) {
  // Every run after the first finds the layer made: one open without a
  // symlink anywhere on the path, and its owner, instead of a mkdir and an
  // lstat per directory.
  if (IsOwnDirNoSymlinks(layer + "/upper") && (!with_work || IsOwnDirNoSymlinks(layer + "/work"))) {
    return {};
  }
  const std::string trusted_parent = Parent(Parent(Parent(workspace_layers)));
  if (!policy::IsWithin(layer, trusted_parent) || layer == trusted_parent) {
    return PlainError("cache layer", layer, "is not below " + trusted_parent);
  }
  // The user's cache directory itself may be missing on a fresh home.
  if (::mkdir(trusted_parent.c_str(), 0700) != 0 && errno != EEXIST) {
    return SysError("mkdir", trusted_parent, errno);
  }
  for (size_t slash = trusted_parent.size(); slash != std::string::npos;
       slash = layer.find('/', slash + 1)) {
    if (slash == trusted_parent.size()) continue;
    CORDON_RETURN_IF_ERROR(MakeOwnDir(layer.substr(0, slash)));
  }
  CORDON_RETURN_IF_ERROR(MakeOwnDir(layer));
  CORDON_RETURN_IF_ERROR(MakeOwnDir(layer + "/upper"));
  if (with_work) CORDON_RETURN_IF_ERROR(MakeOwnDir(layer + "/work"));
  return {};
}

UniqueFd TryLock(const std::string& layer) {
  UniqueFd fd(::open(layer.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!fd.valid() || ::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) return {};
  return fd;
}

}  // namespace cordon::sandbox::cache_layers
