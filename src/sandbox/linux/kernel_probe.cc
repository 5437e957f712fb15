// Kernel feature probes for `cordon setup` (see kernel_probe.h).
#include "sandbox/linux/kernel_probe.h"

#include <errno.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <optional>

#include "common/error.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/namespaces.h"
#include "sandbox/linux/userns_probe.h"

namespace cordon::sandbox::kernel_probe {

namespace {

constexpr int kNewestKnownAbi = 8;

std::optional<std::string> ReadLine(const std::string& path) {
  std::ifstream in(path);
  std::string line;
  if (!in || !std::getline(in, line)) return std::nullopt;
  return line;
}

std::string Describe(int err) { return std::string(strerror(err)) + " (" + ErrnoName(err) + ")"; }

Check ProbeLandlock(int abi) {
  Check c{"landlock", Status::kOk, "", "", true};
  std::vector<std::string> features = LandlockAbiFeatures();
  if (abi <= 0) {
    c.status = Status::kMissing;
    c.detail = "not available (disabled, or the kernel is older than 5.13)";
    c.remedy =
        "boot a kernel with CONFIG_SECURITY_LANDLOCK=y and 'landlock' in the lsm= list "
        "(cat /sys/kernel/security/lsm); until then cordon run needs --allow-degraded";
    return c;
  }
  c.detail = "ABI " + std::to_string(abi);
  if (abi < kNewestKnownAbi) {
    c.status = Status::kLimited;
    c.detail += "; not enforced by Landlock here:";
    for (int i = abi; i < kNewestKnownAbi && i < static_cast<int>(features.size()); ++i) {
      c.detail += " [" + features[static_cast<size_t>(i)] + "]";
    }
    c.remedy = "a newer kernel adds these; the mount view still hides what Landlock cannot guard";
  }
  return c;
}

Check ProbeUserns(const sandbox::NamespaceProbe& probe) {
  Check c{"user namespaces", Status::kOk, "", "", false};
  std::string restrictions;
  if (auto v = ReadLine("/proc/sys/kernel/apparmor_restrict_unprivileged_userns")) {
    restrictions += " kernel.apparmor_restrict_unprivileged_userns=" + *v;
  }
  if (auto v = ReadLine("/proc/sys/kernel/unprivileged_userns_clone")) {
    restrictions += " kernel.unprivileged_userns_clone=" + *v;
  }
  if (auto v = ReadLine("/proc/sys/user/max_user_namespaces")) {
    restrictions += " user.max_user_namespaces=" + *v;
  }
  // Not required: without them cordon confines in the namespace-less tier.
  if (!probe.ok()) {
    c.status = Status::kLimited;
    c.detail = probe.failure + ";" + restrictions +
               "; cordon runs in the namespace-less tier here (Landlock and seccomp only; "
               "'cordon policy show' lists what that tier cannot enforce)";
    c.remedy = "for the namespaces tier: " + namespaces::UserNamespaceHint(probe.err);
    return c;
  }
  c.detail = "unprivileged user namespaces work (id maps written, / made private);" + restrictions;
  return c;
}

Check ProbeAllNamespaces() {
  Check c{"mount, pid, ipc, uts, cgroup, network namespaces", Status::kOk, "", "", false};
  sandbox::NamespaceProbe probe = sandbox::ProbeNamespaces(namespaces::kAll);
  if (!probe.ok()) {
    c.status = Status::kLimited;
    c.detail = probe.failure;
    c.remedy =
        "the namespace-less tier runs instead (no mount view or pid namespace; network through "
        "Landlock's TCP rules); --require-namespaces refuses instead";
    return c;
  }
  c.detail = "a user namespace can create them all (offline runs get an empty network)";
  return c;
}

Check ProbeSeccomp() {
  Check c{"seccomp", Status::kOk, "", "", true};
  int mode = ::prctl(PR_GET_SECCOMP, 0, 0, 0, 0);
  if (mode < 0) {
    c.status = Status::kMissing;
    c.detail = "prctl(PR_GET_SECCOMP): " + Describe(errno);
    c.remedy = "boot a kernel with CONFIG_SECCOMP_FILTER=y";
    return c;
  }
  uint32_t action = SECCOMP_RET_ERRNO;
  if (::syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
    c.status = Status::kMissing;
    c.detail = "seccomp(SECCOMP_GET_ACTION_AVAIL, RET_ERRNO): " + Describe(errno);
    c.remedy = "boot a kernel with CONFIG_SECCOMP_FILTER=y";
    return c;
  }
  c.detail = "filters with SECCOMP_RET_ERRNO";
  if (mode == 2) c.detail += " (this process is already filtered; filters stack)";
  return c;
}

Check ProbeCgroup() {
  Check c{"cgroup v2 delegation", Status::kInfo, "", "", false};
  if (!ReadLine("/sys/fs/cgroup/cgroup.controllers")) {
    c.detail = "no cgroup v2 hierarchy at /sys/fs/cgroup";
    c.remedy = "not needed by cordon today (resource limits would use it)";
    return c;
  }
  std::string own;
  std::ifstream in("/proc/self/cgroup");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("0::", 0) == 0) own = line.substr(3);
  }
  std::string dir = "/sys/fs/cgroup" + (own == "/" ? std::string() : own);
  if (!own.empty() && ::access(dir.c_str(), W_OK) == 0 &&
      ::access((dir + "/cgroup.procs").c_str(), W_OK) == 0) {
    c.status = Status::kOk;
    c.detail = "cgroup v2; " + dir + " is delegated to you";
  } else {
    c.detail = "cgroup v2; " + (own.empty() ? std::string("own cgroup unknown") : dir) +
               " is not delegated to you";
    c.remedy = "not needed by cordon today; systemd-run --user --scope delegates one";
  }
  return c;
}

}  // namespace

const char* StatusName(Status s) {
  switch (s) {
    case Status::kOk:
      return "ok";
    case Status::kLimited:
      return "limited";
    case Status::kMissing:
      return "missing";
    case Status::kInfo:
      return "info";
  }
  return "?";
}

std::vector<std::string> LandlockAbiFeatures() {
  return {"ABI 1: filesystem read/write/execute/create/remove",
          "ABI 2: rename and link across directories (REFER)",
          "ABI 3: truncate",
          "ABI 4: TCP bind and connect",
          "ABI 5: ioctl on devices",
          "ABI 6: scoping of abstract unix sockets and signals",
          "ABI 7: audit logging of denials",
          "ABI 8: connect to pathname unix sockets (RESOLVE_UNIX)"};
}

bool Report::CanConfine() const {
  for (const Check& c : checks) {
    if (c.required && c.status == Status::kMissing) return false;
  }
  return true;
}

Report ProbeKernel() {
  Report r;
  r.landlock_abi = landlock::Probe();
  r.checks.push_back(ProbeLandlock(r.landlock_abi));
  sandbox::NamespaceProbe userns = sandbox::ProbeNamespaces(sandbox::kTierProbeFlags);
  r.tier = userns.ok() ? sandbox::Tier::kNamespaces : sandbox::Tier::kNamespaceless;
  r.checks.push_back(ProbeUserns(userns));
  r.checks.push_back(ProbeAllNamespaces());
  r.checks.push_back(ProbeSeccomp());
  r.checks.push_back(ProbeCgroup());
  return r;
}

}  // namespace cordon::sandbox::kernel_probe
