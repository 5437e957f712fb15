// Issue 12, class 1: no write a sandboxed command can make changes which code
// the host's git runs or which config files it reads. Each test plants what an
// attacker would (a commondir redirect, a config.worktree, a hook in a
// submodule's or worktree's git dir, a file that core.hooksPath, an include or
// a command-valued variable names) and then runs git on the host: a marker
// outside the sandbox's reach shows whether anything planted ran. Ordinary
// work (commit, branch, rebase, stash, fetch, push, submodule commits, gc)
// keeps working. Also classes 2 and 12 (placeholders) and 3 (deny-read
// covers inside writable roots, cordon's own state).
#include "protect_fixture.h"

namespace cordon::it {
namespace {

constexpr char kNoProtection[] =
    "protected paths are not read-only (Landlock cannot take rights away beneath the writable "
    "workspace)";

class GitSurfaceTest : public ProtectTest {
 protected:
  GitSurfaceTest() : marker_(outside_ + "/pwned") {}

  // A shell command that leaves the marker when the host runs it.
  [[nodiscard]] std::string Payload() const { return "touch " + marker_; }

  // Runs the git commands a user runs in the workspace on the host, then
  // checks that nothing planted ran and that git's dirs are the originals.
  void ExpectHostGitRunsNothing(const std::string& dir = "") {
    Env env = env_;
    env["GIT_CEILING_DIRECTORIES"] = root_.path();
    const std::string where = dir.empty() ? ws_ : dir;
    for (std::vector<std::string> args : {std::vector<std::string>{"status"},
                                          {"diff"},
                                          {"log", "-1", "-p"},
                                          {"commit", "-q", "--allow-empty", "-m", "host"},
                                          {"checkout", "-q", "-b", "host-br"},
                                          {"submodule", "status"}}) {
      args.insert(args.begin(),
                  {"/usr/bin/git", "-c", "user.name=u", "-c", "user.email=u@h", "-C", where});
      (void)RunProcess(args, env, where);
    }
    EXPECT_FALSE(Exists(marker_)) << "the host's git ran code the sandbox planted";
    RunResult common = RunProcess(
        {"/usr/bin/git", "-C", where, "rev-parse", "--path-format=absolute", "--git-common-dir"},
        env, where);
    EXPECT_EQ(common.out, ws_ + "/.git\n") << common.Describe();
  }

  // WS a repository with one commit, and the repository lib (outside it)
  // its submodule at WS/lib, committed.
  void RepoWithSubmodule() {
    std::string lib = root_ / "lib";
    InitRepo(lib);
    InitRepo(ws_);
    RunResult add = Host(
        {"/usr/bin/git", "-c", "protocol.file.allow=always", "submodule", "add", "-q", lib, "lib"});
    ASSERT_EQ(add.exit_code, 0) << add.Describe();
    RunResult commit = Host({"/usr/bin/git", "-c", "user.name=u", "-c", "user.email=u@h", "commit",
                             "-q", "-m", "add lib"});
    ASSERT_EQ(commit.exit_code, 0) << commit.Describe();
  }

  std::string marker_;
};

TEST_F(GitSurfaceTest, CommondirRedirectIsRefused) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  InitRepo(ws_);
  // The reproducer of issue 12: a copy of .git with an fsmonitor, and
  // .git/commondir pointing at it.
  RunResult r =
      Sh("mkdir -p bad/hooks && cp .git/config bad/config && cp -r .git/objects .git/refs bad/ "
         "&& printf '[core]\\n\\tfsmonitor = \"" +
         Payload() + "; false\"\\n' >> bad/config && echo ../bad > .git/commondir");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find(".git/commondir"), std::string::npos) << r.Describe();
  ExpectUncreatable(ws_ + "/.git/commondir");
  ExpectHostGitRunsNothing();
  // Nothing of the placeholder is left for the host's git to read.
  EXPECT_FALSE(Exists(ws_ + "/.git/commondir"));
  EXPECT_FALSE(Exists(ws_ + "/.git/config.worktree"));
}

TEST_F(GitSurfaceTest, ConfigWorktreeIsProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  InitRepo(ws_);
  ASSERT_EQ(Host({"/usr/bin/git", "config", "extensions.worktreeConfig", "true"}).exit_code, 0);
  ExpectUncreatable(ws_ + "/.git/config.worktree");
  RunResult r = Sh("git config --worktree core.fsmonitor '" + Payload() + "; false'");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  ExpectHostGitRunsNothing();
  // An existing one is read-only too.
  WriteFile(ws_ + "/.git/config.worktree", "[core]\n\tbare = false\n");
  ExpectImmutable(ws_ + "/.git/config.worktree");
}

TEST_F(GitSurfaceTest, SubmoduleGitDirsAndPointersAreProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  ASSERT_NO_FATAL_FAILURE(RepoWithSubmodule());
  const std::string gitdir = ws_ + "/.git/modules/lib";
  ExpectImmutable(gitdir + "/config");
  ExpectImmutable(ws_ + "/lib/.git");
  ExpectUncreatable(gitdir + "/hooks/post-checkout");
  ExpectUncreatable(gitdir + "/commondir");
  RunResult r = Sh("printf 'gitdir: ../evil\\n' > lib/.git");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  // The twin: a commit in the submodule, and the superproject's bump, work.
  r =
      Sh("set -e; cd lib; echo t > t; git add t; git commit -q -m t; cd ..; git add lib; "
         "git commit -q -m bump; git log --format=%s -1");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "bump\n");
  ExpectHostGitRunsNothing();
}

TEST_F(GitSurfaceTest, LinkedWorktreeAdminDirsAreProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  InitRepo(ws_);
  std::string wt = root_ / "wt";
  ASSERT_EQ(Host({"/usr/bin/git", "worktree", "add", "-q", "-b", "wt", wt}).exit_code, 0);
  const std::string admin = ws_ + "/.git/worktrees/wt";
  ExpectImmutable(admin + "/commondir");
  ExpectImmutable(admin + "/gitdir");
  ExpectUncreatable(admin + "/config.worktree");
  ExpectHostGitRunsNothing();
  ExpectHostGitRunsNothing(wt);
}

TEST_F(GitSurfaceTest, HooksPathDirectoryInTheWorkspaceIsProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  InitRepo(ws_);
  ASSERT_EQ(Host({"/usr/bin/git", "config", "core.hooksPath", ".husky"}).exit_code, 0);
  MakeDirs(ws_ + "/.husky");
  WriteFile(ws_ + "/.husky/pre-commit", kHook, 0755);
  ExpectImmutable(ws_ + "/.husky");
  ExpectImmutable(ws_ + "/.husky/pre-commit");
  ExpectUncreatable(ws_ + "/.husky/post-checkout");
  ExpectHostGitRunsNothing();
  EXPECT_EQ(ReadFile(ws_ + "/.husky/pre-commit"), kHook);

  // A hooksPath directory that does not exist yet cannot be made (global
  // config this time, in the fake home).
  WriteFile(home_ + "/.gitconfig", "[core]\n\thooksPath = " + ws_ + "/.githooks\n");
  ASSERT_EQ(Host({"/usr/bin/git", "config", "--unset", "core.hooksPath"}).exit_code, 0);
  ExpectMovedOut(ws_ + "/.githooks");
  ExpectHostGitRunsNothing();
}

TEST_F(GitSurfaceTest, IncludeTargetsAndProgramsNamedByConfigAreProtected) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  InitRepo(ws_);
  MakeDirs(ws_ + "/tools");
  MakeDirs(ws_ + "/scripts");
  WriteFile(ws_ + "/tools/fsmon.sh", "#!/bin/sh\nexit 1\n", 0755);
  WriteFile(ws_ + "/scripts/t.sh", "#!/bin/sh\necho t\n", 0755);
  WriteFile(ws_ + "/tools/clean", "#!/bin/sh\ncat\n", 0755);
  WriteFile(ws_ + "/tools/pager", "#!/bin/sh\ncat\n", 0755);
  // An included file names a program too; the conditional include's target
  // does not exist yet.
  WriteFile(ws_ + "/shared.gitconfig", "[core]\n\tpager = tools/pager\n");
  std::string config = ReadFile(ws_ + "/.git/config");
  config +=
      "[core]\n\tfsmonitor = tools/fsmon.sh\n[alias]\n\tt = \"!scripts/t.sh --x\"\n"
      "[filter \"x\"]\n\tclean = ./tools/clean %f\n[include]\n\tpath = ../shared.gitconfig\n"
      "[includeIf \"gitdir:" +
      ws_ + "/\"]\n\tpath = ../cond.gitconfig\n";
  WriteFile(ws_ + "/.git/config", config);
  // The user's global config includes a file of the workspace.
  WriteFile(home_ + "/.gitconfig", "[include]\n\tpath = " + ws_ + "/team.gitconfig\n");
  WriteFile(ws_ + "/team.gitconfig", "[user]\n\tname = team\n");

  for (const char* rel : {"tools/fsmon.sh", "scripts/t.sh", "tools/clean", "tools/pager",
                          "shared.gitconfig", "team.gitconfig"}) {
    ExpectImmutable(ws_ + "/" + rel);
  }
  ExpectMovedOut(ws_ + "/cond.gitconfig");
  // The twin: files next to them that no config names stay writable.
  EXPECT_TRUE(Allowed(Probe({"write", ws_ + "/tools/other.sh", "x\n"})));
  EXPECT_TRUE(Allowed(Probe({"write", ws_ + "/scripts/new.sh", "x\n"})));
  EXPECT_EQ(ReadFile(ws_ + "/tools/fsmon.sh"), "#!/bin/sh\nexit 1\n");
  ExpectHostGitRunsNothing();
}

TEST_F(GitSurfaceTest, OrdinaryGitWorkKeepsWorking) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  std::string remotes = root_ / "remotes";
  ASSERT_NO_FATAL_FAILURE(RepoWithSubmodule());
  MakeDirs(remotes);
  ASSERT_EQ(Host({"/usr/bin/git", "clone", "-q", "--bare", ws_, remotes + "/r.git"}).exit_code, 0);
  ASSERT_EQ(Host({"/usr/bin/git", "remote", "add", "origin", remotes + "/r.git"}).exit_code, 0);
  RunResult r = Sh(
      "set -e; echo b > b; git add b; git commit -q -m b; git branch feat; git checkout -q feat; "
      "echo c > c; git add c; git commit -q -m c; git checkout -q -; echo d > d; git add d; "
      "git commit -q -m d; git checkout -q feat; git rebase -q -; git checkout -q -; "
      "echo e >> b; git stash -q; git stash pop -q; git checkout -q -- b; "
      "git fetch -q origin; git push -q origin HEAD; "
      "(cd lib && echo t > t && git add t && git commit -q -m t); git add lib; "
      "git commit -q -m bump; git gc -q; git log --format=%s -1",
      {"--writable", remotes});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "bump\n");
  RunResult host = Host({"/usr/bin/git", "log", "--format=%s", "-1", "feat"});
  EXPECT_EQ(host.out, "c\n") << host.Describe();
  // Nothing cordon made is left in git's dirs.
  for (const char* rel : {".git/commondir", ".git/config.worktree", ".git/modules/lib/commondir",
                          ".git/modules/lib/config.worktree"}) {
    EXPECT_FALSE(Exists(ws_ + "/" + rel)) << rel;
  }
}

// Class 2: the names placeholders are made under cannot be guessed, so a run
// that squats every name it can think of changes nothing.
TEST_F(GitSurfaceTest, PlaceholderNamesCannotBeSquatted) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  InitRepo(ws_);
  // The old scheme's names for the next pids, and one of the new shape.
  RunResult squat =
      Sh("cd .git; i=1; while [ $i -le 500 ]; do : > commondir.cordon-new-$i; "
         ": > config.worktree.cordon-new-$i; i=$((i+1)); done; : > .commondir.cordon-0");
  ASSERT_EQ(squat.exit_code, 0) << squat.Describe();
  RunResult r = Probe({"write", ws_ + "/.git/commondir", "../evil\n"});
  EXPECT_TRUE(Denied(r, kProtectedOrMissing));
  EXPECT_EQ(r.err.find("degraded"), std::string::npos) << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/.git/commondir"));
}

// Class 2: a protected path that cannot be kept from being created stops the
// run, unless degraded runs were asked for.
TEST_F(GitSurfaceTest, AProtectedPathThatCannotBeProtectedStopsTheRun) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(kNoProtection);
  // Inside a git directory, where missing protected paths get placeholders
  // (in the work tree they get none: issue 14 point 2).
  InitRepo(ws_);
  WriteFile(ws_ + "/.git/notadir", "x\n");
  const std::string target = ws_ + "/.git/notadir/hooks";
  RunResult r = Run({"--protect", target}, {"/bin/true"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find(target), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("--allow-degraded"), std::string::npos) << r.Describe();
  r = Run({"--protect", target, "--allow-degraded"}, {"/bin/true"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find(target), std::string::npos) << r.Describe();
}

// Class 12: a parent the sandbox replaced by a symlink does not lead the
// supervisor outside the workspace.
TEST_F(GitSurfaceTest, SupervisorDoesNotFollowASymlinkedParent) {
  RunResult plant = Sh("ln -s " + outside_ + " sub");
  ASSERT_EQ(plant.exit_code, 0) << plant.Describe();
  RunResult r = Run({"--protect", ws_ + "/sub/hooks"}, {"/bin/true"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(outside_ + "/hooks")) << "the supervisor created a file outside";
}

// Class 3: a deny-listed path inside a writable root stays hidden whatever a
// run renames; two runs in a row.
TEST_F(GitSurfaceTest, RenamingAParentDoesNotUncoverADenyListedPath) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "deny-read paths inside a writable root are refused in this tier (see the twin below)");
  std::string w = root_ / "w";
  MakeDirs(w + "/a/b");
  WriteFile(w + "/a/b/secret", "TOP-SECRET\n");
  std::vector<std::string> opts = {"--writable", w, "--deny-read", w + "/a/b/secret"};
  EXPECT_TRUE(Denied(Probe(opts, {"rename", w + "/a", w + "/a2"}), kProtected));
  EXPECT_TRUE(Denied(Probe(opts, {"rename", w + "/a/b", w + "/a/b2"}), kProtected));
  EXPECT_TRUE(Exists(w + "/a/b/secret"));
  RunResult read = Probe(opts, {"read", w + "/a/b/secret"});
  EXPECT_EQ(read.out.find("TOP-SECRET"), std::string::npos) << read.Describe();
  // The twin: the rest of the writable root can be renamed.
  MakeDirs(w + "/c");
  WriteFile(w + "/c/f", "f\n");
  EXPECT_TRUE(Allowed(Probe(opts, {"rename", w + "/c", w + "/c2"})));
}

// Class 3: no writable root may hold cordon's own state or config, in either
// tier, whether or not they exist yet.
TEST_F(GitSurfaceTest, WritableRootsHoldingCordonsStateAreRefused) {
  MakeDirs(home_ + "/.config");
  for (const std::string& root : {state_, home_ + "/.config"}) {
    RunResult r = Run({"--writable", root}, {"/bin/true"});
    EXPECT_EQ(r.exit_code, 125) << root << "\n" << r.Describe();
    EXPECT_NE(r.err.find("cordon's own"), std::string::npos) << r.Describe();
  }
  EXPECT_FALSE(Exists(state_ + "/cordon/pwned"));
  // The twin: a root beside it is fine.
  std::string beside = state_ + "-other";
  MakeDirs(beside);
  EXPECT_EQ(Run({"--writable", beside}, {"/bin/true"}).exit_code, 0);
}

}  // namespace
}  // namespace cordon::it
