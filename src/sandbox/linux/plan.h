// Plan: everything the child needs, computed from a Policy before clone.
//
// The Linux backend's only input. Compiling it reads the host (which paths
// exist, the kernel's Landlock ABI, a worktree's gitdir) but never config;
// the child then only installs what the plan says.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/mount_view.h"
#include "sandbox/linux/namespaces.h"
#include "sandbox/linux/placeholders.h"
#include "sandbox/linux/seccomp.h"

namespace cordon::sandbox {

// How a run is confined. kNamespaces: user, mount, pid... namespaces, the
// mount view, Landlock and seccomp. kNamespaceless: where user namespaces
// are refused (AppArmor on Ubuntu 23.10+, container seccomp profiles),
// Landlock and seccomp alone (see nsless.h). kUnconfined: full-access.
enum class Tier { kNamespaces, kNamespaceless, kUnconfined };

struct Plan {
  bool confine = true;  // false: full-access, the command runs as is
  Tier tier = Tier::kNamespaces;
  // kNamespaceless: why ("clone(CLONE_NEWUSER): EPERM"), for stderr and the
  // session event.
  std::string tier_reason;
  unsigned long clone_flags = 0;
  namespaces::IdMaps id_maps;
  bool use_mount_view = true;
  mount_view::Plan mounts;
  bool use_landlock = true;
  landlock::Rules landlock;
  bool use_seccomp = true;
  seccomp::Program seccomp;
  bool allow_degraded = false;
  // Approval policy on-failure: seccomp sends write-intent path calls to a
  // watcher in init (write_watch.h) that records the last denied write.
  bool watch_writes = false;
  // --net proxy: the child makes the proxy's listener in its network
  // namespace (proxy_listener.h) and the supervisor serves it.
  bool proxy = false;

  // Missing protected paths to stand in for during the run (placeholders.h);
  // they are also listed in mounts.protects.
  std::vector<PlaceholderSpec> placeholders;

  std::string cwd;
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  // What this run does not enforce (degraded kernel features), for stderr
  // and the session event.
  std::vector<std::string> degraded;
  // Information for -v: notes about choices the plan made.
  std::vector<std::string> notes;
};

// Compiles the plan. Fails closed: a kernel feature that the policy needs and
// the kernel lacks is an Error with its remedy, unless the policy allows
// degraded runs (then it is listed in Plan::degraded).
[[nodiscard]] Result<Plan> Compile(const policy::Policy& policy, std::vector<std::string> argv,
                                   char** environ);

// "namespaces", "namespace-less", "unconfined": the name in stderr, policy
// show and the session event.
[[nodiscard]] const char* TierName(Tier tier);

// Sets HTTP_PROXY, HTTPS_PROXY, ALL_PROXY and NO_PROXY (both spellings) to
// the proxy at 127.0.0.1:port, replacing whatever the host had.
void SetProxyEnvironment(std::vector<std::string>& envp, uint16_t port);

}  // namespace cordon::sandbox
