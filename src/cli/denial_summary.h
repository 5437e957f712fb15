// The denials of one `cordon run`, explained where the user looks: at the
// end of the run, one line on stderr per distinct denial cordon knows of,
// naming the path or destination, the rule, and the flag or config line
// that would allow it (docs/approvals.md, "What a run tells you").
//
// It sits between the run's producers (proxy, broker, supervisor) and the
// run's sink: every event passes through unchanged, and the denials are
// kept as facts. The lines are written when the run ends, against the
// policy the run ended with (an approved re-run may have widened it).
#pragma once

#include <mutex>
#include <string>
#include <vector>

#include "common/event.h"
#include "policy/policy.h"

namespace cordon::cli {

class DenialSummary : public EventSink {
 public:
  // `next` receives every event; it must outlive this object.
  explicit DenialSummary(EventSink* next) : next_(next) {}

  void Emit(Event event) override;

  // One line per distinct denial, in the order first met (without the
  // "cordon: " prefix). `exit_status`: the command's; when it failed and no
  // write was seen denied, a note names the protected paths that exist (the
  // EBUSY/EROFS a command gets from them is otherwise unexplained).
  [[nodiscard]] std::vector<std::string> Lines(const policy::Policy& policy, int exit_status) const;

 private:
  struct Denial {
    std::string key;     // what makes two denials the same
    std::string kind;    // "net", "upstream", "write"
    std::string target;  // host:port or path
    std::string host;
    int64_t port = 0;
    std::string rule;
    std::string reason;
  };

  EventSink* next_;
  mutable std::mutex mu_;  // Emit runs on the proxy's thread too
  std::vector<Denial> denials_;
};

}  // namespace cordon::cli
