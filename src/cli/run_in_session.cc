// `cordon run --session`: hands the command to the workspace's session
// daemon (session_daemon.h) and waits for it, relaying signals. Kept short:
// it resolves no policy (the daemon does, warm), so that a command in a
// session starts with little more than this binary's own exec.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <string>

#include "cli/commands.h"
#include "cli/session_protocol.h"
#include "cli/state_dirs.h"
#include "common/clock.h"
#include "common/outcome.h"
#include "policy/loader.h"

extern char** environ;

namespace cordon::cli {
namespace {

namespace proto = session;

// Where to look for the session: --workspace's directory, else the cwd.
std::string StartDir(const RunArgs& args, const std::string& cwd) {
  return args.overrides.workspace ? proto::WorkspaceDir(*args.overrides.workspace, cwd) : cwd;
}

// Waits for the command's end, relaying signals and enforcing --timeout.
int Await(int fd, const RunArgs& args, const sigset_t& relayed) {
  UniqueFd sigfd(signalfd(-1, &relayed, SFD_CLOEXEC));
  const int64_t deadline =
      args.timeout_seconds ? MonotonicMs() + *args.timeout_seconds * 1000LL : INT64_MAX;
  bool timed_out = false;
  for (;;) {
    int wait_ms = -1;
    if (!timed_out && deadline != INT64_MAX) {
      wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - MonotonicMs()));
    }
    pollfd p[2] = {{fd, POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    int n = poll(p, 2, wait_ms);
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 && !timed_out) {
      timed_out = true;
      proto::Request kill;
      kill.op = proto::Op::kKill;
      kill.arg = 1;
      (void)proto::SendMessage(fd, proto::Encode(kill));
      continue;
    }
    if (p[1].revents & POLLIN) {
      signalfd_siginfo si{};
      if (read(sigfd.get(), &si, sizeof(si)) == sizeof(si)) {
        proto::Request sig;
        sig.op = proto::Op::kSignal;
        sig.arg = si.ssi_signo;
        (void)proto::SendMessage(fd, proto::Encode(sig));
      }
    }
    if ((p[0].revents & (POLLIN | POLLHUP | POLLERR)) == 0) continue;
    auto msg = proto::ReceiveMessage(fd, nullptr, size_t{64} * 1024);
    std::optional<proto::Reply> r =
        msg.ok() && !msg.value().empty() ? proto::DecodeReply(msg.value()) : std::nullopt;
    if (!r || r->kind != proto::ReplyKind::kEnded) {
      Say("the session ended during this command (cordon session status)");
      return kExitSetupError;
    }
    for (size_t start = 0, nl; (nl = r->text.find('\n', start)) != std::string::npos;
         start = nl + 1) {
      if (!args.quiet) Say(r->text.substr(start, nl - start));
    }
    if (timed_out) {
      Say("timed out after " + std::to_string(*args.timeout_seconds) +
          " s; killed the command and its processes");
      return kExitTimeout;
    }
    return r->status;
  }
}

}  // namespace

std::optional<int> RunInSession(const RunArgs& args) {
  // No home, no cwd: the fresh run that follows says what is wrong.
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) return std::nullopt;
  const std::string& cwd = host.value().cwd;
  std::optional<proto::Found> found =
      proto::FindSession(StateDirs::For(host.value()).state, StartDir(args, cwd));
  if (!found) {
    if (args.verbose) Say("no session for this workspace (cordon session start): a fresh sandbox");
    return std::nullopt;
  }
  proto::Request req;
  req.op = proto::Op::kRun;
  req.version = CORDON_VERSION;
  req.cwd = cwd;
  req.options = args.options;
  req.argv = args.argv;
  for (char** e = environ; e != nullptr && *e != nullptr; ++e) req.env.emplace_back(*e);
  const int stdio[3] = {0, 1, 2};
  for (int fd : stdio) {
    if (fcntl(fd, F_GETFD) < 0) {
      Say("not run in the session: stdin, stdout and stderr must be open; a fresh sandbox");
      return std::nullopt;
    }
  }
  // Blocked before the handoff, so that none is lost: the command is in a
  // session of its own, away from the terminal's signals.
  sigset_t relayed, old;
  sigemptyset(&relayed);
  for (int sig : {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2}) sigaddset(&relayed, sig);
  sigprocmask(SIG_BLOCK, &relayed, &old);
  const std::string bytes = proto::Encode(req);
  if (bytes.empty()) {
    Say("not run in the session: the command and environment are too large; a fresh sandbox");
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return std::nullopt;
  }
  Status sent = proto::SendMessage(found->fd.get(), bytes, stdio, 3);
  auto msg = sent.ok() ? proto::ReceiveMessage(found->fd.get(), nullptr, size_t{64} * 1024)
                       : Result<std::string>(sent.error());
  std::optional<proto::Reply> r =
      msg.ok() && !msg.value().empty() ? proto::DecodeReply(msg.value()) : std::nullopt;
  if (!r || r->kind != proto::ReplyKind::kAccepted) {
    if (!args.quiet) {
      Say("not run in the session of " + found->workspace + ": " +
          (r ? r->text : std::string("it did not answer")) + "; a fresh sandbox");
    }
    sigprocmask(SIG_SETMASK, &old, nullptr);
    return std::nullopt;
  }
  if (args.verbose) Say("running in the session of " + found->workspace);
  return Await(found->fd.get(), args, relayed);
}

}  // namespace cordon::cli
