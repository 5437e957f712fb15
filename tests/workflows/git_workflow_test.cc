// git as a developer uses it under `cordon run` (issue 14, points 2-4):
// status shows nothing cordon made, `git add -A` commits exactly the user's
// files, stash and rebase work, and so does git in a linked worktree, in a
// submodule and in a monorepo's subdirectory, with the main repository's
// hooks and config still out of reach. Every result is read back by the
// host's own git after the run.
#include "workflow.h"

namespace cordon::wf {
namespace {

using it::Exists;
using it::MakeDirs;
using it::ReadFile;
using it::RunResult;
using it::WriteFile;

class GitWorkflowTest : public WorkflowTest {};

TEST_F(GitWorkflowTest, StatusShowsNothingCordonMade) {
  InitRepo(ws_);
  // A marker the run leaves while it is still running, ignored by the
  // repository, so the host can look at the tree during the run.
  WriteFile(ws_ + "/.gitignore", "started\n");
  Git(ws_, {"add", ".gitignore"});
  Git(ws_, {"commit", "-q", "-m", "ignore the marker"});

  RunResult inside = UserSh(ws_, "git status --porcelain --untracked-files=all && git clean -ndx");
  EXPECT_EQ(inside.exit_code, 0) << inside.Describe();
  EXPECT_EQ(inside.out, "") << "git inside the run sees entries cordon made\n" << inside.Describe();

  // On the host, during the run.
  std::vector<std::string> argv = it::TierPrefix();
  argv.insert(argv.end(), {it::CordonBin(), "run"});
  if (!it::NamespacelessTier()) argv.emplace_back("--require-namespaces");
  argv.insert(argv.end(), {"--", "/bin/sh", "-c", "touch started && sleep 3"});
  it::Process during(argv, env_, ws_);
  ASSERT_TRUE(it::WaitFor([&] { return Exists(ws_ + "/started"); }, 20))
      << "the run never started: " << during.Wait(1).Describe();
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}), "")
      << "the host's git sees entries cordon made during the run";
  RunResult done = during.Wait(30);
  EXPECT_EQ(done.exit_code, 0) << done.Describe();

  // And after it.
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}), "");
  // Only the marker the run made on purpose (ignored) is there to clean.
  EXPECT_EQ(Git(ws_, {"clean", "-ndx"}), "Would remove started\n");
}

TEST_F(GitWorkflowTest, AddAllCommitsExactlyTheUsersFiles) {
  InitRepo(ws_);
  RunResult r = UserSh(ws_,
                       "echo a > a.txt && mkdir src && echo 'int x;' > src/b.c && "
                       "echo more >> README.md && git add -A && git commit -q -m x");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Git(ws_, {"show", "--name-only", "--format=", "HEAD"}), "README.md\na.txt\nsrc/b.c\n");
  EXPECT_EQ(Git(ws_, {"log", "-1", "--format=%s %an"}), "x Fake User\n");
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}), "");
}

TEST_F(GitWorkflowTest, StashUntrackedAndPop) {
  InitRepo(ws_);
  RunResult r = UserSh(ws_,
                       "echo new > new.txt && echo changed >> README.md && git stash -q -u && "
                       "test ! -e new.txt && git show --name-only --format= 'stash@{0}^3' && "
                       "git stash pop -q");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  // The stash's untracked-files commit held the user's file and nothing else.
  EXPECT_EQ(r.out, "new.txt\n") << r.Describe();
  EXPECT_EQ(ReadFile(ws_ + "/new.txt"), "new\n");
  EXPECT_EQ(ReadFile(ws_ + "/README.md"), "hello\nchanged\n");
  EXPECT_EQ(Git(ws_, {"stash", "list"}), "");
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}),
            " M README.md\n?? new.txt\n");
}

TEST_F(GitWorkflowTest, RebaseOfATwoCommitBranch) {
  InitRepo(ws_);
  Git(ws_, {"switch", "-q", "-c", "feature"});
  for (const char* name : {"f1", "f2"}) {
    WriteFile(ws_ + "/" + name + ".txt", std::string(name) + "\n");
    Git(ws_, {"add", std::string(name) + ".txt"});
    Git(ws_, {"commit", "-q", "-m", name});
  }
  Git(ws_, {"switch", "-q", "main"});
  WriteFile(ws_ + "/m.txt", "m\n");
  Git(ws_, {"add", "m.txt"});
  Git(ws_, {"commit", "-q", "-m", "on main"});
  Git(ws_, {"switch", "-q", "feature"});

  RunResult r = User(ws_, {}, {"git", "rebase", "-q", "main"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(Git(ws_, {"log", "--format=%s", "main..feature"}), "f2\nf1\n");
  EXPECT_EQ(Git(ws_, {"log", "--format=%s", "-1", "feature~2"}), "on main\n");
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}), "");
}

TEST_F(GitWorkflowTest, LinkedWorktreeWorksAndTheMainRepositoryStaysProtected) {
  std::string main = root_ / "main";
  std::string wt = root_ / "wt";
  InitRepo(main);
  Git(main, {"worktree", "add", "-q", "-b", "wtbranch", wt});
  const std::string common = main + "/.git";
  it::Snapshot hooks_before = it::TakeSnapshot(common + "/hooks");
  std::string config_before = ReadFile(common + "/config");

  RunResult status = User(wt, {}, {"git", "status", "--porcelain", "--untracked-files=all"});
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_EQ(status.out, "") << status.Describe();

  RunResult work = UserSh(wt,
                          "echo w > w.txt && git add w.txt && git commit -q -m in-worktree && "
                          "git switch -q -c side && echo s > s.txt && git add s.txt && "
                          "git commit -q -m on-side && git switch -q wtbranch && "
                          "echo dirty >> w.txt && git stash -q && git stash pop -q && "
                          "git checkout -q w.txt");
  ASSERT_EQ(work.exit_code, 0) << work.Describe();
  EXPECT_EQ(Git(main, {"show", "--name-only", "--format=%s", "wtbranch"}),
            "in-worktree\n\nw.txt\n");
  EXPECT_EQ(Git(main, {"log", "-1", "--format=%s", "side"}), "on-side\n");
  EXPECT_EQ(Git(wt, {"status", "--porcelain", "--untracked-files=all"}), "");

  // The namespace-less tier cannot make paths read-only beneath a writable
  // root (docs/namespaceless.md, "What it cannot enforce"): the main
  // repository's git dir is writable there like the workspace's own .git.
  if (it::NamespacelessTier()) return;
  // The attempts a hostile command makes on the main repository, which
  // lives outside the workspace: each may fail; none may take effect.
  RunResult attack = UserSh(wt,
                            "common=$(git rev-parse --path-format=absolute --git-common-dir); "
                            "printf '#!/bin/sh\\ntouch /tmp/pwned\\n' > $common/hooks/post-commit; "
                            "chmod +x $common/hooks/post-commit; "
                            "git config --file $common/config core.hooksPath /tmp; "
                            "git config core.fsmonitor 'touch /tmp/pwned'; "
                            "echo '[core] sshCommand = evil' >> $common/config; "
                            "echo $common");
  EXPECT_EQ(attack.out, common + "\n") << "git inside found another common dir\n"
                                       << attack.Describe();
  EXPECT_FALSE(Exists(common + "/hooks/post-commit"));
  EXPECT_EQ(it::DiffSnapshots(hooks_before, it::TakeSnapshot(common + "/hooks")), "");
  EXPECT_EQ(ReadFile(common + "/config"), config_before);
}

TEST_F(GitWorkflowTest, SubmoduleStatusAndCommit) {
  std::string lib = root_ / "lib";
  InitRepo(lib);
  InitRepo(ws_);
  Git(ws_, {"-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "lib"});
  Git(ws_, {"commit", "-q", "-m", "add lib"});

  RunResult top = User(ws_, {}, {"git", "status", "--porcelain", "--untracked-files=all"});
  EXPECT_EQ(top.exit_code, 0) << top.Describe();
  EXPECT_EQ(top.out, "") << top.Describe();

  const std::string sub = ws_ + "/lib";
  RunResult status = User(sub, {}, {"git", "status", "--porcelain", "--untracked-files=all"});
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_EQ(status.out, "") << status.Describe();

  RunResult commit =
      UserSh(sub, "echo y > y.txt && git add y.txt && git commit -q -m in-submodule");
  ASSERT_EQ(commit.exit_code, 0) << commit.Describe();
  EXPECT_EQ(Git(sub, {"show", "--name-only", "--format=%s", "HEAD"}), "in-submodule\n\ny.txt\n");
  // The superproject sees the submodule's new commit, and nothing else.
  EXPECT_EQ(Git(ws_, {"status", "--porcelain", "--untracked-files=all"}), " M lib\n");
}

TEST_F(GitWorkflowTest, MonorepoSubdirectoryIsInsideTheRepositoryWorkspace) {
  InitRepo(ws_);
  const std::string api = ws_ + "/services/api";
  MakeDirs(api);
  WriteFile(api + "/main.py", "print('api')\n");
  Git(ws_, {"add", "services"});
  Git(ws_, {"commit", "-q", "-m", "api"});

  // No --workspace: cordon picks the repository's top level; the command
  // starts where the user stands.
  RunResult status = User(api, {}, {"git", "status", "--porcelain", "--untracked-files=all"});
  EXPECT_EQ(status.exit_code, 0) << status.Describe();
  EXPECT_EQ(status.out, "") << status.Describe();

  RunResult work = UserSh(api,
                          "pwd && echo out > out.txt && echo top > ../../top.txt && git add -A && "
                          "git commit -q -m from-api");
  ASSERT_EQ(work.exit_code, 0) << work.Describe();
  EXPECT_EQ(work.out, api + "\n");
  EXPECT_EQ(ReadFile(api + "/out.txt"), "out\n");
  EXPECT_EQ(ReadFile(ws_ + "/top.txt"), "top\n") << "the workspace is not the repository's top";
  EXPECT_EQ(Git(ws_, {"show", "--name-only", "--format=", "HEAD"}),
            "services/api/out.txt\ntop.txt\n");
}

}  // namespace
}  // namespace cordon::wf
