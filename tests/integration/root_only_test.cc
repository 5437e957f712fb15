// Issue 12, class 6: run as root, the sandbox reads under /etc, /opt and
// /usr/local/etc only what every user may read. Root-only files that no
// fixed list names (a service key, /etc/xpra/key.pem, wireguard keys) are
// hidden by a rule; ordinary tools keep working; the system roots the rule
// does not walk (/root, /var, /srv) are not readable at all.
//
// Tests never create files under /etc: the test picks a root-only file that
// exists on this machine already, and skips (saying why) when there is none.
// The walk itself is unit-tested on a temporary tree
// (tests/unit/policy_root_only_test.cc).
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "harness.h"

namespace cordon::it {
namespace {

namespace stdfs = std::filesystem;

// The fixed deny list (src/policy/defaults.cc), which the rule goes beyond.
bool InFixedList(const std::string& path) {
  for (const char* p :
       {"/etc/shadow", "/etc/shadow-", "/etc/gshadow", "/etc/gshadow-", "/etc/security/opasswd",
        "/etc/ssh/ssh_host_rsa_key", "/etc/ssh/ssh_host_ecdsa_key", "/etc/ssh/ssh_host_ed25519_key",
        "/etc/ssh/ssh_host_dsa_key", "/etc/sudoers", "/etc/krb5.keytab"}) {
    if (path == p) return true;
  }
  return path.starts_with("/etc/ssl/private/");
}

// The first (by name) non-empty regular file under /etc that "other" may
// not read, that the fixed list does not name, on /etc's filesystem, with
// every directory above it world-searchable (so the file alone is
// root-only); empty if there is none.
std::string UnlistedRootOnlyFile() {
  struct stat etc {};
  if (::stat("/etc", &etc) != 0) return "";
  std::vector<std::string> found;
  std::error_code ec;
  auto opts = stdfs::directory_options::skip_permission_denied;
  for (auto it = stdfs::recursive_directory_iterator("/etc", opts, ec); !ec && it != stdfs::end(it);
       it.increment(ec)) {
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0) continue;
    const bool walkable = (st.st_mode & S_IROTH) != 0 && (st.st_mode & S_IXOTH) != 0;
    if (S_ISDIR(st.st_mode) && (!walkable || st.st_dev != etc.st_dev)) {
      it.disable_recursion_pending();
      continue;
    }
    std::string path = it->path().string();
    if (S_ISREG(st.st_mode) && (st.st_mode & S_IROTH) == 0 && st.st_size > 0 &&
        !InFixedList(path)) {
      found.push_back(path);
    }
  }
  std::sort(found.begin(), found.end());
  return found.empty() ? "" : found.front();
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

using RootOnlyTest = SandboxTest;

TEST_F(RootOnlyTest, AnUnlistedRootOnlyFileIsNotReadable) {
  if (::geteuid() != 0) {
    GTEST_SKIP() << "the root-only rule applies to runs as root; this test runs as uid "
                 << ::geteuid() << ", for whom the file modes refuse already";
  }
  const std::string file = UnlistedRootOnlyFile();
  if (file.empty()) {
    GTEST_SKIP() << "no root-only file under /etc on this machine beyond the fixed deny list";
  }
  const std::string bytes = ReadAll(file);
  ASSERT_FALSE(bytes.empty()) << file;
  RunResult r = Probe({"read", file});
  EXPECT_TRUE(Denied(r, {"EACCES", "ENOENT", "EPERM"})) << file;
  // The bytes really did not come out (the cover is an empty file).
  if (bytes.size() >= 8) {
    EXPECT_EQ(r.out.find(bytes), std::string::npos) << file;
  }
  // The twin: what any user may read under /etc stays readable.
  EXPECT_TRUE(Allowed(Probe({"read", "/etc/passwd"})));

  // policy show states the rule and, with -v or in JSON, what it hid.
  RunResult show = Cordon({"policy", "show", "--no-config"});
  EXPECT_NE(show.out.find("built-in rule: root-only under /etc"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("other users cannot read"), std::string::npos) << show.out;
  RunResult verbose = Cordon({"policy", "show", "--no-config", "-v"});
  EXPECT_NE(verbose.out.find("  " + file + " "), std::string::npos) << verbose.out;
  RunResult json = Cordon({"policy", "show", "--no-config", "--json"});
  EXPECT_NE(json.out.find("\"" + file + "\""), std::string::npos) << json.out;
}

TEST_F(RootOnlyTest, OrdinaryToolsStillWork) {
  // The namespace-less tier carves deny-read paths out of the Landlock
  // allowlist, and the directories leading to them (/etc, since the fixed
  // list's /etc/ssl/private) cannot be listed there: a documented limit
  // (NamespacelessLimits). Their files stay readable by name.
  std::string list = NamespacelessTier() ? "ls /usr >/dev/null" : "ls /etc >/dev/null";
  RunResult r = Run({}, {"/bin/sh", "-c",
                         list + " && cat /etc/passwd >/dev/null && git --version && "
                                "python3 -c 1 && echo tools-ok"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("tools-ok"), std::string::npos) << r.Describe();
}

// A host with many root-only files gets many deny-read covers (mounts in
// the namespaces tier, carved Landlock rules in the other): 300 of them
// still make a working view, each hidden, their unlisted sibling readable.
TEST_F(RootOnlyTest, ManyHiddenPathsStillMakeAView) {
  const std::string dir = outside_ + "/many";
  MakeDirs(dir, 0755);
  std::vector<std::string> opts = {"--read", dir};
  for (int i = 0; i < 300; ++i) {
    std::string file = dir + "/key" + std::to_string(i) + ".pem";
    WriteFile(file, "hidden key " + std::to_string(i) + "\n", 0600);
    opts.insert(opts.end(), {"--deny-read", file});
  }
  WriteFile(dir + "/public.txt", "public\n");
  for (const char* name : {"key0.pem", "key150.pem", "key299.pem"}) {
    RunResult r = Probe(opts, {"read", dir + "/" + name});
    EXPECT_TRUE(Denied(r, {"EACCES", "ENOENT", "EPERM"})) << name;
    EXPECT_EQ(r.out.find("hidden key"), std::string::npos) << r.Describe();
  }
  RunResult ok = Probe(opts, {"read", dir + "/public.txt"});
  EXPECT_TRUE(Allowed(ok));
  EXPECT_NE(ok.out.find("public"), std::string::npos) << ok.Describe();
}

// The rule walks /etc, /opt and /usr/local/etc only: the other places where
// root keeps secrets are outside the read allowlist altogether.
TEST_F(RootOnlyTest, RootsTheRuleDoesNotWalkAreNotReadable) {
  for (const char* dir : {"/root", "/var/lib", "/srv", "/var/backups"}) {
    if (::access(dir, F_OK) != 0) continue;
    EXPECT_TRUE(Denied(Probe({"ls", dir}), {"EACCES", "ENOENT", "EPERM"})) << dir;
  }
}

}  // namespace
}  // namespace cordon::it
