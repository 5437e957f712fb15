// The vault's key protection on Windows: DPAPI with cordon's entropy. The
// vault (src/vault/crypto-win32.cc) wraps its key twice: machine scope
// inside, so the blob is useless on another machine even where the user's
// DPAPI keys roam, and user scope outside, so that it opens only under the
// user's logon secret (not for another account, not from an offline copy of
// the disk and the machine's LSA secrets). The vault's DACL keeps other
// users from reading the blob at all. docs/windows.md, "Credentials".
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::sandbox::dpapi {

// kMachine: CRYPTPROTECT_LOCAL_MACHINE (any account of this machine that
// holds the blob and the entropy can unprotect it); kUser: the calling
// user's DPAPI master key, protected by their logon secret.
enum class Scope { kMachine, kUser };

// CryptProtectData(CRYPTPROTECT_UI_FORBIDDEN, and LOCAL_MACHINE for
// kMachine) of `plaintext` with `entropy`: the opaque blob to store.
[[nodiscard]] Result<std::string> Protect(std::string_view plaintext, std::string_view entropy,
                                          Scope scope = Scope::kMachine);

// CryptUnprotectData of a Protect() blob of the same scope; fails when the
// blob was altered, or protected on another machine (or for another user)
// or with other entropy.
[[nodiscard]] Result<std::string> Unprotect(std::string_view blob, std::string_view entropy,
                                            Scope scope = Scope::kMachine);

}  // namespace cordon::sandbox::dpapi
