// Random run identifiers (OTLP trace and span ids) and the policy hash.
//
// The shared part (ids.cc) makes the ids and the hex; the platform's part
// (ids-unix.cc: getrandom(2) and libsodium's SHA-256; ids-win32.cc:
// BCryptGenRandom and the backend's SHA-256, libsodium having no mingw
// package) supplies the random bytes and the digest.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "telemetry/otlp_json.h"

namespace cordon::telemetry {

// A fresh trace id (16 bytes) and span id (8 bytes) from the system's
// CSPRNG, as lowercase hex; never all zero (OTLP treats that as "no id").
[[nodiscard]] Result<RunIds> NewRunIds();

// SHA-256 of `data` as 64 lowercase hex digits (FIPS 180-4).
[[nodiscard]] std::string Sha256Hex(std::string_view data);

// The platform's: `size` bytes from the system's CSPRNG.
[[nodiscard]] Status RandomBytes(uint8_t* out, size_t size);
// The platform's: SHA-256 of `data`.
[[nodiscard]] std::array<uint8_t, 32> Sha256(std::string_view data);

}  // namespace cordon::telemetry
