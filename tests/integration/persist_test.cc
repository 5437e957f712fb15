// Property 7: nothing persists on the host. A snapshot of everything the test
// owns outside the workspace (the fake home with a real-looking ~/.ssh that
// carries xattrs and an ACL, the outside dir, $XDG_RUNTIME_DIR, ...: paths,
// modes, owners, mtimes, ctimes, xattrs, content hashes) is taken before a
// hostile probe tries to change every entry, and compared after; so are the
// host's mount table, its /tmp and /dev/shm, and its process table. The same
// holds for a run killed with SIGKILL in the middle.
#include <signal.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <set>

#include "harness.h"

namespace cordon::it {
namespace {

// Entries of dir that are not in before and not the tests' own (cordon-it-*).
std::vector<std::string> NewEntries(const std::string& dir,
                                    const std::vector<std::string>& before) {
  std::vector<std::string> added;
  for (const auto& name : ListDir(dir)) {
    if (name.rfind("cordon-it-", 0) == 0) continue;
    if (std::find(before.begin(), before.end(), name) == before.end())
      added.push_back(dir + "/" + name);
  }
  return added;
}

class PersistTest : public SandboxTest {
 protected:
  void SetUp() override {
    // What users' keys really carry: an ACL entry and xattrs.
    std::string key = home_ + "/.ssh/id_ed25519";
    ASSERT_EQ(setxattr(key.c_str(), "user.cordon-test", "keep", 4, 0), 0);
    ASSERT_EQ(setxattr(home_.c_str(), "user.cordon-test", "home", 4, 0), 0);
    RunResult acl = Host({"/usr/bin/setfacl", "-m", "u:65534:r", key});
    ASSERT_EQ(acl.exit_code, 0) << acl.Describe();
    WriteFile(outside_ + "/.cordon-test-dir-marker", "x\n");
    ASSERT_EQ(setxattr(outside_.c_str(), "user.cordon-test", "outside", 7, 0), 0);
  }

  struct HostState {
    Snapshot files;
    std::vector<std::string> mounts;
    std::vector<std::string> tmp;
    std::vector<std::string> shm;
  };

  HostState Capture() {
    // The workspace is the sandbox's to change; $XDG_STATE_HOME/cordon is
    // where cordon keeps its own log by design, and home/.cache/cordon its
    // package-cache layers (docs/caches.md). $TMPDIR (tmp) is where the
    // namespace-less tier makes and removes its private directory: its
    // times change, its entries must not (the files snapshot has them).
    Snapshot files =
        TakeSnapshot(root_.path(), {"ws", "state", std::string("home/") + kCacheLayers});
    if (auto it = files.find("tmp"); it != files.end()) it->second = "d (times not compared)";
    return {std::move(files), HostMounts(), ListDir("/tmp"),
            Exists("/dev/shm") ? ListDir("/dev/shm") : std::vector<std::string>{}};
  }

  void ExpectUnchanged(const HostState& before) {
    HostState after = Capture();
    EXPECT_EQ(DiffSnapshots(before.files, after.files), "");
    EXPECT_EQ(after.mounts, before.mounts) << "the host's mount table changed";
    EXPECT_EQ(NewEntries("/tmp", before.tmp), std::vector<std::string>{});
    if (Exists("/dev/shm")) {
      EXPECT_EQ(NewEntries("/dev/shm", before.shm), std::vector<std::string>{});
    }
  }

  // A path the sandbox sees as a package cache or its workspace's layers.
  bool InCacheLayer(std::string path) const {
    // The probe also goes through the root's magic link.
    if (path.starts_with("/proc/self/root/")) path.erase(0, std::string("/proc/self/root").size());
    for (const char* rel : {".npm", ".cache/pip", ".cache/yarn", ".cache/pnpm", ".cache/go-build",
                            ".cache/ccache", ".yarn/berry/cache", ".local/share/pnpm/store",
                            ".cargo/registry", ".cargo/git", "go/pkg/mod", ".m2/repository",
                            ".gradle/caches", ".gradle/wrapper/dists", kCacheLayers}) {
      std::string root = home_ + "/" + rel;
      if (path == root || path.starts_with(root + "/")) return true;
    }
    return false;
  }

  std::vector<std::string> HostileTargets() const {
    return {home_,
            home_ + "/.ssh",
            home_ + "/.ssh/id_ed25519",
            home_ + "/.ssh/authorized_keys",
            home_ + "/.aws/credentials",
            home_ + "/.gitconfig",
            home_ + "/.bashrc",
            outside_,
            runtime_,
            tools_};
  }
};

TEST_F(PersistTest, SnapshotSeesAclsAndXattrs) {
  // The snapshot itself must be able to see what the hostile probe would
  // change, or the comparisons below prove nothing.
  Snapshot s = TakeSnapshot(root_.path());
  const std::string& key = s.at("home/.ssh/id_ed25519");
  EXPECT_NE(key.find("system.posix_acl_access="), std::string::npos) << key;
  EXPECT_NE(key.find("user.cordon-test="), std::string::npos) << key;
  EXPECT_NE(key.find("mode=06"), std::string::npos) << key;  // ACL mask shows in the group bits
}

TEST_F(PersistTest, HostileProbeChangesNothingOutsideTheWorkspace) {
  HostState before = Capture();
  std::string leak = "cordon-leak-" + RandomToken();
  for (const auto& opts :
       {std::vector<std::string>{}, std::vector<std::string>{"--read", home_, "--read", outside_},
        // (--read of ~/.ssh itself is refused now: it would do nothing.)
        std::vector<std::string>{"--read", home_ + "/.config", "--mode", "read-only"}}) {
    std::vector<std::string> args = {"hostile"};
    for (const auto& t : HostileTargets()) args.push_back(t);
    RunResult r = Probe(opts, args);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    // Only the package caches are writable in the home (docs/caches.md):
    // their writes land in the layers, which the host snapshot leaves out.
    for (const std::string& line : r.Data()) {
      std::string path = line.substr(line.find(' ') + 1);
      EXPECT_TRUE(InCacheLayer(path)) << line << "\n" << r.Describe();
    }
    // Scratch space inside is fine, but must not reach the host.
    // The namespace-less tier's /tmp is the host's, writable by design
    // (docs/namespaceless.md): only /dev/shm is checked there.
    const std::string tmp_leak = NamespacelessTier() ? "" : " /tmp/" + leak;
    RunResult shm = Run(opts, {"/bin/sh", "-c", "touch /dev/shm/" + leak + tmp_leak + "; true"});
    EXPECT_EQ(shm.exit_code, 0) << shm.Describe();
  }
  ExpectUnchanged(before);
  EXPECT_FALSE(Exists("/dev/shm/" + leak));
  EXPECT_FALSE(Exists("/tmp/" + leak));
  unlink(("/dev/shm/" + leak).c_str());  // only if the sandbox failed
  unlink(("/tmp/" + leak).c_str());
}

TEST_F(PersistTest, OrdinaryRunsLeaveNothingBehind) {
  HostState before = Capture();
  for (int i = 0; i < 3; ++i) {
    RunResult r = Run({}, {"/bin/true"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
  }
  RunResult r = Run({"--net", "full", "--read", home_ + "/projects"}, {"/bin/true"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  ExpectUnchanged(before);
}

TEST_F(PersistTest, SigkillMidRunLeavesNothingBehind) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("a SIGKILLed supervisor leaves its private temp dir behind");
  HostState before = Capture();
  std::string marker = "cordon-it-killed-" + RandomToken();
  std::string script = "\"$0\" daemonize hb " + marker + "; \"$0\" sleep 30 ready " + marker;
  Process p(RunArgv({}, {"/bin/sh", "-c", script, probe_}), env_, ws_);
  ASSERT_TRUE(WaitFor([&] { return Exists(ws_ + "/ready") && Exists(ws_ + "/hb"); }, 5))
      << p.Wait(1).Describe();
  ASSERT_FALSE(ProcessesWithArg(marker).empty()) << "the marker should find the running command";
  ASSERT_EQ(kill(p.pid(), SIGKILL), 0);
  RunResult r = p.Wait(5);
  EXPECT_EQ(r.exit_code, 128 + SIGKILL);
  EXPECT_TRUE(WaitFor([&] { return ProcessesWithArg(marker).empty(); }, 3))
      << "processes of the killed run survive: " << ProcessesWithArg(marker).size();
  ExpectUnchanged(before);
}

}  // namespace
}  // namespace cordon::it
