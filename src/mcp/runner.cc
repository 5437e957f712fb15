// posix_spawn of `cordon run`, and a poll loop over its pipes.
#include "mcp/runner.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <nlohmann/json.hpp>

#include "common/clock.h"
#include "common/unique_fd.h"

extern char** environ;

namespace cordon::mcp {

Result<CommandPipes> MakeCommandPipes() {
  CommandPipes pipes;
  UniqueFd* ours[3] = {&pipes.ours.stdin_w, &pipes.ours.stdout_r, &pipes.ours.stderr_r};
  for (int i = 0; i < 3; ++i) {
    int p[2];
    if (pipe2(p, O_CLOEXEC) != 0) return SysError("pipe2", "", errno);
    // stdin: the command reads; stdout and stderr: it writes.
    pipes.theirs[i].Reset(i == 0 ? p[0] : p[1]);
    ours[i]->Reset(i == 0 ? p[1] : p[0]);
  }
  return pipes;
}

void Captured::Append(std::string_view data, size_t budget) {
  total += data.size();
  const size_t half = budget / 2;
  if (head.size() < half) {
    size_t take = std::min(half - head.size(), data.size());
    head.append(data.substr(0, take));
    data.remove_prefix(take);
  }
  tail.append(data);
  if (tail.size() > budget - half) tail.erase(0, tail.size() - (budget - half));
}

std::string Captured::Text() const {
  if (!truncated()) return head + tail;
  return head + "\n[... cordon: output truncated: " + std::to_string(total) + " bytes written, " +
         std::to_string(total - head.size() - tail.size()) + " bytes cut here ...]\n" + tail;
}

void RunControl::Started(pid_t pid) {
  // The child is not reaped before Ended(), so the pid cannot be reused.
  Started([pid] { kill(-pid, SIGKILL); });
}

void RunControl::Started(std::function<void()> kill) {
  std::lock_guard<std::mutex> lock(mu_);
  kill_ = std::move(kill);
  if (cancelled_) kill_();
}

void RunControl::Ended() {
  std::lock_guard<std::mutex> lock(mu_);
  kill_ = nullptr;
}

void RunControl::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (kill_) kill_();
}

void Pump(Streams streams, const std::string& stdin_data, size_t max_output, RunResult* result,
          int extra, const std::function<bool()>& on_extra,
          const std::function<void(int64_t)>& tick) {
  UniqueFd& stdin_w = streams.stdin_w;
  UniqueFd& stdout_r = streams.stdout_r;
  UniqueFd& stderr_r = streams.stderr_r;
  if (stdin_data.empty() || fcntl(stdin_w.get(), F_SETFL, O_NONBLOCK) != 0) stdin_w.Reset();
  size_t stdin_off = 0;
  const int64_t start = MonotonicMs();
  int64_t next_tick = start + 1000;
  while (stdout_r.valid() || stderr_r.valid() || extra >= 0) {
    int64_t now = MonotonicMs();
    if (now >= next_tick) {
      if (tick) tick(now - start);
      next_tick = now + 1000;
    }
    pollfd fds[4] = {{stdout_r.get(), POLLIN, 0},
                     {stderr_r.get(), POLLIN, 0},
                     {extra, POLLIN, 0},
                     {stdin_w.get(), POLLOUT, 0}};
    int n = poll(fds, 4, static_cast<int>(std::max<int64_t>(1, next_tick - now)));
    if (n < 0 && errno != EINTR) break;
    if (n <= 0) continue;
    char buf[16384];
    for (int i = 0; i < 2; ++i) {
      if (fds[i].revents == 0) continue;
      UniqueFd& fd = i == 0 ? stdout_r : stderr_r;
      ssize_t got = read(fd.get(), buf, sizeof(buf));
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) {
        fd.Reset();
        continue;
      }
      (i == 0 ? result->out : result->err)
          .Append(std::string_view(buf, static_cast<size_t>(got)), max_output);
    }
    if (fds[2].revents != 0 && !on_extra()) extra = -1;
    if (stdin_w.valid() && fds[3].revents != 0) {
      ssize_t put =
          write(stdin_w.get(), stdin_data.data() + stdin_off, stdin_data.size() - stdin_off);
      if (put > 0) stdin_off += static_cast<size_t>(put);
      if ((put < 0 && errno != EAGAIN && errno != EINTR) || stdin_off >= stdin_data.size()) {
        stdin_w.Reset();
      }
    }
  }
}

Result<RunResult> RunCordon(const RunSpec& spec, RunControl* control,
                            const std::function<approval::Reply(const approval::Question&)>& ask,
                            const std::function<void(int64_t)>& tick) {
  auto pipes = MakeCommandPipes();
  if (!pipes.ok()) return pipes.error();
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    return SysError("socketpair(AF_UNIX)", "approval channel", errno);
  }
  UniqueFd questions(sv[0]), child_end(sv[1]);

  const UniqueFd* theirs = pipes.value().theirs;
  auto pid = Spawn(
      spec.argv,
      {{theirs[0].get(), 0}, {theirs[1].get(), 1}, {theirs[2].get(), 2}, {child_end.get(), 3}});
  if (!pid.ok()) return pid.error();
  control->Started(pid.value());
  pipes.value().CloseTheirs();
  child_end.Reset();

  RunResult result;
  std::string question_buf;
  auto on_question = [&] {
    char buf[16384];
    ssize_t got = read(questions.get(), buf, sizeof(buf));
    if (got < 0 && errno == EINTR) return true;
    if (got <= 0) return false;
    question_buf.append(buf, static_cast<size_t>(got));
    if (question_buf.size() > (64u << 10)) return false;  // not cordon run talking
    size_t nl;
    while ((nl = question_buf.find('\n')) != std::string::npos) {
      std::string line = question_buf.substr(0, nl);
      question_buf.erase(0, nl + 1);
      nlohmann::json j = nlohmann::json::parse(line, nullptr, false);
      if (j.is_object() && j.contains("denied") && j["denied"].is_array()) {
        for (const auto& d : j["denied"])
          if (d.is_string()) result.denied.push_back(d.get<std::string>());
        continue;
      }
      std::optional<approval::Question> q = approval::DecodeQuestion(line);
      approval::Reply r = q && !control->cancelled() ? ask(*q) : approval::Reply::kDeny;
      std::string answer = approval::EncodeReply(r);
      if (send(questions.get(), answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return false;
    }
    return true;
  };
  bool killed = false;
  auto on_tick = [&](int64_t elapsed_ms) {
    if (!killed && spec.hard_timeout_ms > 0 && elapsed_ms > spec.hard_timeout_ms) {
      kill(-pid.value(), SIGKILL);
      killed = true;
    }
    if (tick) tick(elapsed_ms);
  };
  Pump(std::move(pipes.value().ours), spec.stdin_data, spec.max_output, &result, questions.get(),
       on_question, on_tick);
  questions.Reset();
  int status = 0;
  while (waitpid(pid.value(), &status, 0) < 0 && errno == EINTR) {
  }
  control->Ended();
  result.cancelled = control->cancelled();
  result.exit_status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

Result<pid_t> Spawn(const std::vector<std::string>& argv,
                    const std::vector<std::pair<int, int>>& fds) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  // dup2 clears close-on-exec on the target; cordon run sets it again on
  // its internal fds before anything else runs.
  for (auto [from, to] : fds) posix_spawn_file_actions_adddup2(&actions, from, to);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  // Its own process group, so that a cancel kills cordon run and whatever
  // it started outside the sandbox; default signal dispositions.
  posix_spawnattr_setpgroup(&attr, 0);
  sigset_t all, none;
  sigfillset(&all);
  sigemptyset(&none);
  posix_spawnattr_setsigdefault(&attr, &all);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr,
                           POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK);
  std::vector<char*> c_argv;
  c_argv.reserve(argv.size() + 1);
  for (const std::string& a : argv) c_argv.push_back(const_cast<char*>(a.c_str()));
  c_argv.push_back(nullptr);
  pid_t pid = -1;
  int rc = posix_spawn(&pid, c_argv[0], &actions, &attr, c_argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) return SysError("posix_spawn", argv[0], rc);
  return pid;
}

}  // namespace cordon::mcp
