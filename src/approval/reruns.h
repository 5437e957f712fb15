// The on-failure re-run loop, one for `cordon run` and for `cordon mcp`'s
// session sandbox: after a failed run that hit a denial, the person is
// offered the one escalation that would have let it pass, and on a yes the
// command runs again with it.
#pragma once

#include <functional>
#include <optional>

#include "approval/broker.h"
#include "approval/question.h"

namespace cordon::approval {

// Re-runs after the first run, at most.
inline constexpr int kMaxReruns = 3;

// Calls `run`; while the run failed for a reason a re-run can fix (not 0,
// not 124 the timeout, not 125 cordon's own failure) and the broker offers
// re-runs (OffersReruns), asks `offer` what would have let it pass (nullopt:
// nothing, or the caller gave up), puts that to the person, and on a yes
// calls `widen` (false: it cannot be applied) and `run` again, at most
// kMaxReruns times. Returns the last exit status.
[[nodiscard]] int RunWithReruns(Broker& broker, const std::function<int()>& run,
                                const std::function<std::optional<Question>(int status)>& offer,
                                const std::function<bool(const Question&, Reply)>& widen,
                                const Cancelled& cancelled = {});

}  // namespace cordon::approval
