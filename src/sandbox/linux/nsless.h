// The namespace-less tier: confinement where user namespaces are refused.
//
// On Ubuntu 23.10+ (AppArmor's unprivileged-userns restriction), in Docker's
// default seccomp profile and on many CI runners, an unprivileged process may
// not create a user namespace, or gets one it cannot configure. cordon then
// confines with what needs no privilege: Landlock (read and write
// allowlists built around deny-read and protected paths, TCP connect/bind
// denied, signals and abstract sockets scoped) and seccomp (no UDP, raw,
// packet or netlink sockets, no AF_UNIX sockets, the core's list), a
// private temp directory, and a supervisor that reaps and kills every
// process the command left. What it cannot enforce is listed by Limits().
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"
#include "sandbox/linux/plan.h"

namespace cordon::sandbox {

// True for the errno values of clone(CLONE_NEWUSER ...) and of a namespace
// setup step that mean "no usable user namespaces here": EPERM, EACCES
// (LSM or seccomp), ENOSPC (user.max_user_namespaces = 0), EINVAL (kernel
// without user namespaces).
[[nodiscard]] bool IsNamespaceRefusal(int err);

// NamespacelessLimits() is declared in backend.h.

// Re-plans `plan` (compiled for the namespace tier) for the namespace-less
// tier: no namespaces, no mount view; Landlock rules on the host's own
// paths, `tmpdir` (an existing private directory) writable and in TMPDIR,
// the tier's seccomp additions. `reason` says why (for plan.tier_reason).
// Fails closed when the tier cannot keep the policy: no Landlock, a
// deny-read path that cannot be carved out, or (without --allow-degraded)
// a Landlock ABI below 6 (no signal scoping) or, for --net proxy, below 4.
[[nodiscard]] Status PlanNamespaceless(const policy::Policy& policy, const std::string& tmpdir,
                                       std::string reason, Plan& plan);

}  // namespace cordon::sandbox
