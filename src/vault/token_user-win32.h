// The SID of the user this process runs as, the one name both the vault's
// key binding (crypto-win32.cc) and its DACL (store-win32.cc) use.
#pragma once

#include <string>

#include "common/result.h"

namespace cordon::vault {

// "S-1-5-21-..." of the process token's user (TokenUser).
[[nodiscard]] Result<std::string> CurrentUserSid();

}  // namespace cordon::vault
