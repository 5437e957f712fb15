// The supervisor: clones the child into its namespaces, relays signals,
// enforces the timeout, and turns the child's report into an Outcome.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/event.h"
#include "common/outcome.h"
#include "policy/policy.h"
#include "proxy/decider.h"
#include "sandbox/plan.h"

namespace cordon::sandbox {

struct LaunchOptions {
  std::optional<int> timeout_seconds;  // kill the whole tree after this
  // Told each thing this run will not enforce, before the command starts.
  std::function<void(const std::string&)> on_degraded;
  // Receives the proxy's decisions (may be null; called from its thread).
  EventSink* events = nullptr;
  // Asked about destinations no rule names (null: they are denied).
  proxy::Decider* decider = nullptr;
};

// Runs plan.argv as the plan says and waits for it. `plan` may be re-planned
// without namespaces when the kernel refuses them and the policy allows
// degraded runs (its `degraded` list then says what was lost).
[[nodiscard]] Outcome Launch(const policy::Policy& policy, Plan& plan,
                             const LaunchOptions& options);

}  // namespace cordon::sandbox
