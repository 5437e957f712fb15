// One `run` tool call: spawns `cordon run` (this binary, re-executed) with
// the session's policy options, feeds its stdin, captures its stdout and
// stderr apart from the JSON-RPC stream (pipes; never our stdout), relays
// its approval questions, and kills its whole tree when cancelled.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "approval/question.h"
#include "common/result.h"
#include "common/unique_fd.h"

namespace cordon::mcp {

// Output kept within a byte budget: the head and the tail, with the total.
struct Captured {
  std::string head;
  std::string tail;  // the last bytes, once the head is full
  size_t total = 0;  // bytes the command wrote
  [[nodiscard]] bool truncated() const { return total > head.size() + tail.size(); }
  // The kept text; a truncated one states how much was cut.
  [[nodiscard]] std::string Text() const;
  void Append(std::string_view data, size_t budget);
};

struct RunResult {
  int exit_status = 0;  // cordon run's: the command's, 124 timeout, 125 cordon, 126/127
  Captured out, err;
  std::vector<std::string> denied;  // destinations refused ("host:port")
  bool cancelled = false;
};

// Cancels a run from any thread: kills cordon run's process group (its
// sandbox dies with it: the sandbox's init watches a lifeline to it), or
// has a session sandbox kill the call.
class RunControl {
 public:
  void Cancel();
  [[nodiscard]] bool cancelled() const { return cancelled_; }
  void Started(pid_t pid);
  void Started(std::function<void()> kill);  // called at most once, under a lock
  void Ended();

 private:
  std::mutex mu_;
  std::function<void()> kill_;
  std::atomic<bool> cancelled_{false};
};

// The pipes of a running command, from our side.
struct Streams {
  UniqueFd stdin_w, stdout_r, stderr_r;
};

// Feeds `stdin_data` and collects stdout and stderr into `result` until
// both are closed and `extra` too (when valid; `on_extra` reads it and
// returns false once it is done). `tick` is called about once a second with
// the elapsed time.
void Pump(Streams streams, const std::string& stdin_data, size_t max_output, RunResult* result,
          int extra, const std::function<bool()>& on_extra,
          const std::function<void(int64_t elapsed_ms)>& tick);

struct RunSpec {
  std::vector<std::string> argv;  // cordon run's argv; "--approval-fd 3" is the question pipe
  std::string stdin_data;
  size_t max_output = size_t{64} * 1024;  // per stream
  int hard_timeout_ms = -1;  // last resort kill (cordon run's own --timeout comes first)
};

// A command's stdin, stdout and stderr as close-on-exec pipes: our ends,
// and the command's (0, 1, 2), which the caller closes once passed on.
struct CommandPipes {
  Streams ours;
  UniqueFd theirs[3];
  void CloseTheirs() {
    for (UniqueFd& fd : theirs) fd.Reset();
  }
};
[[nodiscard]] Result<CommandPipes> MakeCommandPipes();

// posix_spawn of argv in its own process group, with default signal
// dispositions and an empty mask; each (from, to) pair is dup2'ed in order
// (so no `from` may be the `to` of an earlier pair).
[[nodiscard]] Result<pid_t> Spawn(const std::vector<std::string>& argv,
                                  const std::vector<std::pair<int, int>>& fds);

// Runs spec.argv and waits for it. `ask` answers a question from the run
// (on this thread; the run's output waits meanwhile); `tick` is called about
// once a second with the elapsed time.
[[nodiscard]] Result<RunResult> RunCordon(
    const RunSpec& spec, RunControl* control,
    const std::function<approval::Reply(const approval::Question&)>& ask,
    const std::function<void(int64_t elapsed_ms)>& tick);

}  // namespace cordon::mcp
