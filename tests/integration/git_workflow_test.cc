// Issue 14, points 2, 3, 4 and 11: everyday git work under cordon.
// Nothing cordon makes shows in git or in the work tree (a missing protected
// path the run creates is moved to the quarantine under cordon's state, and
// the run says so); a linked worktree and a subdirectory of a repository
// work, with the main repository's hooks and config still protected; the
// default workspace is the work tree's top level while the command starts
// where the user is; agents' and editors' config files in a writable root
// are protected. Both tiers, as root and unprivileged; what the
// namespace-less tier cannot make read-only is skipped, naming the limit.
#include <dirent.h>
#include <signal.h>

#include "protect_fixture.h"

namespace cordon::it {
namespace {

constexpr char kNoReadOnly[] =
    "protected paths are not read-only (Landlock cannot take rights away beneath a writable "
    "root)";

class GitWorkflowTest : public ProtectTest {
 protected:
  // The host's git in `dir` (default WS), its stdout; fails the test on error.
  std::string HostGit(std::vector<std::string> args, const std::string& dir = "") {
    const std::string where = dir.empty() ? ws_ : dir;
    args.insert(args.begin(), {"/usr/bin/git", "-c", "user.name=u", "-c", "user.email=u@h"});
    RunResult r = RunProcess(args, env_, where);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r.out;
  }

  // Where the quarantine put `path` (any run), or "" when it is not there.
  std::string Quarantined(const std::string& path) const {
    const std::string root = state_ + "/cordon/quarantine";
    if (!Exists(root)) return "";
    for (const std::string& run : ListDir(root)) {
      std::string moved = root + "/" + run + path;
      if (Exists(moved)) return moved;
    }
    return "";
  }

  // cordon run started in `cwd` without --workspace.
  RunResult RunIn(const std::string& cwd, const std::string& script) {
    std::vector<std::string> argv = TierPrefix();
    argv.insert(argv.end(), {CordonBin(), "run", "--no-config"});
    if (!NamespacelessTier()) argv.push_back("--require-namespaces");
    for (const std::string& f : GitEnvFlags()) argv.push_back(f);
    argv.insert(argv.end(), {"--", "/bin/sh", "-c", script});
    return RunProcess(argv, env_, cwd);
  }
};

// Point 2: with .envrc, .cordon.toml and the agent files missing, git inside
// and outside the run sees only the user's files.
TEST_F(GitWorkflowTest, NothingCordonMakesShowsInGit) {
  InitRepo(ws_);
  RunResult status = Sh("git status --porcelain --untracked-files=all");
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_EQ(status.out, "") << status.Describe();
  EXPECT_EQ(HostGit({"status", "--porcelain", "--untracked-files=all"}), "");

  // add -A && commit commits exactly the user's file.
  RunResult commit = Sh("set -e; echo mine > a.txt; git add -A; git commit -q -m user");
  EXPECT_EQ(commit.exit_code, 0) << commit.Describe();
  EXPECT_EQ(HostGit({"show", "--name-only", "--format=", "HEAD"}), "a.txt\n");

  // stash -u stashes only the user's untracked file.
  RunResult stash = Sh("set -e; echo u > u.txt; git stash -q -u; git stash list | wc -l");
  EXPECT_EQ(stash.exit_code, 0) << stash.Describe();
  EXPECT_EQ(HostGit({"show", "--name-only", "--format=", "stash@{0}^3"}), "u.txt\n");
  EXPECT_FALSE(Exists(ws_ + "/u.txt"));

  // clean lists only what the user left, and nothing is busy.
  WriteFile(ws_ + "/junk.txt", "junk\n");
  RunResult clean = Sh("git clean -n -d -x");
  EXPECT_EQ(clean.exit_code, 0) << clean.Describe();
  EXPECT_EQ(clean.out, "Would remove junk.txt\n") << clean.Describe();
  EXPECT_EQ(clean.err.find("busy"), std::string::npos) << clean.Describe();
  EXPECT_EQ(HostGit({"clean", "-n", "-d", "-x"}), "Would remove junk.txt\n");
}

// Point 2: a .envrc the command creates is moved out of the tree after the
// run, with its bytes, and the run says where.
TEST_F(GitWorkflowTest, CreatedEnvrcIsMovedToTheQuarantine) {
  InitRepo(ws_);
  RunResult r = Sh("echo 'export PLANTED=1' > .envrc");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.envrc")) << "the created .envrc stayed in the tree";
  std::string moved = Quarantined(ws_ + "/.envrc");
  ASSERT_NE(moved, "") << r.Describe();
  EXPECT_EQ(ReadFile(moved), "export PLANTED=1\n");
  EXPECT_NE(r.err.find("moved " + ws_ + "/.envrc out of the tree to " + moved), std::string::npos)
      << r.Describe();
  EXPECT_NE(r.err.find("mv '" + moved + "'"), std::string::npos) << r.Describe();
  // The run's log has the event.
  std::string events;
  for (const std::string& f : ListDir(state_ + "/cordon/events")) {
    events += ReadFile(state_ + "/cordon/events/" + f);
  }
  EXPECT_NE(events.find("cordon.fs.quarantined"), std::string::npos);
  // The twin: an ordinary new file stays.
  RunResult other = Sh("echo ok > notes.txt");
  EXPECT_EQ(other.exit_code, 0) << other.Describe();
  EXPECT_EQ(ReadFile(ws_ + "/notes.txt"), "ok\n");
  EXPECT_EQ(other.err.find("moved"), std::string::npos) << other.Describe();
}

// Point 2: a run whose cordon was killed leaves its record; the next run
// moves what it created.
TEST_F(GitWorkflowTest, KilledRunsCreationsAreMovedByTheNextRun) {
  InitRepo(ws_);
  auto git = GitEnvFlags();
  Process killed(RunArgv(git, {"/bin/sh", "-c", "echo planted > .cordon.toml; sleep 30"}), env_,
                 ws_);
  ASSERT_TRUE(WaitFor(
      [&] {
        return Exists(ws_ + "/.cordon.toml") && ReadFile(ws_ + "/.cordon.toml") == "planted\n";
      },
      10));
  ASSERT_EQ(kill(killed.pid(), SIGKILL), 0);
  (void)killed.Wait(10);
  // The sandbox dies with its supervisor; the file is still there.
  (void)WaitFor([&] { return ProcessesWithArg(ws_).empty(); }, 10);
  ASSERT_TRUE(Exists(ws_ + "/.cordon.toml"));
  RunResult next = Sh("true");
  EXPECT_EQ(next.exit_code, 0) << next.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.cordon.toml"));
  std::string moved = Quarantined(ws_ + "/.cordon.toml");
  ASSERT_NE(moved, "") << next.Describe();
  EXPECT_EQ(ReadFile(moved), "planted\n");
  EXPECT_NE(next.err.find("moved " + ws_ + "/.cordon.toml"), std::string::npos) << next.Describe();
  // Both records are finished: none is left for a third run.
  for (const std::string& entry : ListDir(state_ + "/cordon/quarantine")) {
    EXPECT_FALSE(entry.ends_with(".pending") || entry.ends_with(".new")) << entry;
  }
}

// A record in an older cordon's layout (run-XXXXXX/pending, a directory
// per run) is still finished by the next run.
TEST_F(GitWorkflowTest, OlderRecordLayoutIsStillRecovered) {
  InitRepo(ws_);
  const std::string old_run = state_ + "/cordon/quarantine/run-older1";
  MakeDirs(old_run, 0700);
  WriteFile(old_run + "/pending", ws_ + "/.cordon.toml\tcordon's project config\n");
  WriteFile(ws_ + "/.cordon.toml", "planted\n");
  RunResult next = Sh("true");
  EXPECT_EQ(next.exit_code, 0) << next.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.cordon.toml"));
  EXPECT_EQ(ReadFile(old_run + ws_ + "/.cordon.toml"), "planted\n") << next.Describe();
  EXPECT_FALSE(Exists(old_run + "/pending"));
}

// Point 3: a linked worktree works (status, add, commit, branch, stash,
// rebase) and the main repository's hooks and config stay protected.
TEST_F(GitWorkflowTest, LinkedWorktreeWorks) {
  std::string main = root_ / "main";
  InitRepo(main);
  WriteFile(main + "/private.txt", "main work tree\n");
  WriteFile(main + "/.git/hooks/pre-commit", kHook, 0755);
  ASSERT_EQ(rmdir(ws_.c_str()), 0);
  RunResult add = RunProcess({"/usr/bin/git", "-C", main, "worktree", "add", "-q", "-b", "wt", ws_},
                             env_, root_.path());
  ASSERT_EQ(add.exit_code, 0) << add.Describe();
  const std::string config = ReadFile(main + "/.git/config");
  RunResult r =
      Sh("set -e; exec 3>&1 >/dev/null; git status --porcelain; echo x > f; git add f; git commit "
         "-q --no-verify -m one; "
         "git branch side; echo y > g; git stash -q -u; git stash pop -q; git add g; "
         "git commit -q --no-verify -m two; git rebase -q side; git log --format=%s >&3");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "two\none\ninit\n") << r.Describe();
  EXPECT_EQ(r.err.find("degraded"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.err.find("not a git repository"), std::string::npos) << r.Describe();
  EXPECT_EQ(HostGit({"log", "--format=%s", "wt"}, main), "two\none\ninit\n");
  if (NamespacelessTier()) return;  // the rest is what that tier cannot make read-only
  ExpectImmutable(main + "/.git/config");
  ExpectImmutable(main + "/.git/hooks/pre-commit");
  EXPECT_EQ(ReadFile(main + "/.git/config"), config);
  EXPECT_EQ(ReadFile(main + "/.git/hooks/pre-commit"), kHook);
  // The main repository's work tree stays out of reach.
  EXPECT_FALSE(Allowed(Probe({"read", main + "/private.txt"})));
}

// Points 3 and 4: started in a subdirectory, the workspace is the work
// tree's top level and the command starts where the user is.
TEST_F(GitWorkflowTest, SubdirectoryOfARepositoryWorks) {
  InitRepo(ws_);
  const std::string sub = ws_ + "/services/api";
  MakeDirs(sub + "/build");
  RunResult r = RunIn(sub + "/build",
                      "set -e; pwd; echo built > out.o; echo y > ../api.txt; git status "
                      "--porcelain --untracked-files=all");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, sub + "/build\n?? services/api/api.txt\n?? services/api/build/out.o\n")
      << r.Describe();
  EXPECT_EQ(ReadFile(sub + "/build/out.o"), "built\n");

  // policy show says which workspace and why, text and JSON.
  RunResult text = RunProcess({CordonBin(), "policy", "show", "--no-config"}, env_, sub);
  EXPECT_NE(text.out.find("workspace  " + ws_ + "  [git work tree top level of " + sub + "]"),
            std::string::npos)
      << text.Describe();
  RunResult json = RunProcess({CordonBin(), "policy", "show", "--no-config", "--json"}, env_, sub);
  EXPECT_NE(json.out.find("\"workspace\": \"" + ws_ + "\""), std::string::npos) << json.Describe();
  EXPECT_NE(json.out.find("\"workspace_reason\": \"git work tree top level of"), std::string::npos)
      << json.Describe();
  // --workspace overrides; outside a repository it is the current directory.
  RunResult flag =
      RunProcess({CordonBin(), "policy", "show", "--no-config", "--workspace", sub}, env_, sub);
  EXPECT_NE(flag.out.find("workspace  " + sub + "  [--workspace]"), std::string::npos)
      << flag.Describe();
  RunResult plain = RunProcess({CordonBin(), "policy", "show", "--no-config"}, env_, outside_);
  EXPECT_NE(plain.out.find("workspace  " + outside_ + "  [current directory]"), std::string::npos)
      << plain.Describe();
}

// Point 11: an agent's config in a writable root is read-only; the rest of
// the root is writable.
TEST_F(GitWorkflowTest, AgentConfigInAWritableRootIsProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoReadOnly);
  const std::string codex = home_ + "/.codex";
  const std::string original = "model = \"x\"\n";
  MakeDirs(codex);
  WriteFile(codex + "/config.toml", original);
  std::vector<std::string> opts = {"--writable", codex};
  EXPECT_TRUE(
      Denied(Probe(opts, {"append", codex + "/config.toml", "[mcp_servers.x]\n"}), kProtected));
  EXPECT_EQ(ReadFile(codex + "/config.toml"), original);
  EXPECT_TRUE(Allowed(Probe(opts, {"write", codex + "/history.jsonl", "{}\n"})));
  // A project directory given as a writable root: its .codex/config.toml too.
  const std::string dir = root_ / "other";
  MakeDirs(dir + "/.codex");
  WriteFile(dir + "/.codex/config.toml", original);
  EXPECT_TRUE(Denied(Probe({"--writable", dir}, {"append", dir + "/.codex/config.toml", "x\n"}),
                     kProtected));
  EXPECT_EQ(ReadFile(dir + "/.codex/config.toml"), original);
  // And the workspace's editor tasks.
  MakeDirs(ws_ + "/.vscode");
  WriteFile(ws_ + "/.vscode/tasks.json", "{}\n");
  ExpectImmutable(ws_ + "/.vscode/tasks.json");
}

// Point 11 with point 2: a missing .vscode/tasks.json the command creates
// ends in the quarantine.
TEST_F(GitWorkflowTest, CreatedEditorTasksAreMovedToTheQuarantine) {
  InitRepo(ws_);
  RunResult r = Sh("mkdir -p .vscode && echo '{\"tasks\":[]}' > .vscode/tasks.json");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.vscode/tasks.json"));
  std::string moved = Quarantined(ws_ + "/.vscode/tasks.json");
  ASSERT_NE(moved, "") << r.Describe();
  EXPECT_EQ(ReadFile(moved), "{\"tasks\":[]}\n");
  EXPECT_NE(r.err.find("VS Code tasks"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace cordon::it
