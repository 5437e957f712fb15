// `cordon session start|stop|status`: a workspace's warm sandbox for
// `cordon run --session` (session_daemon.h, docs/session.md).
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/session_daemon.h"
#include "cli/session_protocol.h"
#include "cli/state_dirs.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "policy/paths.h"
#include "policy/render.h"
#include "telemetry/ids.h"

namespace cordon::cli {
namespace {

namespace proto = session;

using Info = std::map<std::string, std::string>;

// mkdir -p, 0700; the last one must be a directory of ours that nobody
// else can enter (the sockets in it are the sessions' doors).
Status EnsurePrivateDir(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    const std::string p = path.substr(0, i);
    if (mkdir(p.c_str(), 0700) != 0 && errno != EEXIST) return SysError("mkdir", p, errno);
  }
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return SysError("lstat", path, errno);
  if (!S_ISDIR(st.st_mode) || st.st_uid != getuid()) {
    return PlainError("session", path, "is not a directory of yours");
  }
  if ((st.st_mode & 077) != 0 && chmod(path.c_str(), 0700) != 0) {
    return SysError("chmod", path, errno);
  }
  return {};
}

std::string StateOf(const policy::HostFacts& host) { return StateDirs::For(host).state; }

// A request of `op` and its reply; the connection stays open in *fd.
Result<proto::Reply> Ask(int fd, proto::Op op) {
  proto::Request req;
  req.op = op;
  req.version = CORDON_VERSION;
  req.cwd = "/";
  CORDON_RETURN_IF_ERROR(proto::SendMessage(fd, proto::Encode(req)));
  auto bytes = proto::ReceiveMessage(fd);
  if (!bytes.ok()) return bytes.error();
  std::optional<proto::Reply> r = proto::DecodeReply(bytes.value());
  if (!r) return PlainError("session", "", "no answer from the session");
  return *r;
}

Info ParseInfo(const std::string& text) {
  Info info;
  for (size_t start = 0, nl; (nl = text.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = text.substr(start, nl - start);
    const size_t sp = line.find(' ');
    if (sp != std::string::npos) info[line.substr(0, sp)] = line.substr(sp + 1);
  }
  return info;
}

// Every socket in the sessions directory, connected; stale ones (their
// daemon was killed) are removed on the way.
std::vector<std::pair<std::string, UniqueFd>> LiveSessions(const std::string& dir) {
  std::vector<std::pair<std::string, UniqueFd>> out;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return out;
  while (dirent* e = readdir(d)) {
    const std::string name = e->d_name;
    if (!name.ends_with(".sock")) continue;
    std::string path = dir;
    path.append("/").append(name);
    auto fd = proto::Connect(path);
    if (fd.ok()) {
      out.emplace_back(path, std::move(fd).value());
    } else if (fd.error().err == ECONNREFUSED) {
      (void)unlink(path.c_str());
    }
  }
  closedir(d);
  return out;
}

// Stops the session at `fd` and waits (up to 10 s) for its daemon to exit.
Status Stop(int fd, std::string* said) {
  auto r = Ask(fd, proto::Op::kStop);
  if (!r.ok()) return r.error();
  *said = r.value().text;
  // The daemon closes the connection as it exits.
  pollfd p{fd, POLLIN, 0};
  for (int i = 0; i < 100; ++i) {
    if (poll(&p, 1, 100) > 0) {
      char c;
      if (recv(fd, &c, 1, 0) <= 0) return {};
    }
  }
  return PlainError("session stop", "", "the session did not end within 10 s");
}

std::string Duration(int64_t s) {
  if (s < 120) return std::to_string(s) + "s";
  if (s < 7200) return std::to_string(s / 60) + "m";
  return std::to_string(s / 3600) + "h";
}

}  // namespace

void StopAllSessions(const std::string& state_dir) {
  for (auto& [path, fd] : LiveSessions(proto::SessionsDir(state_dir))) {
    std::string said;
    Status s = Stop(fd.get(), &said);
    Say(s.ok() ? said : s.error().Describe());
  }
}

int SessionStartCommand(const SessionArgs& args) {
  std::optional<Resolved> resolved = ResolveOrReport(args.overrides);
  if (!resolved) return kExitSetupError;
  const policy::Policy& policy = resolved->policy;
  if (Status s = CheckSessionSandbox(policy); !s.ok()) {
    Say(s.error());
    return kExitSetupError;
  }
  if (policy.approval == policy::Approval::kUntrusted) {
    Say(PlainError("session start", "",
                   "approval policy 'untrusted' asks before each command, and a session runs "
                   "in the background with nobody to ask: use a fresh 'cordon run'"));
    return kExitSetupError;
  }
  const std::string state = StateOf(resolved->host);
  const std::string dir = proto::SessionsDir(state);
  if (Status s = EnsurePrivateDir(dir); !s.ok()) {
    Say(s.error());
    return kExitSetupError;
  }
  const std::string path = proto::SocketPath(state, policy.workspace);
  if (auto running = proto::Connect(path); running.ok()) {
    auto r = Ask(running.value().get(), proto::Op::kStatus);
    Info info = r.ok() ? ParseInfo(r.value().text) : Info{};
    // Compared as a client's is: wherever in the workspace it is started.
    policy::Policy compared = policy;
    compared.cwd = info["cwd"];
    compared.workspace_reason = info["workspace_reason"];
    const std::string hash =
        "sha256:" + telemetry::Sha256Hex(policy::RenderJson(compared, /*indent=*/-1));
    if (info["policy_hash"] == hash) {
      Say("a session already runs for " + policy.workspace + " with this policy (pid " +
          info["pid"] + ")");
      return 0;
    }
    Say(PlainError("session start", policy.workspace,
                   "a session with another policy runs for this workspace (pid " + info["pid"] +
                       "): 'cordon session stop' first"));
    return kExitSetupError;
  } else if (running.error().err == ECONNREFUSED) {
    (void)unlink(path.c_str());  // its daemon was killed
  }
  auto listener = proto::Listen(path);
  if (!listener.ok()) {
    Say(listener.error());
    return kExitSetupError;
  }
  auto self = SelfExe();
  if (!self.ok()) {
    Say(self.error());
    return kExitSetupError;
  }
  int ready[2];
  if (pipe2(ready, O_CLOEXEC) != 0) {
    Say(SysError("pipe2", "session start", errno));
    return kExitSetupError;
  }
  UniqueFd ready_r(ready[0]), ready_w(ready[1]);
  std::fflush(nullptr);
  const pid_t child = fork();
  if (child < 0) {
    Say(SysError("fork", "session start", errno));
    return kExitSetupError;
  }
  if (child == 0) {
    // The daemon: a new session (no terminal), reparented by a second fork.
    ready_r.Reset();
    setsid();
    if (fork() != 0) _exit(0);
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null >= 0) {
      dup2(null, 0);
      dup2(null, 1);
    }
    DaemonOptions o;
    o.self_exe = self.value();
    o.policy_args = args.policy_args;
    o.overrides = args.overrides;
    o.host = resolved->host;
    o.policy = policy;
    o.socket_path = path;
    o.idle_timeout_seconds = args.idle_timeout_seconds;
    const int status = ServeSessionDaemon(o, std::move(listener).value(), [&](const Status& s) {
      const std::string word = s.ok() ? "ok" : s.error().Describe();
      (void)!write(ready_w.get(), word.data(), word.size());
      ready_w.Reset();
      // From now on nobody reads what it says.
      if (null >= 0) dup2(null, 2);
    });
    _exit(status);
  }
  ready_w.Reset();
  listener.value().Reset();
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  std::string word;
  char buf[4096];
  for (ssize_t got; (got = read(ready_r.get(), buf, sizeof(buf))) != 0;) {
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) break;
    word.append(buf, static_cast<size_t>(got));
  }
  if (word != "ok") {
    Say(word.empty() ? std::string("the session daemon exited before it started") : word);
    return kExitSetupError;
  }
  Say("session started for " + policy.workspace + ": 'cordon run --session' with the same " +
      "options runs there; 'cordon session stop' ends it" +
      (args.idle_timeout_seconds > 0
           ? " (it ends by itself after " + Duration(args.idle_timeout_seconds) + " idle)"
           : ""));
  return 0;
}

int SessionStopCommand(const SessionArgs& args) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return kExitSetupError;
  }
  const std::string state = StateOf(host.value());
  if (args.all) {
    StopAllSessions(state);
    return 0;
  }
  std::string start = host.value().cwd;
  if (!args.workspace.empty()) start = proto::WorkspaceDir(args.workspace, start);
  std::optional<proto::Found> found = proto::FindSession(state, start);
  if (!found) {
    Say("no session runs for " + start + " (cordon session status lists them)");
    return 0;
  }
  std::string said;
  Status s = Stop(found->fd.get(), &said);
  if (!s.ok()) {
    Say(s.error());
    return kExitSetupError;
  }
  Say(said);
  return 0;
}

int SessionStatusCommand(const SessionArgs& args) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return kExitSetupError;
  }
  std::vector<Info> sessions;
  for (auto& [path, fd] : LiveSessions(proto::SessionsDir(StateOf(host.value())))) {
    auto r = Ask(fd.get(), proto::Op::kStatus);
    if (r.ok() && r.value().kind == proto::ReplyKind::kInfo) {
      sessions.push_back(ParseInfo(r.value().text));
      sessions.back()["socket"] = path;
    }
  }
  if (args.json) {
    nlohmann::json out = nlohmann::json::array();
    for (const Info& i : sessions) out.push_back(i);
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
    return 0;
  }
  if (sessions.empty()) {
    std::printf("no sessions (cordon session start runs one for the current workspace)\n");
    return 0;
  }
  const int64_t now = static_cast<int64_t>(std::time(nullptr));
  std::printf("%-8s %-6s %-6s %-9s %-8s %s\n", "PID", "UP", "IDLE", "COMMANDS", "NETWORK",
              "WORKSPACE");
  for (Info& i : sessions) {
    const int64_t up = now - std::strtoll(i["started"].c_str(), nullptr, 10);
    std::string idle =
        i["running"] != "0" ? "busy" : Duration(std::strtoll(i["idle"].c_str(), nullptr, 10));
    std::printf("%-8s %-6s %-6s %-9s %-8s %s\n", i["pid"].c_str(), Duration(up).c_str(),
                idle.c_str(), i["commands"].c_str(), ForTerminal(i["network"]).c_str(),
                ForTerminal(i["workspace"]).c_str());
  }
  return 0;
}

}  // namespace cordon::cli
