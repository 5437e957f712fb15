// The client side of the session sandbox: requests with SCM_RIGHTS on a
// SOCK_SEQPACKET socket, replies demultiplexed by call id.
#include "mcp/session.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "common/clock.h"
#include "common/terminal_text.h"
#include "mcp/socket_owner.h"
#include "sandbox/linux/fd_passing.h"
#include "sandbox/session_wire.h"

namespace cordon::mcp {

namespace wire = sandbox::session;

namespace {

// A socket end moved above the fds the spawn dup2's onto (0 to 4).
Result<UniqueFd> HighFd(UniqueFd fd, const char* what) {
  int moved = fcntl(fd.get(), F_DUPFD_CLOEXEC, 10);
  if (moved < 0) return SysError("fcntl(F_DUPFD_CLOEXEC)", what, errno);
  return UniqueFd(moved);
}

Result<std::pair<UniqueFd, UniqueFd>> SocketPair(int type, const char* what) {
  int sv[2];
  if (socketpair(AF_UNIX, type | SOCK_CLOEXEC, 0, sv) != 0) {
    return SysError("socketpair(AF_UNIX)", what, errno);
  }
  return std::make_pair(UniqueFd(sv[0]), UniqueFd(sv[1]));
}

}  // namespace

Result<std::unique_ptr<Session>> Session::Start(std::vector<std::string> run_argv, Ask ask) {
  auto requests = SocketPair(SOCK_SEQPACKET, "session socket");
  if (!requests.ok()) return requests.error();
  // Each message comes with its sender's pid (the reapers' tell which
  // process tree is which call's).
  const int on = 1;
  if (setsockopt(requests.value().first.get(), SOL_SOCKET, SO_PASSCRED, &on, sizeof(on)) != 0) {
    return SysError("setsockopt(SO_PASSCRED)", "session socket", errno);
  }
  auto questions = SocketPair(SOCK_STREAM, "approval channel");
  if (!questions.ok()) return questions.error();
  auto init_end = HighFd(std::move(requests.value().second), "session socket");
  if (!init_end.ok()) return init_end.error();
  auto run_end = HighFd(std::move(questions.value().second), "approval channel");
  if (!run_end.ok()) return run_end.error();
  UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) return SysError("open", "/dev/null", errno);

  // cordon run's notices go on to our stderr (the client's log), and the
  // last of them to a call that finds the sandbox gone.
  int err_pipe[2];
  if (pipe2(err_pipe, O_CLOEXEC) != 0) return SysError("pipe2", "session stderr", errno);
  UniqueFd err_r(err_pipe[0]), err_w(err_pipe[1]);
  run_argv.insert(run_argv.end(), {"--approval-fd", "3", "--session-fd", "4"});
  auto pid = Spawn(run_argv, {{null.get(), 0},
                              {null.get(), 1},
                              {err_w.get(), 2},
                              {run_end.value().get(), 3},
                              {init_end.value().get(), 4}});
  if (!pid.ok()) return pid.error();
  std::unique_ptr<Session> s(new Session());
  s->pid_ = pid.value();
  s->requests_ = std::move(requests.value().first);
  s->questions_ = std::move(questions.value().first);
  Session* self = s.get();
  s->reader_ = std::thread([self] { self->ReadReplies(); });
  s->asker_ = std::thread([self, ask = std::move(ask)] { self->AnswerQuestions(ask); });
  s->relay_ = std::thread([self, fd = std::move(err_r)] { self->RelayStderr(fd.get()); });
  return s;
}

Session::~Session() {
  // init reads the end of the socket as the end of the session.
  Shutdown();
  reader_.join();
  asker_.join();
  int status = 0;
  const int64_t deadline = MonotonicMs() + 5000;
  while (waitpid(pid_, &status, WNOHANG) == 0) {
    if (MonotonicMs() > deadline) {
      kill(-pid_, SIGKILL);
      while (waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    usleep(10'000);
  }
  // Whatever it started may still hold its stderr (the OTLP exporter
  // finishing an export): stop relaying without waiting for them.
  relay_stop_ = true;
  relay_.join();
}

bool Session::alive() const {
  std::lock_guard<std::mutex> lock(mu_);
  return !dead_;
}

void Session::ReadReplies() {
  for (;;) {
    wire::Reply r;
    iovec iov{&r, sizeof(r)};
    alignas(cmsghdr) char control[CMSG_SPACE(sizeof(ucred))] = {};
    msghdr m{};
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    m.msg_control = control;
    m.msg_controllen = sizeof(control);
    ssize_t got = recvmsg(requests_.get(), &m, MSG_CMSG_CLOEXEC);
    if (got < 0 && errno == EINTR) continue;
    std::lock_guard<std::mutex> lock(mu_);
    if (got != static_cast<ssize_t>(sizeof(r))) {
      dead_ = true;
      cv_.notify_all();
      return;
    }
    if (r.kind == static_cast<uint32_t>(wire::ReplyKind::kStarted)) {
      // The kernel wrote the sender's pid, in our pid namespace: the
      // call's reaper (only init and the reapers hold that socket).
      for (cmsghdr* c = CMSG_FIRSTHDR(&m); c != nullptr; c = CMSG_NXTHDR(&m, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_CREDENTIALS) continue;
        ucred cred{};
        std::memcpy(&cred, CMSG_DATA(c), sizeof(cred));
        if (ended_.count(r.id) == 0) reapers_[r.id] = cred.pid;
      }
      cv_.notify_all();
      continue;
    }
    reapers_.erase(r.id);
    ended_[r.id] = r.wait_status;
    cv_.notify_all();
  }
}

void Session::AnswerQuestions(const Ask& ask) {
  std::string buf;
  char chunk[4096];
  for (;;) {
    ssize_t got = read(questions_.get(), chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return;
    buf.append(chunk, static_cast<size_t>(got));
    if (buf.size() > (64u << 10)) return;  // not cordon run talking
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::string line = buf.substr(0, nl);
      buf.erase(0, nl + 1);
      // The other lines (the denied list at the end) need no answer.
      std::optional<approval::Question> q = approval::DecodeQuestion(line);
      if (!q) continue;
      const uint64_t call = q->client.empty() ? 0 : CallOf(*q);
      std::string answer = approval::EncodeReply(ask(*q, call));
      if (send(questions_.get(), answer.data(), answer.size(), MSG_NOSIGNAL) < 0) return;
    }
  }
}

void Session::RelayStderr(int fd) {
  char chunk[4096];
  // Whole lines, escaped for a terminal: a process in the sandbox can write
  // to this pipe too (it is init's stderr), and our stderr may be a
  // person's terminal. A line is cut at 4 KiB.
  std::string line;
  auto relay = [&line](bool all) {
    size_t start = 0;
    for (size_t nl; (nl = line.find('\n', start)) != std::string::npos; start = nl + 1) {
      const std::string out = ForTerminal(std::string_view(line).substr(start, nl - start)) + "\n";
      (void)!write(STDERR_FILENO, out.data(), out.size());
    }
    line.erase(0, start);
    if (!line.empty() && (all || line.size() >= sizeof(chunk))) {
      const std::string out = ForTerminal(line) + "\n";
      (void)!write(STDERR_FILENO, out.data(), out.size());
      line.clear();
    }
  };
  while (!relay_stop_) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    ssize_t got = read(fd, chunk, sizeof(chunk));
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;  // cordon run and everything it started are gone
    line.append(chunk, static_cast<size_t>(got));
    relay(/*all=*/false);
    std::lock_guard<std::mutex> lock(mu_);
    stderr_tail_.append(chunk, static_cast<size_t>(got));
    constexpr size_t kKeep = 2048;
    if (stderr_tail_.size() > kKeep) stderr_tail_.erase(0, stderr_tail_.size() - kKeep);
  }
  relay(/*all=*/true);
  relay_done_ = true;
}

uint64_t Session::CallOf(const approval::Question& q) {
  std::map<uint64_t, pid_t> reapers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    reapers = reapers_;
  }
  // Every reaper is in the sandbox's network namespace.
  std::optional<uint64_t> inode;
  for (const auto& [id, pid] : reapers) {
    if ((inode = SocketInode(pid, q.client, q.proxy))) break;
  }
  if (!inode) return 0;
  uint64_t found = 0;
  for (const auto& [id, pid] : reapers) {
    if (!TreeHolds(pid, *inode)) continue;
    if (found != 0) return 0;  // passed between calls: nobody's
    found = id;
  }
  // Still running: a reaper that ended may have left its pid to another.
  std::lock_guard<std::mutex> lock(mu_);
  return found != 0 && reapers_.count(found) != 0 ? found : 0;
}

void Session::Kill(uint64_t id) {
  std::string msg = wire::EncodeKill(id);
  std::lock_guard<std::mutex> lock(send_mu_);
  (void)!send(requests_.get(), msg.data(), msg.size(), MSG_NOSIGNAL);
}

void Session::Signal(uint64_t id, int sig) {
  std::string msg = wire::EncodeSignal(id, sig);
  std::lock_guard<std::mutex> lock(send_mu_);
  (void)!send(requests_.get(), msg.data(), msg.size(), MSG_NOSIGNAL);
}

std::string Session::StderrTail() const {
  std::lock_guard<std::mutex> lock(mu_);
  return stderr_tail_;
}

Status Session::Send(const std::string& msg, const int* fds) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (dead_) return PlainError("session sandbox", "", "it has ended");
  }
  if (msg.empty()) {
    return PlainError("run", "",
                      "the command and its environment are too long for the session sandbox (" +
                          std::to_string(wire::kMaxRequestBytes / 1024) + " KiB at most)");
  }
  std::lock_guard<std::mutex> lock(send_mu_);
  if (sandbox::SendWithFds(requests_.get(), msg.data(), msg.size(), fds, wire::kFdsPerExec) < 0) {
    return SysError("sendmsg", "session socket", errno);
  }
  return {};
}

Status Session::Start(uint64_t id, const std::string& cwd, const std::vector<std::string>& argv,
                      const std::vector<std::string>& env, const int (&fds)[3]) {
  const uint32_t flags = wire::kOwnEnvironment | wire::kSessionVariables;
  return Send(wire::EncodeExec(id, cwd, argv, env, flags), fds);
}

void Session::Shutdown() {
  shutdown(requests_.get(), SHUT_RDWR);
  shutdown(questions_.get(), SHUT_RDWR);
}

pid_t Session::AwaitStarted(uint64_t id, int timeout_ms) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
               [&] { return dead_ || reapers_.count(id) != 0 || ended_.count(id) != 0; });
  auto it = reapers_.find(id);
  return it == reapers_.end() ? 0 : it->second;
}

std::optional<int> Session::Wait(uint64_t id) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait(lock, [&] { return dead_ || ended_.count(id) != 0; });
  auto it = ended_.find(id);
  if (it == ended_.end()) return std::nullopt;
  const int status = it->second;
  ended_.erase(it);
  return status;
}

Result<RunResult> Session::Run(uint64_t id, const SessionCall& call, RunControl* control,
                               const std::function<void(int64_t)>& tick) {
  auto pipes = MakeCommandPipes();
  if (!pipes.ok()) return pipes.error();
  const UniqueFd* theirs = pipes.value().theirs;
  int fds[wire::kFdsPerExec] = {theirs[0].get(), theirs[1].get(), theirs[2].get()};
  Status sent = Send(wire::EncodeExec(id, call.cwd, call.argv), fds);
  if (!sent.ok()) {
    Error e = sent.error();
    if (e.op == "run") e.detail += ": pass long text on stdin";
    return e;
  }
  pipes.value().CloseTheirs();
  control->Started([this, id] { Kill(id); });

  RunResult result;
  bool timed_out = false;
  const int64_t start = MonotonicMs();
  auto on_tick = [&](int64_t elapsed_ms) {
    if (!timed_out && elapsed_ms > call.timeout_seconds * 1000LL) {
      timed_out = true;
      Kill(id);
    }
    if (tick) tick(elapsed_ms);
  };
  Pump(std::move(pipes.value().ours), call.stdin_data, call.max_output, &result, -1, nullptr,
       on_tick);
  // Its output is closed; its status follows when its processes are gone.
  std::optional<int> status;
  {
    std::unique_lock<std::mutex> lock(mu_);
    for (;;) {
      auto it = ended_.find(id);
      if (it != ended_.end()) {
        status = it->second;
        ended_.erase(it);
        break;
      }
      if (dead_) break;
      cv_.wait_for(lock, std::chrono::seconds(1));
      lock.unlock();
      on_tick(MonotonicMs() - start);
      lock.lock();
    }
  }
  control->Ended();
  result.cancelled = control->cancelled();
  if (!status) {
    result.exit_status = 125;
    std::string why =
        "cordon: the session sandbox ended during this call; the next call starts a new one";
    // Its last words may still be in the pipe.
    for (int i = 0; i < 50 && !relay_done_; ++i) usleep(10'000);
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!stderr_tail_.empty()) why += ". It said:\n" + stderr_tail_;
    }
    result.err.Append(why + "\n", call.max_output);
  } else if (timed_out) {
    result.exit_status = 124;
  } else {
    result.exit_status = WIFEXITED(*status) ? WEXITSTATUS(*status) : 128 + WTERMSIG(*status);
  }
  return result;
}

}  // namespace cordon::mcp
