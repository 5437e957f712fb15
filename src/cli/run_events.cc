// Events of `cordon run` (see run_events.h and docs/telemetry.md, which
// lists every attribute).
#include "cli/run_events.h"

#include <chrono>

#include "cli/limit_report.h"
#include "policy/net_rules.h"
#include "policy/render.h"
#include "telemetry/ids.h"
#include "telemetry/otlp_env.h"
#include "telemetry/policy_hash.h"

namespace cordon::cli {
namespace {

// CLOCK_MONOTONIC on Linux (libstdc++'s steady_clock).
int64_t MonotonicNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// The system's CSPRNG cannot fail on a supported system; should it, the
// ids are derived from the time and pid so the run is still recorded.
telemetry::RunIds Ids() {
  auto ids = telemetry::NewRunIds();
  if (ids.ok()) return ids.value();
  std::string h = telemetry::Sha256Hex(std::to_string(NowUnixNano()) + "/" +
                                       std::to_string(CurrentProcessId()));
  return {h.substr(0, 32), h.substr(32, 16)};
}

const char* OutcomeName(Outcome::Kind k) {
  switch (k) {
    case Outcome::Kind::kExited:
      return "exited";
    case Outcome::Kind::kSignaled:
      return "signaled";
    case Outcome::Kind::kTimeout:
      return "timeout";
    case Outcome::Kind::kSetupError:
      return "setup-error";
    case Outcome::Kind::kExecError:
      return "exec-error";
  }
  return "unknown";
}

}  // namespace

RunEvents::RunEvents(const policy::HostFacts& host, const policy::Policy& policy, bool verbose,
                     const std::string& trace_id) {
  auto env = telemetry::ProcessGetenv();
  telemetry::RunSinkOptions o;
  o.events_dir = telemetry::EventsDir(host.xdg_state_home);
  policy_hash_cache_ = o.events_dir + "/.policy-hash";
  o.keep_days = policy.keep_days;
  o.endpoint = telemetry::LogsEndpoint(policy.telemetry_endpoint, env);
  if (!o.endpoint.empty()) o.exporter_path = telemetry::DefaultExporterPath();
  o.verbose = verbose;
  o.resource = telemetry::MakeResource(env, HostName());
  o.ids = Ids();
  if (!trace_id.empty()) o.ids.trace_id = trace_id;
  sink_ = std::make_unique<telemetry::RunSink>(std::move(o));
  summary_ = std::make_unique<DenialSummary>(sink_.get());
}

void RunEvents::SessionStart(const policy::Policy& policy, const SessionFacts& facts) {
  // Compact, so the hash does not depend on the renderer's indentation.
  const std::string rendered = policy::RenderJson(policy, /*indent=*/-1);
  Event e;
  e.name = "cordon.session.start";
  e.severity = facts.degraded.empty() && facts.confined ? Severity::kInfo : Severity::kWarn;
  e.body = std::string("cordon ") + CORDON_VERSION + " session: mode " +
           policy::ModeName(policy.mode) + ", network " + policy::NetModeName(policy.net) +
           ", workspace " + policy.workspace;
  e.Add("cordon.version", std::string(CORDON_VERSION));
  e.Add("cordon.mode", std::string(policy::ModeName(policy.mode)));
  e.Add("cordon.network.mode", std::string(policy::NetModeName(policy.net)));
  e.Add("cordon.workspace", policy.workspace);
  e.Add("cordon.confined", facts.confined);
  e.Add("cordon.policy.hash", telemetry::PolicyHash(rendered, policy_hash_cache_));
  e.Add("cordon.policy", rendered);
  e.Add("cordon.config.sources", policy.sources);
  e.Add("cordon.allow_degraded", policy.allow_degraded);
  e.Add("cordon.degraded", facts.degraded);
  if (facts.landlock_abi) e.Add("cordon.landlock.abi", *facts.landlock_abi);
  AddHostAttributes(&e);
  // cordon does not see the denials, so it says so instead of guessing.
  e.Add("cordon.fs.denials.captured", false);
  e.Add("cordon.fs.denials.note", FsDenialsNote());
  sink_->Emit(std::move(e));
  for (const auto& d : facts.degraded) Degraded(d);
}

void RunEvents::Degraded(const std::string& what) {
  Event e;
  e.name = "cordon.policy.degraded";
  e.severity = Severity::kWarn;
  e.body = "not enforced: " + what;
  e.Add("cordon.degraded.what", what);
  sink_->Emit(std::move(e));
}

void RunEvents::Quarantined(const sandbox::QuarantineReport& r) {
  Event e;
  e.name = "cordon.fs.quarantined";
  e.severity = Severity::kWarn;
  e.body = r.moved_to.empty()
               ? "created protected path " + r.path + " could not be moved: " + r.error
               : "moved created protected path " + r.path + " to " + r.moved_to;
  e.Add("file.path", r.path);
  e.Add("cordon.protect.why", r.why);
  e.Add("cordon.quarantine.moved_to", r.moved_to);
  if (!r.error.empty()) e.Add("cordon.quarantine.error", r.error);
  sink_->Emit(std::move(e));
}

void RunEvents::DirectConnect(const sandbox::DirectConnect& c) {
  Event e;
  e.name = "cordon.net.decision";
  e.time_unix_nano = NowUnixNano();
  e.severity = c.allowed ? Severity::kInfo : Severity::kWarn;
  const std::string where = policy::HostPort(c.host, c.port);
  e.body = c.allowed ? "allowed direct " + where
                     : "denied direct " + where + ": no rule names this address";
  e.Add("cordon.decision", std::string(c.allowed ? "allow" : "deny"))
      .Add("server.address", c.host)
      .Add("server.port", static_cast<int64_t>(c.port))
      .Add("network.protocol.name", std::string("tcp"))
      .Add("cordon.proxy.kind", std::string("direct"))
      .Add("cordon.rule", c.allowed ? c.rule : "no rule names address " + c.host);
  if (!c.allowed) e.Add("cordon.reason", std::string("no rule names this address"));
  sink_->Emit(std::move(e));
}

void RunEvents::LimitHit(const sandbox::LimitHit& hit, const policy::Policy& policy) {
  const LimitText t = DescribeHit(hit, policy);
  Event e;
  e.name = "cordon.limit.hit";
  e.time_unix_nano = NowUnixNano();
  e.severity = hit.limit == policy::LimitKind::kCpus ? Severity::kInfo : Severity::kWarn;
  e.body = "reached the " + t.name + " limit (" + t.value + "): " + hit.effect;
  e.Add("cordon.limit", t.name)
      .Add("cordon.limit.value", hit.value)
      .Add("cordon.limit.origin", t.origin)
      .Add("cordon.limit.effect", hit.effect);
  if (hit.peak >= 0) e.Add("cordon.limit.peak", hit.peak);
  sink_->Emit(std::move(e));
}

void RunEvents::ExecStart(const std::vector<std::string>& argv, const std::string& cwd,
                          int64_t pid) {
  exec_started_ns_ = MonotonicNs();
  exec_started_ = true;
  Event e;
  e.name = "cordon.exec.start";
  e.body = "started " + (argv.empty() ? std::string() : argv.front());
  e.Add("process.command_args", argv);
  e.Add("process.working_directory", cwd);
  e.Add("process.pid", pid);
  sink_->Emit(std::move(e));
}

void RunEvents::ExecEnd(const Outcome& outcome, const sandbox::RunStats& stats) {
  Event e;
  e.name = "cordon.exec.end";
  e.Add("cordon.outcome", std::string(OutcomeName(outcome.kind)));
  e.Add("cordon.exit_status", static_cast<int64_t>(outcome.ExitStatus()));
  switch (outcome.kind) {
    case Outcome::Kind::kExited:
      e.body = "exited with " + std::to_string(outcome.code);
      e.Add("process.exit.code", static_cast<int64_t>(outcome.code));
      break;
    case Outcome::Kind::kSignaled:
    case Outcome::Kind::kTimeout:
      e.body = outcome.kind == Outcome::Kind::kTimeout
                   ? "timed out; killed"
                   : "killed by signal " + std::to_string(outcome.signal);
      e.severity = Severity::kWarn;
      e.Add("cordon.exit.signal", static_cast<int64_t>(outcome.signal));
      break;
    case Outcome::Kind::kSetupError:
    case Outcome::Kind::kExecError:
      e.body = outcome.error.Describe();
      e.severity = Severity::kError;
      e.Add("error.type", outcome.kind == Outcome::Kind::kSetupError ? std::string("setup")
                                                                     : std::string("exec"));
      e.Add("cordon.error", outcome.error.Describe());
      break;
  }
  if (exec_started_) {
    e.Add("cordon.duration_ms", (MonotonicNs() - exec_started_ns_) / 1000000);
  }
  if (stats.peak_rss_bytes >= 0) e.Add("cordon.peak_rss_bytes", stats.peak_rss_bytes);
  if (stats.cpu_us >= 0) e.Add("cordon.cpu_ms", stats.cpu_us / 1000);
  // The whole run's, from its cgroup and its tmpfs (docs/limits.md).
  if (stats.peak_memory_bytes >= 0) e.Add("cordon.peak_memory_bytes", stats.peak_memory_bytes);
  if (stats.peak_processes >= 0) e.Add("cordon.peak_processes", stats.peak_processes);
  if (stats.cpu_throttled_us >= 0) e.Add("cordon.cpu_throttled_ms", stats.cpu_throttled_us / 1000);
  if (stats.tmp_used_bytes >= 0) e.Add("cordon.tmp_used_bytes", stats.tmp_used_bytes);
  sink_->Emit(std::move(e));
  // Approval policy on-failure: the last write the watcher saw outside the
  // writable roots (denied by Landlock or the mount view, most likely).
  if (stats.denied_writes > 0) {
    Event d;
    d.name = "cordon.fs.denial";
    d.severity = Severity::kWarn;
    d.body = "write denied: " + stats.denied_write + " (" + std::to_string(stats.denied_writes) +
             " write(s) outside the writable roots)";
    d.Add("cordon.decision", std::string("deny"));
    d.Add("file.path", stats.denied_write);
    d.Add("cordon.fs.access", std::string("write"));
    d.Add("cordon.fs.denials.count", static_cast<int64_t>(stats.denied_writes));
    summary_->Emit(std::move(d));
  }
}

}  // namespace cordon::cli
