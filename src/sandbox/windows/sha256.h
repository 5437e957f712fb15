// SHA-256 (FIPS 180-4) in standard C++: the Windows backend derives
// AppContainer and capability SIDs from names with it (sid_derive.h), and the
// same code must run on Linux (unit tests), in the mingw cross build and on
// Windows, where libsodium is not available. Not for secrets: no constant-time
// promises are needed for hashing public names.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace cordon::sandbox::windows {

using Sha256Digest = std::array<uint8_t, 32>;

[[nodiscard]] Sha256Digest Sha256(std::string_view bytes);

}  // namespace cordon::sandbox::windows
