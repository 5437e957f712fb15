// `cordon run [OPTIONS] -- CMD [ARGS...]`: resolve the policy, compile the
// plan, confine the command and return its exit status.
#include <sched.h>

#include <cstdio>

#include "cli/commands.h"
#include "cli/run_events.h"
#include "common/outcome.h"
#include "policy/loader.h"
#include "sandbox/launcher.h"
#include "sandbox/plan.h"

extern char** environ;

namespace cordon::cli {
namespace {

int Fail(const Error& e) {
  std::fprintf(stderr, "cordon: %s\n", e.Describe().c_str());
  return kExitSetupError;
}

// -v: what the sandbox is made of, in one short paragraph.
void PrintPlan(const sandbox::Plan& plan) {
  if (!plan.confine) return;
  const auto& m = plan.mounts;
  std::fprintf(stderr,
               "cordon: namespaces user mount pid ipc uts cgroup%s; mount view: %zu covers, %zu "
               "binds, %zu hidden, %zu protected (%zu placeholders); landlock ABI %d with %zu "
               "rules%s; seccomp %zu instructions\n",
               (plan.clone_flags & CLONE_NEWNET) ? " net" : " (host network)", m.covers.size(),
               m.binds.size(), m.hides.size(), m.protects.size(), plan.placeholders.size(),
               plan.use_landlock ? plan.landlock.abi : 0, plan.landlock.paths.size(),
               plan.landlock.deny_tcp ? ", TCP denied" : "", plan.seccomp.size());
  for (const auto& h : m.hides) std::fprintf(stderr, "cordon: hidden: %s\n", h.path.c_str());
  for (const auto& p : m.protects) std::fprintf(stderr, "cordon: protected: %s\n", p.c_str());
  for (const auto& note : plan.notes) std::fprintf(stderr, "cordon: note: %s\n", note.c_str());
}

}  // namespace

int RunCommand(const Command& command) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) return Fail(host.error());
  auto resolved = policy::Resolve(command.overrides, host.value());
  if (!resolved.ok()) return Fail(resolved.error());
  const policy::Policy& policy = resolved.value();

  auto compiled = sandbox::Compile(policy, command.argv, environ);
  if (!compiled.ok()) return Fail(compiled.error());
  sandbox::Plan& plan = compiled.value();
  // Granted secrets go in after scrubbing (so no scrub pattern removes
  // them) and replace a host variable of the same name.
  auto granted = GrantedSecretEnv(policy);
  if (!granted.ok()) return Fail(granted.error());
  for (std::string& entry : granted.value()) {
    std::string prefix = entry.substr(0, entry.find('=') + 1);
    std::erase_if(plan.envp, [&](const std::string& e) { return e.rfind(prefix, 0) == 0; });
    plan.envp.push_back(std::move(entry));
  }
  if (!plan.confine) {
    std::fprintf(stderr,
                 "cordon: warning: mode full-access: the command runs unconfined (no filesystem, "
                 "network or process isolation)\n");
  }
  if (command.verbose) PrintPlan(plan);

  RunEvents events(host.value(), policy, command.verbose);
  events.SessionStart(policy, plan);
  auto print_degraded = [](const std::string& what) {
    std::fprintf(stderr, "cordon: degraded: not enforced: %s\n", what.c_str());
  };
  for (const auto& d : plan.degraded) print_degraded(d);
  sandbox::RunStats stats;
  sandbox::LaunchOptions options;
  options.timeout_seconds = command.timeout_seconds;
  options.on_degraded = [&](const std::string& what) {
    print_degraded(what);
    events.Degraded(what);
  };
  options.on_notice = [&](const std::string& what) {
    std::fprintf(stderr, "cordon: %s\n", what.c_str());
    events.Degraded(what);
  };
  options.on_started = [&](pid_t pid) { events.ExecStart(plan, pid); };
  options.stats = &stats;
  options.events = events.sink();
  options.keep_child = events.exporter_pid();
  Outcome outcome = sandbox::Launch(policy, plan, options);
  events.ExecEnd(outcome, stats);
  events.Finish();
  switch (outcome.kind) {
    case Outcome::Kind::kSetupError:
      std::fprintf(stderr, "cordon: sandbox setup failed, the command did not run: %s\n",
                   outcome.error.Describe().c_str());
      break;
    case Outcome::Kind::kExecError:
      std::fprintf(stderr, "cordon: %s: %s\n", outcome.error.object.c_str(),
                   outcome.error.err == ENOENT ? "command not found"
                                               : "cannot execute (permission denied or not a "
                                                 "program)");
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

}  // namespace cordon::cli
