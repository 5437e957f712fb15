// The on-failure re-run loop.
#include "approval/reruns.h"

#include "common/outcome.h"

namespace cordon::approval {

int RunWithReruns(Broker& broker, const std::function<int()>& run,
                  const std::function<std::optional<Question>(int status)>& offer,
                  const std::function<bool(const Question&, Reply)>& widen,
                  const Cancelled& cancelled) {
  int status = run();
  for (int rerun = 0; rerun < kMaxReruns; ++rerun) {
    if (status == 0 || status == kExitTimeout || status == kExitSetupError ||
        !broker.OffersReruns()) {
      break;
    }
    std::optional<Question> q = offer(status);
    if (!q) break;
    const Reply reply = broker.AskNow(*q, cancelled);
    if (!Allows(reply) || !widen(*q, reply)) break;
    status = run();
  }
  return status;
}

}  // namespace cordon::approval
