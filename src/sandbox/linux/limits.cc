// Resource limits on Linux: ProbeLimits (backend.h). A stub until the
// cgroup and rlimit mechanisms land: nothing is enforced.
#include "sandbox/backend.h"

namespace cordon::sandbox {

LimitSupport ProbeLimits(Tier /*tier*/) {
  LimitEnforcement none{LimitEnforcement::Kind::kNone, "", "not built yet"};
  return {none, none, none, none};
}

}  // namespace cordon::sandbox
