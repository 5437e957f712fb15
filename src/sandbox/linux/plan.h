// Plan: everything the child needs, computed from a Policy before clone.
//
// The Linux backend's only input (backend.h declares Compile and
// LaunchOnce). Compiling it reads the host (which paths exist, the kernel's
// Landlock ABI, a worktree's gitdir) but never config; the child then only
// installs what the plan says. Nothing edits a Plan after Compile: the tier
// re-plan is a second Compile.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "policy/policy.h"
#include "sandbox/backend.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/limits.h"
#include "sandbox/linux/local_relay.h"
#include "sandbox/linux/mediate.h"
#include "sandbox/linux/mount_view.h"
#include "sandbox/linux/namespaces.h"
#include "sandbox/linux/placeholders.h"
#include "sandbox/linux/private_tmp.h"
#include "sandbox/linux/quarantine.h"
#include "sandbox/linux/seccomp.h"

namespace cordon::sandbox {

// What Compile made on the host for a namespace-less run. The plan's data
// never changes; the launcher removes the directory once the run is over.
struct HostScratch {
  PrivateTmp tmp;     // the run's TMPDIR (private_tmp.h)
  UniqueFd listener;  // --net proxy: the proxy's listener on the host's loopback
};

struct Plan {
  // kUnconfined: full-access, the command runs as is.
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
  // Installed instead of `seccomp` when no listener can be had (a filter
  // above has one): the same rules without notifications, mediated calls
  // refused (the namespace-less tier; empty elsewhere).
  seccomp::Program seccomp_unwatched;
  bool allow_degraded = false;
  // Approval policy on-failure: seccomp sends write-intent path calls to a
  // watcher in init (write_watch.h) that records the last denied write.
  bool watch_writes = false;
  // --net proxy: the child makes the proxy's listener in its network
  // namespace (proxy_listener.h) and the supervisor serves it.
  bool proxy = false;
  // The namespaces tier with its own network (--net off or proxy): the
  // child listens at each allow_local service's address (local_relay.h)
  // and the supervisor's proxy relays the connections.
  std::vector<LocalRelay> relays;
  // kNamespaceless only.
  std::shared_ptr<HostScratch> host;
  // kNamespaceless only: what the supervisor's notification handler
  // performs for the sandbox (chmod and utimes beneath writable roots,
  // loopback bind and connect).
  mediate::Config mediation;

  // The cache layers this run's overlays use, locked for the run
  // (cache_layers::TryLock); shared by copies of the plan.
  std::shared_ptr<std::vector<UniqueFd>> cache_locks;

  // Missing protected paths inside a git directory to stand in for during
  // the run (placeholders.h); they are also listed in mounts.protects.
  std::vector<PlaceholderSpec> placeholders;
  // Missing protected paths in the work tree: no placeholder (git would see
  // it); what the run creates there is moved out after it (quarantine.h).
  std::vector<WatchedPath> watched;

  // How the run's resource limits are enforced (limits.h).
  limits::Plan limits;

  std::string workspace;
  std::string cwd;
  std::vector<std::string> argv;
  std::vector<std::string> envp;
  // What this run does not enforce (degraded kernel features), for stderr
  // and the session event.
  std::vector<std::string> degraded;
  // Information for -v: notes about choices the plan made.
  std::vector<std::string> notes;
  // Where what limits::PlanRun said for this tier starts in `degraded` and
  // `notes`: Replan takes it back before it plans the limits again.
  size_t limits_degraded_at = 0;
  size_t limits_notes_at = 0;
};

}  // namespace cordon::sandbox
