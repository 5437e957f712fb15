// What this kernel lets cordon enforce: the probes behind `cordon setup`.
//
// Read-only: each probe asks the kernel (a Landlock version query, the
// user-namespace probe of userns_probe.h, seccomp's action query) or reads a
// file under /proc/sys or /sys/fs/cgroup. Nothing on the host is written or
// changed.
#pragma once

#include <string>
#include <vector>

#include "sandbox/backend.h"

namespace cordon::sandbox::kernel_probe {

enum class Status { kOk, kLimited, kMissing, kInfo };
[[nodiscard]] const char* StatusName(Status s);  // "ok", "limited", "missing", "info"

struct Check {
  std::string name;  // "landlock", "user namespaces", ...
  Status status = Status::kOk;
  std::string detail;     // what was found
  std::string remedy;     // empty when nothing to do
  bool required = false;  // cordon run refuses without it (unless --allow-degraded)
};

struct Report {
  int landlock_abi = 0;
  std::vector<Check> checks;
  // True when a required check is missing: `cordon run` would refuse.
  [[nodiscard]] bool CanConfine() const;
  // The tier `cordon run` gets here (kNamespaces or kNamespaceless), from
  // the same probe as `cordon policy show`'s.
  sandbox::Tier tier = sandbox::Tier::kNamespaces;
};

// What each Landlock ABI adds, for the report ("1: filesystem access ...").
[[nodiscard]] std::vector<std::string> LandlockAbiFeatures();

[[nodiscard]] Report ProbeKernel();

}  // namespace cordon::sandbox::kernel_probe
