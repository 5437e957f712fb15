// The vault's key protection on Windows: DPAPI, machine scope, with
// cordon's entropy, so the protected blob is useless on another machine and
// to a program that does not know the entropy (the vault file's DACL keeps
// other users from reading it at all).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::sandbox::dpapi {

// CryptProtectData(CRYPTPROTECT_LOCAL_MACHINE | CRYPTPROTECT_UI_FORBIDDEN)
// of `plaintext` with `entropy`: the opaque blob to store.
[[nodiscard]] Result<std::string> Protect(std::string_view plaintext, std::string_view entropy);

// CryptUnprotectData of a Protect() blob; fails when the blob was altered,
// or protected on another machine or with other entropy.
[[nodiscard]] Result<std::string> Unprotect(std::string_view blob, std::string_view entropy);

}  // namespace cordon::sandbox::dpapi
