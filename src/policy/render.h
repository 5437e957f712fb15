// `cordon policy show`: the resolved policy as text for people and as JSON
// for scripts.
//
// Both list the same facts: every path with its access and origin, the mode
// and network mode with their origins, the environment rules, the config
// files read and whether the project file was trusted. Values of env_set
// entries whose names or values look secret (a scrub pattern, a credential's
// shape) are redacted.
#pragma once

#include <array>
#include <string>

#include "policy/policy.h"

namespace cordon::policy {

// Access names used by both renderers (JSON "access" values).
inline constexpr const char* kAccessSystemRead = "system-read";
inline constexpr const char* kAccessRead = "read";
inline constexpr const char* kAccessWrite = "writable";
inline constexpr const char* kAccessProtect = "protect";
inline constexpr const char* kAccessDenyRead = "deny-read";
inline constexpr const char* kAccessHidden = "hidden";
inline constexpr const char* kAccessCacheLayer = "cache-layer";

// Paths found by a built-in rule (origin "built-in rule: ...", e.g. the
// root-only files under /etc) are summed up in one line per rule unless
// `verbose`; the JSON always lists them.
// `enforcement`, when given, says how each limit is enforced on this host,
// one phrase per LimitKind (limits.h) shown under the limit; the CLI finds
// it from the backend (policy stays pure). Empty phrases are not shown.
using LimitEnforcementText = std::array<std::string, 4>;
[[nodiscard]] std::string RenderText(const Policy& policy, bool verbose = false,
                                     const LimitEnforcementText* enforcement = nullptr);

// A stable JSON object (keys: workspace, home, mode, network, paths, env,
// secrets (names only), limits, sources, project_trusted, allow_degraded), pretty-printed, ending
// in "\n". limits: {memory, pids, cpus, tmp_size: {value, unit, shown, origin}}; value is
// null for no limit, unit "bytes", "processes" or "millicpus" (thousandths of a core).
// network: {mode, origin, rules: [{kind, rule, host, wildcard, port, origin}],
// resolve: [{host, address}]}; kind is "deny", "allow" or "allow_local".
// `indent` < 0: one compact line (the audit trail's session.start, hashed).
[[nodiscard]] std::string RenderJson(const Policy& policy, int indent = 2);

}  // namespace cordon::policy
