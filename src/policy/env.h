// The sandbox's environment: scrub-pattern matching and building envp.
//
// A host variable is scrubbed when its name matches a scrub pattern or its
// value carries a credential (secret_values.h), unless an env_pass rule
// passes the name. Pure functions of the Policy and the host's environment;
// the backend calls BuildEnvironment once, before clone, and hands the
// result to execve.
#pragma once

#include <cstdint>
#include <optional>
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

// Why the host variable `name`=`value` is kept out of the sandbox
// ("name matches *_TOKEN", "value looks like a GitHub token"), or nullopt
// when it passes (no rule matches, or an env_pass rule names it). The reason
// never contains any part of the value.
[[nodiscard]] std::optional<std::string> ScrubReason(const Policy& policy, std::string_view name,
                                                     std::string_view value);

struct ScrubbedVariable {
  std::string name;
  std::string reason;  // from ScrubReason
};

// The host variables BuildEnvironment scrubs, in host order, each with its
// reason: names only, for `cordon policy show`.
[[nodiscard]] std::vector<ScrubbedVariable> ScrubbedVariables(const Policy& policy,
                                                              char** host_env);

// The command's envp, as "NAME=VALUE" strings, from the host's `environ`
// (may be null): scrubbed variables (ScrubReason) removed, XDG_RUNTIME_DIR removed (it is
// hidden), TMPDIR=/tmp (the private /tmp), then env_set entries applied
// (they win over everything). Order: host order, then new names in policy
// order. Entries without '=' and repeated names (after the first) are dropped.
[[nodiscard]] std::vector<std::string> BuildEnvironment(const Policy& policy, char** host_env);

// Sets HTTP_PROXY, HTTPS_PROXY, ALL_PROXY (both spellings) to the proxy at
// http://127.0.0.1:port and NO_PROXY (both) to the loopback names,
// replacing whatever `envp` had: the one proxy environment of every
// backend (Linux's namespaces, the Windows online identity).
void SetProxyEnvironment(std::vector<std::string>& envp, uint16_t port);

// Appends `entries` ("NAME=VALUE"), each replacing what `envp` had of its
// name: granted vault secrets go in after scrubbing, so no scrub pattern
// removes them, and win over a host variable of the same name.
void AddVariables(std::vector<std::string>& envp, const std::vector<std::string>& entries);

}  // namespace cordon::policy
