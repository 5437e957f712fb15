// The fixture of the protected-path tests (protect_test.cc,
// git_surface_test.cc): a repository in the workspace, and checks that a path
// cannot be changed or created from a sandbox.
#pragma once

#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

namespace cordon::it {

// Read-only bind (EROFS), Landlock (EACCES), a mount point that can't be
// removed or renamed (EBUSY), or a cross-mount rename (EXDEV). A missing
// protected path may also be held by a read-only placeholder inside the
// sandbox (EEXIST, EISDIR).
inline constexpr std::initializer_list<const char*> kProtected = {"EACCES", "EROFS", "EPERM",
                                                                  "EBUSY", "EXDEV"};
inline constexpr std::initializer_list<const char*> kProtectedOrMissing = {
    "EACCES", "EROFS", "EPERM", "EBUSY", "EXDEV", "ENOENT", "EEXIST", "EISDIR"};

inline constexpr char kHook[] = "#!/bin/sh\necho original hook\n";

class ProtectTest : public SandboxTest {
 protected:
  // A repository in the workspace with a hook, plus .envrc and .cordon.toml.
  void MakeRepo() {
    InitRepo(ws_);
    WriteFile(ws_ + "/.git/hooks/pre-commit", kHook, 0755);
    WriteFile(ws_ + "/.envrc", "export ORIGINAL=1\n");
    WriteFile(ws_ + "/.cordon.toml", "# project policy: nothing to narrow\n");
  }

  RunResult Sh(const std::string& script, std::vector<std::string> opts = {}) {
    auto git = GitEnvFlags();
    opts.insert(opts.end(), git.begin(), git.end());
    return Run(opts, {"/bin/sh", "-c", script});
  }

  // Every write-like operation on path fails.
  void ExpectImmutable(const std::string& path, const std::vector<std::string>& opts = {}) {
    SCOPED_TRACE(path);
    struct stat st {};
    ASSERT_EQ(lstat(path.c_str(), &st), 0);
    if (!S_ISDIR(st.st_mode)) {
      EXPECT_TRUE(Denied(Probe(opts, {"write", path, "pwned\n"}), kProtected));
      EXPECT_TRUE(Denied(Probe(opts, {"append", path, "pwned\n"}), kProtected));
      EXPECT_TRUE(Denied(Probe(opts, {"truncate", path}), kProtected));
      EXPECT_TRUE(Denied(Probe(opts, {"unlink", path}), kProtected));
    }
    EXPECT_TRUE(Denied(Probe(opts, {"rename", path, ws_ + "/moved-away"}), kProtected));
    EXPECT_TRUE(Denied(Probe(opts, {"chmod", path, "777"}), kProtected));
    EXPECT_TRUE(Denied(Probe(opts, {"setxattr", path, "user.cordon", "x"}), kProtected));
    EXPECT_FALSE(Exists(ws_ + "/moved-away"));
  }

  // What the host's git would use in WS now: its hooks dir and config must
  // be the originals (or there is no repository at all: nothing runs).
  void ExpectHostGitUnchanged(const Snapshot& hooks, const std::string& config) {
    Env env = env_;
    env["GIT_CEILING_DIRECTORIES"] = root_.path();
    auto git = [&](std::vector<std::string> args) {
      args.insert(args.begin(), {"/usr/bin/git", "-C", ws_});
      return RunProcess(args, env, ws_);
    };
    RunResult dir = git({"rev-parse", "--path-format=absolute", "--git-path", "hooks"});
    if (dir.exit_code != 0) return;
    std::string hooks_dir = dir.out.substr(0, dir.out.find('\n'));
    EXPECT_EQ(DiffSnapshots(hooks, TakeSnapshot(hooks_dir)), "")
        << "git on the host would use " << hooks_dir;
    RunResult cfg = git({"rev-parse", "--path-format=absolute", "--git-path", "config"});
    std::string config_path = cfg.out.substr(0, cfg.out.find('\n'));
    EXPECT_EQ(ReadFile(config_path), config) << "git on the host would use " << config_path;
    RunResult hooks_path = git({"config", "core.hooksPath"});
    EXPECT_NE(hooks_path.exit_code, 0) << "core.hooksPath was set: " << hooks_path.out;
  }

  // A file planted at path (missing) is refused.
  void ExpectUncreatable(const std::string& path, const std::vector<std::string>& opts = {}) {
    SCOPED_TRACE(path);
    WriteFile(ws_ + "/evil", "#!/bin/sh\necho pwned\n", 0755);
    EXPECT_TRUE(Denied(Probe(opts, {"write", path, "pwned\n"}), kProtectedOrMissing));
    EXPECT_TRUE(Denied(Probe(opts, {"mkdir", path}), kProtectedOrMissing));
    EXPECT_TRUE(Denied(Probe(opts, {"symlink", ws_ + "/evil", path}), kProtectedOrMissing));
    EXPECT_TRUE(Denied(Probe(opts, {"link", ws_ + "/evil", path}), kProtectedOrMissing));
    EXPECT_TRUE(Denied(Probe(opts, {"rename", ws_ + "/evil", path}), kProtectedOrMissing));
    EXPECT_FALSE(Exists(path));
  }

  // A missing protected path in the work tree: the run may create it (no
  // placeholder there, which git would list), and it is moved out of the
  // tree once the run ends, whatever it was made as.
  void ExpectMovedOut(const std::string& path, const std::vector<std::string>& opts = {}) {
    SCOPED_TRACE(path);
    WriteFile(ws_ + "/evil", "#!/bin/sh\necho pwned\n", 0755);
    for (const std::vector<std::string>& make : {std::vector<std::string>{"write", path, "pwned\n"},
                                                 {"mkdir", path},
                                                 {"symlink", ws_ + "/evil", path}}) {
      RunResult r = Probe(opts, make);
      EXPECT_TRUE(Allowed(r)) << r.Describe();
      EXPECT_FALSE(Exists(path)) << make.front() << " stayed";
      EXPECT_NE(r.err.find("moved " + path), std::string::npos) << r.Describe();
    }
  }
};

}  // namespace cordon::it
