// What cordon says when a run reaches a resource limit: the stderr line and
// the event's words, naming the limit, where it was set and how to raise it
// (docs/limits.md).
#pragma once

#include <string>

#include "policy/policy.h"
#include "sandbox/backend.h"

namespace cordon::cli {

struct LimitText {
  std::string name;    // "memory", "pids", "cpus", "tmp"
  std::string flag;    // "--memory"
  std::string key;     // "[limits] memory"
  std::string value;   // "256 MiB"
  std::string peak;    // "256 MiB", empty when unknown
  std::string origin;  // "flag --memory", "built-in default"
};

[[nodiscard]] LimitText DescribeHit(const sandbox::LimitHit& hit, const policy::Policy& policy);

// "the run hit its memory limit (256 MiB, flag --memory; peak 256 MiB): the
// kernel's OOM killer ended 1 process. Raise it with --memory SIZE or
// [limits] memory". Empty for a CPU limit (it slows, nothing fails).
[[nodiscard]] std::string HitMessage(const sandbox::LimitHit& hit, const policy::Policy& policy);

// How a limit is enforced here, in one line: "cgroup v2 memory.max",
// "per process: RLIMIT_DATA ...; for the whole run: <remedy>", "NOT
// ENFORCED here: <remedy>". For policy show, setup and doctor.
[[nodiscard]] std::string DescribeEnforcement(const sandbox::LimitEnforcement& e);

}  // namespace cordon::cli
