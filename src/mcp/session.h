// One sandbox for many commands: `cordon mcp --session-sandbox` (one for
// the MCP session) and the `cordon session` daemon (one for a workspace).
//
// One `cordon run --session-fd 4 --approval-fd 3` runs for the session; its
// init starts each call's command in the same sandbox (same /tmp, same
// proxy) with the call's own pipes, and kills the call's processes when it
// ends or is cancelled (sandbox/linux/session_init.h). The proxy's questions come
// back on the approval socket, answered by `ask` on a thread of its own.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "approval/question.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "mcp/runner.h"

namespace cordon::mcp {

struct SessionCall {
  std::string cwd;  // absolute, inside the workspace
  std::vector<std::string> argv;
  std::string stdin_data;
  size_t max_output = size_t{64} * 1024;
  int timeout_seconds = 300;  // then the call is killed (exit status 124)
};

class Session {
 public:
  // `call`: for a question about a held connection, the id (given to Run)
  // of the call whose process opened it; 0 when no running call's did.
  using Ask = std::function<approval::Reply(const approval::Question&, uint64_t call)>;
  // `run_argv`: this binary and `run` with the policy options; the session
  // options are added here.
  [[nodiscard]] static Result<std::unique_ptr<Session>> Start(std::vector<std::string> run_argv,
                                                              Ask ask);
  // Ends the session: init is told (the socket closes), the sandbox and its
  // proxy go away, cordon run is reaped (killed if it lingers).
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;

  // Runs one call and waits for it; any thread. `id`: unique, not 0.
  [[nodiscard]] Result<RunResult> Run(uint64_t id, const SessionCall& call, RunControl* control,
                                      const std::function<void(int64_t elapsed_ms)>& tick);
  // False once the sandbox has ended (a new session is needed).
  [[nodiscard]] bool alive() const;

  // A call on the caller's own stdin, stdout and stderr (`fds`, which the
  // sandbox gets copies of): the `cordon session` daemon's, for its
  // client's terminal. `env`: the command's environment, where the
  // session's own TMPDIR and proxy variables replace those of the same
  // names (session_wire.h). Then Wait.
  [[nodiscard]] Status Start(uint64_t id, const std::string& cwd,
                             const std::vector<std::string>& argv,
                             const std::vector<std::string>& env, const int (&fds)[3]);
  // Ends the session without waiting: its sandbox's init is told, every
  // call ends (their Wait returns). The destructor does the rest.
  void Shutdown();
  // Its reaper's pid once it started, 0 when it ended first or the sandbox
  // did (or after `timeout_ms`).
  [[nodiscard]] pid_t AwaitStarted(uint64_t id, int timeout_ms);
  // Its wait status once it and what it started are gone; nullopt when the
  // sandbox ended first.
  [[nodiscard]] std::optional<int> Wait(uint64_t id);
  // A relayed signal (SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2)
  // for the call's command, which may handle it.
  void Signal(uint64_t id, int sig);
  // Ends the call: its processes are killed.
  void Kill(uint64_t id);
  // The last of what cordon run said on stderr.
  [[nodiscard]] std::string StderrTail() const;

 private:
  Session() = default;
  void ReadReplies();
  void AnswerQuestions(const Ask& ask);
  void RelayStderr(int fd);
  Status Send(const std::string& msg, const int* fds);
  // The running call whose process tree holds the question's connection
  // (socket_owner.h), 0 when none or more than one does.
  uint64_t CallOf(const approval::Question& q);

  pid_t pid_ = -1;      // cordon run, leader of its process group
  UniqueFd requests_;   // SOCK_SEQPACKET to init
  UniqueFd questions_;  // the approval channel's other end
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, int> ended_;      // id -> wait status, until Run takes it
  std::map<uint64_t, pid_t> reapers_;  // id -> its reaper's pid, while it runs
  bool dead_ = false;
  std::string stderr_tail_;  // the last of what cordon run said
  std::mutex send_mu_;
  std::atomic<bool> relay_stop_{false};
  std::atomic<bool> relay_done_{false};
  std::thread reader_, asker_, relay_;
};

}  // namespace cordon::mcp
