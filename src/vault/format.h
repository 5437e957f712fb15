// The vault file format: an envelope around an encrypted list of records.
//
// Pure parsing and serialization (no crypto, no I/O), so that the parsers of
// bytes read from disk can be fuzzed on their own. The file is:
//
//   magic "CRDNVLT\0" (8) | version (1) | nonce | ciphertext
//
// where the ciphertext (16-byte tag) holds the records, and the first 9
// bytes are its additional data. The version names the platform's cipher:
// 1 is XChaCha20-Poly1305 with a 24-byte nonce (libsodium, the Unix build),
// 2 is AES-256-GCM with a 12-byte nonce (CNG, the Windows build). Each build
// reads its own version only and names the other's when it meets it: a
// vault never moves between machines (its key is bound to one), so a file
// of the other version is a mistake to report, not a file to convert.
// The records, the same on both:
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
inline constexpr size_t kHeaderSize = 9;  // magic + version: the AEAD's additional data
inline constexpr size_t kTagSize = 16;

// One version of the envelope: its byte, its nonce size, and what writes it.
struct EnvelopeFormat {
  uint8_t version;
  size_t nonce_size;
  const char* written_by;  // for the error that names a file of this version
};
inline constexpr EnvelopeFormat kUnixFormat{1, 24, "cordon on Linux (XChaCha20-Poly1305)"};
inline constexpr EnvelopeFormat kWin32Format{2, 12, "cordon on Windows (AES-256-GCM)"};
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
  std::string nonce;       // the format's nonce_size bytes
  std::string ciphertext;  // at least kTagSize bytes
};

// Splits a vault file of `format`; `path` only names the file in errors. A
// file of the other known format is an error naming what wrote it.
[[nodiscard]] Result<Envelope> ParseEnvelope(std::string_view file, const EnvelopeFormat& format,
                                             const std::string& path);
[[nodiscard]] std::string SerializeEnvelope(const Envelope& envelope, const EnvelopeFormat& format);
// The additional data bound to the ciphertext (magic and version).
[[nodiscard]] std::string Header(const EnvelopeFormat& format);

[[nodiscard]] Result<Secrets> ParseRecords(std::string_view plain, const std::string& path);
[[nodiscard]] std::string SerializeRecords(const Secrets& secrets);

}  // namespace cordon::vault
