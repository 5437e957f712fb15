// The supervisor: clones the child into its namespaces, relays signals,
// enforces the timeout, and turns the child's report into an Outcome.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "common/event.h"
#include "common/outcome.h"
#include "policy/policy.h"
#include "proxy/decider.h"
#include "sandbox/linux/plan.h"

namespace cordon::sandbox {

// Resource use of the whole process tree, read after it was reaped (the
// sandbox's init reaps every descendant, so RUSAGE_CHILDREN covers them).
struct RunStats {
  int64_t peak_rss_bytes = -1;  // largest resident set of any process
  int64_t cpu_us = -1;          // user + system CPU time
  // Approval policy on-failure (plan.watch_writes): writes seen outside
  // every writable root (write_watch.h), the last one and when
  // (CLOCK_MONOTONIC ms, comparable with MonotonicMs()).
  uint32_t denied_writes = 0;
  std::string denied_write;
  int64_t denied_write_ms = 0;
};

struct LaunchOptions {
  std::optional<int> timeout_seconds;  // kill the whole tree after this
  // Told each thing this run will not enforce, before the command starts.
  std::function<void(const std::string&)> on_degraded;
  // Told, once, what else the user must know about this run: the switch to
  // the namespace-less tier (with its reason), a leftover that could not be
  // removed.
  std::function<void(const std::string&)> on_notice;
  // Told the host pid of the sandbox's root process once it exists.
  std::function<void(pid_t)> on_started;
  // Filled in when the command has ended (may be null).
  RunStats* stats = nullptr;
  // The run's event sink, for mechanisms that report decisions (the proxy);
  // may be null. Emit may be called from any thread.
  EventSink* events = nullptr;
  // A child of the supervisor that is not part of the run (the OTLP
  // exporter): the namespace-less tier's sweep of leftovers spares it.
  pid_t keep_child = -1;
  // Asked about destinations no rule names (null: they are denied).
  proxy::Decider* decider = nullptr;
  // How long the proxy holds a connection for the decider (0: its default).
  int decide_timeout_ms = 0;
  // A session sandbox (`cordon mcp --session-sandbox`): init serves the
  // requests on this socket instead of running plan.argv (session_init.h).
  int session_fd = -1;
};

// Runs plan.argv as the plan says and waits for it. When user namespaces
// are refused (clone fails, or the child cannot configure them: EPERM or
// EACCES) and the policy does not require them, `plan` is re-planned for
// the namespace-less tier (plan.tier, plan.tier_reason) before the command
// ever runs; its `degraded` list says what else was lost.
[[nodiscard]] Outcome Launch(const policy::Policy& policy, Plan& plan,
                             const LaunchOptions& options);

}  // namespace cordon::sandbox
