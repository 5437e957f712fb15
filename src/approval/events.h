// The approval events (docs/telemetry.md): `cordon.approval.request` when a
// question is put to the person, `cordon.approval.decision` with the answer.
// Built here for every asker: the broker of `cordon run` and `cordon mcp`
// (its own questions: request_network, and in a session sandbox the
// untrusted gate and the re-run offers).
#pragma once

#include <cstdint>
#include <string>

#include "approval/question.h"
#include "common/event.h"

namespace cordon::approval {

[[nodiscard]] Event RequestEvent(const Question& q, const std::string& channel,
                                 const std::string& policy);
// `saved`: where an "always" answer went (empty: not one).
[[nodiscard]] Event DecisionEvent(const Question& q, Reply r, const std::string& channel,
                                  int64_t waited_ms, const std::string& saved);

}  // namespace cordon::approval
