// The platform seam: what a run must enforce, as every backend sees it.
//
// The cli resolves a Policy (src/policy), compiles it here into the
// backend's Plan, which is const from then on, and launches that plan once.
// Events, the proxy (handed in as a factory) and the vault stay on the
// platform-neutral side. Linux implements this header in src/sandbox/linux/
// (namespaces, the mount view, Landlock, seccomp); a Windows backend adds
// src/sandbox/windows/ with the same entry points, and CMakeLists.txt
// chooses the folder (docs/mechanisms.md, "The platform seam").
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "common/outcome.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "policy/limits.h"
#include "policy/policy.h"

namespace cordon::sandbox {

// How a run is confined. kNamespaces: the backend's full isolation (Linux:
// user, mount, pid... namespaces, the mount view, Landlock and seccomp).
// kNamespaceless: what is left where that is refused (Linux: Landlock and
// seccomp alone, see linux/nsless.h). kUnconfined: full-access.
enum class Tier { kNamespaces, kNamespaceless, kUnconfined };

// "namespaces", "namespace-less", "unconfined": the name in stderr, policy
// show and the session event.
[[nodiscard]] const char* TierName(Tier tier);

// Everything a run needs, computed before the command starts. Each backend
// defines it (Linux: sandbox/linux/plan.h) with at least tier, tier_reason,
// argv, cwd, degraded and notes; nothing edits it after Compile.
struct Plan;

struct CompileInputs {
  std::vector<std::string> argv;
  char** environ = nullptr;  // the host's environment, scrubbed by the policy
  // NAME=value entries set after scrubbing (so no scrub pattern removes
  // them), each replacing a host variable of the same name: granted secrets.
  std::vector<std::string> extra_env;
  // The tier to plan for: kNamespaceless once LaunchOnce reported
  // NamespacesRefused, with its reason (Plan::tier_reason).
  Tier tier = Tier::kNamespaces;
  std::string tier_reason;
};

// Compiles the plan. Fails closed: a kernel feature that the policy needs and
// the host lacks is an Error with its remedy, unless the policy allows
// degraded runs (then it is listed in Plan::degraded).
[[nodiscard]] Result<Plan> Compile(const policy::Policy& policy, const CompileInputs& inputs);

// Compile(policy, inputs) for the tier LaunchOnce fell back to
// (inputs.tier), made from the plan whose launch was NamespacesRefused
// instead of from the start: what both tiers plan alike (the environment,
// the paths looked up, the protected paths found missing, the seccomp
// program) is not planned twice. `refused` must come from Compile with the
// same policy and inputs, for Tier::kNamespaces; another tier's plan is
// compiled from the start.
[[nodiscard]] Result<Plan> Replan(const policy::Policy& policy, const CompileInputs& inputs,
                                  Plan refused);

// -v: what the sandbox is made of: a one-paragraph summary, then one line
// per hidden or protected path and per note.
[[nodiscard]] std::vector<std::string> DescribePlan(const Plan& plan);

// A resource limit the run reached (docs/limits.md).
struct LimitHit {
  policy::LimitKind limit = policy::LimitKind::kMemory;
  int64_t value = 0;  // the limit: bytes, processes, thousandths of a CPU
  int64_t peak = -1;  // the most the run used, where the kernel says
  // What it did to the command: "the OOM killer ended 1 process",
  // "3 forks failed (EAGAIN)", "a write failed (ENOSPC)".
  std::string effect;
};

// Resource use of the whole process tree, read after it was reaped (the
// sandbox's init reaps every descendant, so RUSAGE_CHILDREN covers them).
struct RunStats {
  int64_t peak_rss_bytes = -1;  // largest resident set of any process
  int64_t cpu_us = -1;          // user + system CPU time
  // The whole run, from its cgroup (-1: no cgroup, or the kernel does
  // not say): memory (its /tmp included), processes and threads at once,
  // time held back by the CPU limit; and the /tmp + /dev/shm tmpfs's use
  // when the command ended.
  int64_t peak_memory_bytes = -1;
  int64_t peak_processes = -1;
  int64_t cpu_throttled_us = -1;
  int64_t tmp_used_bytes = -1;
  std::vector<LimitHit> limit_hits;
  // Approval policy on-failure (plan.watch_writes): writes seen outside
  // every writable root (write_watch.h), the last one and when
  // (CLOCK_MONOTONIC ms, comparable with MonotonicMs()).
  uint32_t denied_writes = 0;
  std::string denied_write;
  int64_t denied_write_ms = 0;
};

// A proxy serving the sandbox's listener; destroying it stops the proxy and
// closes every connection.
class RunningProxy {
 public:
  virtual ~RunningProxy() = default;
};

// A listening TCP socket the sandbox reaches an allow_local service
// through: each connection goes to host:port, as the rules decide.
struct RelayListener {
  UniqueFd listener;
  std::string host;  // as the rule names it: "127.0.0.1", "localhost", "::1"
  uint16_t port = 0;
};

// What the proxy serves for a run: its own listener (invalid without
// --net proxy) and the allow_local relays (none in the namespace-less tier).
struct ProxyListeners {
  UniqueFd proxy;
  std::vector<RelayListener> relays;
};

// Starts the proxy on the listening sockets the backend made for the run.
// The cli wires in proxy::Server with the policy's rules, the run's events
// and the approval broker; the sandbox library knows no proxy.
using ProxyFactory = std::function<Result<std::unique_ptr<RunningProxy>>(ProxyListeners)>;

// A missing protected path that a run created, and where it went (see
// linux/quarantine.h): moved out of the tree after the run.
struct QuarantineReport {
  std::string path;
  std::string why;       // why the path is protected
  std::string moved_to;  // empty when it could not be moved
  std::string error;     // why not, when moved_to is empty
};

// A direct TCP connect that the namespace-less tier's supervisor decided
// (its host network is shared, so no proxy sees it): to an allow_local
// service (allowed, with the rule) or to an address no rule names (refused).
struct DirectConnect {
  std::string host;  // numeric
  uint16_t port = 0;
  bool allowed = false;
  std::string rule;  // the allow_local rule and its origin, when allowed
};

struct LaunchOptions {
  std::optional<int> timeout_seconds;  // kill the whole tree after this
  // Told each thing this run will not enforce beyond plan.degraded (a
  // protected path that could not be stood in for), before the command
  // starts.
  std::function<void(const std::string&)> on_degraded;
  // Told what else the user must know about this run: a leftover that
  // could not be removed.
  std::function<void(const std::string&)> on_notice;
  // Where missing protected paths are recorded and what the run created
  // under their names is moved ($XDG_STATE_HOME/cordon/quarantine); empty:
  // nothing is recorded (such paths stay unwatched, told by on_degraded).
  std::string quarantine_root;
  // Told each path moved out of the tree (or that could not be), after the
  // run, and before it for runs killed earlier.
  std::function<void(const QuarantineReport&)> on_quarantined;
  // Each DirectConnect, from the supervisor's notification thread.
  std::function<void(const DirectConnect&)> on_direct_connect;
  // Told the host pid of the sandbox's root process once it exists.
  std::function<void(pid_t)> on_started;
  // Filled in when the command has ended (may be null).
  RunStats* stats = nullptr;
  // A child of the supervisor that is not part of the run (the OTLP
  // exporter): the namespace-less tier's sweep of leftovers spares it.
  pid_t keep_child = -1;
  // Starts the proxy for a plan that has one (--net proxy, or relays for
  // allow_local services); without a factory such a run fails.
  ProxyFactory start_proxy;
  // A session sandbox (`cordon mcp --session-sandbox`): init serves the
  // requests on this socket instead of running plan.argv
  // (linux/session_init.h).
  int session_fd = -1;
};

// The plan's tier was refused by the host before the command ran (Linux:
// clone(CLONE_NEWUSER) failed, or the child could not configure the user
// namespace: EPERM or EACCES).
struct NamespacesRefused {
  Error error;         // the refused step, with its hint
  std::string reason;  // for CompileInputs::tier_reason: "clone(CLONE_NEWUSER): EPERM"
};

using LaunchResult = std::variant<Outcome, NamespacesRefused>;

// Runs plan.argv as the plan says and waits for it. NamespacesRefused means
// the command never ran: the caller refuses (--require-namespaces) or
// compiles for Tier::kNamespaceless and launches that plan.
[[nodiscard]] LaunchResult LaunchOnce(const Plan& plan, const LaunchOptions& options);

// The tier a confining run gets on this host, found the way the run finds
// it (Linux: one short-lived clone that takes a run's first steps,
// linux/userns_probe.h): kNamespaces, or kNamespaceless with `reason`
// naming the refused step. For `cordon setup`, `policy show` and `doctor`.
struct TierProbe {
  Tier tier = Tier::kNamespaces;
  std::string reason;
};
[[nodiscard]] TierProbe ProbeTier();

// How one resource limit is enforced for a tier on this host.
struct LimitEnforcement {
  enum class Kind {
    kNone,        // not enforced here: `remedy` says what would enable it
    kWholeRun,    // for the whole run (a cgroup; the tmpfs size)
    kPerProcess,  // for each process alone (an rlimit): a tree may use more
  };
  Kind kind = Kind::kNone;
  // "cgroup v2 memory.max", "RLIMIT_DATA per process", "tmpfs size=".
  std::string how;
  // kNone and kPerProcess: what would enforce it for the whole run
  // ("run cordon in a delegated cgroup: systemd-run --user ...").
  std::string remedy;
};

struct LimitSupport {
  LimitEnforcement memory;
  LimitEnforcement pids;
  LimitEnforcement cpus;
  LimitEnforcement tmp;
  // Without a cgroup: why, and the exact steps that give runs one here (a
  // delegated cgroup v2 subtree); empty when runs get one.
  std::string cgroup_missing;
  std::string cgroup_remedy;
};

// How policy::Limits would be enforced by a run of `tier` on this host,
// found the way a run finds it (cheap: a few stats, no process). For
// `cordon policy show`, `setup` and `doctor`; Compile refuses a limit the
// user set that is not enforced at all (kNone), unless degraded runs are
// allowed.
[[nodiscard]] LimitSupport ProbeLimits(Tier tier);

// What the namespace-less tier does not enforce, one line each (for
// `cordon policy show`, docs and the session event).
[[nodiscard]] const std::vector<std::string>& NamespacelessLimits();

}  // namespace cordon::sandbox
