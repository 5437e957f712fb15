// The vault's read-modify-write, shared by both platforms (store.h): the
// file operations are store_files.h's, the crypto crypto.h's.
#include "vault/store.h"

#include <errno.h>

#include <utility>

#include "vault/store_files.h"

namespace cordon::vault {

Result<bool> EnsureKey(const Paths& paths, const Identity& id) {
  CORDON_RETURN_IF_ERROR(files::CheckDir(paths, /*create=*/true));
  auto existing = files::ReadPrivate(paths.key, MaxKeyFileBytes());
  if (!existing.ok()) return existing.error();
  if (existing.value().has_value()) {
    Wipe(existing.value()->data(), existing.value()->size());
    return false;
  }
  auto bytes = NewKeyFile(id);
  if (!bytes.ok()) return bytes.error();
  auto made = files::CreatePrivate(paths, paths.key, bytes.value());
  Wipe(bytes.value().data(), bytes.value().size());
  return made;
}

Result<Store> Store::Open(const Paths& paths, const Identity& id) {
  CORDON_RETURN_IF_ERROR(files::CheckDir(paths, /*create=*/false));
  auto bytes = files::ReadPrivate(paths.key, MaxKeyFileBytes());
  if (!bytes.ok()) return bytes.error();
  if (!bytes.value().has_value()) {
    Error e = SysError("open", paths.key, ENOENT);
    e.hint = "the vault has no key yet: run 'cordon setup'";
    return e;
  }
  auto key = KeyFromFile(*bytes.value(), id, paths.key);
  Wipe(bytes.value()->data(), bytes.value()->size());
  if (!key.ok()) return key.error();
  return Store(paths, std::move(key).value());
}

Result<Secrets> Store::LoadLocked() const {
  auto file = files::ReadPrivate(paths_.secrets, kMaxFileBytes);
  if (!file.ok()) return file.error();
  if (!file.value().has_value()) return Secrets{};  // no secret set yet
  auto plain = Unseal(key_, *file.value(), paths_.secrets);
  if (!plain.ok()) return plain.error();
  auto secrets = ParseRecords(plain.value(), paths_.secrets);
  Wipe(plain.value().data(), plain.value().size());
  return secrets;
}

Status Store::WriteLocked(const Secrets& secrets) const {
  std::string plain = SerializeRecords(secrets);
  auto sealed = Seal(key_, plain);
  Wipe(plain.data(), plain.size());
  if (!sealed.ok()) return sealed.error();
  return files::ReplacePrivate(paths_, paths_.secrets, sealed.value());
}

Result<Secrets> Store::Load() const {
  auto lock = files::Lock(paths_, /*exclusive=*/false);
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
  auto lock = files::Lock(paths_, /*exclusive=*/true);
  if (!lock.ok()) return lock.error();
  auto secrets = LoadLocked();
  if (!secrets.ok()) return secrets.error();
  secrets.value()[name] = value;
  Status s = WriteLocked(secrets.value());
  for (auto& [n, v] : secrets.value()) Wipe(v.data(), v.size());
  return s;
}

Result<bool> Store::Remove(const std::string& name) const {
  auto lock = files::Lock(paths_, /*exclusive=*/true);
  if (!lock.ok()) return lock.error();
  auto secrets = LoadLocked();
  if (!secrets.ok()) return secrets.error();
  if (secrets.value().erase(name) == 0) return false;
  CORDON_RETURN_IF_ERROR(WriteLocked(secrets.value()));
  return true;
}

}  // namespace cordon::vault
