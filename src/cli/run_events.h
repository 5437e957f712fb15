// The telemetry of one `cordon run`: the events the supervisor emits
// (session start, degraded features, exec start and end) and the sink they
// go to, which the proxy shares (run_proxy.h).
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>

#include "cli/denial_summary.h"
#include "common/outcome.h"
#include "policy/loader.h"
#include "policy/policy.h"
#include "sandbox/backend.h"
#include "sandbox/linux/plan.h"
#include "telemetry/run_sink.h"

namespace cordon::cli {

class RunEvents {
 public:
  // Opens the run's sink: the events file under host.xdg_state_home, and
  // the OTLP exporter when policy or environment names an endpoint.
  RunEvents(const policy::HostFacts& host, const policy::Policy& policy, bool verbose);

  // Every event of the run passes the denial summary on its way to the sink.
  [[nodiscard]] EventSink* sink() { return summary_.get(); }
  [[nodiscard]] const DenialSummary& denials() const { return *summary_; }
  [[nodiscard]] pid_t exporter_pid() const { return sink_->exporter_pid(); }

  void SessionStart(const policy::Policy& policy, const sandbox::Plan& plan);
  void Degraded(const std::string& what);
  // A missing protected path the run created, moved out of the tree (or not).
  void Quarantined(const sandbox::QuarantineReport& report);
  // A cordon.net.decision of kind "direct" (thread-safe: the sink is).
  void DirectConnect(const sandbox::DirectConnect& connect);
  void ExecStart(const sandbox::Plan& plan, pid_t pid);
  void ExecEnd(const Outcome& outcome, const sandbox::RunStats& stats);
  // cordon.limit.hit: a resource limit the run reached.
  void LimitHit(const sandbox::LimitHit& hit, const policy::Policy& policy);
  // Start the writeback and hand off to the exporter; see RunSink::Finish.
  void Finish() { sink_->Finish(); }

 private:
  std::unique_ptr<telemetry::RunSink> sink_;
  std::unique_ptr<DenialSummary> summary_;  // forwards to sink_
  int64_t exec_started_ns_ = 0;             // CLOCK_MONOTONIC
  bool exec_started_ = false;
};

}  // namespace cordon::cli
