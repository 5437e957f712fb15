// The vault file format: an envelope around an encrypted list of records.
//
// Pure parsing and serialization (no crypto, no I/O), so that the parsers of
// bytes read from disk can be fuzzed on their own. The file is:
//
//   magic "CRDNVLT\0" (8) | version 1 (1) | nonce (24) | ciphertext
//
// where the ciphertext (XChaCha20-Poly1305, 16-byte tag) holds the records,
// and the first 9 bytes are its additional data. The records are:
//
//   count u32le | count × (name_len u16le | name | value_len u32le | value)
//
// Names are unique and valid secret names; nothing may follow the last one.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::vault {

inline constexpr std::string_view kMagic{"CRDNVLT\0", 8};
inline constexpr uint8_t kVersion = 1;
inline constexpr size_t kHeaderSize = 9;  // magic + version: the AEAD's additional data
inline constexpr size_t kNonceSize = 24;
inline constexpr size_t kTagSize = 16;
inline constexpr size_t kMaxFileBytes = 16 << 20;
inline constexpr size_t kMaxNameBytes = 128;
inline constexpr size_t kMaxValueBytes = 1 << 20;
inline constexpr uint32_t kMaxSecrets = 4096;

// Secret name -> value.
using Secrets = std::map<std::string, std::string>;

// An environment-variable-like name: [A-Za-z_][A-Za-z0-9_]*, at most
// kMaxNameBytes long.
[[nodiscard]] bool IsValidSecretName(std::string_view name);

// A value that can go into an environment variable: no NUL byte, at most
// kMaxValueBytes.
[[nodiscard]] bool IsValidSecretValue(std::string_view value);

struct Envelope {
  std::string nonce;       // kNonceSize bytes
  std::string ciphertext;  // at least kTagSize bytes
};

// Splits a vault file; `path` only names the file in errors.
[[nodiscard]] Result<Envelope> ParseEnvelope(std::string_view file, const std::string& path);
[[nodiscard]] std::string SerializeEnvelope(const Envelope& envelope);
// The additional data bound to the ciphertext (magic and version).
[[nodiscard]] std::string_view Header();

[[nodiscard]] Result<Secrets> ParseRecords(std::string_view plain, const std::string& path);
[[nodiscard]] std::string SerializeRecords(const Secrets& secrets);

}  // namespace cordon::vault
