// The session daemon: accepts clients, checks each run's policy against the
// session's, and runs the command in the session sandbox on the client's
// own stdin, stdout and stderr.
#include "cli/session_daemon.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <climits>
#include <ctime>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <utility>

#include "cli/commands.h"
#include "cli/run_events.h"
#include "cli/session_policy_cache.h"
#include "cli/session_protocol.h"
#include "common/clock.h"
#include "common/outcome.h"
#include "mcp/session.h"
#include "policy/env.h"
#include "policy/lookup_memo.h"
#include "policy/names.h"
#include "policy/render.h"
#include "telemetry/ids.h"

extern char** environ;

namespace cordon::cli {
namespace {

namespace proto = session;

// The top-level members of two compact policies that differ, for the
// client's notice ("network, read"); the policies are cordon's own output.
std::string Differences(const std::string& a, const std::string& b) {
  auto ja = nlohmann::json::parse(a, nullptr, /*allow_exceptions=*/false);
  auto jb = nlohmann::json::parse(b, nullptr, /*allow_exceptions=*/false);
  if (!ja.is_object() || !jb.is_object()) return "the policy";
  std::string out;
  auto add = [&out](const std::string& key) { out += (out.empty() ? "" : ", ") + key; };
  for (const auto& [key, value] : ja.items()) {
    if (!jb.contains(key) || jb[key] != value) add(key);
  }
  for (const auto& [key, value] : jb.items()) {
    if (!ja.contains(key)) add(key);
  }
  return out.empty() ? "the policy" : out;
}

std::string NsOf(const std::string& pid) {
  char buf[64];
  const std::string path = "/proc/" + pid + "/ns/user";
  ssize_t n = readlink(path.c_str(), buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : std::string();
}

// The peer is this user, in this user namespace: not a sandbox's process
// (cordon's state directory, where the socket is, is hidden in every
// sandbox; this holds should one get hold of a connected fd).
Status CheckPeer(int fd) {
  ucred cred{};
  socklen_t len = sizeof(cred);
  if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0) {
    return SysError("getsockopt(SO_PEERCRED)", "session socket", errno);
  }
  if (cred.uid != getuid()) return PlainError("session", "", "a client of another user");
  const std::string ns = NsOf(std::to_string(cred.pid));
  if (ns.empty() || ns != NsOf("self")) {
    return PlainError("session", "", "a client in another user namespace (a sandbox)");
  }
  return {};
}

Outcome OutcomeOf(const std::optional<int>& status, bool timed_out) {
  Outcome o;
  if (!status) {
    return Outcome::SetupError(
        PlainError("session sandbox", "", "it ended during the command; its processes are gone"));
  }
  if (timed_out) {
    o.kind = Outcome::Kind::kTimeout;
  } else if (WIFSIGNALED(*status)) {
    o.kind = Outcome::Kind::kSignaled;
    o.signal = WTERMSIG(*status);
  } else {
    o.code = WEXITSTATUS(*status);
  }
  return o;
}

class Daemon {
 public:
  explicit Daemon(const DaemonOptions& o) : o_(o) {}

  Status Start();
  int Serve(UniqueFd listener);

 private:
  void HandleClient(UniqueFd fd);
  void HandleRun(UniqueFd fd, proto::Request req, std::vector<UniqueFd> fds);
  [[nodiscard]] std::string StatusText();
  // `p` (a client's) is the session's policy; else the members that differ.
  [[nodiscard]] bool IsSessions(policy::Policy& p, std::string* why) const;
  // The flag layer of `cordon run` options: parsing is a pure function of
  // them (no file system), so each list is parsed once.
  [[nodiscard]] Result<policy::Overrides> OverridesOf(const std::vector<std::string>& options);
  approval::Reply Ask(const approval::Question& q, uint64_t call);
  void Wake() { (void)!write(wake_w_.get(), "x", 1); }
  void Reply(int fd, proto::ReplyKind kind, const std::string& text, int status = 0) {
    (void)proto::SendMessage(fd, proto::Encode(proto::Reply{kind, status, text}));
  }

  const DaemonOptions& o_;
  std::string rendered_;                      // the session's policy, compact
  std::string session_cwd_, session_reason_;  // in rendered_, where clients' own go
  std::string trace_id_;
  std::unique_ptr<mcp::Session> session_;
  PolicyCache cache_;
  UniqueFd wake_r_, wake_w_;
  const int64_t started_unix_ = static_cast<int64_t>(std::time(nullptr));

  std::mutex mu_;
  uint64_t next_id_ = 1;
  uint64_t commands_ = 0;
  int running_ = 0;
  int64_t last_active_ms_ = MonotonicMs();
  bool stop_ = false;
  std::map<uint64_t, std::vector<std::string>> denied_;  // call -> "host:port"
  std::map<std::vector<std::string>, Result<policy::Overrides>> parsed_;
  std::vector<UniqueFd> held_;  // stop requests' connections: closed as the daemon exits
  struct Client {
    std::thread thread;
    std::shared_ptr<std::atomic<bool>> done;
  };
  std::vector<Client> clients_;
};

Status Daemon::Start() {
  int pipefd[2];
  if (pipe2(pipefd, O_CLOEXEC | O_NONBLOCK) != 0) return SysError("pipe2", "session wake", errno);
  wake_r_ = UniqueFd(pipefd[0]);
  wake_w_ = UniqueFd(pipefd[1]);
  auto ids = telemetry::NewRunIds();
  if (!ids.ok()) return ids.error();
  trace_id_ = ids.value().trace_id;
  std::vector<std::string> argv = {o_.self_exe, "run"};
  argv.insert(argv.end(), o_.policy_args.begin(), o_.policy_args.end());
  argv.insert(argv.end(), {"--trace-id", trace_id_});
  auto started = mcp::Session::Start(
      std::move(argv), [this](const approval::Question& q, uint64_t call) { return Ask(q, call); });
  if (!started.ok()) return started.error();
  session_ = std::move(started).value();
  // The sandbox is built when it runs its first command: `true`, so that a
  // session that cannot start says so now, to the person starting it.
  UniqueFd null(open("/dev/null", O_RDWR | O_CLOEXEC));
  if (!null.valid()) return SysError("open", "/dev/null", errno);
  const int fds[3] = {null.get(), null.get(), null.get()};
  const std::string cwd = o_.policy.cwd.empty() ? o_.policy.workspace : o_.policy.cwd;
  Status sent =
      session_->Start(0, cwd, {"true"}, policy::BuildEnvironment(o_.policy, environ), fds);
  if (!sent.ok()) return sent.error();
  std::optional<int> status = session_->Wait(0);
  if (!status || *status != 0) {
    std::string tail = session_->StderrTail();
    while (!tail.empty() && tail.back() == '\n') tail.pop_back();
    return PlainError(
        "session start", o_.policy.workspace,
        "the session sandbox did not start" + (tail.empty() ? std::string() : ":\n" + tail));
  }
  // What a client's policy must be, resolved now that the sandbox stands:
  // its placeholders for missing protected paths (sandbox/linux/
  // placeholders.h) exist on the host while it does, and every client's
  // resolution sees them.
  auto now = policy::Resolve(o_.overrides, o_.host);
  if (!now.ok()) return now.error();
  rendered_ = policy::RenderJson(now.value(), /*indent=*/-1);
  session_cwd_ = now.value().cwd;
  session_reason_ = now.value().workspace_reason;
  return {};
}

Result<policy::Overrides> Daemon::OverridesOf(const std::vector<std::string>& options) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = parsed_.find(options); it != parsed_.end()) return it->second;
  }
  std::vector<std::string> args = {"run"};
  args.insert(args.end(), options.begin(), options.end());
  args.insert(args.end(), {"--", "command"});
  auto parsed = ParseArgs(args);
  Result<policy::Overrides> out = Error{};
  if (!parsed.ok()) {
    out = parsed.error();
  } else if (const RunArgs& run = parsed.value().run; parsed.value().kind != Command::Kind::kRun ||
                                                      run.approval_fd >= 0 || run.session_fd >= 0 ||
                                                      !run.trace_id.empty()) {
    out = PlainError("session", "", "not a run a session takes");
  } else {
    out = run.overrides;
  }
  std::lock_guard<std::mutex> lock(mu_);
  if (parsed_.size() >= 32) parsed_.clear();  // a bound, not a policy
  parsed_.emplace(options, out);
  return out;
}

approval::Reply Daemon::Ask(const approval::Question& q, uint64_t call) {
  // Nobody to ask: the session runs in the background. The command's
  // client is told at its end.
  std::lock_guard<std::mutex> lock(mu_);
  if (call != 0) {
    auto& list = denied_[call];
    if (std::find(list.begin(), list.end(), q.Subject()) == list.end()) {
      list.push_back(q.Subject());
    }
  }
  return approval::Reply::kDeny;
}

std::string Daemon::StatusText() {
  std::lock_guard<std::mutex> lock(mu_);
  const int64_t idle_s = running_ > 0 ? 0 : (MonotonicMs() - last_active_ms_) / 1000;
  std::string t;
  auto line = [&t](const std::string& k, const std::string& v) { t += k + " " + v + "\n"; };
  line("workspace", o_.policy.workspace);
  // What `cordon session start` compares its own policy with (as HandleRun).
  line("cwd", session_cwd_);
  line("workspace_reason", session_reason_);
  line("pid", std::to_string(getpid()));
  line("started", std::to_string(started_unix_));
  line("idle", std::to_string(idle_s));
  line("idle_timeout", std::to_string(o_.idle_timeout_seconds));
  line("commands", std::to_string(commands_));
  line("policy_reused", std::to_string(cache_.hits()));
  line("policy_not_kept", cache_.Why());
  line("running", std::to_string(running_));
  line("mode", policy::ModeName(o_.policy.mode));
  line("network", policy::NetModeName(o_.policy.net));
  line("policy_hash", "sha256:" + telemetry::Sha256Hex(rendered_));
  line("trace_id", trace_id_);
  line("version", CORDON_VERSION);
  return t;
}

void Daemon::HandleClient(UniqueFd fd) {
  Status peer = CheckPeer(fd.get());
  if (!peer.ok()) {
    Reply(fd.get(), proto::ReplyKind::kDifferent, peer.error().Describe());
    return;
  }
  std::vector<UniqueFd> fds;
  auto bytes = proto::ReceiveMessage(fd.get(), &fds);
  if (!bytes.ok() || bytes.value().empty()) return;
  std::optional<proto::Request> req = proto::DecodeRequest(bytes.value());
  if (!req) {
    Reply(fd.get(), proto::ReplyKind::kDifferent, "a malformed request");
    return;
  }
  switch (req->op) {
    case proto::Op::kStatus:
      Reply(fd.get(), proto::ReplyKind::kInfo, StatusText());
      return;
    case proto::Op::kStop: {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
      const std::string text =
          "stopped the session of " + o_.policy.workspace +
          (running_ > 0 ? " (" + std::to_string(running_) + " running command(s) killed)" : "");
      Reply(fd.get(), proto::ReplyKind::kStopped, text);
      // Closed when the daemon exits: the client's sign that it is gone.
      held_.push_back(std::move(fd));
      Wake();
      return;
    }
    case proto::Op::kRun:
      HandleRun(std::move(fd), std::move(*req), std::move(fds));
      return;
    default:
      Reply(fd.get(), proto::ReplyKind::kDifferent, "an unexpected request");
      return;
  }
}

void Daemon::HandleRun(UniqueFd fd, proto::Request req, std::vector<UniqueFd> fds) {
  auto different = [&](const std::string& why) {
    Reply(fd.get(), proto::ReplyKind::kDifferent, why);
  };
  if (req.version != CORDON_VERSION) {
    return different("the session runs cordon " + std::string(CORDON_VERSION) + ", this is " +
                     req.version);
  }
  if (fds.size() != 3 || req.argv.empty()) return different("a malformed request");
  // The policy a fresh `cordon run` of this client would have.
  auto overrides = OverridesOf(req.options);
  if (!overrides.ok()) return different(overrides.error().Describe());
  auto host = policy::HostFacts::FromEnvironment(req.env, req.cwd);
  if (!host.ok()) return different(host.error().Describe());
  // Kept from an earlier client with the same options and facts while
  // nothing it looked at has changed (session_policy_cache.h); it is the
  // session's, or it would not have been kept.
  std::optional<policy::Policy> kept = cache_.Find(req.options, host.value());
  const bool fill = !kept.has_value();
  std::vector<std::string> looked_at, read;
  Result<policy::Policy> policy = Error{};
  if (kept) {
    policy = std::move(*kept);
  } else {
    policy::LookupMemo memo;
    policy = policy::Resolve(overrides.value(), host.value());
    looked_at = memo.looked_at();
    read = memo.read();
  }
  if (!policy.ok()) return different(policy.error().Describe());
  policy::Policy& p = policy.value();
  const std::string cwd = p.cwd.empty() ? p.workspace : p.cwd;
  if (std::string why; fill && !IsSessions(p, &why)) {
    return different("its policy differs from this run's in: " + why);
  }
  p.cwd = cwd;
  std::vector<char*> envp;
  for (std::string& e : req.env) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<std::string> env = policy::BuildEnvironment(p, envp.data());
  auto granted = GrantedSecretEnv(p);
  if (!granted.ok()) return different(granted.error().Describe());
  policy::AddVariables(env, granted.value());

  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stop_) return different("it is stopping");
    id = next_id_++;
    ++running_;
    ++commands_;
  }
  auto finish = [this] {
    std::lock_guard<std::mutex> lock(mu_);
    --running_;
    last_active_ms_ = MonotonicMs();
  };
  const int stdio[3] = {fds[0].get(), fds[1].get(), fds[2].get()};
  Status started = session_->Start(id, cwd, req.argv, env, stdio);
  fds.clear();  // the sandbox has its own copies
  if (!started.ok()) {
    finish();
    return different(started.error().Describe());
  }
  Reply(fd.get(), proto::ReplyKind::kAccepted, "");
  RunEvents events(host.value(), p, /*verbose=*/false, trace_id_);
  events.ExecStart(req.argv, cwd, session_->AwaitStarted(id, 2000));

  // The client's signals and its end, while the command runs.
  std::atomic<bool> ended{false};
  std::atomic<bool> timed_out{false};
  std::thread relay([&] {
    for (;;) {
      auto msg = proto::ReceiveMessage(fd.get());
      if (ended) return;
      std::optional<proto::Request> r =
          msg.ok() && !msg.value().empty() ? proto::DecodeRequest(msg.value()) : std::nullopt;
      if (!r) {  // gone (killed, or its terminal closed): so is its command
        session_->Kill(id);
        return;
      }
      if (r->op == proto::Op::kSignal) session_->Signal(id, static_cast<int>(r->arg));
      if (r->op == proto::Op::kKill) {
        timed_out = r->arg == 1;
        session_->Kill(id);
      }
    }
  });
  const std::optional<int> status = session_->Wait(id);
  ended = true;
  std::string notes;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const std::string& d : denied_[id]) {
      notes += "denied " + d +
               ": a session asks nothing; allow it in the session's policy (cordon session stop, "
               "then start it with --allow-domain or [network] allow)\n";
    }
    denied_.erase(id);
  }
  if (!status) notes += "the session sandbox ended during this command\n";
  // Recorded before the client learns of the end, as a fresh run does.
  const Outcome outcome = OutcomeOf(status, timed_out);
  events.ExecEnd(outcome, {});
  Reply(fd.get(), proto::ReplyKind::kEnded, notes, outcome.ExitStatus());
  shutdown(fd.get(), SHUT_RDWR);
  relay.join();
  finish();
  events.Finish();
  // Off the client's path: for the next client like this one.
  if (fill) {
    (void)cache_.Fill(req.options, overrides.value(), host.value(), looked_at, read,
                      [this](policy::Policy& again) {
                        std::string ignored;
                        return IsSessions(again, &ignored);
                      });
  }
}

bool Daemon::IsSessions(policy::Policy& p, std::string* why) const {
  // Compared as the session's, but for where in the workspace the command
  // runs (its cwd, and the cwd named in why this is the workspace).
  const std::string cwd = p.cwd;
  std::string reason = std::exchange(p.workspace_reason, session_reason_);
  p.cwd = session_cwd_;
  const std::string rendered = policy::RenderJson(p, /*indent=*/-1);
  p.cwd = cwd;
  p.workspace_reason = std::move(reason);
  if (rendered == rendered_) return true;
  *why = Differences(rendered_, rendered);
  return false;
}

int Daemon::Serve(UniqueFd listener) {
  // The socket file as bound: another session's, made after a stop, is not
  // ours to remove.
  struct stat bound {};
  const bool have_bound = stat(o_.socket_path.c_str(), &bound) == 0;
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT}) sigaddset(&stop_signals, sig);
  UniqueFd sigfd(signalfd(-1, &stop_signals, SFD_CLOEXEC | SFD_NONBLOCK));
  for (;;) {
    pollfd p[3] = {
        {listener.get(), POLLIN, 0}, {wake_r_.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    (void)poll(p, sigfd.valid() ? 3 : 2, 1000);
    if (p[0].revents & POLLIN) {
      int c = accept4(listener.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        auto done = std::make_shared<std::atomic<bool>>(false);
        std::thread t([this, done, fd = UniqueFd(c)]() mutable {
          HandleClient(std::move(fd));
          *done = true;
        });
        std::lock_guard<std::mutex> lock(mu_);
        clients_.push_back({std::move(t), done});
      }
    }
    char drain[64];
    while (read(wake_r_.get(), drain, sizeof(drain)) > 0) {
    }
    std::lock_guard<std::mutex> lock(mu_);
    if ((p[2].revents & POLLIN) != 0) stop_ = true;
    // Joined once done, so that they do not pile up.
    std::erase_if(clients_, [](Client& c) {
      if (!*c.done) return false;
      c.thread.join();
      return true;
    });
    const bool idle = running_ == 0 && o_.idle_timeout_seconds > 0 &&
                      MonotonicMs() - last_active_ms_ >= o_.idle_timeout_seconds * 1000LL;
    if (stop_ || idle || !session_->alive()) {
      stop_ = true;
      break;
    }
  }
  // No new client finds it; a client already connected is told it stopped.
  struct stat there {};
  if (have_bound && stat(o_.socket_path.c_str(), &there) == 0 && there.st_ino == bound.st_ino &&
      there.st_dev == bound.st_dev) {
    (void)unlink(o_.socket_path.c_str());
  }
  listener.Reset();
  session_->Shutdown();
  std::vector<Client> clients;
  {
    std::lock_guard<std::mutex> lock(mu_);
    clients.swap(clients_);
  }
  for (Client& c : clients) c.thread.join();
  session_.reset();
  // The directory goes with the last session.
  (void)rmdir(o_.socket_path.substr(0, o_.socket_path.rfind('/')).c_str());
  return 0;
}

}  // namespace

int ServeSessionDaemon(const DaemonOptions& options, UniqueFd listener,
                       const std::function<void(const Status&)>& ready) {
  // The stop signals reach the main loop's signalfd, never a thread.
  sigset_t block;
  sigemptyset(&block);
  for (int sig : {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGPIPE}) sigaddset(&block, sig);
  pthread_sigmask(SIG_BLOCK, &block, nullptr);
  Daemon daemon(options);
  Status started = daemon.Start();
  ready(started);
  if (!started.ok()) return kExitSetupError;
  return daemon.Serve(std::move(listener));
}

}  // namespace cordon::cli
