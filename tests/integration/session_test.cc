// `cordon session` and `cordon run --session`: a warm sandbox for a
// workspace. A command handed to it is confined as a fresh run is (writes
// outside the workspace and reads of the home's secrets really fail), gets
// the client's stdio, environment (scrubbed), signals and exit status,
// leaves no process behind, and is recorded; a run whose policy differs
// runs in a fresh sandbox, also when the host changed since the daemon
// last resolved a client's policy; nothing in a sandbox can reach the
// session's socket; stop and the idle timeout end it and remove the socket.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace cordon::it {
namespace {

// A mark left in the sandbox's temporary directory, and read back.
constexpr const char* kWriteMark = "echo one > \"$TMPDIR/session-mark\"";
constexpr const char* kReadMark = "cat \"$TMPDIR/session-mark\"";

class SessionTest : public SandboxTest {
 protected:
  ~SessionTest() override {
    // Never left running by a failed test.
    (void)RunProcess(Argv({"session", "stop", "--all"}), env_, ws_);
  }

  // cordon SUBCOMMAND... with the tier's prefix.
  [[nodiscard]] std::vector<std::string> Argv(const std::vector<std::string>& args) const {
    std::vector<std::string> argv = TierPrefix();
    argv.push_back(CordonBin());
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  // The options every run of the fixture has (RunArgv's), for the session.
  [[nodiscard]] std::vector<std::string> PolicyOptions(
      const std::vector<std::string>& extra = {}) const {
    std::vector<std::string> o = {"--workspace", ws_, "--no-config", "--read", tools_};
    if (!NamespacelessTier()) o.insert(o.begin(), "--require-namespaces");
    o.insert(o.end(), extra.begin(), extra.end());
    return o;
  }

  RunResult Start(const std::vector<std::string>& extra = {}, const std::string& idle = "120") {
    std::vector<std::string> args = {"session", "start", "--idle-timeout", idle};
    for (const std::string& o : PolicyOptions(extra)) args.push_back(o);
    return RunProcess(Argv(args), env_, ws_);
  }

  // The sessions `cordon session status --json` lists.
  nlohmann::json Status() {
    RunResult r = RunProcess(Argv({"session", "status", "--json"}), env_, ws_);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return nlohmann::json::parse(r.out, nullptr, false);
  }

  std::string SessionsDir() const { return state_ + "/cordon/sessions"; }

  // Run(--session opts, cmd), which must have run in the session.
  RunResult InSession(const std::vector<std::string>& opts, const std::vector<std::string>& cmd) {
    std::vector<std::string> all = {"--session"};
    all.insert(all.end(), opts.begin(), opts.end());
    RunResult r = Run(all, cmd);
    EXPECT_EQ(r.err.find("not run in the session"), std::string::npos) << r.Describe();
    return r;
  }
  // A hook written through `cordon run --session` under `hooks_dir` (which
  // git now runs hooks from): not in the session, whose view has it
  // writable, and so not planted.
  void ExpectHookRefused(const std::string& hooks_dir) {
    const std::string hook_path = ws_ + "/" + hooks_dir + "/pre-commit";
    RunResult hook = Probe({"--session"}, {"write", hook_path});
    EXPECT_FALSE(Allowed(hook)) << hook.Describe();
    EXPECT_NE(hook.err.find("not run in the session"), std::string::npos) << hook.Describe();
    EXPECT_FALSE(Exists(hook_path));
  }
  // Sets core.hooksPath in the workspace's repository.
  void SetHooksPath(const std::string& dir) {
    RunResult config = Host({"/usr/bin/git", "-C", ws_, "config", "core.hooksPath", dir});
    ASSERT_EQ(config.exit_code, 0) << config.Describe();
  }
  RunResult ProbeInSession(const std::vector<std::string>& probe_args) {
    std::vector<std::string> cmd = {probe_};
    cmd.insert(cmd.end(), probe_args.begin(), probe_args.end());
    return InSession({}, cmd);
  }
};

TEST_F(SessionTest, CommandsShareTheSandboxAndStayConfined) {
  RunResult started = Start();
  ASSERT_EQ(started.exit_code, 0) << started.Describe();
  EXPECT_NE(started.err.find("session started for " + ws_), std::string::npos) << started.err;
  // Again, with the same policy: it says so; with another, it refuses.
  RunResult again = Start();
  EXPECT_EQ(again.exit_code, 0) << again.Describe();
  EXPECT_NE(again.err.find("already runs"), std::string::npos) << again.Describe();
  RunResult other = Start({"--mode", "read-only"});
  EXPECT_EQ(other.exit_code, 125) << other.Describe();
  EXPECT_NE(other.err.find("another policy"), std::string::npos) << other.Describe();

  // One sandbox: what one command leaves in its private $TMPDIR (/tmp in
  // the namespaces tier), the next sees; a fresh run does not.
  EXPECT_EQ(InSession({}, {"/bin/sh", "-c", kWriteMark}).exit_code, 0);
  RunResult seen = InSession({}, {"/bin/sh", "-c", kReadMark});
  EXPECT_EQ(seen.exit_code, 0) << seen.Describe();
  EXPECT_EQ(seen.out, "one\n") << seen.Describe();
  RunResult fresh = Run({}, {"/bin/sh", "-c", kReadMark});
  EXPECT_NE(fresh.exit_code, 0) << fresh.Describe();
  if (!NamespacelessTier()) {
    EXPECT_FALSE(Exists("/tmp/session-mark")) << "the session's /tmp is the host's";
  }

  // Confined as a fresh run: no write outside the workspace, no secret.
  const std::string target = outside_ + "/session-target";
  EXPECT_TRUE(Denied(ProbeInSession({"write", target}), {"EACCES", "EROFS", "ENOENT"}));
  EXPECT_FALSE(Exists(target));
  for (const std::string& rel : fake_home_.secret_files()) {
    RunResult r = ProbeInSession({"read", home_ + "/" + rel});
    EXPECT_FALSE(Allowed(r)) << rel << "\n" << r.Describe();
  }
  // The workspace is writable, and the file really is on the host.
  EXPECT_TRUE(Allowed(ProbeInSession({"write", ws_ + "/from-session", "ws"})));
  EXPECT_EQ(ReadFile(ws_ + "/from-session"), "ws");

  nlohmann::json sessions = Status();
  ASSERT_TRUE(sessions.is_array() && sessions.size() == 1) << sessions.dump();
  EXPECT_EQ(sessions[0]["workspace"], ws_);
  EXPECT_GE(std::stoi(sessions[0]["commands"].get<std::string>()), 6);
}

TEST_F(SessionTest, ExitStatusStdioAndEnvironmentAreTheClients) {
  ASSERT_EQ(Start().exit_code, 0);
  RunResult r = InSession({}, {"/bin/sh", "-c", "echo out; echo err >&2; exit 7"});
  EXPECT_EQ(r.exit_code, 7) << r.Describe();
  EXPECT_EQ(r.out, "out\n");
  EXPECT_NE(r.err.find("err"), std::string::npos) << r.Describe();

  // The client's environment, scrubbed by the policy, not the session's.
  Env env = env_;
  env["CORDON_IT_PLAIN"] = "visible-" + RandomToken();
  env["CORDON_IT_TOKEN"] = "hidden-" + RandomToken();
  RunResult plain =
      RunProcess(RunArgv({"--session"}, {probe_, "env", "CORDON_IT_PLAIN"}), env, ws_);
  EXPECT_TRUE(Allowed(plain));
  EXPECT_NE(plain.out.find(env["CORDON_IT_PLAIN"]), std::string::npos) << plain.Describe();
  EXPECT_EQ(plain.err.find("not run in the session"), std::string::npos) << plain.Describe();
  RunResult token =
      RunProcess(RunArgv({"--session"}, {probe_, "env", "CORDON_IT_TOKEN"}), env, ws_);
  EXPECT_EQ(token.out, "unset\n") << token.Describe();
  EXPECT_EQ(token.err.find("not run in the session"), std::string::npos) << token.Describe();

  // From a directory below the workspace: the same sandbox, run there.
  MakeDirs(ws_ + "/sub/dir");
  RunResult below = RunProcess(RunArgv({"--session"}, {"/bin/pwd"}), env_, ws_ + "/sub/dir");
  EXPECT_EQ(below.out, ws_ + "/sub/dir\n") << below.Describe();
  EXPECT_EQ(below.err.find("not run in the session"), std::string::npos) << below.Describe();

  RunResult missing = InSession({}, {"cordon-it-no-such-command"});
  EXPECT_EQ(missing.exit_code, 127) << missing.Describe();
}

TEST_F(SessionTest, NoProcessOutlivesItsCommand) {
  ASSERT_EQ(Start().exit_code, 0);
  const std::string marker = "cordon-it-session-daemon-" + RandomToken();
  const std::string beat = ws_ + "/heartbeat";
  EXPECT_TRUE(Allowed(ProbeInSession({"daemonize", beat, marker})));
  ASSERT_TRUE(Exists(beat)) << "the daemon never started";
  EXPECT_TRUE(WaitFor([&] { return ProcessesWithArg(marker).empty(); }, 2))
      << "a process of the command outlived it in the session";
}

TEST_F(SessionTest, SignalsAndTimeoutReachTheCommand) {
  ASSERT_EQ(Start().exit_code, 0);
  const std::string ready = ws_ + "/trap-ready";
  Process p(RunArgv({"--session"}, {"/bin/sh", "-c",
                                    "trap 'echo got-int; exit 9' INT; touch " + ready +
                                        "; while :; do sleep 0.05; done"}),
            env_, ws_);
  ASSERT_TRUE(WaitFor([&] { return Exists(ready); }, 10)) << "the command never started";
  kill(p.pid(), SIGINT);
  RunResult r = p.Wait(10);
  EXPECT_EQ(r.exit_code, 9) << r.Describe();
  EXPECT_NE(r.out.find("got-int"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.err.find("not run in the session"), std::string::npos) << r.Describe();

  RunResult timed = InSession({"--timeout", "1"}, {"/bin/sleep", "30"});
  EXPECT_EQ(timed.exit_code, 124) << timed.Describe();
  EXPECT_LT(timed.seconds, 10);
}

TEST_F(SessionTest, AnotherPolicyRunsInAFreshSandbox) {
  InitRepo(ws_);
  ASSERT_EQ(Start().exit_code, 0);
  EXPECT_EQ(InSession({}, {"/bin/sh", "-c", kWriteMark}).exit_code, 0);
  // A narrower mode is another policy: not the session's sandbox.
  RunResult r = Run({"--session", "--mode", "read-only"}, {"/bin/sh", "-c", kReadMark});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("not run in the session"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("mode"), std::string::npos) << r.Describe();
  // The host changed under the session: git now runs hooks from .githooks.
  // The session's view was built before, with .githooks writable; the
  // policy a fresh run resolves now protects it, so the command does not
  // run in the session, and the hook is not planted.
  SetHooksPath(".githooks");
  ExpectHookRefused(".githooks");
}

// The daemon keeps a client's resolution while nothing it looked at
// changes (session_policy_cache.h). A change is never missed: a file it
// read rewritten, or a file made where it found none, and the next command
// is checked against the host as it is now.
TEST_F(SessionTest, AKeptResolutionGivesWayToAChange) {
  InitRepo(ws_);
  ASSERT_EQ(Start().exit_code, 0);
  auto reused = [&] {
    nlohmann::json s = Status();
    return s.is_array() && !s.empty() ? std::stoi(s[0].value("policy_reused", "0")) : -1;
  };
  // Kept after a command, off that command's path: the next ones reuse it.
  for (int i = 0; i < 20 && reused() < 1; ++i) InSession({}, {"/bin/true"});
  ASSERT_GE(reused(), 1) << Status().dump();
  // A file it read: the repository's config now names a hooks directory.
  SetHooksPath(".githooks");
  ExpectHookRefused(".githooks");
  // Undone: the session's policy again, kept again.
  ASSERT_EQ(Host({"/usr/bin/git", "-C", ws_, "config", "--unset", "core.hooksPath"}).exit_code, 0);
  const int before = reused();
  for (int i = 0; i < 20 && reused() <= before; ++i) InSession({}, {"/bin/true"});
  ASSERT_GT(reused(), before) << Status().dump();
  // A file where it found none: the user's global git config.
  WriteFile(home_ + "/.gitconfig", "[core]\n\thooksPath = .githooks-global\n");
  ExpectHookRefused(".githooks-global");
}

TEST_F(SessionTest, NoSandboxReachesTheSessionSocket) {
  ASSERT_EQ(Start().exit_code, 0);
  nlohmann::json sessions = Status();
  ASSERT_EQ(sessions.size(), 1u) << sessions.dump();
  const std::string socket = sessions[0]["socket"];
  ASSERT_TRUE(Exists(socket));
  // Neither a fresh sandbox nor one of the session's commands sees it (the
  // state directory is hidden; the namespace-less tier has no AF_UNIX).
  for (const std::vector<std::string>& opts :
       {std::vector<std::string>{}, std::vector<std::string>{"--session"}}) {
    RunResult r = Probe(opts, {"connect-unix", socket});
    EXPECT_TRUE(Denied(r, {"ENOENT", "EACCES", "EPERM", "EAFNOSUPPORT"})) << r.Describe();
  }
}

TEST_F(SessionTest, StopAndIdleTimeoutEndIt) {
  ASSERT_EQ(Start().exit_code, 0);
  nlohmann::json sessions = Status();
  ASSERT_EQ(sessions.size(), 1u);
  const std::string socket = sessions[0]["socket"];
  const pid_t pid = std::stoi(sessions[0]["pid"].get<std::string>());
  RunResult stopped = RunProcess(Argv({"session", "stop"}), env_, ws_);
  EXPECT_EQ(stopped.exit_code, 0) << stopped.Describe();
  EXPECT_NE(stopped.err.find("stopped the session of " + ws_), std::string::npos)
      << stopped.Describe();
  EXPECT_FALSE(Exists(socket));
  EXPECT_FALSE(Exists(SessionsDir())) << "the sessions directory outlived the last session";
  // The daemon is gone (or a zombie its new parent has yet to reap).
  EXPECT_TRUE(WaitFor([&] {
    std::string stat;
    try {
      stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
    } catch (const std::exception&) {
      return true;
    }
    return stat.find(") Z") != std::string::npos;
  }));
  // With no session, --session runs a fresh sandbox, quietly.
  RunResult fresh = Probe({"--session"}, {"write", ws_ + "/x"});
  EXPECT_TRUE(Allowed(fresh));
  EXPECT_EQ(fresh.err.find("session"), std::string::npos) << fresh.Describe();

  ASSERT_EQ(Start({}, "1").exit_code, 0);
  EXPECT_EQ(Status().size(), 1u);
  EXPECT_TRUE(WaitFor([&] { return Status().empty(); }, 6)) << "the idle session did not end";
}

TEST_F(SessionTest, EveryCommandIsRecorded) {
  ASSERT_EQ(Start().exit_code, 0);
  const std::string trace = Status()[0]["trace_id"];
  ASSERT_EQ(trace.size(), 32u);
  EXPECT_EQ(InSession({}, {"/bin/sh", "-c", "exit 3"}).exit_code, 3);
  EXPECT_EQ(InSession({}, {"/bin/true"}).exit_code, 0);
  int starts = 0, ends = 0, exit3 = 0;
  for (const std::string& day : ListDir(state_ + "/cordon/events")) {
    if (day.find(".jsonl") == std::string::npos) continue;
    const std::string text = ReadFile(state_ + "/cordon/events/" + day);
    for (size_t pos = 0, nl; (nl = text.find('\n', pos)) != std::string::npos; pos = nl + 1) {
      const std::string line = text.substr(pos, nl - pos);
      if (line.find(trace) == std::string::npos) continue;
      if (line.find("\"cordon.exec.start\"") != std::string::npos) ++starts;
      if (line.find("\"cordon.exec.end\"") != std::string::npos) {
        ++ends;
        if (line.find("\"exited with 3\"") != std::string::npos) ++exit3;
      }
    }
  }
  // The session's own run (its sandbox's init) and the two commands.
  EXPECT_GE(starts, 3);
  EXPECT_GE(ends, 2);
  EXPECT_EQ(exit3, 1);
}

TEST_F(SessionTest, FullAccessAndUntrustedAreRefused) {
  RunResult full = Start({"--mode", "full-access"});
  EXPECT_EQ(full.exit_code, 125) << full.Describe();
  EXPECT_NE(full.err.find("no sandbox to share"), std::string::npos) << full.Describe();
  RunResult untrusted = Start({"--approval", "untrusted"});
  EXPECT_EQ(untrusted.exit_code, 125) << untrusted.Describe();
  EXPECT_NE(untrusted.err.find("untrusted"), std::string::npos) << untrusted.Describe();
  EXPECT_TRUE(Status().empty());
}

}  // namespace
}  // namespace cordon::it
