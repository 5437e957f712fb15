// The one answer to "do user namespaces work here?", for `cordon setup`,
// `cordon policy show` and `cordon doctor`.
//
// A bare unshare(CLONE_NEWUSER) is not enough of a question: on Ubuntu
// 23.10+ AppArmor lets an unconfined process create the namespace and then
// refuses what it does next (writing the id maps, mounting), so such a probe
// says "yes" where `cordon run` falls back to the namespace-less tier. The
// probe therefore takes the first steps of a real run in a short-lived
// child: clone(2) into the new namespaces, write the id maps, make / private.
// `cordon run` itself decides by its own clone (launcher.cc) on the same
// errno values (IsNamespaceRefusal, nsless.h).
#pragma once

#include <sched.h>

#include <string>

namespace cordon::sandbox {

// The namespaces that decide the tier: a user namespace able to hold a
// private mount view.
inline constexpr unsigned long kTierProbeFlags = CLONE_NEWUSER | CLONE_NEWNS;

struct NamespaceProbe {
  // The failing step with its errno, "clone(CLONE_NEWUSER|CLONE_NEWNS):
  // Operation not permitted (EPERM)"; empty when every step worked.
  std::string failure;
  int err = 0;  // errno of the failing step
  [[nodiscard]] bool ok() const { return failure.empty(); }
};

// Clones a child into the namespaces `flags` (CLONE_NEWUSER among them)
// that writes its id maps (setgroups deny, uid_map, gid_map), makes /
// private when CLONE_NEWNS is set, and exits, taking its namespaces with it.
// Read-only for the host; the child allocates nothing.
[[nodiscard]] NamespaceProbe ProbeNamespaces(unsigned long flags = kTierProbeFlags);

}  // namespace cordon::sandbox
