// The child side of a run: the setup pipeline and the small init (pid 1)
// that runs the command, reaps, relays signals and reports.
#pragma once

#include <signal.h>

#include <span>

#include "sandbox/linux/plan.h"
#include "sandbox/linux/write_watch.h"

namespace cordon::sandbox {

// Everything the child touches, prepared by the supervisor before clone.
struct ChildContext {
  const Plan* plan = nullptr;
  int report_fd = -1;      // write end of the report pipe (O_CLOEXEC)
  int lifeline_fd = -1;    // read end; hangs up when the supervisor is gone
  int proxy_channel = -1;  // socketpair end for the proxy's and relays' listeners, or -1
  int session_fd = -1;     // a session sandbox's request socket (session_init.h), or -1
  std::span<int> scratch;  // plan->mounts.binds.size() ints
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  sigset_t exec_mask{};  // the signal mask the command starts with
  sigset_t init_mask{};  // signals init waits for (blocked in the supervisor)
  // plan->watch_writes: the watcher init runs (made before clone), or null.
  write_watch::Watch* watch = nullptr;
  // The namespace-less tier: the socketpair end over which init hands its
  // seccomp listener to the supervisor's handler (mediate.h), or -1.
  int notify_channel = -1;
  // The supervisor's go-aheads, a socketpair end, or -1 when the child
  // waits for neither:
  // - await_prepared: the placeholders and the quarantine record, made by
  //   the supervisor once the clone has succeeded (so a refused clone costs
  //   nothing more). It sends their locks (kPreparedMore, then
  //   kPreparedLast), which the child holds as init, as it did when they
  //   were made before clone, and the child builds its view only then.
  // - await_placed: a byte once the supervisor has moved the child into the
  //   run's cgroup (the child builds the sandbox meanwhile and waits for it
  //   before starting the command).
  int go_fd = -1;
  bool await_prepared = false;
  bool await_placed = false;
};

// The byte of each message with await_prepared's locks (up to
// kMaxPassedFds each); the last one says the child may build its view.
inline constexpr char kPreparedMore = 'm';
inline constexpr char kPreparedLast = 'p';

// The namespace-less tier's death signal for init (in init_mask): the
// supervisor is gone, so init kills what is left before it exits.
inline constexpr int kSweepSignal = SIGPWR;

// Confines the calling process as the plan says, then runs the command under
// init. Never returns; on any failure reports (step, path, errno) and exits.
[[noreturn]] void RunChild(const ChildContext& ctx);

// For full-access runs: exec the command with the plan's environment.
[[noreturn]] void ExecUnconfined(const ChildContext& ctx);

}  // namespace cordon::sandbox
