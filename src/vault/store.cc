// Vault files: key checks, locking, atomic replacement.
#include "vault/store.h"

#include <errno.h>
#include <fcntl.h>
#include <sodium.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/unique_fd.h"

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
    if (out.size() > limit) return PlainError("vault", path, "file is too large");
  }
  sodium_memzero(buf, sizeof buf);
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

Status CheckDir(const std::string& dir) {
  UniqueFd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
  if (!fd.valid()) {
    Error e = SysError("open", dir, errno);
    if (errno == ENOENT) e.hint = "run 'cordon setup' first";
    return e;
  }
  return CheckPrivate(fd.get(), dir, /*want_dir=*/true);
}

// The lock is held until the returned fd closes.
Result<UniqueFd> Lock(const std::string& path, int op) {
  UniqueFd fd(::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return SysError("open", path, errno);
  while (::flock(fd.get(), op) != 0) {
    if (errno != EINTR)
      return SysError(op == LOCK_EX ? "flock(LOCK_EX)" : "flock(LOCK_SH)", path, errno);
  }
  return fd;
}

}  // namespace

Paths Paths::ForState(const std::string& state) {
  Paths p;
  p.dir = state + "/vault";
  p.key = p.dir + "/key";
  p.secrets = p.dir + "/secrets";
  p.lock = p.dir + "/lock";
  return p;
}

Result<bool> EnsureKey(const Paths& paths) {
  CORDON_RETURN_IF_ERROR(CheckDir(paths.dir));
  UniqueFd existing(::open(paths.key.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (existing.valid()) {
    CORDON_RETURN_IF_ERROR(CheckPrivate(existing.get(), paths.key, false));
    return false;
  }
  if (errno != ENOENT) return SysError("open", paths.key, errno);
  auto bytes = NewKeyFileBytes();
  if (!bytes.ok()) return bytes.error();
  // Written under a temp name and linked in place, so a crash never leaves a
  // short key that would make the vault unreadable.
  const std::string tmp = paths.key + ".tmp";
  ::unlink(tmp.c_str());
  UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return SysError("open", tmp, errno);
  Status s = WriteAll(fd.get(), bytes.value(), tmp);
  sodium_memzero(bytes.value().data(), bytes.value().size());
  if (s.ok() && ::fsync(fd.get()) != 0) s = SysError("fsync", tmp, errno);
  // link() fails with EEXIST when a concurrent setup won: keep theirs.
  if (s.ok() && ::link(tmp.c_str(), paths.key.c_str()) != 0 && errno != EEXIST) {
    s = SysError("link", paths.key, errno);
  }
  ::unlink(tmp.c_str());
  if (!s.ok()) return s.error();
  UniqueFd dir(::open(paths.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) return SysError("fsync", paths.dir, errno);
  return true;
}

Result<Store> Store::Open(const Paths& paths, const Identity& id) {
  CORDON_RETURN_IF_ERROR(CheckDir(paths.dir));
  UniqueFd fd(::open(paths.key.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fd.valid()) {
    Error e = SysError("open", paths.key, errno);
    if (errno == ENOENT) e.hint = "the vault has no key yet: run 'cordon setup'";
    return e;
  }
  CORDON_RETURN_IF_ERROR(CheckPrivate(fd.get(), paths.key, false));
  auto bytes = ReadAll(fd.get(), paths.key, kKeyFileBytes);
  if (!bytes.ok()) return bytes.error();
  if (bytes.value().size() != kKeyFileBytes) {
    return PlainError("vault", paths.key, "the key file must hold exactly 32 bytes; it was kept");
  }
  auto key = DeriveKey(bytes.value(), id);
  sodium_memzero(bytes.value().data(), bytes.value().size());
  if (!key.ok()) return key.error();
  return Store(paths, std::move(key).value());
}

Result<Secrets> Store::LoadLocked() const {
  UniqueFd fd(::open(paths_.secrets.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY));
  if (!fd.valid()) {
    if (errno == ENOENT) return Secrets{};  // no secret set yet
    return SysError("open", paths_.secrets, errno);
  }
  CORDON_RETURN_IF_ERROR(CheckPrivate(fd.get(), paths_.secrets, false));
  auto file = ReadAll(fd.get(), paths_.secrets, kMaxFileBytes);
  if (!file.ok()) return file.error();
  auto plain = Unseal(key_, file.value(), paths_.secrets);
  if (!plain.ok()) return plain.error();
  auto secrets = ParseRecords(plain.value(), paths_.secrets);
  sodium_memzero(plain.value().data(), plain.value().size());
  return secrets;
}

Status Store::WriteLocked(const Secrets& secrets) const {
  std::string plain = SerializeRecords(secrets);
  std::string sealed = Seal(key_, plain);
  sodium_memzero(plain.data(), plain.size());
  // One writer at a time holds the lock, so one temp name is enough; a stale
  // one from a crash is removed first.
  const std::string tmp = paths_.secrets + ".tmp";
  ::unlink(tmp.c_str());
  UniqueFd fd(
      ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return SysError("open", tmp, errno);
  Status s = WriteAll(fd.get(), sealed, tmp);
  if (s.ok() && ::fsync(fd.get()) != 0) s = SysError("fsync", tmp, errno);
  if (s.ok() && ::rename(tmp.c_str(), paths_.secrets.c_str()) != 0) {
    s = SysError("rename", tmp + " -> " + paths_.secrets, errno);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  // The rename is durable only once the directory entry is.
  UniqueFd dir(::open(paths_.dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (!dir.valid() || ::fsync(dir.get()) != 0) return SysError("fsync", paths_.dir, errno);
  return {};
}

Result<Secrets> Store::Load() const {
  auto lock = Lock(paths_.lock, LOCK_SH);
  if (!lock.ok()) return lock.error();
  return LoadLocked();
}

Status Store::Set(const std::string& name, const std::string& value) const {
  if (!IsValidSecretName(name)) {
    return PlainError("secret", name,
                      "invalid name (letters, digits and '_', not starting with a "
                      "digit, at most 128 characters)");
  }
  if (!IsValidSecretValue(value)) {
    return PlainError("secret", name, "invalid value (a NUL byte, or larger than 1 MiB)");
  }
  auto lock = Lock(paths_.lock, LOCK_EX);
  if (!lock.ok()) return lock.error();
  auto secrets = LoadLocked();
  if (!secrets.ok()) return secrets.error();
  secrets.value()[name] = value;
  return WriteLocked(secrets.value());
}

Result<bool> Store::Remove(const std::string& name) const {
  auto lock = Lock(paths_.lock, LOCK_EX);
  if (!lock.ok()) return lock.error();
  auto secrets = LoadLocked();
  if (!secrets.ok()) return secrets.error();
  if (secrets.value().erase(name) == 0) return false;
  CORDON_RETURN_IF_ERROR(WriteLocked(secrets.value()));
  return true;
}

}  // namespace cordon::vault
