// The vault on disk: <state>/vault/{key,secrets,lock}, all 0600 in a 0700
// directory owned by the user.
//
// Every change is a locked read-modify-write: flock(LOCK_EX) on the lock
// file (never on the vault itself, which rename replaces), then the new vault
// is written to a temp file, fsynced, renamed over the old one, and the
// directory fsynced. Readers take LOCK_SH. A vault that does not parse or
// authenticate is an error naming the file; it is never rewritten.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "vault/crypto.h"
#include "vault/format.h"

namespace cordon::vault {

struct Paths {
  std::string dir;      // <state>/vault
  std::string key;      // <state>/vault/key
  std::string secrets;  // <state>/vault/secrets
  std::string lock;     // <state>/vault/lock

  // `state` is cordon's state directory ($XDG_STATE_HOME/cordon).
  [[nodiscard]] static Paths ForState(const std::string& state);
};

// Creates the key file (0600) in the existing vault directory unless it
// exists; returns true when it created it. An existing key is checked, never
// replaced.
[[nodiscard]] Result<bool> EnsureKey(const Paths& paths);

class Store {
 public:
  // Reads and checks the key file (regular, owned by the user, not readable
  // by group or others, 32 bytes) and derives the key. A missing key is an
  // error whose hint is `cordon setup`.
  [[nodiscard]] static Result<Store> Open(const Paths& paths, const Identity& id);

  [[nodiscard]] Result<Secrets> Load() const;
  [[nodiscard]] Status Set(const std::string& name, const std::string& value) const;
  // False when there was no such secret.
  [[nodiscard]] Result<bool> Remove(const std::string& name) const;

 private:
  Store(Paths paths, Key key) : paths_(std::move(paths)), key_(std::move(key)) {}
  [[nodiscard]] Result<Secrets> LoadLocked() const;
  [[nodiscard]] Status WriteLocked(const Secrets& secrets) const;

  Paths paths_;
  Key key_;
};

}  // namespace cordon::vault
