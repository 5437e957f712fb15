// `cordon run [OPTIONS] -- CMD [ARGS...]`: resolve the policy, compile the
// plan, confine the command and return its exit status.
#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "approval/broker.h"
#include "approval/reruns.h"
#include "cli/commands.h"
#include "cli/limit_report.h"
#include "cli/process_tree.h"
#include "cli/rerun.h"
#include "cli/run_broker.h"
#include "cli/run_events.h"
#include "cli/run_proxy.h"
#include "cli/state_dirs.h"
#include "common/outcome.h"
#include "policy/limits.h"
#include "policy/loader.h"
#include "policy/net_rules.h"
#include "sandbox/backend.h"
#include "sandbox/linux/plan.h"
#include "sandbox/linux/quarantine.h"

extern char** environ;

namespace cordon::cli {
namespace {

int Fail(const Error& e) {
  Say(e);
  return kExitSetupError;
}

// -v: the workspace and why, then what the sandbox is made of.
void PrintPlan(const policy::Policy& policy, const sandbox::Plan& plan) {
  Say("workspace " + policy.workspace + " (" + policy.workspace_reason + "); cwd " + plan.cwd);
  for (const std::string& line : sandbox::DescribePlan(plan)) Say(line);
}

// One line on stderr per path a run created under a missing protected name.
void SayQuarantined(const sandbox::QuarantineReport& r) {
  if (r.moved_to.empty()) {
    Say("warning: the run created the protected path " + r.path + " (" + r.why +
        "), and it could not be moved out of the tree: " + r.error +
        ". Check it before any tool on the host uses it");
  } else {
    Say("moved " + r.path + " out of the tree to " + r.moved_to +
        ": the run created it, and it is a protected path: " + r.why +
        ". To keep it, check it and move it back: mv '" + r.moved_to + "' '" + r.path + "'");
  }
}

// A failed run under limits that hold per process (no cgroup): cordon
// cannot see whether one was reached, so it names those the user set.
void SayPerProcessLimits(const sandbox::Plan& plan) {
  const policy::Limits& l = plan.limits.values;
  const bool pids_set =
      plan.limits.rlimit_nproc > 0 && l.pids_origin.kind != policy::Origin::Kind::kBuiltin;
  if (plan.limits.rlimit_data > 0) {
    Say("note: the memory limit (" +
        policy::FormatLimit(policy::LimitKind::kMemory, l.memory_bytes) + ", " +
        l.memory_origin.Describe() +
        ") holds for each process here (RLIMIT_DATA): an allocation beyond it fails with "
        "ENOMEM. If that is why the command failed, raise it with --memory SIZE or [limits] "
        "memory");
  }
  if (pids_set) {
    Say("note: the process limit (" + std::to_string(l.pids) + ", " + l.pids_origin.Describe() +
        ") counts the run's processes and threads (RLIMIT_NPROC): a fork beyond it fails with "
        "EAGAIN. If that is why the command failed, raise it with --pids N or [limits] pids");
  }
}

// What session.start says of a plan's confinement.
SessionFacts SessionFactsOf(const sandbox::Plan& plan) {
  return {plan.tier != sandbox::Tier::kUnconfined, plan.degraded,
          static_cast<int64_t>(plan.use_landlock ? plan.landlock.abi : 0)};
}

// One confined run of command.argv under `policy`.
// `running`: the sandbox's first process while it runs, else 0 (the
// terminal channel stops the run's processes while it asks).
int RunOnce(const RunArgs& command, const policy::Policy& policy, const std::string& quarantine,
            approval::Broker& broker, RunEvents& events, bool* session_started,
            sandbox::RunStats& stats, std::atomic<pid_t>* running) {
  sandbox::CompileInputs inputs;
  inputs.argv = command.argv;
  inputs.environ = environ;
  auto granted = GrantedSecretEnv(policy);
  if (!granted.ok()) return Fail(granted.error());
  inputs.extra_env = std::move(granted).value();
  auto compiled = sandbox::Compile(policy, inputs);
  if (!compiled.ok()) return Fail(compiled.error());
  // The plan being run; a second, namespace-less one replaces it when
  // namespaces are refused. Neither changes once compiled.
  const sandbox::Plan* plan = &compiled.value();
  if (plan->tier == sandbox::Tier::kUnconfined) {
    std::fprintf(stderr,
                 "cordon: warning: mode full-access: the command runs unconfined (no filesystem, "
                 "network or process isolation)\n");
  }
  if (command.verbose) PrintPlan(policy, *plan);

  // session.start goes out once the sandbox is being built (on another
  // core): rendering and writing it is not on the path to the command.
  // What is told before that (the switch to the namespace-less tier)
  // follows it in the trail; the plan's degradations are in plan.degraded,
  // which session.start records.
  std::vector<std::string> early_notices;
  auto start_session = [&] {
    if (*session_started) return;
    *session_started = true;
    events.SessionStart(policy, SessionFactsOf(*plan));
    for (const std::string& n : early_notices) events.Degraded(n);
  };
  auto print_degraded = [](const std::string& what) { Say("degraded: not enforced: " + what); };
  for (const auto& d : plan->degraded) print_degraded(d);
  sandbox::LaunchOptions options;
  options.timeout_seconds = command.timeout_seconds;
  // What the launch adds to the plan's degradations, and notices: recorded
  // after session.start when told before it.
  auto tell = [&](const std::string& what) {
    if (*session_started) {
      events.Degraded(what);
    } else {
      early_notices.push_back(what);
    }
  };
  options.on_degraded = [&](const std::string& what) {
    print_degraded(what);
    tell(what);
  };
  options.on_notice = [&](const std::string& what) {
    Say(what);
    tell(what);
  };
  options.on_started = [&](pid_t pid) {
    running->store(pid);
    start_session();
    events.ExecStart(plan->argv, plan->cwd, pid);
  };
  options.stats = &stats;
  options.quarantine_root = quarantine;
  options.on_quarantined = [&](const sandbox::QuarantineReport& r) {
    events.Quarantined(r);
    SayQuarantined(r);
  };
  options.on_direct_connect = [&](const sandbox::DirectConnect& c) { events.DirectConnect(c); };
  options.keep_child = events.exporter_pid();
  // The channel's own deadline comes first, so the answer is "timeout".
  options.start_proxy =
      RunProxy(policy, events.sink(), &broker, policy.approval_timeout_seconds * 1000 + 2000);
  options.session_fd = command.session_fd;
  sandbox::LaunchResult launched = sandbox::LaunchOnce(*plan, options);
  // User namespaces refused before the command ran: the namespace-less
  // tier, unless the policy requires namespaces.
  Result<sandbox::Plan> replanned = Error{};
  if (auto* refused = std::get_if<sandbox::NamespacesRefused>(&launched)) {
    if (policy.require_namespaces) {
      launched = Outcome::SetupError(std::move(refused->error));
    } else {
      inputs.tier = sandbox::Tier::kNamespaceless;
      inputs.tier_reason = refused->reason;
      // From the refused plan, which is not used again.
      replanned = sandbox::Replan(policy, inputs, std::move(compiled).value());
      if (!replanned.ok()) {
        launched = Outcome::SetupError(replanned.error());
      } else {
        plan = &replanned.value();
        options.on_notice("user namespaces are refused here (" + plan->tier_reason +
                          "): running in the namespace-less tier, Landlock and seccomp only "
                          "(what it cannot enforce: cordon policy show; --require-namespaces "
                          "refuses instead)");
        // The new plan's degradations: session.start records them when it
        // has not gone out yet.
        for (const auto& d : plan->degraded) {
          print_degraded(d);
          if (*session_started) events.Degraded(d);
        }
        launched = sandbox::LaunchOnce(*plan, options);
      }
    }
  }
  running->store(0);
  // A second refusal cannot happen: the namespace-less tier clones no
  // namespace.
  Outcome outcome = std::holds_alternative<Outcome>(launched)
                        ? std::get<Outcome>(std::move(launched))
                        : Outcome::SetupError(std::get<sandbox::NamespacesRefused>(launched).error);
  start_session();  // when nothing was started
  events.ExecEnd(outcome, stats);
  for (const sandbox::LimitHit& hit : stats.limit_hits) {
    events.LimitHit(hit, policy);
    if (std::string said = HitMessage(hit, policy); !said.empty()) Say(said);
  }
  if (outcome.ExitStatus() != 0 && stats.limit_hits.empty()) SayPerProcessLimits(*plan);
  switch (outcome.kind) {
    case Outcome::Kind::kSetupError:
      Say(outcome.error, "sandbox setup failed, the command did not run: ");
      break;
    case Outcome::Kind::kExecError:
      Say(outcome.error.object + ": " +
          (outcome.error.err == ENOENT ? "command not found"
                                       : "cannot execute (permission denied or not a program)"));
      break;
    case Outcome::Kind::kTimeout:
      std::fprintf(stderr, "cordon: timed out after %d s; killed the command and its processes\n",
                   command.timeout_seconds.value_or(0));
      break;
    default:
      break;
  }
  return outcome.ExitStatus();
}

// The broker's setup: the channel (the fd from `cordon mcp`, else the
// terminal when interactive), where "always" is saved, the events.
approval::BrokerOptions ApprovalSetup(const RunArgs& command, const policy::HostFacts& host,
                                      const policy::Policy& policy, EventSink* events, bool quiet,
                                      const std::atomic<pid_t>* running) {
  // A session sandbox's questions are recorded by `cordon mcp`, which
  // knows the call and the approval policy behind each answer.
  approval::BrokerOptions o =
      RunBrokerOptions(policy, command.argv, AlwaysConfigPath(command.overrides, host),
                       command.session_fd >= 0 ? nullptr : events);
  o.per_connection = command.session_fd >= 0;
  if (command.approval_fd >= 0) {
    // Inherited from `cordon mcp` without close-on-exec: the command must
    // never get it (it could ask questions in cordon's name).
    if (fcntl(command.approval_fd, F_SETFD, FD_CLOEXEC) != 0) {
      std::fprintf(
          stderr, "cordon: %s\n",
          SysError("fcntl(F_SETFD, FD_CLOEXEC)", "--approval-fd", errno).Describe().c_str());
      std::exit(kExitSetupError);
    }
    o.channel = approval::FdChannel(UniqueFd(command.approval_fd));
  } else if (policy.approval != policy::Approval::kNever) {
    o.channel = approval::OpenTerminal(AlwaysNote(o.config_path), [running](bool hold) {
      SignalTree(running->load(), hold ? SIGSTOP : SIGCONT);
    });
  }
  if (!quiet) {
    o.on_notice = [](const std::string& what) { Say(what); };
  }
  return o;
}

// With `cordon mcp`, the destinations denied go back on the approval fd as
// the run's last line.
void ReportDenied(const RunArgs& command, const approval::Broker& broker) {
  if (command.approval_fd < 0) return;
  // The fd is the broker's channel's; the broker is idle once the run ended.
  nlohmann::json denied = nlohmann::json::array();
  for (const auto& [h, p] : broker.Denied()) denied.push_back(policy::HostPort(h, p));
  std::string line = nlohmann::json{{"denied", denied}}.dump(
                         -1, ' ', false, nlohmann::json::error_handler_t::replace) +
                     "\n";
  (void)!write(command.approval_fd, line.data(), line.size());
}

}  // namespace

int RunCommand(const RunArgs& args) {
  if (args.session) {
    if (std::optional<int> status = RunInSession(args)) return *status;
  }
  // Every widening of this run (an approved re-run, the session's approval
  // policy) is a flag-layer entry resolved again: the Policy is never edited.
  policy::Overrides overrides = args.overrides;
  // What runs killed earlier created under missing protected names goes
  // first: a planted .cordon.toml must not be read as this run's policy.
  // The host facts are read once, for the recovery and every resolution.
  auto facts = policy::HostFacts::FromProcess();
  if (!facts.ok()) return Fail(facts.error());
  const policy::HostFacts host = std::move(facts).value();
  const std::vector<sandbox::QuarantineReport> recovered =
      sandbox::RecoverAbandoned(StateDirs::For(host).state + "/quarantine");
  for (const sandbox::QuarantineReport& r : recovered) SayQuarantined(r);
  std::optional<policy::Policy> first =
      ResolveOrReport(overrides, host, /*warn_skipped=*/!args.quiet);
  if (!first) return kExitSetupError;
  std::optional<const policy::Policy> policy(std::move(*first));
  // Replaces the policy by the overrides resolved again; false (reported)
  // when they no longer resolve.
  auto reresolve = [&] {
    std::optional<policy::Policy> wider = ResolveOrReport(overrides, host);
    if (!wider) return false;
    policy.reset();
    policy.emplace(std::move(*wider));
    return true;
  };
  if (args.session_fd >= 0) {
    Status shareable = CheckSessionSandbox(*policy);
    if (!shareable.ok()) return Fail(shareable.error());
    // A session sandbox asks `cordon mcp` about every destination no rule
    // names: mcp applies on-failure and untrusted itself, per call (and
    // offers no writable path: the session's mount view is fixed).
    if (policy->approval != policy::Approval::kNever &&
        policy->approval != policy::Approval::kOnRequest) {
      overrides.flags.approval = policy::Approval::kOnRequest;
      overrides.flags.approval_origin.kind = policy::Origin::Kind::kFlag;
      overrides.flags.approval_origin.flag = "--session-fd (cordon mcp applies the policy)";
      if (!reresolve()) return kExitSetupError;
    }
    // Inherited from `cordon mcp`; init keeps its copy, nothing else may
    // (the OTLP exporter, the command).
    if (fcntl(args.session_fd, F_SETFD, FD_CLOEXEC) != 0) {
      return Fail(SysError("fcntl(F_SETFD, FD_CLOEXEC)", "--session-fd", errno));
    }
  }
  RunEvents events(host, *policy, args.verbose, args.trace_id);
  for (const sandbox::QuarantineReport& r : recovered) events.Quarantined(r);
  std::atomic<pid_t> running{0};
  approval::Broker broker(
      ApprovalSetup(args, host, *policy, events.sink(), /*quiet=*/false, &running));
  const std::string shown = policy::DescribeCommand(args.argv);
  // untrusted: a command not on the trusted list runs only when approved.
  if (auto r = broker.GateCommand(args.argv, shown); r && !approval::Allows(*r)) {
    std::fprintf(stderr,
                 "cordon: not approved (%s): the command did not run (approval policy "
                 "'untrusted'; trusted commands: see 'cordon policy show')\n",
                 approval::ReplyName(*r));
    events.Finish();
    ReportDenied(args, broker);
    return kExitSetupError;
  }

  bool session_started = false;
  sandbox::RunStats stats;
  const std::string quarantine = StateDirs::For(host).state + "/quarantine";
  const int status = approval::RunWithReruns(
      broker,
      [&] {
        stats = {};
        return RunOnce(args, *policy, quarantine, broker, events, &session_started, stats,
                       &running);
      },
      [&](int failed) {
        std::string notice;
        auto q = ChooseRerun(failed, stats, broker, *policy, shown, &notice);
        if (!notice.empty()) Say(notice);
        return q;
      },
      [&](const approval::Question& q, approval::Reply) {
        const std::string applied = ApplyRerun(q, &overrides);
        if (!reresolve()) return false;
        Say("re-running with " + applied);
        return true;
      });
  events.Finish();
  ReportDenied(args, broker);
  if (!args.quiet) {
    for (const std::string& line : events.denials().Lines(*policy, status)) Say(line);
  }
  return status;
}

}  // namespace cordon::cli
