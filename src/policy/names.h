// Names of the policy's enumerations, both ways.
//
// The strings are the ones users type (config files, --mode, --net) and read
// (`cordon policy show`); keep them in sync with docs/config.md.
#pragma once

#include <optional>
#include <string_view>

#include "policy/policy.h"

namespace cordon::policy {

// "read-only" -> kReadOnly, ...; nullopt for anything else (case-sensitive).
[[nodiscard]] std::optional<Mode> ParseMode(std::string_view name);
// "off" | "proxy" | "full"; nullopt for anything else.
[[nodiscard]] std::optional<NetMode> ParseNetMode(std::string_view name);

// For error messages: "read-only, workspace-write, full-access".
inline constexpr const char* kModeChoices = "read-only, workspace-write, full-access";
inline constexpr const char* kNetModeChoices = "off, proxy, full";

// Permissiveness order, used to check that a project file only narrows:
// read-only < workspace-write < full-access, off < proxy < full.
[[nodiscard]] int Rank(Mode m);
[[nodiscard]] int Rank(NetMode m);

}  // namespace cordon::policy
