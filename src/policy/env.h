// The sandbox's environment: scrub-pattern matching and building envp.
//
// Pure functions of the Policy and the host's environment; the backend calls
// BuildEnvironment once, before clone, and hands the result to execve.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "policy/policy.h"

namespace cordon::policy {

// True for [A-Za-z_][A-Za-z0-9_]*.
[[nodiscard]] bool IsValidEnvName(std::string_view name);
// True for a non-empty pattern made of [A-Za-z0-9_] and '*'.
[[nodiscard]] bool IsValidScrubPattern(std::string_view pattern);

// ASCII-case-insensitive glob match where '*' matches any run of characters
// (including none) and every other character matches itself.
[[nodiscard]] bool GlobMatch(std::string_view pattern, std::string_view name);

// True when `name` matches one of the policy's scrub patterns and is not
// passed through by an env_pass rule.
[[nodiscard]] bool IsScrubbed(const Policy& policy, std::string_view name);

// The command's envp, as "NAME=VALUE" strings, from the host's `environ`
// (may be null): scrubbed names removed, XDG_RUNTIME_DIR removed (it is
// hidden), TMPDIR=/tmp (the private /tmp), then env_set entries applied
// (they win over everything). Order: host order, then new names in policy
// order. Entries without '=' and repeated names (after the first) are dropped.
[[nodiscard]] std::vector<std::string> BuildEnvironment(const Policy& policy, char** environ);

}  // namespace cordon::policy
