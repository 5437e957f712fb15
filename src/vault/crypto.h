// The vault's cryptography, one interface over two halves: the key bound to
// this machine and user, and the AEAD seal of the records (format.h).
//
// crypto-unix.cc (libsodium): the key file holds 32 random bytes; the key is
// BLAKE2b-256 keyed with them, over a context string, the machine id and
// the uid; records are sealed with XChaCha20-Poly1305 (format 1).
// crypto-win32.cc (CNG and DPAPI; libsodium has no mingw package): the key
// is 32 bytes from BCryptGenRandom; the key file holds them protected with
// DPAPI, machine scope inside user scope, with an entropy blob made of a
// context string, the machine id and the user's SID; records are sealed
// with AES-256-GCM (format 2). docs/windows.md, "Credentials".
//
// Either way the key file alone is not enough: a vault and its key file
// copied to another machine or account do not open.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.h"
#include "vault/format.h"

namespace cordon::vault {

// This build's envelope (format.h): kUnixFormat or kWin32Format.
[[nodiscard]] const EnvelopeFormat& PlatformFormat();

// The largest key file this build writes (larger ones are refused unread).
[[nodiscard]] size_t MaxKeyFileBytes();

// What the key is bound to besides the key file.
struct Identity {
  std::string machine_id;
  std::string user;  // the uid in decimal (Unix), the user's SID "S-1-5-21-..." (Windows)

  // Unix: /etc/machine-id (else /var/lib/dbus/machine-id) and getuid().
  // Windows: HKLM\SOFTWARE\Microsoft\Cryptography\MachineGuid and the
  // process token's user SID. For tests only, $CORDON_TEST_MACHINE_ID
  // replaces the machine id: the id is not a secret (any local user can
  // read it), so the override gives nobody a key they could not derive
  // anyway; the key file (and on Windows DPAPI) is the secret.
  [[nodiscard]] static Result<Identity> FromHost();
};

// Overwrites `size` bytes at `p` in a way the compiler does not elide.
void Wipe(void* p, size_t size);

// Key material, wiped on destruction.
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
  [[nodiscard]] static constexpr size_t size() { return 32; }

 private:
  std::array<unsigned char, 32> bytes_{};
};

// The bytes of a new key file for `id` (Unix: 32 random bytes; Windows: a
// fresh random key, DPAPI-protected for `id`).
[[nodiscard]] Result<std::string> NewKeyFile(const Identity& id);

// The key a key file holds for `id`; an Error naming `path` when the file
// is malformed, or (Windows) was protected on another machine, for another
// user or altered.
[[nodiscard]] Result<Key> KeyFromFile(std::string_view key_file, const Identity& id,
                                      const std::string& path);

// The whole vault file for `plain` (a fresh random nonce).
[[nodiscard]] Result<std::string> Seal(const Key& key, std::string_view plain);

// The plaintext of a vault file, or an Error naming `path` when the file is
// malformed or does not authenticate (tampered, or another key).
[[nodiscard]] Result<std::string> Unseal(const Key& key, std::string_view file,
                                         const std::string& path);

// The error Unseal returns for a file that does not authenticate.
[[nodiscard]] Error NotAuthentic(const std::string& path);

}  // namespace cordon::vault
