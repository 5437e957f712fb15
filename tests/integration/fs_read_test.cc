// Property 2: the home is hidden. Only the toolchain allowlist and --read
// paths are visible, read-only; the deny list (and --deny-read) stays
// invisible even under an allowed parent or inside the workspace; a secret
// read gets ENOENT or EACCES and its bytes never reach stdout or stderr (the
// fixture checks every run for the fake home's secret). /tmp is private,
// empty at start and gone at the end; /run, /var/run and $XDG_RUNTIME_DIR are
// hidden; /proc is the sandbox's own; /dev is minimal.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "harness.h"

namespace cordon::it {
namespace {

constexpr std::initializer_list<const char*> kHidden = {"ENOENT", "EACCES"};
constexpr std::initializer_list<const char*> kWriteDenied = {"EACCES", "EROFS"};

class FsReadTest : public SandboxTest {
 protected:
  // Every deny-listed file of the fake home must be unreadable under opts.
  void ExpectSecretsHidden(const std::vector<std::string>& opts) {
    for (const auto& rel : fake_home_.secret_files()) {
      EXPECT_TRUE(Denied(Probe(opts, {"read", home_ + "/" + rel}), kHidden)) << rel;
    }
    // Through other spellings of the same paths, and with cat for good measure.
    EXPECT_TRUE(
        Denied(Probe(opts, {"read", "/proc/self/root" + home_ + "/.ssh/id_ed25519"}), kHidden));
    EXPECT_TRUE(Denied(Probe(opts, {"read", ws_ + "/../home/.ssh/id_ed25519"}), kHidden));
    RunResult cat =
        Run(opts, {"/bin/cat", home_ + "/.ssh/id_ed25519", home_ + "/.aws/credentials"});
    EXPECT_NE(cat.exit_code, 0) << cat.Describe();
  }
};

TEST_F(FsReadTest, HomeShowsOnlyTheAllowlist) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "the home cannot be listed (EACCES), rather than shown as an empty view");
  RunResult r = Probe({"ls", home_});
  ASSERT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data(), FakeHome::VisibleTopLevel());
  r = Probe({"ls", home_ + "/.config"});
  ASSERT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data(), std::vector<std::string>{"git"});
  r = Probe({"ls", home_ + "/.cargo"});
  ASSERT_TRUE(Allowed(r));
  // bin, and the mountpoints of cargo's cache layers.
  EXPECT_EQ(r.Data(), (std::vector<std::string>{"bin", "git", "registry"}));
  r = Probe({"ls", home_ + "/.local"});
  ASSERT_TRUE(Allowed(r));
  // bin, and share/ leading to pnpm's store.
  EXPECT_EQ(r.Data(), (std::vector<std::string>{"bin", "share"}));
  // Private files outside the allowlist are simply not there.
  EXPECT_TRUE(Denied(Probe({"read", home_ + "/Documents/private.txt"}), kHidden));
  EXPECT_TRUE(Denied(Probe({"read", home_ + "/.bashrc"}), kHidden));
}

TEST_F(FsReadTest, AllowlistedToolchainIsReadableAndRunnableButReadOnly) {
  RunResult r = Run({}, {home_ + "/.cargo/bin/cargo-fake"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "cargo-fake\n");
  r = Probe({"read", home_ + "/.gitconfig"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_NE(r.out.find("Fake User"), std::string::npos);
  Snapshot before = TakeSnapshot(home_, {kCacheLayers});
  EXPECT_TRUE(Denied(Probe({"write", home_ + "/.gitconfig"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe({"write", home_ + "/.cargo/bin/cargo-fake"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe({"write", home_ + "/.cargo/bin/new-tool"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe({"write", home_ + "/.profile"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe({"mkdir", home_ + "/.cache/new"}), kWriteDenied));
  EXPECT_EQ(DiffSnapshots(before, TakeSnapshot(home_, {kCacheLayers})), "");
}

TEST_F(FsReadTest, SecretsAreUnreadableByDefault) { ExpectSecretsHidden({}); }

TEST_F(FsReadTest, ReadOfTheWholeHomeStillHidesTheDenyList) {
  std::vector<std::string> opts = {"--read", home_};
  // The twin: the ordinary private file is readable now.
  RunResult r = Probe(opts, {"read", home_ + "/Documents/private.txt"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_NE(r.out.find(fake_home_.private_token()), std::string::npos);
  ExpectSecretsHidden(opts);
}

// --read of a deny-listed path would do nothing: it is refused (exit 125,
// nothing runs) with the way to lift the rule; lifting the rule alone
// shows nothing either (the home stays hidden), and the rest stays denied.
TEST_F(FsReadTest, ReadOfSshStillDenied) {
  for (const std::string& path : {home_ + "/.ssh", home_ + "/.ssh/id_ed25519"}) {
    RunResult r = Run({"--read", path}, {"/bin/cat", home_ + "/.ssh/id_ed25519"});
    EXPECT_EQ(r.exit_code, 125) << r.Describe();
    EXPECT_NE(r.err.find("--unhide " + home_ + "/.ssh"), std::string::npos) << r.Describe();
  }
  ExpectSecretsHidden({"--unhide", home_ + "/.ssh"});
}

TEST_F(FsReadTest, DenyListHiddenUnderAnAllowedParent) {
  std::vector<std::string> opts = {"--read",          home_ + "/.config", "--read",
                                   home_ + "/.cargo", "--read",           home_ + "/.local"};
  EXPECT_TRUE(Allowed(Probe(opts, {"read", home_ + "/.config/app/settings.ini"})));
  EXPECT_TRUE(Denied(Probe(opts, {"read", home_ + "/.config/gh/hosts.yml"}), kHidden));
  EXPECT_TRUE(Denied(Probe(opts, {"read", home_ + "/.config/gcloud/credentials.db"}), kHidden));
  EXPECT_TRUE(Denied(Probe(opts, {"read", home_ + "/.cargo/credentials.toml"}), kHidden));
  EXPECT_TRUE(
      Denied(Probe(opts, {"read", home_ + "/.local/share/keyrings/login.keyring"}), kHidden));
  RunResult ls = Probe(opts, {"ls", home_ + "/.config/gh"});
  EXPECT_TRUE(ls.Data().empty()) << "deny-listed directory content listed\n" << ls.Describe();
  ExpectSecretsHidden(opts);
}

TEST_F(FsReadTest, ReadFlagMakesAPathReadableNotWritable) {
  std::string notes = home_ + "/projects/notes";
  RunResult r = Probe({"read", notes + "/readme.txt"});
  EXPECT_TRUE(Denied(r, kHidden));
  EXPECT_EQ(r.out.find(fake_home_.private_token()), std::string::npos);

  std::vector<std::string> opts = {"--read", notes};
  r = Probe(opts, {"read", notes + "/readme.txt"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_NE(r.out.find(fake_home_.private_token()), std::string::npos);
  EXPECT_TRUE(Denied(Probe(opts, {"write", notes + "/readme.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"write", notes + "/new.txt"}), kWriteDenied));
  EXPECT_TRUE(Denied(Probe(opts, {"unlink", notes + "/readme.txt"}), kWriteDenied));
  // A sibling of the --read path stays hidden.
  EXPECT_TRUE(Denied(Probe(opts, {"read", home_ + "/Documents/private.txt"}), kHidden));
  EXPECT_EQ(ReadFile(notes + "/readme.txt"), "notes " + fake_home_.private_token() + "\n");
  EXPECT_FALSE(Exists(notes + "/new.txt"));
}

TEST_F(FsReadTest, DenyReadFlagHidesWorkspaceFiles) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "a deny-read path inside the writable workspace cannot be carved out of Landlock; the run is "
      "refused naming it");
  std::string token = "WS-SECRET-" + RandomToken();
  WriteFile(ws_ + "/secret.txt", token + "\n");
  MakeDirs(ws_ + "/private");
  WriteFile(ws_ + "/private/key.pem", token + "\n");
  WriteFile(ws_ + "/public.txt", "public\n");
  // Twin: readable without the flag.
  EXPECT_TRUE(Allowed(Probe({"read", ws_ + "/secret.txt"})));

  std::vector<std::string> opts = {"--deny-read", ws_ + "/secret.txt", "--deny-read",
                                   ws_ + "/private"};
  for (const std::string& path :
       {ws_ + "/secret.txt", ws_ + "/private/key.pem", std::string("secret.txt"),
        std::string("/proc/self/cwd/private/key.pem")}) {
    RunResult r = Probe(opts, {"read", path});
    EXPECT_TRUE(Denied(r, kHidden)) << path;
    EXPECT_EQ(r.out.find(token), std::string::npos) << r.Describe();
  }
  RunResult r = Run(opts, {"/bin/sh", "-c", "cat * private/* 2>&1; grep -r . . 2>&1; true"});
  EXPECT_EQ(r.out.find(token), std::string::npos) << r.Describe();
  EXPECT_TRUE(Allowed(Probe(opts, {"read", ws_ + "/public.txt"})));
}

TEST_F(FsReadTest, TmpIsPrivateEmptyAndGoneAtTheEnd) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("/tmp is the host's; TMPDIR is private (NamespacelessTest)");
  TempDir host_tmp("cordon-it-hosttmp-", "/tmp");
  WriteFile(host_tmp / "host-file", "host\n");

  // Empty at start; when the test root itself lives under /tmp (fallback
  // base), its top directory is the one expected entry.
  std::vector<std::string> expected;
  if (root_.path().rfind("/tmp/", 0) == 0)
    expected.push_back(root_.path().substr(5, root_.path().find('/', 5) - 5));
  RunResult r = Probe({"ls", "/tmp"});
  ASSERT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data(), expected);
  EXPECT_TRUE(Denied(Probe({"read", host_tmp / "host-file"}), kHidden));

  std::string name = "cordon-it-inside-" + RandomToken();
  RunResult w = Run(
      {}, {"/bin/sh", "-c",
           "echo inside > /tmp/" + name + " && mkdir /tmp/" + name + ".d && ls /tmp && mktemp"});
  EXPECT_EQ(w.exit_code, 0) << w.Describe();
  EXPECT_FALSE(Exists("/tmp/" + name));
  EXPECT_FALSE(Exists("/tmp/" + name + ".d"));
  // The next run starts with an empty /tmp again.
  r = Probe({"ls", "/tmp"});
  ASSERT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data(), expected);
}

TEST_F(FsReadTest, WorkspaceUnderHostTmpIsBoundIntoThePrivateTmp) {
  TempDir tmp_root("cordon-it-tmpws-", "/tmp");
  std::string ws = tmp_root / "ws";
  MakeDirs(ws);
  WriteFile(tmp_root / "sibling.txt", "sibling\n");
  auto run = [&](const std::vector<std::string>& probe_args) {
    std::vector<std::string> argv = {CordonBin(), "run",  "--workspace", ws,    "--no-config",
                                     "--read",    tools_, "--",          probe_};
    argv.insert(argv.end(), probe_args.begin(), probe_args.end());
    return RunProcess(argv, env_, ws);
  };
  EXPECT_TRUE(Allowed(run({"write", ws + "/out.txt", "from tmp ws\n"})));
  EXPECT_EQ(ReadFile(ws + "/out.txt"), "from tmp ws\n");
  // The workspace's host siblings are not there: the directories around the
  // bound workspace belong to the private /tmp, so a write there lands in
  // the private tmpfs (or fails), never on the host.
  EXPECT_TRUE(Denied(run({"read", tmp_root / "sibling.txt"}), kHidden));
  RunResult w = run({"write", tmp_root / "sibling.txt", "overwritten\n"});
  EXPECT_EQ(ReadFile(tmp_root / "sibling.txt"), "sibling\n") << w.Describe();
  EXPECT_EQ(ListDir(tmp_root.path()), (std::vector<std::string>{"sibling.txt", "ws"}));
}

TEST_F(FsReadTest, OutsidePathsAreUnreadable) {
  // Outside the home, paths that are not granted may still be stat()able
  // (Landlock restricts access, not existence), but never read or listed.
  EXPECT_TRUE(Denied(Probe({"read", outside_ + "/target.txt"}), kHidden));
  EXPECT_TRUE(Denied(Probe({"ls", outside_}), kHidden));
  EXPECT_TRUE(Denied(Probe({"ls", root_.path()}), kHidden));
  // The twin: --read makes it visible.
  RunResult r = Probe({"--read", outside_}, {"read", outside_ + "/target.txt"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data(), std::vector<std::string>{"original outside"});
}

TEST_F(FsReadTest, SocketDirectoriesAreHidden) {
  WriteFile(runtime_ + "/marker", "runtime\n");
  EXPECT_TRUE(Denied(Probe({"read", runtime_ + "/marker"}), kHidden));
  for (const char* dir : {"/run", "/var/run"}) {
    RunResult r = Probe({"ls", dir});
    // Either an empty directory or no directory at all.
    if (r.exit_code == 0) {
      EXPECT_TRUE(r.Data().empty()) << dir << " is not empty inside\n" << r.Describe();
    } else {
      EXPECT_TRUE(Denied(r, kHidden)) << dir;
    }
  }
}

TEST_F(FsReadTest, SystemDirsAreReadableAndReadOnly) {
  RunResult r = Probe({"read", "/etc/passwd"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_NE(r.out.find("root:"), std::string::npos);
  // Harmless even if confinement failed: an empty append changes nothing,
  // new files have unique names and are removed.
  EXPECT_TRUE(Denied(Probe({"append", "/etc/passwd", ""}), kWriteDenied));
  std::string name = "cordon-it-" + RandomToken();
  for (const std::string dir : {"/usr/bin", "/bin", "/etc", "/opt"}) {
    if (!Exists(dir)) continue;
    EXPECT_TRUE(Denied(Probe({"write", dir + "/" + name}), kWriteDenied)) << dir;
    EXPECT_FALSE(Exists(dir + "/" + name));
    unlink((dir + "/" + name).c_str());
  }
  RunResult sh = Run({}, {"/bin/sh", "-c", "echo works"});
  EXPECT_EQ(sh.out, "works\n") << sh.Describe();
}

TEST_F(FsReadTest, ProcIsTheSandboxesOwn) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("host processes are visible in /proc");
  RunResult r = Probe({"pids"});
  ASSERT_TRUE(Allowed(r));
  auto pids = r.Data();
  EXPECT_LE(pids.size(), 4u) << "more processes than cordon's init and the probe\n" << r.Describe();
  for (const auto& p : pids) {
    EXPECT_LT(std::stol(p), 100) << r.Describe();
  }
  EXPECT_TRUE(Allowed(Probe({"read", "/proc/self/status"})));
}

TEST_F(FsReadTest, DevIsMinimal) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("/dev is the host's; only the allowlisted nodes can be opened");
  RunResult r = Probe({"ls", "/dev"});
  ASSERT_TRUE(Allowed(r));
  const auto names = r.Data();
  std::set<std::string> seen(names.begin(), names.end());
  for (const char* needed :
       {"null", "zero", "full", "random", "urandom", "tty", "ptmx", "pts", "shm"}) {
    EXPECT_EQ(seen.count(needed), 1u) << "/dev/" << needed << " missing\n" << r.Describe();
  }
  const std::set<std::string> allowed = {"null",   "zero", "full",    "random", "urandom", "tty",
                                         "ptmx",   "pts",  "shm",     "fd",     "stdin",   "stdout",
                                         "stderr", "core", "console", "mqueue"};
  for (const auto& name : seen) {
    EXPECT_EQ(allowed.count(name), 1u) << "unexpected /dev/" << name;
  }
  EXPECT_TRUE(Allowed(Probe({"read", "/dev/null"})));
  EXPECT_TRUE(Allowed(Probe({"write", "/dev/null"})));
}

}  // namespace
}  // namespace cordon::it
