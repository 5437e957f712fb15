// PlatformHomeDenyRead on Linux: the shared list in defaults.cc (dotfiles
// under the home) is the whole list.
#include "policy/defaults.h"

namespace cordon::policy {

std::span<const char* const> PlatformHomeDenyRead() { return {}; }

}  // namespace cordon::policy
