// The vault on disk: <state>/vault/{key,secrets,lock}, private to the user
// (Unix: 0600 files in a 0700 directory owned by the user; Windows: a
// protected DACL naming only the user and SYSTEM, read back; store_files.h).
//
// Every change is a locked read-modify-write: an exclusive lock on the lock
// file (never on the vault itself, which the atomic replace swaps), then the
// new vault is written to a temp file, flushed to disk and moved over the old
// one. Readers take a shared lock. A vault that does not parse or
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

  // `state` is cordon's state directory ($XDG_STATE_HOME/cordon; on Windows
  // %LOCALAPPDATA%\cordon, joined with '\').
  [[nodiscard]] static Paths ForState(const std::string& state);
};

// Creates the key file for `id` in the vault directory unless it exists;
// returns true when it created it. An existing key is checked, never
// replaced. The directory must exist on Unix (`cordon setup` makes it);
// on Windows it is made here when missing, under its protected DACL.
[[nodiscard]] Result<bool> EnsureKey(const Paths& paths, const Identity& id);

class Store {
 public:
  // Reads and checks the key file (regular, private to the user) and gets
  // the key from it (crypto.h KeyFromFile). A missing key is an error whose
  // hint is `cordon setup`.
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
