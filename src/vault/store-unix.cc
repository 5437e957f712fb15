// The vault's files on Unix (store_files.h): 0600 files in a 0700 directory
// owned by the user, checked the way OpenSSH checks private keys; flock on
// the lock file; write, fsync, rename, fsync of the directory.
#include <errno.h>
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "common/unique_fd.h"
#include "vault/crypto.h"
#include "vault/store_files.h"

namespace cordon::vault {

namespace {

// Refuses files and directories that another user could have planted or can
// read: the same rule OpenSSH applies to private keys.
Status CheckPrivate(int fd, const std::string& path, bool want_dir) {
  struct stat st;
  if (::fstat(fd, &st) != 0) return SysError("fstat", path, errno);
  if (want_dir ? !S_ISDIR(st.st_mode) : !S_ISREG(st.st_mode)) {
    return PlainError("vault", path, want_dir ? "not a directory" : "not a regular file");
  }
  if (st.st_uid != ::getuid()) {
    return PlainError("vault", path, "owned by uid " + std::to_string(st.st_uid) + ", not by you");
  }
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
    Error e = PlainError("vault", path,
                         std::string("permissions ") + mode + " are too open (group or others)");
    e.hint = std::string("chmod ") + (want_dir ? "700 " : "600 ") + path;
    return e;
  }
  return {};
}

Result<std::string> ReadAll(int fd, const std::string& path, size_t limit) {
  std::string out;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("read", path, errno);
    }
    if (n == 0) break;
    out.append(buf, static_cast<size_t>(n));
    if (out.size() > limit) {
      Wipe(out.data(), out.size());
      return PlainError("vault", path, "file is too large");
    }
  }
  Wipe(buf, sizeof buf);
  return out;
}

Status WriteAll(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return SysError("write", path, errno);
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return {};
}

Status SyncDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!fd.valid() || ::fsync(fd.get()) != 0) return SysError("fsync", dir, errno);
  return {};
}

// A temp file beside `path` written with `data` and fsynced; the caller
// links or renames it into place. One writer at a time holds the lock (or,
// for the key, link() arbitrates), so one temp name is enough; a stale one
// from a crash is removed first.
Result<std::string> WriteTemp(const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return SysError("open", tmp, errno);
  Status s = WriteAll(fd.get(), data, tmp);
  if (s.ok() && ::fsync(fd.get()) != 0) s = SysError("fsync", tmp, errno);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s.error();
  }
  return tmp;
}

class FlockGuard final : public files::LockGuard {
 public:
  explicit FlockGuard(UniqueFd fd) : fd_(std::move(fd)) {}

 private:
  UniqueFd fd_;  // the lock is held until it closes
};

}  // namespace

Paths Paths::ForState(const std::string& state) {
  Paths p;
  p.dir = state + "/vault";
  p.key = p.dir + "/key";
  p.secrets = p.dir + "/secrets";
  p.lock = p.dir + "/lock";
  return p;
}

namespace files {

Result<std::unique_ptr<LockGuard>> Lock(const Paths& paths, bool exclusive) {
  UniqueFd fd(
      ::open(paths.lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return SysError("open", paths.lock, errno);
  while (::flock(fd.get(), exclusive ? LOCK_EX : LOCK_SH) != 0) {
    if (errno != EINTR) {
      return SysError(exclusive ? "flock(LOCK_EX)" : "flock(LOCK_SH)", paths.lock, errno);
    }
  }
  return std::unique_ptr<LockGuard>(new FlockGuard(std::move(fd)));
}

Status CheckDir(const Paths& paths, bool /*create: setup's state directories*/) {
  UniqueFd fd(::open(paths.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    Error e = SysError("open", paths.dir, errno);
    if (errno == ENOENT) e.hint = "run 'cordon setup' first";
    return e;
  }
  return CheckPrivate(fd.get(), paths.dir, /*want_dir=*/true);
}

Result<std::optional<std::string>> ReadPrivate(const std::string& path, size_t limit) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return SysError("open", path, errno);
  }
  CORDON_RETURN_IF_ERROR(CheckPrivate(fd.get(), path, false));
  auto data = ReadAll(fd.get(), path, limit);
  if (!data.ok()) return data.error();
  return std::optional<std::string>(std::move(data).value());
}

Result<bool> CreatePrivate(const Paths& paths, const std::string& path, std::string_view data) {
  auto tmp = WriteTemp(path, data);
  if (!tmp.ok()) return tmp.error();
  // link() fails with EEXIST when a concurrent setup won: keep theirs.
  bool made = true;
  Status s;
  if (::link(tmp.value().c_str(), path.c_str()) != 0) {
    if (errno == EEXIST) {
      made = false;
    } else {
      s = SysError("link", path, errno);
    }
  }
  ::unlink(tmp.value().c_str());
  if (!s.ok()) return s.error();
  CORDON_RETURN_IF_ERROR(SyncDir(paths.dir));
  return made;
}

Status ReplacePrivate(const Paths& paths, const std::string& path, std::string_view data) {
  auto tmp = WriteTemp(path, data);
  if (!tmp.ok()) return tmp.error();
  if (::rename(tmp.value().c_str(), path.c_str()) != 0) {
    Error e = SysError("rename", tmp.value() + " -> " + path, errno);
    ::unlink(tmp.value().c_str());
    return e;
  }
  // The rename is durable only once the directory entry is.
  return SyncDir(paths.dir);
}

}  // namespace files
}  // namespace cordon::vault
