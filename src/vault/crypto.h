// The vault's cryptography (libsodium): the machine- and user-bound key and
// the XChaCha20-Poly1305 seal of the records.
//
// The key is BLAKE2b-256 keyed with the random 32-byte key file, over a
// context string, the machine id and the uid. The key file alone is not
// enough: a vault and its key file copied to another machine or account
// derive another key and do not open.
#pragma once

#include <sys/types.h>

#include <array>
#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::vault {

inline constexpr size_t kKeyFileBytes = 32;

// What the key is bound to besides the key file.
struct Identity {
  std::string machine_id;
  uid_t uid = 0;

  // /etc/machine-id (else /var/lib/dbus/machine-id) and getuid(). For tests
  // only, $CORDON_TEST_MACHINE_ID replaces the machine id: the id is not a
  // secret (any local user can read it), so the override gives nobody a key
  // they could not derive anyway; the key file is the secret.
  [[nodiscard]] static Result<Identity> FromHost();
};

// Derived key material, wiped on destruction.
class Key {
 public:
  Key() = default;
  ~Key();
  Key(const Key&) = delete;
  Key& operator=(const Key&) = delete;
  Key(Key&& o) noexcept;
  Key& operator=(Key&& o) noexcept;
  [[nodiscard]] const unsigned char* data() const { return bytes_.data(); }
  unsigned char* data() { return bytes_.data(); }

 private:
  std::array<unsigned char, 32> bytes_{};
};

// Fails only when libsodium cannot initialize.
[[nodiscard]] Status InitSodium();

// kKeyFileBytes random bytes for a new key file.
[[nodiscard]] Result<std::string> NewKeyFileBytes();

[[nodiscard]] Result<Key> DeriveKey(std::string_view key_file_bytes, const Identity& id);

// The whole vault file for `plain` (fresh random nonce).
[[nodiscard]] std::string Seal(const Key& key, std::string_view plain);

// The plaintext of a vault file, or an Error naming `path` when the file is
// malformed or does not authenticate (tampered, or another key).
[[nodiscard]] Result<std::string> Unseal(const Key& key, std::string_view file,
                                         const std::string& path);

}  // namespace cordon::vault
