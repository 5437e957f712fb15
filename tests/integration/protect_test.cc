// Property 3: protected paths inside a writable root stay read-only:
// WS/.git/hooks, WS/.git/config, WS/.envrc, WS/.cordon.toml, and the hooks and
// config of the real git dir a `.git` file points to (separate git dir,
// worktree). Missing ones can't be created. Moving .git away does not let the
// sandbox plant a new hooks dir. The rest of .git stays writable (commits
// work) and a nested `git init` works. --protect adds paths.
#include <sys/stat.h>
#include <unistd.h>

#include "protect_fixture.h"

namespace cordon::it {
namespace {

TEST_F(ProtectTest, ProtectedFilesCannotBeChanged) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  Snapshot hooks = TakeSnapshot(ws_ + "/.git/hooks");
  std::string config = ReadFile(ws_ + "/.git/config");
  for (const char* rel : {".git/config", ".envrc", ".cordon.toml", ".git/hooks/pre-commit",
                          ".git/hooks/pre-push.sample"}) {
    ExpectImmutable(ws_ + "/" + rel);
  }
  ExpectImmutable(ws_ + "/.git/hooks");
  // New hooks can't be added next to the existing ones.
  ExpectUncreatable(ws_ + "/.git/hooks/post-checkout");
  // Relative spellings and /proc/self/cwd reach the same inodes.
  EXPECT_TRUE(Denied(Probe({"write", ".git/hooks/pre-commit"}), kProtected));
  EXPECT_TRUE(Denied(Probe({"write", "/proc/self/cwd/.envrc"}), kProtected));
  EXPECT_TRUE(Denied(Probe({"write", ".git/../.git/config"}), kProtected));

  EXPECT_EQ(DiffSnapshots(hooks, TakeSnapshot(ws_ + "/.git/hooks")), "");
  EXPECT_EQ(ReadFile(ws_ + "/.git/config"), config);
  EXPECT_EQ(ReadFile(ws_ + "/.envrc"), "export ORIGINAL=1\n");
  EXPECT_EQ(ReadFile(ws_ + "/.cordon.toml"), "# project policy: nothing to narrow\n");
  EXPECT_EQ(ReadFile(ws_ + "/.git/hooks/pre-commit"), kHook);
}

TEST_F(ProtectTest, GitCannotRewriteItsConfigFromInside) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  std::string config = ReadFile(ws_ + "/.git/config");
  RunResult r = Sh("git config core.hooksPath /tmp/hooks");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  r = Sh("git config core.fsmonitor 'sh -c pwned'");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(ReadFile(ws_ + "/.git/config"), config);
}

TEST_F(ProtectTest, MovingDotGitAsideDoesNotPlantHooks) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  Snapshot hooks = TakeSnapshot(ws_ + "/.git/hooks");
  std::string config = ReadFile(ws_ + "/.git/config");
  // The attack: move the repository aside, rebuild .git around a malicious
  // hook and config, keep the history so the user notices nothing.
  RunResult r = Sh(
      "mv .git .git2; mkdir -p .git/hooks; cp -r .git2/objects .git2/refs .git2/HEAD .git/; "
      "printf '#!/bin/sh\\necho pwned\\n' > .git/hooks/pre-commit; chmod +x .git/hooks/pre-commit; "
      "printf '[core]\\n\\thooksPath = /tmp\\n' > .git/config; true");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  ExpectHostGitUnchanged(hooks, config);
}

TEST_F(ProtectTest, ReplacingDotGitByAGitdirFileDoesNotPlantHooks) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  Snapshot hooks = TakeSnapshot(ws_ + "/.git/hooks");
  std::string config = ReadFile(ws_ + "/.git/config");
  // The variant: .git becomes a "gitdir:" file pointing at a repository the
  // sandbox built, with its own hooks and config.
  RunResult r = Sh(
      "mv .git .git2 || rm -rf .git; mkdir -p evil/hooks; cp -r .git2/objects .git2/refs "
      ".git2/HEAD evil/; "
      "printf '#!/bin/sh\\necho pwned\\n' > evil/hooks/pre-commit; chmod +x evil/hooks/pre-commit; "
      "printf '[core]\\n\\trepositoryformatversion = 0\\n' > evil/config; "
      "rm -rf .git; echo 'gitdir: evil' > .git; true");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  ExpectHostGitUnchanged(hooks, config);
}

// Issue 14 point 2 changed this: no placeholder in the work tree, so the
// run may create them, and they are moved out once it ends.
TEST_F(ProtectTest, MissingEnvrcAndCordonTomlAreMovedOutWhenCreated) {
  MakeRepo();
  ASSERT_EQ(unlink((ws_ + "/.envrc").c_str()), 0);
  ASSERT_EQ(unlink((ws_ + "/.cordon.toml").c_str()), 0);
  ExpectMovedOut(ws_ + "/.envrc");
  ExpectMovedOut(ws_ + "/.cordon.toml");
  RunResult r = Sh("echo 'export PWNED=1' > .envrc");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.envrc"));
}

TEST_F(ProtectTest, MissingHooksDirInAnExistingRepoCannotBeCreated) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  RemoveAll(ws_ + "/.git/hooks");
  RunResult r =
      Sh("mkdir -p .git/hooks; echo pwned > .git/hooks/pre-commit; ln -s /tmp "
         ".git/hooks/post-checkout; "
         "git init -q .; true");  // git init recreates hooks/ from its template
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  // The security property: no hook can be planted.
  EXPECT_FALSE(Exists(ws_ + "/.git/hooks/pre-commit"));
  EXPECT_FALSE(Exists(ws_ + "/.git/hooks/post-checkout"));
  if (Exists(ws_ + "/.git/hooks")) {
    EXPECT_EQ(ListDir(ws_ + "/.git/hooks"), std::vector<std::string>{});
  }
  ExpectUncreatable(ws_ + "/.git/hooks/pre-push");
  // And cordon itself leaves no trace: the user's repository had no hooks
  // dir before the run and must have none after.
  EXPECT_FALSE(Exists(ws_ + "/.git/hooks")) << "cordon left an empty .git/hooks in the workspace";
}

TEST_F(ProtectTest, FreshWorkspaceCannotGrowARepositoryWithHooks) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  // No .git at all: WS/.git/hooks and WS/.git/config are missing protected
  // paths, so neither may appear (a new repository belongs in a subdir).
  RunResult r = Sh(
      "mkdir -p .git/hooks; echo pwned > .git/hooks/pre-commit; echo '[core]' > .git/config; true");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.git/hooks/pre-commit"));
  EXPECT_FALSE(Exists(ws_ + "/.git/config"));
}

TEST_F(ProtectTest, RestOfDotGitIsWritableSoCommitsWork) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  std::string config = ReadFile(ws_ + "/.git/config");
  RunResult r =
      Sh("set -e; echo change > file.txt; git add file.txt; git commit -q -m second; "
         "git branch topic; git tag v1; git log --format=%s");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "second\ninit\n");
  RunResult host = Host({"/usr/bin/git", "-C", ws_, "log", "--format=%s", "topic"});
  EXPECT_EQ(host.out, "second\ninit\n") << host.Describe();
  EXPECT_EQ(ReadFile(ws_ + "/.git/config"), config);
  EXPECT_EQ(ReadFile(ws_ + "/.git/hooks/pre-commit"), kHook);
}

TEST_F(ProtectTest, NestedGitInitWorks) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeRepo();
  RunResult r =
      Sh("set -e; git init -q sub; echo y > sub/f; git -C sub add f; "
         "git -C sub commit -q -m nested; git -C sub log --format=%s");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "nested\n");
  EXPECT_TRUE(Exists(ws_ + "/sub/.git/config"));
}

TEST_F(ProtectTest, SeparateGitDirInsideWorkspaceIsProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  // WS/.git is a file "gitdir: WS/.repo-git".
  RunResult init =
      Host({"/usr/bin/git", "init", "-q", "--separate-git-dir", ws_ + "/.repo-git", ws_});
  ASSERT_EQ(init.exit_code, 0) << init.Describe();
  ASSERT_TRUE(ReadFile(ws_ + "/.git").rfind("gitdir: ", 0) == 0);
  std::string gitdir = ws_ + "/.repo-git";
  WriteFile(gitdir + "/hooks/pre-commit", kHook, 0755);
  std::string config = ReadFile(gitdir + "/config");

  ExpectImmutable(gitdir + "/config");
  ExpectImmutable(gitdir + "/hooks/pre-commit");
  ExpectUncreatable(gitdir + "/hooks/post-checkout");
  RunResult r = Sh("set -e; echo x > f; git add f; git commit -q -m sep; git log --format=%s");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "sep\n");
  EXPECT_EQ(ReadFile(gitdir + "/config"), config);
  EXPECT_EQ(ReadFile(gitdir + "/hooks/pre-commit"), kHook);
}

TEST_F(ProtectTest, SeparateGitDirInWritableRootIsProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  std::string gitdirs = root_ / "gitdirs";
  std::string gitdir = gitdirs + "/ws.git";
  MakeDirs(gitdirs);
  RunResult init = Host({"/usr/bin/git", "init", "-q", "--separate-git-dir", gitdir, ws_});
  ASSERT_EQ(init.exit_code, 0) << init.Describe();
  WriteFile(gitdir + "/hooks/pre-commit", kHook, 0755);
  std::string config = ReadFile(gitdir + "/config");
  std::vector<std::string> opts = {"--writable", gitdirs};

  ExpectImmutable(gitdir + "/config", opts);
  ExpectImmutable(gitdir + "/hooks/pre-commit", opts);
  ExpectUncreatable(gitdir + "/hooks/post-checkout", opts);
  RunResult r =
      Sh("set -e; echo x > f; git add f; git commit -q -m sep; git log --format=%s", opts);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "sep\n");
  EXPECT_EQ(ReadFile(gitdir + "/config"), config);
  EXPECT_EQ(ReadFile(gitdir + "/hooks/pre-commit"), kHook);
}

TEST_F(ProtectTest, WorktreeOfARepositoryInAWritableRootIsProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  // WS is a worktree of MAIN: WS/.git says "gitdir: MAIN/.git/worktrees/ws",
  // whose commondir is MAIN/.git, where hooks and config live.
  std::string main = root_ / "main";
  InitRepo(main);
  ASSERT_EQ(rmdir(ws_.c_str()), 0);
  RunResult add = RunProcess({"/usr/bin/git", "-C", main, "worktree", "add", "-q", "-b", "wt", ws_},
                             env_, root_.path());
  ASSERT_EQ(add.exit_code, 0) << add.Describe();
  WriteFile(main + "/.git/hooks/pre-commit", kHook, 0755);
  std::string config = ReadFile(main + "/.git/config");
  std::vector<std::string> opts = {"--writable", main};

  ExpectImmutable(main + "/.git/config", opts);
  ExpectImmutable(main + "/.git/hooks/pre-commit", opts);
  ExpectUncreatable(main + "/.git/hooks/post-checkout", opts);
  ExpectUncreatable(main + "/.git/worktrees/ws/config", opts);
  RunResult r = Sh("set -e; echo x > f; git add f; git commit -q -m wt; git log --format=%s", opts);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "wt\ninit\n");
  EXPECT_EQ(ReadFile(main + "/.git/config"), config);
  EXPECT_EQ(ReadFile(main + "/.git/hooks/pre-commit"), kHook);
}

TEST_F(ProtectTest, ProtectFlagAddsReadOnlyPaths) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
      "workspace)");
  MakeDirs(ws_ + "/deploy");
  WriteFile(ws_ + "/deploy/app.sh", "deploy\n");
  std::vector<std::string> opts = {"--protect", ws_ + "/deploy", "--protect", ws_ + "/Makefile"};
  ExpectImmutable(ws_ + "/deploy/app.sh", opts);
  ExpectUncreatable(ws_ + "/deploy/new.sh", opts);
  ExpectMovedOut(ws_ + "/Makefile", opts);
  // The twin: the rest of the workspace is writable.
  EXPECT_TRUE(Allowed(Probe(opts, {"write", ws_ + "/other.txt"})));
  EXPECT_EQ(ReadFile(ws_ + "/deploy/app.sh"), "deploy\n");
}

// A placeholder is made once the clone has succeeded. One that cannot be
// made (its parent, WS/.git/not-a-dir, is a file) stops the run before the
// command starts; with --allow-degraded the path is named as unprotected
// and the command runs once, in a sandbox built from the plan without that
// path, the rest protected as ever.
TEST_F(ProtectTest, APlaceholderThatCannotBeMadeStopsTheRunOrIsNamedWhenDegraded) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("the namespace-less tier makes no placeholders");
  MakeRepo();
  WriteFile(ws_ + "/.git/not-a-dir", "a file\n");
  const std::string missing = ws_ + "/.git/not-a-dir/x";
  const std::string count = "echo ran >> ran.txt";
  RunResult refused = Sh(count, {"--protect", missing});
  EXPECT_EQ(refused.exit_code, 125) << refused.Describe();
  EXPECT_NE(refused.err.find(missing), std::string::npos) << refused.Describe();
  EXPECT_NE(refused.err.find("--allow-degraded"), std::string::npos) << refused.Describe();
  EXPECT_FALSE(Exists(ws_ + "/ran.txt"));

  const std::vector<std::string> degraded = {"--protect", missing, "--allow-degraded"};
  RunResult r = Sh(count, degraded);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("could not create a placeholder for missing protected path " + missing),
            std::string::npos)
      << r.Describe();
  EXPECT_EQ(ReadFile(ws_ + "/ran.txt"), "ran\n");
  ExpectImmutable(ws_ + "/.git/hooks/pre-commit", degraded);
  ExpectUncreatable(ws_ + "/.git/hooks/pre-push", degraded);
}

}  // namespace
}  // namespace cordon::it

namespace cordon::it {
namespace {

// Runs that start while others end share, adopt and remove the
// placeholders of missing protected paths without tripping over each other:
// every run is fully protected, and none is left behind.
TEST_F(SandboxTest, OverlappingRunsShareAndRemovePlaceholdersCleanly) {
  for (int round = 0; round < 3; ++round) {
    std::vector<std::unique_ptr<Process>> runs;
    for (int i = 0; i < 6; ++i) {
      runs.push_back(
          std::make_unique<Process>(RunArgv({}, {"/bin/sh", "-c", "exit 0"}), env_, ws_));
    }
    for (auto& p : runs) {
      RunResult r = p->Wait(30);
      EXPECT_EQ(r.exit_code, 0) << r.Describe();
      EXPECT_EQ(r.err.find("placeholder"), std::string::npos) << r.Describe();
    }
  }
  for (const char* name : {".git", ".envrc", ".cordon.toml"}) {
    EXPECT_FALSE(Exists(ws_ + "/" + name)) << name << " was left behind";
  }
}

}  // namespace
}  // namespace cordon::it
