// The telemetry of one `cordon run`: the events the supervisor emits
// (session start, degraded features, exec start and end) and the sink they
// go to, which the proxy shares (run_proxy.h).
//
// The events are built here (run_events.cc) from plain data every platform
// has: the policy, what the backend's plan says of confinement
// (SessionFacts), the command, its pid and its outcome. The host's own facts
// (host name, OS version, the user, why filesystem denials are not seen) are
// the platform's: run_events-unix.cc and run_events-win32.cc.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/denial_summary.h"
#include "common/outcome.h"
#include "policy/loader.h"
#include "policy/policy.h"
#include "sandbox/backend.h"
#include "telemetry/run_sink.h"

namespace cordon::cli {

// What the session event says of the run's confinement, from the backend's
// plan.
struct SessionFacts {
  bool confined = false;                // false: nothing is enforced (full-access)
  std::vector<std::string> degraded;    // what the run does not enforce
  std::optional<int64_t> landlock_abi;  // Linux: the ABI used (0: none)
};

// The platform's part of the events.
[[nodiscard]] std::string HostName();
[[nodiscard]] int64_t CurrentProcessId();
// os.version and the user running cordon (process.owner.id on Linux).
void AddHostAttributes(Event* event);
// Why filesystem denials are not recorded (cordon.fs.denials.note).
[[nodiscard]] std::string FsDenialsNote();

class RunEvents {
 public:
  // Opens the run's sink: the events file under host.xdg_state_home, and
  // the OTLP exporter when policy or environment names an endpoint.
  // `trace_id`: the trace the run is a span of (a `cordon session`'s, whose
  // commands are spans of it too); empty: a trace of its own.
  RunEvents(const policy::HostFacts& host, const policy::Policy& policy, bool verbose,
            const std::string& trace_id = {});

  // Every event of the run passes the denial summary on its way to the sink.
  [[nodiscard]] EventSink* sink() { return summary_.get(); }
  [[nodiscard]] const DenialSummary& denials() const { return *summary_; }
  [[nodiscard]] pid_t exporter_pid() const { return sink_->exporter_pid(); }

  void SessionStart(const policy::Policy& policy, const SessionFacts& facts);
  void Degraded(const std::string& what);
  // A missing protected path the run created, moved out of the tree (or not).
  void Quarantined(const sandbox::QuarantineReport& report);
  // A cordon.net.decision of kind "direct" (thread-safe: the sink is).
  void DirectConnect(const sandbox::DirectConnect& connect);
  // `argv` and `cwd`: the command as the backend runs it; `pid`: its host pid.
  void ExecStart(const std::vector<std::string>& argv, const std::string& cwd, int64_t pid);
  void ExecEnd(const Outcome& outcome, const sandbox::RunStats& stats);
  // cordon.limit.hit: a resource limit the run reached.
  void LimitHit(const sandbox::LimitHit& hit, const policy::Policy& policy);
  // Start the writeback and hand off to the exporter; see RunSink::Finish.
  void Finish() { sink_->Finish(); }

 private:
  std::string policy_hash_cache_;  // telemetry/policy_hash.h
  std::unique_ptr<telemetry::RunSink> sink_;
  std::unique_ptr<DenialSummary> summary_;  // forwards to sink_
  int64_t exec_started_ns_ = 0;             // steady clock
  bool exec_started_ = false;
};

}  // namespace cordon::cli
