// The namespace-less tier, forced with cordon-deny-syscall --ns user (clone
// and unshare with CLONE_NEWUSER fail with EPERM, as under AppArmor's
// restriction), whatever CORDON_TEST_TIER says: what this tier does in
// place of the namespaces, each checked by its real effect on the host.
// (The core's security tests also run against this tier: ctest's nsless.*.)
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.h"

namespace cordon::it {
namespace {

class NamespacelessTest : public SandboxTest {
 protected:
  RunResult Nsless(const std::vector<std::string>& opts, const std::vector<std::string>& cmd) {
    std::vector<std::string> argv = {DenySyscallBin(), "--ns", "user", "--"};
    auto run = RunArgvAnyTier(opts, cmd);
    // RunArgv may carry the tier prefix already.
    auto first = std::find(run.begin(), run.end(), CordonBin());
    argv.insert(argv.end(), first, run.end());
    RunResult r = RunProcess(argv, env_, ws_);
    EXPECT_EQ(r.out.find(fake_home_.secret()), std::string::npos) << r.Describe();
    EXPECT_EQ(r.err.find(fake_home_.secret()), std::string::npos) << r.Describe();
    return r;
  }
  RunResult NsProbe(const std::vector<std::string>& args,
                    const std::vector<std::string>& opts = {}) {
    std::vector<std::string> cmd = {probe_};
    cmd.insert(cmd.end(), args.begin(), args.end());
    return Nsless(opts, cmd);
  }
};

TEST_F(NamespacelessTest, TmpdirIsPrivateUsableAndRemovedAfterTheRun) {
  const std::string base = root_ / "tmp";  // cordon's $TMPDIR
  RunResult r = NsProbe({"env", "TMPDIR"});
  ASSERT_TRUE(Allowed(r));
  ASSERT_EQ(r.Data().size(), 1u) << r.Describe();
  std::string tmpdir = r.Data()[0];
  EXPECT_EQ(tmpdir.rfind(base + "/cordon-tmp-", 0), 0u) << tmpdir;
  EXPECT_FALSE(Exists(tmpdir)) << "the private TMPDIR outlived the run";
  // Writable inside, and gone with what was written there.
  r = Nsless({}, {"/bin/sh", "-c",
                  "mkdir -p \"$TMPDIR/d/e\" && echo x > \"$TMPDIR/d/e/f\" "
                  "&& echo \"$TMPDIR\""});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(r.FirstLine())) << r.Describe();
  EXPECT_TRUE(ListDir(base).empty()) << "something was left in " << base;
}

// Issue 14, point 8: the host's /tmp is writable by path (programs that
// ignore TMPDIR), unless a read-only path of the policy lies inside it.
TEST_F(NamespacelessTest, HostTmpIsWritableUnlessAReadOnlyPathIsInside) {
  const std::string x = "/tmp/cordon-it-" + RandomToken();
  RunResult r = Nsless({}, {"/bin/sh", "-c", "echo hi > " + x + " && cat " + x + " && rm " + x});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.FirstLine(), "hi") << r.Describe();
  EXPECT_FALSE(Exists(x));
  // The twin: a --read directory inside /tmp keeps /tmp read-only (Landlock
  // could not keep that directory read-only beneath a writable /tmp).
  const std::string ro = "/tmp/cordon-it-ro-" + RandomToken();
  MakeDirs(ro);
  r = NsProbe({"write", x}, {"--read", ro});
  EXPECT_TRUE(Denied(r, {"EACCES"})) << r.Describe();
  EXPECT_TRUE(Denied(NsProbe({"write", ro + "/f"}, {"--read", ro}), {"EACCES"}));
  EXPECT_FALSE(Exists(x));
  EXPECT_FALSE(Exists(ro + "/f"));
  RemoveAll(ro);
}

TEST_F(NamespacelessTest, HomeSecretsAndOutsideStayUnreadableAndUnwritable) {
  for (const std::string& rel : fake_home_.secret_files()) {
    EXPECT_TRUE(Denied(NsProbe({"read", home_ + "/" + rel}), {"EACCES", "ENOENT"})) << rel;
  }
  EXPECT_TRUE(Denied(NsProbe({"read", outside_ + "/target.txt"}), {"EACCES"}));
  EXPECT_TRUE(Denied(NsProbe({"write", home_ + "/planted"}), {"EACCES"}));
  EXPECT_FALSE(Exists(home_ + "/planted"));
  // The twins: the workspace and the toolchain allowlist work.
  EXPECT_TRUE(Allowed(NsProbe({"write", ws_ + "/made.txt", "hi\n"})));
  EXPECT_EQ(ReadFile(ws_ + "/made.txt"), "hi\n");
  EXPECT_TRUE(Allowed(NsProbe({"read", home_ + "/.gitconfig"})));
}

TEST_F(NamespacelessTest, ReadOfTheWholeHomeIsBuiltAroundTheDenyList) {
  RunResult r = NsProbe({"read", home_ + "/Documents/private.txt"}, {"--read", home_});
  EXPECT_TRUE(Allowed(r));
  for (const std::string& rel : fake_home_.secret_files()) {
    EXPECT_TRUE(Denied(NsProbe({"read", home_ + "/" + rel}, {"--read", home_}), {"EACCES"})) << rel;
  }
}

TEST_F(NamespacelessTest, DenyReadInsideTheWritableWorkspaceIsRefusedNamingIt) {
  WriteFile(ws_ + "/secret.txt", fake_home_.secret());
  RunResult r = NsProbe({"write", ws_ + "/ran"}, {"--deny-read", ws_ + "/secret.txt"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find(ws_ + "/secret.txt"), std::string::npos) << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/ran"));
}

TEST_F(NamespacelessTest, MetadataOfOutsideFilesCannotChange) {
  std::string key = home_ + "/.ssh/id_ed25519";
  Snapshot before = TakeSnapshot(home_, {kCacheLayers});
  EXPECT_TRUE(Denied(NsProbe({"chmod", key, "777"}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"chown", key}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"utimes", key}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"setxattr", key, "user.cordon", "x"}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"setacl", key}), {"EPERM"}));
  EXPECT_EQ(DiffSnapshots(before, TakeSnapshot(home_, {kCacheLayers})), "");
}

TEST_F(NamespacelessTest, NetworkIsRefusedAndServersSeeNothing) {
  TcpServer tcp("127.0.0.1");
  UdpServer udp("127.0.0.1");
  EXPECT_TRUE(
      Denied(NsProbe({"connect-tcp", "127.0.0.1", std::to_string(tcp.port())}), {"ECONNREFUSED"}));
  EXPECT_TRUE(Denied(NsProbe({"send-udp", "127.0.0.1", std::to_string(udp.port())}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"raw-socket"}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"packet-socket"}), {"EAFNOSUPPORT"}));
  EXPECT_EQ(tcp.TakeAccepted(), 0);
  EXPECT_EQ(udp.TakeReceived(), 0);
  // The twin: --net full reaches the same server.
  EXPECT_TRUE(Allowed(
      NsProbe({"connect-tcp", "127.0.0.1", std::to_string(tcp.port())}, {"--net", "full"})));
  EXPECT_EQ(tcp.TakeAccepted(), 1);
}

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

time_t MtimeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(stat(path.c_str(), &st), 0) << path;
  return st.st_mtime;
}

// Issue 14, point 8: chmod and utimes work on files beneath the writable
// roots (cordon's supervisor performs them), and nowhere else.
TEST_F(NamespacelessTest, ChmodAndTouchWorkInTheWorkspaceOnly) {
  WriteFile(ws_ + "/script.sh", "#!/bin/sh\necho ran-script\n", 0644);
  RunResult r = Nsless({}, {"/bin/sh", "-c", "chmod +x script.sh && ./script.sh"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.FirstLine(), "ran-script") << r.Describe();
  EXPECT_EQ(ModeOf(ws_ + "/script.sh"), 0755u);
  r = Nsless({}, {"/bin/sh", "-c", "touch -d '2001-02-03 04:05:06Z' script.sh"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(MtimeOf(ws_ + "/script.sh"), 981173106) << r.Describe();

  // Outside the writable roots: a file in a --read directory.
  const std::string ro = root_ / "ro";
  MakeDirs(ro);
  WriteFile(ro + "/f", "x", 0644);
  const time_t ro_mtime = MtimeOf(ro + "/f");
  EXPECT_TRUE(Denied(NsProbe({"chmod", ro + "/f", "777"}, {"--read", ro}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"utimes", ro + "/f"}, {"--read", ro}), {"EPERM"}));
  // A symlink in the workspace that points there does not lead out.
  ASSERT_EQ(symlink((ro + "/f").c_str(), (ws_ + "/link").c_str()), 0);
  EXPECT_TRUE(Denied(NsProbe({"chmod", ws_ + "/link", "777"}, {"--read", ro}), {"EPERM"}));
  r = Nsless({"--read", ro}, {"/bin/sh", "-c", "touch -d 2001-01-01 link"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(ModeOf(ro + "/f"), 0644u);
  EXPECT_EQ(MtimeOf(ro + "/f"), ro_mtime);
  // Nor does .. from the workspace.
  EXPECT_TRUE(Denied(NsProbe({"chmod", ws_ + "/../ro/f", "777"}, {"--read", ro}), {"EPERM"}));
  EXPECT_EQ(ModeOf(ro + "/f"), 0644u);

  // No setuid programs; the twin, an ordinary mode, was set above.
  EXPECT_TRUE(Denied(NsProbe({"chmod", ws_ + "/script.sh", "4755"}), {"EPERM"}));
  EXPECT_EQ(ModeOf(ws_ + "/script.sh"), 0755u);
  EXPECT_TRUE(Allowed(NsProbe({"chmod", ws_ + "/script.sh", "700"})));
  EXPECT_EQ(ModeOf(ws_ + "/script.sh"), 0700u);
}

TEST_F(NamespacelessTest, GitInitWorksInTheWorkspace) {
  RunResult r = Nsless({}, {"git", "init", "-q", ws_ + "/repo"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Exists(ws_ + "/repo/.git/HEAD")) << r.Describe();
  // The twin: outside the writable roots it still cannot.
  const std::string ro = root_ / "ro";
  MakeDirs(ro);
  r = Nsless({"--read", ro}, {"git", "init", "-q", ro + "/repo"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(ro + "/repo/.git"));
}

// Issue 14, points 1 and 7: the sandbox's own loopback servers work offline
// and with the proxy; the host's loopback services stay unreachable unless
// --allow-local names them.
TEST_F(NamespacelessTest, OwnLoopbackServersWorkHostOnesStayUnreachable) {
  for (const char* addr : {"127.0.0.1", "::1"}) {
    for (const char* net : {"off", "proxy"}) {
      RunResult r = NsProbe({"tcp-selftest", addr}, {"--net", net});
      EXPECT_TRUE(Allowed(r)) << addr << " " << net;
      EXPECT_EQ(r.Data().empty() ? "" : r.Data()[0], addr) << r.Describe();
    }
  }
  // Wildcards are bound on loopback only.
  RunResult r = NsProbe({"tcp-selftest", "0.0.0.0"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data().empty() ? "" : r.Data()[0], "127.0.0.1") << r.Describe();
  r = NsProbe({"tcp-selftest", "::"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data().empty() ? "" : r.Data()[0], "::1") << r.Describe();

  TcpServer host("127.0.0.1");
  const std::string port = std::to_string(host.port());
  for (const char* net : {"off", "proxy"}) {
    EXPECT_TRUE(
        Denied(NsProbe({"connect-tcp", "127.0.0.1", port}, {"--net", net}), {"ECONNREFUSED"}))
        << net;
  }
  EXPECT_EQ(host.TakeAccepted(), 0);
  // --allow-local (a flag of --net proxy) reaches it directly, not only
  // through the proxy.
  r = NsProbe({"connect-tcp", "127.0.0.1", port},
              {"--net", "proxy", "--allow-local", "127.0.0.1:" + port});
  EXPECT_TRUE(Allowed(r)) << r.Describe();
  EXPECT_EQ(host.TakeAccepted(), 1);
  // Only that port: another host service stays out of reach.
  TcpServer other("127.0.0.1");
  EXPECT_TRUE(Denied(NsProbe({"connect-tcp", "127.0.0.1", std::to_string(other.port())},
                             {"--net", "proxy", "--allow-local", "127.0.0.1:" + port}),
                     {"ECONNREFUSED"}));
  EXPECT_EQ(other.TakeAccepted(), 0);
}

TEST_F(NamespacelessTest, HostUnixSocketsAreUnreachable) {
  std::string path = runtime_ + "/agent.sock";
  UnixServer pathname(path, false);
  std::string name = "cordon-it-" + RandomToken();
  UnixServer abstract(name, true);
  EXPECT_TRUE(Denied(NsProbe({"connect-unix", path}), {"EPERM", "EACCES"}));
  EXPECT_TRUE(Denied(NsProbe({"connect-abstract", name}), {"EPERM"}));
  EXPECT_EQ(pathname.TakeAccepted(), 0);
  EXPECT_EQ(abstract.TakeAccepted(), 0);
}

TEST_F(NamespacelessTest, HostProcessesCannotBeSignalled) {
  pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    pause();
    _exit(0);
  }
  EXPECT_TRUE(Denied(NsProbe({"kill", std::to_string(pid), "9"}), {"EPERM"}));
  EXPECT_TRUE(Denied(NsProbe({"ptrace-attach", std::to_string(pid)}), {"EPERM"}));
  EXPECT_EQ(waitpid(pid, nullptr, WNOHANG), 0) << "the host process died";
  kill(pid, SIGKILL);
  waitpid(pid, nullptr, 0);
  EXPECT_TRUE(Allowed(NsProbe({"kill-own-child"})));
}

// Issue 12, class 8: without a pid namespace, a host process's command line
// is readable (a limit `policy show` names); its environment and memory map
// are not. Nothing unprivileged can hide /proc/PID (docs/namespaceless.md).
TEST_F(NamespacelessTest, HostCommandLinesAreAListedLimitTheirEnvironIsNot) {
  const std::string in_argv = "cordon-it-argv-" + RandomToken();
  const std::string in_env = "cordon-it-env-" + RandomToken();
  Env env = env_;
  env["CORDON_IT_PASSWORD"] = in_env;
  // `; true` keeps sh from exec'ing sleep, so its argv stays.
  Process host({"/bin/sh", "-c", "sleep 30; true", "mysql", "-p" + in_argv}, env, ws_);
  const std::string pid = std::to_string(host.pid());
  ASSERT_TRUE(WaitFor(
      [&] { return ReadFile("/proc/" + pid + "/cmdline").find(in_argv) != std::string::npos; }));
  for (const char* field : {"environ", "maps", "mem"}) {
    RunResult r = NsProbe({"read-proc", pid, field});
    EXPECT_TRUE(Denied(r, {"EACCES", "EPERM"})) << field;
    EXPECT_EQ(r.out.find(in_env), std::string::npos) << field << "\n" << r.Describe();
  }
  // Its fd numbers can be listed (the directory's mode decides), but not
  // opened: following the links is ptrace-checked.
  EXPECT_TRUE(Denied(NsProbe({"read", "/proc/" + pid + "/fd/0"}), {"EACCES", "EPERM"}));
  // The limit, as documented: the command line is readable.
  RunResult cmdline = NsProbe({"read-proc", pid, "cmdline"});
  EXPECT_TRUE(Allowed(cmdline));
  EXPECT_NE(cmdline.out.find(in_argv), std::string::npos) << cmdline.Describe();
  // The twin: the sandbox's own environment is readable through /proc.
  RunResult own = NsProbe({"read", "/proc/self/environ"});
  EXPECT_TRUE(Allowed(own));
  EXPECT_NE(own.out.find("TMPDIR="), std::string::npos) << own.Describe();
}

TEST_F(NamespacelessTest, NothingOutlivesTheCommand) {
  std::string marker = "cordon-it-nsdaemon-" + RandomToken();
  std::string beat = ws_ + "/heartbeat";
  RunResult r = NsProbe({"daemonize", beat, marker});
  EXPECT_TRUE(Allowed(r));
  ASSERT_TRUE(Exists(beat)) << "the daemon never started";
  EXPECT_TRUE(ProcessesWithArg(marker).empty()) << "daemon still running after cordon returned";
  std::string a = ReadFile(beat);
  usleep(150000);
  EXPECT_EQ(ReadFile(beat), a);
}

TEST_F(NamespacelessTest, TimeoutKillsTheWholeTree) {
  std::string marker = "cordon-it-nstimeout-" + RandomToken();
  RunResult r = Nsless({"--timeout", "1"},
                       {"/bin/sh", "-c", "sleep 30 & exec " + probe_ + " sleep 30 " + marker});
  EXPECT_EQ(r.exit_code, 124) << r.Describe();
  EXPECT_TRUE(ProcessesWithArg(marker).empty());
}

TEST_F(NamespacelessTest, PolicyShowNamesTheTierAndItsLimits) {
  RunResult r = RunProcess({DenySyscallBin(), "--ns", "user", "--", CordonBin(), "policy", "show",
                            "--no-config", "--workspace", ws_},
                           env_, ws_);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("tier       namespace-less"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("host processes are visible"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("/proc/PID/cmdline shows their command lines"), std::string::npos)
      << r.Describe();
  r = RunProcess({DenySyscallBin(), "--ns", "user", "--", CordonBin(), "policy", "show",
                  "--no-config", "--workspace", ws_, "--require-namespaces"},
                 env_, ws_);
  EXPECT_NE(r.out.find("tier       refused"), std::string::npos) << r.Describe();
}

// The tier as `cordon setup --json` and `cordon policy show --json` name it.
struct TierNames {
  std::string setup, policy_show;
  nlohmann::json setup_json;
};

TierNames NamedTiers(const std::vector<std::string>& prefix, const Env& env,
                     const std::string& ws) {
  auto with = [&](std::vector<std::string> args) {
    std::vector<std::string> argv = prefix;
    argv.push_back(CordonBin());
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, env, ws);
  };
  TierNames names;
  RunResult setup = with({"setup", "--json"});
  EXPECT_EQ(setup.exit_code, 0) << setup.Describe();
  names.setup_json = nlohmann::json::parse(setup.out, nullptr, false);
  if (names.setup_json.is_object()) names.setup = names.setup_json.value("tier", "");
  RunResult show = with({"policy", "show", "--json", "--no-config", "--workspace", ws});
  EXPECT_EQ(show.exit_code, 0) << show.Describe();
  auto j = nlohmann::json::parse(show.out, nullptr, false);
  if (j.is_object() && j.contains("tier")) names.policy_show = j["tier"].value("name", "");
  return names;
}

// One probe for every command: where a user namespace can be created but
// not configured (AppArmor's restriction lets unshare(CLONE_NEWUSER)
// succeed and refuses the steps after it; mount:EPERM fakes that), setup,
// policy show and run all name the namespace-less tier.
TEST_F(NamespacelessTest, SetupPolicyShowAndRunAgreeWhenTheNamespaceCannotBeConfigured) {
  const std::vector<std::string> deny = {DenySyscallBin(), "mount:EPERM", "--"};
  TierNames names = NamedTiers(deny, env_, ws_);
  EXPECT_EQ(names.setup, "namespace-less") << names.setup_json.dump(2);
  EXPECT_EQ(names.policy_show, "namespace-less");
  bool userns_limited = false;
  for (const auto& c : names.setup_json.value("checks", nlohmann::json::array())) {
    if (c.value("name", "") != "user namespaces") continue;
    userns_limited = c.value("status", "") == "limited" &&
                     c.value("detail", "").find("mount(MS_REC|MS_PRIVATE)") != std::string::npos;
  }
  EXPECT_TRUE(userns_limited) << names.setup_json.dump(2);

  std::vector<std::string> run = deny;
  auto argv = RunArgvAnyTier({}, {probe_, "write", ws_ + "/ran"});
  run.insert(run.end(), std::find(argv.begin(), argv.end(), CordonBin()), argv.end());
  RunResult r = RunProcess(run, env_, ws_);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("namespace-less tier"), std::string::npos) << r.Describe();
  EXPECT_TRUE(std::filesystem::exists(ws_ + "/ran")) << r.Describe();
}

// The namespaces tier is tried first, and its placeholders and quarantine
// record are made once its clone has succeeded: a refused clone (--ns user)
// makes none, and a namespace refused after the clone (mount:EPERM, as
// under AppArmor's restriction) undoes what was made. Either way the
// namespace-less run finds no placeholder of that attempt (a WS/.git would
// make the command exit 3), its own record moves out what the command
// creates under a missing protected name, and no record is left behind.
TEST_F(NamespacelessTest, ARefusedFirstAttemptLeavesNothingAndTheRunIsStillWatched) {
  const std::vector<std::vector<std::string>> refusals = {{"--ns", "user"}, {"mount:EPERM"}};
  for (const std::vector<std::string>& refuse : refusals) {
    SCOPED_TRACE(refuse.front());
    std::vector<std::string> argv = {DenySyscallBin()};
    argv.insert(argv.end(), refuse.begin(), refuse.end());
    argv.push_back("--");
    auto run = RunArgvAnyTier(
        {}, {"/bin/sh", "-c", "test ! -e .git || exit 3; echo planted > .envrc; echo ok > notes"});
    argv.insert(argv.end(), std::find(run.begin(), run.end(), CordonBin()), run.end());
    RunResult r = RunProcess(argv, env_, ws_);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.err.find("namespace-less tier"), std::string::npos) << r.Describe();
    EXPECT_FALSE(Exists(ws_ + "/.envrc"));
    EXPECT_NE(r.err.find("moved " + ws_ + "/.envrc"), std::string::npos) << r.Describe();
    EXPECT_FALSE(Exists(ws_ + "/.git"));
    // The twin: an ordinary new file stays.
    EXPECT_EQ(ReadFile(ws_ + "/notes"), "ok\n");
    for (const std::string& entry : ListDir(state_ + "/cordon/quarantine")) {
      EXPECT_FALSE(entry.ends_with(".pending") || entry.ends_with(".new")) << entry;
    }
  }
}

// Its twin: where nothing is refused beyond the test tier's own setting,
// setup and policy show name the same tier, the one the run gets.
TEST_F(NamespacelessTest, SetupAndPolicyShowNameTheTierTheRunGets) {
  TierNames names = NamedTiers(TierPrefix(), env_, ws_);
  const std::string expected = NamespacelessTier() ? "namespace-less" : "namespaces";
  EXPECT_EQ(names.setup, expected) << names.setup_json.dump(2);
  EXPECT_EQ(names.policy_show, expected);
  RunResult r = RunProcess(RunArgvAnyTier({}, {"/bin/true"}), env_, ws_);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.err.find("namespace-less tier") != std::string::npos, NamespacelessTier())
      << r.Describe();
}

}  // namespace
}  // namespace cordon::it
