// Property 1: writes outside the workspace and --writable roots fail, by every
// route (plain path, "..", symlinks, hardlinks, rename, /proc/self/root,
// /proc/self/cwd), and so do metadata changes (chmod, chown, utimes, xattrs,
// ACLs); the host file is checked unchanged afterwards. The twins: normal
// work inside the workspace (create, modify, delete, rename, mkdir, chmod,
// xattrs, git) goes on, a --writable root is writable, --mode read-only makes
// the workspace read-only.
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "harness.h"

namespace cordon::it {
namespace {

// Errnos a write outside may get: Landlock says EACCES, a read-only mount
// EROFS; a path the view hides does not exist at all (ENOENT).
constexpr std::initializer_list<const char*> kWriteDenied = {"EACCES", "EROFS"};
constexpr std::initializer_list<const char*> kWriteDeniedOrHidden = {"EACCES", "EROFS", "ENOENT"};

class FsWriteTest : public SandboxTest {
 protected:
  std::string target() const { return outside_ + "/target.txt"; }
  // The outside dir, visible read-only inside: the interesting case, since
  // the sandbox can see the file it must not change.
  std::vector<std::string> ReadOutside() const { return {"--read", outside_}; }
};

TEST_F(FsWriteTest, WorkspaceCreateModifyDeleteRenameMkdirWork) {
  EXPECT_TRUE(Allowed(Probe({"write", ws_ + "/new.txt", "created\n"})));
  EXPECT_EQ(ReadFile(ws_ + "/new.txt"), "created\n");

  EXPECT_TRUE(Allowed(Probe({"append", ws_ + "/new.txt", "more\n"})));
  EXPECT_EQ(ReadFile(ws_ + "/new.txt"), "created\nmore\n");

  EXPECT_TRUE(Allowed(Probe({"rename", ws_ + "/new.txt", ws_ + "/renamed.txt"})));
  EXPECT_FALSE(Exists(ws_ + "/new.txt"));
  EXPECT_EQ(ReadFile(ws_ + "/renamed.txt"), "created\nmore\n");

  EXPECT_TRUE(Allowed(Probe({"mkdir", ws_ + "/dir"})));
  EXPECT_TRUE(Allowed(Probe({"write", "dir/relative.txt", "rel\n"})));  // cwd is the workspace
  EXPECT_EQ(ReadFile(ws_ + "/dir/relative.txt"), "rel\n");

  EXPECT_TRUE(Allowed(Probe({"unlink", ws_ + "/renamed.txt"})));
  EXPECT_FALSE(Exists(ws_ + "/renamed.txt"));
  EXPECT_TRUE(Allowed(Probe({"unlink", ws_ + "/dir/relative.txt"})));
  EXPECT_TRUE(Allowed(Probe({"rmdir", ws_ + "/dir"})));
  EXPECT_FALSE(Exists(ws_ + "/dir"));

  // Links and symlinks that stay inside the workspace are fine.
  WriteFile(ws_ + "/a.txt", "a\n");
  EXPECT_TRUE(Allowed(Probe({"link", ws_ + "/a.txt", ws_ + "/hard.txt"})));
  EXPECT_TRUE(Allowed(Probe({"symlink", "a.txt", ws_ + "/soft.txt"})));
  EXPECT_TRUE(Allowed(Probe({"append", ws_ + "/soft.txt", "b\n"})));
  EXPECT_EQ(ReadFile(ws_ + "/hard.txt"), "a\nb\n");
}

TEST_F(FsWriteTest, WorkspaceMetadataChangesWork) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "chown and xattrs by path are refused everywhere (chmod and utimes: NamespacelessTest)");
  std::string f = ws_ + "/meta.txt";
  WriteFile(f, "meta\n", 0644);
  EXPECT_TRUE(Allowed(Probe({"chmod", f, "600"})));
  EXPECT_TRUE(Allowed(Probe({"chown", f})));
  EXPECT_TRUE(Allowed(Probe({"utimes", f})));
  EXPECT_TRUE(Allowed(Probe({"setxattr", f, "user.cordon", "inside"})));
  EXPECT_TRUE(Allowed(Probe({"setacl", f})));

  struct stat st {};
  ASSERT_EQ(lstat(f.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtim.tv_sec, 12345);  // utimes landed on the host file
  EXPECT_EQ(st.st_uid, getuid());       // chown to "self" inside is self outside
  char value[64] = {};
  ASSERT_EQ(getxattr(f.c_str(), "user.cordon", value, sizeof value), 6);
  EXPECT_STREQ(value, "inside");
  // setacl's ACL is user::rw- group::r-- other::rwx: mode bits follow it.
  EXPECT_EQ(st.st_mode & 0777, 0647u);
}

TEST_F(FsWriteTest, PlainPathWritesOutsideFail) {
  auto opts = ReadOutside();
  EXPECT_TRUE(Denied(Probe(opts, {"write", target()}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"append", target()}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"truncate", target()}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"unlink", target()}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", outside_ + "/new.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"mkdir", outside_ + "/newdir"}), kWriteDenied));
  // Without --read the outside dir does not even exist in the view.
  EXPECT_TRUE(Denied(Probe({"write", target()}), kWriteDeniedOrHidden));
  // The home (an empty read-only view), system dirs, the root, the parent of
  // the workspace. As root too: root in the sandbox is not root on the host.
  std::string name = "cordon-it-" + RandomToken();
  for (const std::string& dir :
       {home_, std::string("/etc"), std::string("/usr"), std::string(""), root_.path()}) {
    EXPECT_TRUE(Denied(Probe(opts, {"write", dir + "/" + name}), kWriteDenied)) << dir;
    EXPECT_FALSE(Exists(dir + "/" + name)) << dir;
    unlink((dir + "/" + name).c_str());  // only if the sandbox failed
  }
  EXPECT_EQ(ReadFile(target()), "original outside\n");
  EXPECT_FALSE(Exists(outside_ + "/new.txt"));
  EXPECT_FALSE(Exists(outside_ + "/newdir"));
}

TEST_F(FsWriteTest, DotDotWritesOutsideFail) {
  auto opts = ReadOutside();
  EXPECT_TRUE(Denied(Probe(opts, {"write", "../outside/target.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", ws_ + "/../outside/target.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", ws_ + "/../escape.txt"}), kWriteDenied));
  EXPECT_TRUE(
      Denied(Probe(opts, {"write", "../../../../../../../tmp/../" + root_.path() + "/escape.txt"}),
             kWriteDenied));
  EXPECT_EQ(ReadFile(target()), "original outside\n");
  EXPECT_FALSE(Exists(root_ / "escape.txt"));
}

TEST_F(FsWriteTest, SymlinksPlantedInWorkspaceDoNotLeadOut) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("chmod by path fails with EPERM (seccomp), not EACCES/EROFS");
  // Planted by the host (e.g. a cloned repository that contains them).
  ASSERT_EQ(symlink(target().c_str(), (ws_ + "/link-file").c_str()), 0);
  ASSERT_EQ(symlink(outside_.c_str(), (ws_ + "/link-dir").c_str()), 0);
  ASSERT_EQ(symlink(home_.c_str(), (ws_ + "/link-home").c_str()), 0);
  ASSERT_EQ(symlink("../outside/target.txt", (ws_ + "/link-rel").c_str()), 0);
  Snapshot before_out = TakeSnapshot(outside_);
  Snapshot before_home = TakeSnapshot(home_, {kCacheLayers});
  for (const auto& opts : {std::vector<std::string>{}, ReadOutside()}) {
    EXPECT_TRUE(Denied(Probe(opts, {"write", ws_ + "/link-file"}), kWriteDeniedOrHidden));
    EXPECT_TRUE(Denied(Probe(opts, {"append", ws_ + "/link-rel"}), kWriteDeniedOrHidden));
    EXPECT_TRUE(Denied(Probe(opts, {"write", ws_ + "/link-dir/new.txt"}), kWriteDeniedOrHidden));
    EXPECT_TRUE(Denied(Probe(opts, {"write", ws_ + "/link-home/.bashrc"}), kWriteDeniedOrHidden));
    EXPECT_TRUE(Denied(Probe(opts, {"chmod", ws_ + "/link-file", "777"}), kWriteDeniedOrHidden));
  }
  // Planted from inside: creating the symlink works (it is a workspace
  // entry), following it out does not.
  EXPECT_TRUE(Allowed(Probe({"symlink", target(), ws_ + "/planted"})));
  EXPECT_TRUE(Denied(Probe(ReadOutside(), {"write", ws_ + "/planted"}), kWriteDenied));
  EXPECT_EQ(DiffSnapshots(before_out, TakeSnapshot(outside_)), "");
  EXPECT_EQ(DiffSnapshots(before_home, TakeSnapshot(home_, {kCacheLayers})), "");
}

TEST_F(FsWriteTest, HardlinksToOutsideFilesCannotBeMade) {
  const std::initializer_list<const char*> kLinkDenied = {"EXDEV", "EACCES", "EROFS", "EPERM"};
  EXPECT_TRUE(Denied(Probe(ReadOutside(), {"link", target(), ws_ + "/hl"}), kLinkDenied));
  EXPECT_TRUE(Denied(Probe({"link", home_ + "/.gitconfig", ws_ + "/hl2"}), kLinkDenied));
  EXPECT_TRUE(Denied(Probe({"link", "/etc/passwd", ws_ + "/hl3"}), kLinkDenied));
  EXPECT_FALSE(Exists(ws_ + "/hl"));
  EXPECT_FALSE(Exists(ws_ + "/hl2"));
  EXPECT_FALSE(Exists(ws_ + "/hl3"));
  struct stat st {};
  ASSERT_EQ(stat(target().c_str(), &st), 0);
  EXPECT_EQ(st.st_nlink, 1u);
}

TEST_F(FsWriteTest, RenameOutOfOrIntoWorkspaceFails) {
  const std::initializer_list<const char*> kRenameDenied = {"EXDEV", "EACCES", "EROFS"};
  WriteFile(ws_ + "/inner.txt", "inner\n");
  EXPECT_TRUE(Denied(Probe(ReadOutside(), {"rename", ws_ + "/inner.txt", outside_ + "/inner.txt"}),
                     kRenameDenied));
  EXPECT_TRUE(
      Denied(Probe(ReadOutside(), {"rename", target(), ws_ + "/stolen.txt"}), kRenameDenied));
  EXPECT_TRUE(Denied(Probe({"rename", ws_ + "/inner.txt", home_ + "/inner.txt"}), kRenameDenied));
  EXPECT_TRUE(Denied(Probe({"rename", home_ + "/.gitconfig", ws_ + "/gitconfig"}), kRenameDenied));
  EXPECT_EQ(ReadFile(ws_ + "/inner.txt"), "inner\n");
  EXPECT_EQ(ReadFile(target()), "original outside\n");
  EXPECT_FALSE(Exists(outside_ + "/inner.txt"));
  EXPECT_FALSE(Exists(home_ + "/inner.txt"));
  EXPECT_FALSE(Exists(ws_ + "/stolen.txt"));
  EXPECT_TRUE(Exists(home_ + "/.gitconfig"));
}

TEST_F(FsWriteTest, ProcSelfRootAndCwdRoutesFail) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("chmod by path fails with EPERM (seccomp), not EACCES/EROFS");
  auto opts = ReadOutside();
  EXPECT_TRUE(Denied(Probe(opts, {"write", "/proc/self/root" + target()}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", "/proc/self/root" + home_ + "/x"}), kWriteDenied));
  std::string etc_file = "/etc/cordon-it-" + RandomToken();
  EXPECT_TRUE(Denied(Probe(opts, {"write", "/proc/self/root" + etc_file}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", "/proc/1/root" + target()}),
                     {"EACCES", "EROFS", "ENOENT"}));  // init's root may be unreadable
  EXPECT_TRUE(Denied(Probe(opts, {"write", "/proc/self/cwd/../escape.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", "/proc/self/cwd/../outside/target.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"chmod", "/proc/self/root" + target(), "777"}), kWriteDenied));
  EXPECT_EQ(ReadFile(target()), "original outside\n");
  EXPECT_FALSE(Exists(root_ / "escape.txt"));
  EXPECT_FALSE(Exists(home_ + "/x"));
  EXPECT_FALSE(Exists(etc_file));
  unlink(etc_file.c_str());  // only if the sandbox failed
}

TEST_F(FsWriteTest, MetadataChangesOutsideFail) {
  const std::initializer_list<const char*> kMetaDenied = {"EACCES", "EROFS", "EPERM"};
  ASSERT_EQ(setxattr(target().c_str(), "user.cordon-test", "keep", 4, 0), 0);
  Snapshot before_out = TakeSnapshot(outside_);
  Snapshot before_home = TakeSnapshot(home_, {kCacheLayers});
  // Visible files the sandbox must not change: a --read file, the
  // --read directory itself, allowlisted toolchain files of the home.
  for (const std::string& path : {target(), outside_, home_ + "/.gitconfig",
                                  home_ + "/.cargo/bin/cargo-fake", home_ + "/.cargo/bin", home_}) {
    SCOPED_TRACE(path);
    EXPECT_TRUE(Denied(Probe(ReadOutside(), {"chmod", path, "777"}), kMetaDenied));
    EXPECT_TRUE(Denied(Probe(ReadOutside(), {"chown", path}), kMetaDenied));
    EXPECT_TRUE(Denied(Probe(ReadOutside(), {"utimes", path}), kMetaDenied));
    EXPECT_TRUE(Denied(Probe(ReadOutside(), {"setxattr", path, "user.cordon", "x"}), kMetaDenied));
    EXPECT_TRUE(Denied(Probe(ReadOutside(), {"setacl", path}), kMetaDenied));
  }
  EXPECT_EQ(DiffSnapshots(before_out, TakeSnapshot(outside_)), "");
  EXPECT_EQ(DiffSnapshots(before_home, TakeSnapshot(home_, {kCacheLayers})), "");
}

TEST_F(FsWriteTest, GitInitAddCommitWork) {
  auto opts = GitEnvFlags();
  RunResult r = Run(opts, {"/bin/sh", "-c",
                           "set -e; git init -q proj; cd proj; echo hi > a.txt; git add a.txt; "
                           "git commit -q -m first; echo more >> a.txt; git commit -q -am second; "
                           "git log --format=%s"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "second\nfirst\n");
  RunResult host = Host({"/usr/bin/git", "-C", ws_ + "/proj", "log", "--format=%s"});
  EXPECT_EQ(host.out, "second\nfirst\n") << host.Describe();
}

TEST_F(FsWriteTest, WritableRootIsWritableAndOnlyWithTheFlag) {
  std::string extra = root_ / "extra";
  MakeDirs(extra);
  EXPECT_TRUE(Denied(Probe({"write", extra + "/no.txt"}), kWriteDeniedOrHidden));
  EXPECT_FALSE(Exists(extra + "/no.txt"));
  EXPECT_TRUE(Allowed(Probe({"--writable", extra}, {"write", extra + "/yes.txt", "yes\n"})));
  EXPECT_EQ(ReadFile(extra + "/yes.txt"), "yes\n");
  EXPECT_TRUE(Allowed(Probe({"--writable", extra}, {"mkdir", extra + "/sub"})));
  EXPECT_TRUE(Exists(extra + "/sub"));
  // A --writable root does not widen anything next to it.
  EXPECT_TRUE(
      Denied(Probe({"--writable", extra, "--read", outside_}, {"write", target()}), kWriteDenied));
  EXPECT_EQ(ReadFile(target()), "original outside\n");
}

TEST_F(FsWriteTest, ReadOnlyModeMakesWorkspaceReadOnly) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("/tmp is the host's there, not private");
  WriteFile(ws_ + "/existing.txt", "existing\n");
  std::vector<std::string> ro = {"--mode", "read-only"};
  RunResult read = Probe(ro, {"read", ws_ + "/existing.txt"});
  EXPECT_TRUE(Allowed(read));
  EXPECT_EQ(read.Data(), std::vector<std::string>{"existing"});
  EXPECT_TRUE(Denied(Probe(ro, {"write", ws_ + "/existing.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(ro, {"write", ws_ + "/new.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(ro, {"unlink", ws_ + "/existing.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(ro, {"mkdir", ws_ + "/dir"}), kWriteDenied));
  EXPECT_TRUE(
      Denied(Probe(ro, {"chmod", ws_ + "/existing.txt", "777"}), {"EACCES", "EROFS", "EPERM"}));
  EXPECT_EQ(ReadFile(ws_ + "/existing.txt"), "existing\n");
  EXPECT_EQ(ListDir(ws_), std::vector<std::string>{"existing.txt"});
  // /tmp stays writable in read-only mode: it is private.
  EXPECT_TRUE(Allowed(Probe(ro, {"write", "/tmp/scratch"})));
}

TEST_F(FsWriteTest, FullAccessModeIsUnconfinedAndSaysSo) {
  RunResult r = Probe({"--mode", "full-access"}, {"write", target(), "changed\n"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_NE(r.err.find("unconfined"), std::string::npos) << r.Describe();
  EXPECT_EQ(ReadFile(target()), "changed\n");
}

}  // namespace
}  // namespace cordon::it

namespace cordon::it {
namespace {

// The kernel checks sysctl writes by uid alone, so a sandbox run by root
// (uid 0 on the host) must not get a writable /proc/sys: core_pattern alone
// would give a root shell outside. Opened for writing only, never written.
TEST_F(SandboxTest, HostSysctlsCannotBeOpenedForWriting) {
  const std::string script =
      "import os\n"
      "for p in ['/proc/sys/kernel/core_pattern', '/proc/sys/vm/swappiness']:\n"
      "    try:\n"
      "        os.close(os.open(p, os.O_WRONLY)); print(p, 'opened')\n"
      "    except OSError as e: print(p, e.strerror)\n";
  RunResult r = Run({}, {"/usr/bin/python3", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find("opened"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("core_pattern"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace cordon::it
