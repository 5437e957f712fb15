// Resource limits on Linux: how a run enforces policy::Limits
// (docs/limits.md).
//
// A cgroup where cordon can get one (cgroup.h) limits the whole run's
// memory, processes and CPU. Without one, what rlimits can do: RLIMIT_NPROC
// set inside the run's own user namespace counts only the run's processes
// (the kernel counts per user namespace), and RLIMIT_DATA limits each
// process's memory when the user asked for a memory limit (not by default:
// sanitizer builds reserve terabytes of address space). The namespaces
// tier's /tmp and /dev/shm are one tmpfs of the tmp size.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"
#include "sandbox/backend.h"
#include "sandbox/linux/cgroup.h"
#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::limits {

struct Plan {
  policy::Limits values;  // as the policy asks: hits are told against these
  // Make a cgroup (cgroup::RunGroup) from `host` with `settings`.
  bool cgroup = false;
  cgroup::Host host;
  cgroup::Settings settings;
  // A limit the user set relies on the cgroup: failing to make it stops
  // the run (else the run goes on without, told as degraded).
  bool cgroup_required = false;
  int64_t rlimit_data = 0;   // per process, set in the child; 0: not set
  int64_t rlimit_nproc = 0;  // inside the run's user namespace; 0: not set
  int64_t tmp_bytes = 0;     // size= of the one tmpfs of /tmp and /dev/shm
};

// How each limit would be enforced by a run of `tier` given `host`.
[[nodiscard]] LimitSupport Support(Tier tier, const cgroup::Host& host);

// Compile's step. A limit the user set (flag or config) that this host does
// not enforce at all is an Error with the remedy, unless degraded runs are
// allowed (then it goes to `degraded`); a default that is not enforced is
// a note.
[[nodiscard]] Status PlanRun(const policy::Policy& policy, Tier tier, Plan* out,
                             std::vector<std::string>* degraded, std::vector<std::string>* notes);

// In the child, once it is in its user namespace, before anything runs.
[[nodiscard]] ChildStatus ApplyRlimits(const Plan& plan);

// After the run: the peaks and the limits it reached, into `stats`.
// `oom_ended`: the supervisor ended a cgroup v1 run on its OOM event.
// `tmp_used`/`tmp_free`: the tmpfs when the command ended (-1: unknown).
void Account(const Plan& plan, const cgroup::Usage& usage, bool oom_ended, int64_t tmp_used,
             int64_t tmp_free, RunStats* stats);

}  // namespace cordon::sandbox::limits
