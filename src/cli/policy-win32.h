// The policy half of cordon.exe: the policy flags (the same table as on
// Linux, policy/flag_layer.h), resolution with the same errors, and
// `cordon policy show` in the same text and JSON as on Linux, with the tier
// the Windows build offers.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/flag_layer.h"
#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::cli {

// Reads policy flags from args[*next] on ("--mode MODE", "--mode=MODE",
// "--no-config"), stopping at the first argument that is not a flag (or
// after "--"). `*next` is left on the first argument not consumed. An
// unknown option or a missing value is an Error naming it.
[[nodiscard]] Status ParsePolicyFlags(const std::vector<std::string>& args, size_t* next,
                                      policy::Overrides* overrides);

// The host facts and the policy resolved from them, or nullopt after
// printing "cordon: <why>" (the caller exits 125). Warns about skipped
// config paths, as on Linux.
struct ResolvedPolicy {
  policy::HostFacts host;
  policy::Policy policy;
  // Where the run's "always" answers are saved (run_broker.h's
  // AlwaysConfigPath); empty under --no-config.
  std::string always_config;
};
[[nodiscard]] std::optional<ResolvedPolicy> ResolveOrReport(const policy::Overrides& overrides);

// `cordon policy show [--json] [-v] [POLICY FLAGS]`: the resolved policy on
// stdout, then "tier TIER_NAME (TIER_REASON)". Returns the exit status.
[[nodiscard]] int PolicyShow(const std::vector<std::string>& args, const std::string& tier_name,
                             const std::string& tier_reason);

// "cordon: TEXT\n" on stderr, escaped for the terminal; an Error with its
// hint on a second line.
void Say(const std::string& text);
void Say(const Error& e);

}  // namespace cordon::cli
