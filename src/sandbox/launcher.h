// The supervisor: clones the child into its namespaces, relays signals,
// enforces the timeout, and turns the child's report into an Outcome.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/outcome.h"
#include "policy/policy.h"
#include "sandbox/plan.h"

namespace cordon::sandbox {

struct LaunchOptions {
  std::optional<int> timeout_seconds;  // kill the whole tree after this
  // Told each thing this run will not enforce, before the command starts.
  std::function<void(const std::string&)> on_degraded;
};

// Runs plan.argv as the plan says and waits for it. `plan` may be re-planned
// without namespaces when the kernel refuses them and the policy allows
// degraded runs (its `degraded` list then says what was lost).
[[nodiscard]] Outcome Launch(const policy::Policy& policy, Plan& plan,
                             const LaunchOptions& options);

}  // namespace cordon::sandbox
