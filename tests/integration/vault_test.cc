// cordon setup, secret, uninstall, and --secret grants, end to end with the
// real binary: the vault's machine binding, tamper detection and concurrency,
// a granted secret reaching that run's environment and nothing else, the
// vault hidden from every sandbox, and a real-looking home (keys, ssh config,
// an ACL, an xattr) unchanged by setup, runs and uninstall.
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <memory>

#include "harness.h"

namespace cordon::it {
namespace {

class VaultTest : public SandboxTest {
 protected:
  VaultTest()
      : cordon_state_(state_ + "/cordon"),
        vault_dir_(cordon_state_ + "/vault"),
        secrets_file_(vault_dir_ + "/secrets"),
        key_file_(vault_dir_ + "/key") {
    // A real-looking ~/.ssh beyond the fake home's: a config that includes
    // another file and names a certificate, an ACL and an xattr.
    WriteFile(home_ + "/.ssh/config",
              "Include ~/.ssh/config.d/*\nHost *\n  IdentityFile ~/.ssh/id_ed25519\n"
              "  CertificateFile ~/.ssh/id_ed25519-cert.pub\n  ControlPath ~/.ssh/cm-%r@%h\n",
              0644);
    MakeDirs(home_ + "/.ssh/config.d", 0700);
    WriteFile(home_ + "/.ssh/config.d/work", "Host work\n  User me\n", 0600);
    WriteFile(home_ + "/.ssh/id_ed25519-cert.pub", "ssh-ed25519-cert-v01@openssh.com AAAA\n", 0644);
    RunResult acl = Host({"/usr/bin/setfacl", "-m", "u:nobody:r", home_ + "/.ssh/config"});
    EXPECT_EQ(acl.exit_code, 0) << acl.Describe();
    const char value[] = "kept";
    EXPECT_EQ(setxattr((home_ + "/.ssh/id_ed25519").c_str(), "user.cordon-test", value,
                       sizeof value - 1, 0),
              0)
        << strerror(errno);
    // ~/.cache holds cordon's package-cache layers, which uninstall
    // removes (checked where it runs).
    home_before_ = TakeSnapshot(home_, {".cache"});
  }

  RunResult DoSetup() {
    RunResult r = Cordon({"setup"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    return r;
  }

  // `printf %s VALUE | cordon secret set NAME --stdin` with extra env.
  RunResult SetSecret(const std::string& name, const std::string& value, const Env& extra = {}) {
    Env env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    return RunProcess({"/bin/sh", "-c", "printf %s \"$1\" | \"$0\" secret set \"$2\" --stdin",
                       CordonBin(), value, name},
                      env, ws_);
  }

  RunResult CordonWith(const std::vector<std::string>& args, const Env& extra) {
    Env env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    std::vector<std::string> argv = {CordonBin()};
    argv.insert(argv.end(), args.begin(), args.end());
    return RunProcess(argv, env, ws_);
  }

  void ExpectHomeUnchanged(const std::string& when) {
    EXPECT_EQ(DiffSnapshots(home_before_, TakeSnapshot(home_, {".cache"})), "") << when;
  }

  std::string cordon_state_, vault_dir_, secrets_file_, key_file_;
  Snapshot home_before_;
};

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 07777;
}

TEST_F(VaultTest, SetupCreatesStateOnlyAndIsIdempotent) {
  Snapshot state_before = TakeSnapshot(state_);
  RunResult r = DoSetup();
  EXPECT_NE(r.out.find("landlock"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("user namespaces"), std::string::npos) << r.Describe();
  EXPECT_EQ(ModeOf(cordon_state_), 0700u);
  EXPECT_EQ(ModeOf(cordon_state_ + "/events"), 0700u);
  EXPECT_EQ(ModeOf(vault_dir_), 0700u);
  EXPECT_EQ(ModeOf(key_file_), 0600u);
  EXPECT_EQ(ReadFile(key_file_).size(), 32u);
  EXPECT_EQ(ListDir(state_), std::vector<std::string>{"cordon"});
  ExpectHomeUnchanged("after setup");

  Snapshot after_first = TakeSnapshot(state_);
  RunResult again = DoSetup();
  EXPECT_NE(again.out.find("already set up"), std::string::npos) << again.Describe();
  EXPECT_EQ(DiffSnapshots(after_first, TakeSnapshot(state_)), "");

  RunResult json = Cordon({"setup", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  EXPECT_NE(json.out.find("\"can_confine\": true"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"landlock_abi\""), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"created\": []"), std::string::npos) << json.out;
}

TEST_F(VaultTest, SecretRoundTripWithoutValuesInOutput) {
  RunResult before = Cordon({"secret", "list"});
  EXPECT_NE(before.exit_code, 0);
  EXPECT_NE(before.err.find("cordon setup"), std::string::npos) << before.Describe();
  DoSetup();
  const std::string value = "tok-" + RandomToken();
  RunResult set = SetSecret("GITHUB_TOKEN", value + "\n");
  ASSERT_EQ(set.exit_code, 0) << set.Describe();
  EXPECT_EQ(set.err.find(value), std::string::npos);
  EXPECT_EQ(ReadFile(secrets_file_).find(value), std::string::npos);  // encrypted
  EXPECT_EQ(ModeOf(secrets_file_), 0600u);

  RunResult list = Cordon({"secret", "list"});
  EXPECT_EQ(list.exit_code, 0) << list.Describe();
  EXPECT_EQ(list.out, "GITHUB_TOKEN\n");
  RunResult get = Cordon({"secret", "get", "GITHUB_TOKEN"});
  EXPECT_EQ(get.exit_code, 0) << get.Describe();
  EXPECT_EQ(get.out, value + "\n");  // the trailing newline of stdin was dropped
  EXPECT_NE(Cordon({"secret", "get", "NOPE"}).exit_code, 0);
  EXPECT_NE(Cordon({"secret", "set", "bad-name", "--stdin"}).exit_code, 0);

  RunResult rm = Cordon({"secret", "rm", "GITHUB_TOKEN"});
  EXPECT_EQ(rm.exit_code, 0) << rm.Describe();
  EXPECT_EQ(Cordon({"secret", "list"}).out, "");
  EXPECT_NE(Cordon({"secret", "rm", "GITHUB_TOKEN"}).exit_code, 0);
  // Without --stdin and without a terminal, set refuses rather than hang.
  RunResult no_tty = Cordon({"secret", "set", "X"});
  EXPECT_NE(no_tty.exit_code, 0);
  EXPECT_NE(no_tty.err.find("--stdin"), std::string::npos) << no_tty.Describe();
}

TEST_F(VaultTest, TerminalEntryHasNoEchoAndGetRefusesATerminal) {
  DoSetup();
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  ASSERT_GE(master, 0);
  ASSERT_EQ(grantpt(master), 0);
  ASSERT_EQ(unlockpt(master), 0);
  auto open_slave = [&] { return open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC); };
  std::string seen;
  auto drain = [&](const std::string& want) {
    return WaitFor([&] {
      pollfd pfd{master, POLLIN, 0};
      while (poll(&pfd, 1, 0) > 0 && (pfd.revents & POLLIN) != 0) {
        char buf[512];
        ssize_t n = read(master, buf, sizeof buf);
        if (n <= 0) break;
        seen.append(buf, static_cast<size_t>(n));
      }
      return seen.find(want) != std::string::npos;
    });
  };
  const std::string value = "typed-" + RandomToken();
  {
    int slave = open_slave();
    ASSERT_GE(slave, 0);
    Process p({CordonBin(), "secret", "set", "TYPED"}, env_, ws_, slave);
    close(slave);
    ASSERT_TRUE(drain("not echoed")) << seen;
    std::string line = value + "\n";
    ASSERT_EQ(write(master, line.data(), line.size()), static_cast<ssize_t>(line.size()));
    RunResult r = p.Wait(10);
    drain("stored");
    EXPECT_EQ(r.exit_code, 0) << r.Describe() << seen;
    EXPECT_EQ(seen.find(value), std::string::npos) << "echoed: " << seen;
  }
  {
    int slave = open_slave();
    ASSERT_GE(slave, 0);
    Process p({CordonBin(), "secret", "get", "TYPED"}, env_, ws_, slave);
    close(slave);
    RunResult r = p.Wait(10);
    drain("refusing");
    EXPECT_NE(r.exit_code, 0) << seen;
    EXPECT_EQ(seen.find(value), std::string::npos) << seen;
  }
  close(master);
  EXPECT_EQ(Cordon({"secret", "get", "TYPED"}).out, value + "\n");
}

TEST_F(VaultTest, TenConcurrentSettersLoseNothing) {
  DoSetup();
  std::vector<std::unique_ptr<Process>> procs;
  for (int i = 0; i < 10; ++i) {
    std::string name = "S" + std::to_string(i);
    procs.push_back(std::make_unique<Process>(
        std::vector<std::string>{"/bin/sh", "-c",
                                 "printf %s \"$1\" | \"$0\" secret set \"$2\" --stdin", CordonBin(),
                                 "value-" + name, name},
        env_, ws_));
  }
  for (auto& p : procs) {
    RunResult r = p->Wait(30);
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
  }
  RunResult list = Cordon({"secret", "list"});
  EXPECT_EQ(list.out, "S0\nS1\nS2\nS3\nS4\nS5\nS6\nS7\nS8\nS9\n") << list.Describe();
  for (int i = 0; i < 10; ++i) {
    std::string name = "S" + std::to_string(i);
    EXPECT_EQ(Cordon({"secret", "get", name}).out, "value-" + name + "\n");
  }
  EXPECT_EQ(ListDir(vault_dir_), (std::vector<std::string>{"key", "lock", "secrets"}));
}

TEST_F(VaultTest, AnotherMachineOrKeyDoesNotOpenTheVault) {
  DoSetup();
  ASSERT_EQ(SetSecret("A", "alpha", {{"CORDON_TEST_MACHINE_ID", "machine-a"}}).exit_code, 0);
  std::string sealed = ReadFile(secrets_file_);
  RunResult other = CordonWith({"secret", "get", "A"}, {{"CORDON_TEST_MACHINE_ID", "machine-b"}});
  EXPECT_NE(other.exit_code, 0);
  EXPECT_NE(other.err.find(secrets_file_), std::string::npos) << other.Describe();
  EXPECT_EQ(other.out.find("alpha"), std::string::npos);
  EXPECT_NE(SetSecret("B", "beta", {{"CORDON_TEST_MACHINE_ID", "machine-b"}}).exit_code, 0);
  EXPECT_EQ(ReadFile(secrets_file_), sealed);  // never reset

  // The vault copied next to another account's key file (another state dir,
  // same machine id): refused too.
  TempDir elsewhere("cordon-it-state-");
  Env env = env_;
  env["XDG_STATE_HOME"] = elsewhere.path();
  env["CORDON_TEST_MACHINE_ID"] = "machine-a";
  ASSERT_EQ(RunProcess({CordonBin(), "setup"}, env, ws_).exit_code, 0);
  CopyFile(secrets_file_, elsewhere.path() + "/cordon/vault/secrets", 0600);
  RunResult copied = RunProcess({CordonBin(), "secret", "get", "A"}, env, ws_);
  EXPECT_NE(copied.exit_code, 0);
  EXPECT_NE(copied.err.find("cannot decrypt"), std::string::npos) << copied.Describe();
  // With its own key file and identity it still opens.
  EXPECT_EQ(CordonWith({"secret", "get", "A"}, {{"CORDON_TEST_MACHINE_ID", "machine-a"}}).out,
            "alpha\n");
}

TEST_F(VaultTest, TamperedVaultIsAnErrorAndIsKept) {
  DoSetup();
  ASSERT_EQ(SetSecret("A", "alpha").exit_code, 0);
  std::string data = ReadFile(secrets_file_);
  data[data.size() - 5] = static_cast<char>(data[data.size() - 5] ^ 1);
  WriteFile(secrets_file_, data, 0600);
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"secret", "get", "A"}, {"secret", "list"}, {"secret", "rm", "A"}}) {
    RunResult r = Cordon(args);
    EXPECT_NE(r.exit_code, 0) << r.Describe();
    EXPECT_NE(r.err.find(secrets_file_), std::string::npos) << r.Describe();
    EXPECT_NE(r.err.find("kept"), std::string::npos) << r.Describe();
  }
  EXPECT_NE(SetSecret("B", "beta").exit_code, 0);
  RunResult run = Run({"--secret", "A"}, {"/bin/true"});
  EXPECT_EQ(run.exit_code, 125) << run.Describe();
  EXPECT_EQ(ReadFile(secrets_file_), data);
}

TEST_F(VaultTest, GrantedSecretReachesThatRunOnly) {
  DoSetup();
  const std::string value = "granted-" + RandomToken();
  ASSERT_EQ(SetSecret("GITHUB_TOKEN", value).exit_code, 0);
  ASSERT_EQ(SetSecret("gh_work", value + "-work").exit_code, 0);
  // GITHUB_TOKEN matches the scrub pattern *_TOKEN: the grant wins, and the
  // host's own value of the variable is replaced.
  env_["GITHUB_TOKEN"] = "host-value";
  RunResult r = Run({"--secret", "GITHUB_TOKEN"}, {"/bin/sh", "-c", "printf %s \"$GITHUB_TOKEN\""});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, value);
  // Not in cordon's own argv or messages.
  EXPECT_EQ(r.err.find(value), std::string::npos);

  RunResult other = Probe({"env-all"});
  EXPECT_EQ(other.out.find(value), std::string::npos) << other.Describe();
  EXPECT_EQ(other.out.find("host-value"), std::string::npos) << other.Describe();

  RunResult show = Cordon({"policy", "show", "--no-config", "--secret", "GITHUB_TOKEN"});
  EXPECT_EQ(show.exit_code, 0) << show.Describe();
  EXPECT_NE(show.out.find("secret GITHUB_TOKEN"), std::string::npos) << show.out;
  EXPECT_EQ(show.out.find(value), std::string::npos) << show.out;
  RunResult json = Cordon({"policy", "show", "--no-config", "--secret", "GITHUB_TOKEN", "--json"});
  EXPECT_NE(json.out.find("\"secrets\""), std::string::npos) << json.out;
  EXPECT_EQ(json.out.find(value), std::string::npos) << json.out;

  // [secrets] in the user config grants under another variable name.
  MakeDirs(home_ + "/.config/cordon");
  WriteFile(home_ + "/.config/cordon/config.toml", "[secrets]\ngh_work = { env = \"GH_TOKEN\" }\n");
  std::vector<std::string> argv = {
      CordonBin(), "run", "--workspace", ws_, "--", "/bin/sh", "-c", "printf %s \"$GH_TOKEN\""};
  RunResult cfg = RunProcess(argv, env_, ws_);
  EXPECT_EQ(cfg.exit_code, 0) << cfg.Describe();
  EXPECT_EQ(cfg.out, value + "-work");

  // A project file cannot grant one.
  WriteFile(ws_ + "/.cordon.toml", "[secrets]\nGITHUB_TOKEN = {}\n");
  RunResult project = RunProcess(argv, env_, ws_);
  EXPECT_EQ(project.exit_code, 125) << project.Describe();
  EXPECT_NE(project.err.find("cannot grant secrets"), std::string::npos) << project.Describe();
  EXPECT_EQ(project.out.find(value), std::string::npos);
}

TEST_F(VaultTest, MissingGrantedSecretStopsTheRun) {
  DoSetup();
  RunResult r = Run({"--secret", "ABSENT"}, {"/bin/sh", "-c", "echo RAN"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_EQ(r.out.find("RAN"), std::string::npos);
  EXPECT_NE(r.err.find("cordon secret set ABSENT"), std::string::npos) << r.Describe();
}

TEST_F(VaultTest, NoSandboxCanReadTheVaultKeyOrEvents) {
  DoSetup();
  ASSERT_EQ(SetSecret("A", "alpha").exit_code, 0);
  WriteFile(cordon_state_ + "/events/events.jsonl", "{\"event\":\"x\"}\n", 0600);
  for (const std::string& path :
       {key_file_, secrets_file_, vault_dir_ + "/lock", cordon_state_ + "/events/events.jsonl"}) {
    RunResult r = Probe({"read", path});
    EXPECT_NE(r.exit_code, 0) << path << "\n" << r.Describe();
    EXPECT_EQ(r.out.find("alpha"), std::string::npos);
  }
  RunResult ls = Probe({"ls", cordon_state_});
  EXPECT_NE(ls.exit_code, 0) << ls.Describe();
  // Even a run granted a secret sees only that value, not the vault.
  RunResult granted = Probe({"--secret", "A"}, {"read", key_file_});
  EXPECT_NE(granted.exit_code, 0) << granted.Describe();
}

TEST_F(VaultTest, UninstallRemovesEverythingAndTheHomeIsUnchanged) {
  DoSetup();
  ASSERT_EQ(SetSecret("A", "alpha").exit_code, 0);
  ASSERT_EQ(Run({"--secret", "A"}, {"/bin/true"}).exit_code, 0);
  ASSERT_TRUE(Allowed(Probe({"write", ws_ + "/out.txt", "x"})));
  ExpectHomeUnchanged("after runs");

  // The vault holds secrets: without --yes and without a terminal nothing
  // is removed.
  Snapshot state = TakeSnapshot(state_);
  RunResult refused = Cordon({"uninstall"});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_NE(refused.err.find("--yes"), std::string::npos) << refused.Describe();
  EXPECT_EQ(DiffSnapshots(state, TakeSnapshot(state_)), "");

  // Without --purge the event log stays, and only it.
  WriteFile(cordon_state_ + "/events/events.jsonl", "{}\n", 0600);
  RunResult keep = Cordon({"uninstall", "--yes"});
  EXPECT_EQ(keep.exit_code, 0) << keep.Describe();
  EXPECT_NE(keep.out.find("removed " + vault_dir_), std::string::npos) << keep.out;
  EXPECT_EQ(ListDir(cordon_state_), std::vector<std::string>{"events"});

  RunResult purge = Cordon({"uninstall", "--purge"});
  EXPECT_EQ(purge.exit_code, 0) << purge.Describe();
  EXPECT_NE(purge.out.find("verified"), std::string::npos) << purge.out;
  EXPECT_FALSE(Exists(cordon_state_));
  EXPECT_TRUE(ListDir(state_).empty());
  ExpectHomeUnchanged("after uninstall");
  // Idempotent.
  EXPECT_EQ(Cordon({"uninstall", "--purge"}).exit_code, 0);
}

TEST_F(VaultTest, UninstallRemovesTheParentsSetupCreated) {
  // XDG_STATE_HOME unset: the state lives in ~/.local/state, which setup
  // creates (with ~/.local already there) and uninstall removes again.
  env_.erase("XDG_STATE_HOME");
  RemoveAll(home_ + "/.local/state");
  // ~/.local's mtime changes when an entry comes and goes; its entries and
  // everything else must not.
  Snapshot before = TakeSnapshot(home_, {".local", ".cache"});
  std::vector<std::string> local_before = ListDir(home_ + "/.local");
  ASSERT_EQ(Cordon({"setup"}).exit_code, 0);
  EXPECT_TRUE(Exists(home_ + "/.local/state/cordon/vault/key"));
  RunResult r = Cordon({"uninstall", "--purge", "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(home_ + "/.local/state"));
  EXPECT_EQ(DiffSnapshots(before, TakeSnapshot(home_, {".local", ".cache"})), "");
  EXPECT_FALSE(Exists(home_ + "/" + kCacheLayers));  // the package-cache layers
  EXPECT_EQ(ListDir(home_ + "/.local"), local_before);
}

TEST_F(VaultTest, UninstallRemovesAnInstalledCopy) {
  // A `cmake --install`-shaped prefix: the binary and its manifest.
  TempDir prefix("cordon-it-prefix-");
  MakeDirs(prefix / "bin");
  MakeDirs(prefix / "share/cordon");
  MakeDirs(prefix / "share/doc/cordon");
  CopyFile(CordonBin(), prefix / "bin/cordon", 0755);
  WriteFile(prefix / "share/doc/cordon/setup.md", "doc\n");
  WriteFile(prefix / "share/cordon/install-manifest.txt",
            "bin/cordon\nshare/doc/cordon/setup.md\nshare/cordon/install-manifest.txt\n");
  WriteFile(prefix / "share/keep.txt", "not cordon's\n");
  RunResult r = RunProcess({prefix / "bin/cordon", "uninstall", "--purge"}, env_, ws_);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(prefix / "bin/cordon"));
  EXPECT_FALSE(Exists(prefix / "share/cordon"));
  EXPECT_FALSE(Exists(prefix / "share/doc/cordon"));
  EXPECT_TRUE(Exists(prefix / "share/keep.txt"));
}

}  // namespace
}  // namespace cordon::it
