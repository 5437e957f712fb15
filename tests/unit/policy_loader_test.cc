// Policy resolution: layers, narrowing, trust, paths, deny-read precedence.
// Every test runs against a fake home and workspace in a temp dir.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>

#include "policy/loader.h"
#include "policy/names.h"
#include "policy/net_rules.h"

namespace cordon::policy {
namespace {

namespace fs = std::filesystem;

// Replaces flag `flag`'s values in the flag layer, as typing them would.
void Set(Overrides* ov, const std::string& flag, const std::vector<std::string>& values) {
  ConfigLayer& f = ov->flags;
  static const std::map<std::string, std::vector<ConfigString> ConfigLayer::*> kLists = {
      {"--writable", &ConfigLayer::writable},
      {"--read", &ConfigLayer::read},
      {"--deny-read", &ConfigLayer::deny_read},
      {"--protect", &ConfigLayer::protect},
      {"--unhide", &ConfigLayer::unhide},
      {"--allow-domain", &ConfigLayer::net_allow},
      {"--deny-domain", &ConfigLayer::net_deny},
      {"--allow-local", &ConfigLayer::net_allow_local},
      {"--resolve", &ConfigLayer::net_resolve},
      {"--trust-command", &ConfigLayer::trusted_commands}};
  if (auto it = kLists.find(flag); it != kLists.end()) (f.*(it->second)).clear();
  if (flag == "--env") {
    f.env_pass.clear();
    f.env_set.clear();
  }
  if (flag == "--secret") f.secrets.clear();
  for (const std::string& v : values) {
    Status s = AddFlag(ov, flag, v);
    ASSERT_TRUE(s.ok()) << s.error().Describe();
  }
}

class ResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cordon-policy-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = fs::canonical(tmpl).string();
    home_ = root_ + "/home";
    ws_ = home_ + "/src/proj";
    fs::create_directories(ws_);
    fs::create_directories(home_ + "/.cargo/bin");
    fs::create_directories(home_ + "/.m2");
    fs::create_directories(home_ + "/.cache/pip");
    fs::create_directories(home_ + "/.ssh");
    host_.home = home_;
    host_.cwd = ws_;
    host_.xdg_config_home = home_ + "/.config";
    host_.xdg_state_home = home_ + "/.local/state";
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  void WriteUser(const std::string& text) { Write(home_ + "/.config/cordon/config.toml", text); }
  void WriteProject(const std::string& text) { Write(ws_ + "/.cordon.toml", text); }

  Policy Ok(const Overrides& ov = {}) {
    auto r = Resolve(ov, host_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().Describe());
    return r.ok() ? r.value() : Policy{};
  }
  std::string Err(const Overrides& ov = {}) {
    auto r = Resolve(ov, host_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().Describe();
  }

  static const PathRule* Find(const std::vector<PathRule>& rules, const std::string& path) {
    auto it =
        std::find_if(rules.begin(), rules.end(), [&](const PathRule& r) { return r.path == path; });
    return it == rules.end() ? nullptr : &*it;
  }

  std::string root_, home_, ws_;
  HostFacts host_;
};

TEST_F(ResolveTest, Defaults) {
  Policy p = Ok();
  EXPECT_EQ(p.workspace, ws_);
  EXPECT_EQ(p.home, home_);
  EXPECT_EQ(p.mode, Mode::kWorkspaceWrite);
  EXPECT_EQ(p.net, NetMode::kOff);
  EXPECT_EQ(p.mode_origin.Describe(), "built-in default");
  EXPECT_NE(Find(p.system_read, "/usr"), nullptr);
  EXPECT_NE(Find(p.system_read, "/etc"), nullptr);
  EXPECT_NE(Find(p.read, home_ + "/.cargo/bin"), nullptr);
  EXPECT_EQ(Find(p.read, home_ + "/.rustup"), nullptr);  // does not exist
  // deny_read lists paths whether or not they exist.
  EXPECT_NE(Find(p.deny_read, home_ + "/.ssh"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/.aws"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/.bash_history"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/.mozilla"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/.config/cordon"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/.local/state/cordon"), nullptr);
  for (const char* rel : {"/.git/hooks", "/.git/config", "/.envrc", "/.cordon.toml"}) {
    EXPECT_NE(Find(p.protect, ws_ + rel), nullptr) << rel;
  }
  EXPECT_TRUE(p.writable.empty());
  EXPECT_TRUE(p.sources.empty());
  EXPECT_FALSE(p.project_trusted);
  EXPECT_FALSE(p.allow_degraded);
  EXPECT_NE(std::find(p.scrub_patterns.begin(), p.scrub_patterns.end(), "SSH_AUTH_SOCK"),
            p.scrub_patterns.end());
}

TEST_F(ResolveTest, HidesRuntimeDirWhenSet) {
  fs::create_directories(root_ + "/run-user");
  host_.xdg_runtime_dir = root_ + "/run-user";
  Policy p = Ok();
  EXPECT_NE(Find(p.hide, root_ + "/run-user"), nullptr);
  if (fs::is_directory("/run")) {
    EXPECT_NE(Find(p.hide, "/run"), nullptr);
  }
}

TEST_F(ResolveTest, WorktreeGitDirIsProtected) {
  fs::create_directories(root_ + "/main/.git/worktrees/wt");
  Write(root_ + "/main/.git/worktrees/wt/commondir", "../..\n");
  Write(ws_ + "/.git", "gitdir: " + root_ + "/main/.git/worktrees/wt\n");
  Policy p = Ok();
  EXPECT_NE(Find(p.protect, root_ + "/main/.git/worktrees/wt/hooks"), nullptr);
  EXPECT_NE(Find(p.protect, root_ + "/main/.git/hooks"), nullptr);
  EXPECT_NE(Find(p.protect, root_ + "/main/.git/config"), nullptr);
}

TEST_F(ResolveTest, WorkspaceFlagRelativeAndSymlinkResolved) {
  fs::create_directories(root_ + "/other");
  fs::create_directory_symlink(root_ + "/other", root_ + "/link");
  Overrides ov;
  ov.workspace = "../../../link";
  Policy p = Ok(ov);
  EXPECT_EQ(p.workspace, root_ + "/other");
  EXPECT_NE(Find(p.protect, root_ + "/other/.envrc"), nullptr);
}

TEST_F(ResolveTest, WorkspaceRefusals) {
  Overrides ov;
  ov.workspace = "/";
  EXPECT_NE(Err(ov).find("refusing"), std::string::npos);
  ov.workspace = "/usr";
  EXPECT_NE(Err(ov).find("system directory"), std::string::npos);
  ov.workspace = "~";
  EXPECT_NE(Err(ov).find("home directory"), std::string::npos);
  ov.workspace = root_;  // contains the home
  EXPECT_NE(Err(ov).find("contains the home"), std::string::npos);
  ov.workspace = root_ + "/missing";
  EXPECT_NE(Err(ov).find("does not exist"), std::string::npos);
  Write(root_ + "/file", "x");
  ov.workspace = root_ + "/file";
  EXPECT_NE(Err(ov).find("not a directory"), std::string::npos);
  ov.workspace = "~/.ssh";
  EXPECT_NE(Err(ov).find("inside deny-read"), std::string::npos);
}

TEST_F(ResolveTest, UserFileWidensAndRecordsOrigins) {
  WriteUser(R"(mode = "full-access"
[filesystem]
writable = ["~/.cache/pip", "~/not-there"]
read = ["~/.m2", "~/.ssh/id_rsa"]
deny_read = ["~/clients"]
[network]
mode = "full"
[env]
pass = ["CI"]
set = { LANG = "C.UTF-8" }
scrub = ["MY_*"]
)");
  Policy p = Ok();
  EXPECT_EQ(p.mode, Mode::kFullAccess);
  EXPECT_EQ(p.mode_origin.Describe(), home_ + "/.config/cordon/config.toml:1:8");
  EXPECT_EQ(p.net, NetMode::kFull);
  ASSERT_EQ(p.writable.size(), 1u);  // ~/not-there is skipped
  EXPECT_EQ(p.writable[0].path, home_ + "/.cache/pip");
  EXPECT_EQ(p.writable[0].origin.kind, Origin::Kind::kUserConfig);
  EXPECT_EQ(p.writable[0].origin.line, 3);
  EXPECT_NE(Find(p.read, home_ + "/.m2"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/clients"), nullptr);
  ASSERT_EQ(p.env_pass.size(), 1u);
  EXPECT_EQ(p.env_set[0].value, "C.UTF-8");
  EXPECT_EQ(p.scrub_patterns.back(), "MY_*");
  EXPECT_EQ(p.sources, std::vector<std::string>{home_ + "/.config/cordon/config.toml"});
}

TEST_F(ResolveTest, ConfigPathsAreRelativeToWorkspace) {
  fs::create_directories(ws_ + "/build");
  WriteUser("[filesystem]\nprotect = [\"deploy/\"]\nread = [\"build\"]\n");
  Policy p = Ok();
  EXPECT_NE(Find(p.protect, ws_ + "/deploy"), nullptr);
  EXPECT_NE(Find(p.read, ws_ + "/build"), nullptr);
}

TEST_F(ResolveTest, ConfigFlagReplacesUserFileAndMustExist) {
  WriteUser("mode = \"read-only\"\n");
  Write(root_ + "/alt.toml", "[network]\nmode = \"full\"\n");
  Overrides ov;
  ov.config_file = root_ + "/alt.toml";
  Policy p = Ok(ov);
  EXPECT_EQ(p.mode, Mode::kWorkspaceWrite);
  EXPECT_EQ(p.net, NetMode::kFull);
  EXPECT_EQ(p.sources, std::vector<std::string>{root_ + "/alt.toml"});
  ov.config_file = root_ + "/missing.toml";
  EXPECT_NE(Err(ov).find("missing.toml"), std::string::npos);
}

TEST_F(ResolveTest, NoConfigSkipsUserAndProject) {
  WriteUser("mode = \"read-only\"\n");
  WriteProject("mode = \"read-only\"\n");
  Overrides ov;
  ov.no_config = true;
  Policy p = Ok(ov);
  EXPECT_EQ(p.mode, Mode::kWorkspaceWrite);
  EXPECT_TRUE(p.sources.empty());
}

TEST_F(ResolveTest, BadUserFileNamesPosition) {
  WriteUser("\n[filesystem]\n  nope = 1\n");
  std::string e = Err();
  EXPECT_NE(e.find(home_ + "/.config/cordon/config.toml:3:3"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'nope'"), std::string::npos) << e;
}

TEST_F(ResolveTest, ProjectMayNarrow) {
  WriteUser("[filesystem]\nwritable = [\"~/.cache/pip\", \"~/.m2\"]\n[network]\nmode = \"full\"\n");
  WriteProject(R"(mode = "read-only"
[network]
mode = "off"
[filesystem]
deny_read = ["secrets"]
protect = ["deploy"]
[env]
scrub = ["PROJECT_*"]
)");
  Policy p = Ok();
  EXPECT_EQ(p.mode, Mode::kReadOnly);
  EXPECT_EQ(p.mode_origin.kind, Origin::Kind::kProjectConfig);
  EXPECT_EQ(p.net, NetMode::kOff);
  EXPECT_NE(Find(p.deny_read, ws_ + "/secrets"), nullptr);
  EXPECT_NE(Find(p.protect, ws_ + "/deploy"), nullptr);
  // Read-only mode: writable roots become read-only.
  EXPECT_TRUE(p.writable.empty());
  EXPECT_NE(Find(p.read, home_ + "/.m2"), nullptr);
  EXPECT_EQ(p.sources.size(), 2u);
  EXPECT_FALSE(p.project_trusted);
}

TEST_F(ResolveTest, ProjectWritableReplacesTheSet) {
  WriteUser("[filesystem]\nwritable = [\"~/.cache/pip\", \"~/.m2\"]\n");
  WriteProject("[filesystem]\nwritable = [\"~/.m2\"]\n");
  Policy p = Ok();
  ASSERT_EQ(p.writable.size(), 1u);
  EXPECT_EQ(p.writable[0].path, home_ + "/.m2");
  EXPECT_EQ(p.writable[0].origin.kind, Origin::Kind::kProjectConfig);
  WriteProject("[filesystem]\nwritable = []\n");
  EXPECT_TRUE(Ok().writable.empty());
}

TEST_F(ResolveTest, ProjectMayNotWiden) {
  WriteProject("mode = \"full-access\"\n");
  std::string e = Err();
  EXPECT_NE(e.find(ws_ + "/.cordon.toml:1:8"), std::string::npos) << e;
  EXPECT_NE(e.find("may only narrow"), std::string::npos) << e;
  EXPECT_NE(e.find("trusted = true"), std::string::npos) << e;
  EXPECT_NE(e.find("[workspaces.\"" + ws_ + "\"]"), std::string::npos) << e;

  WriteProject("[network]\nmode = \"full\"\n");
  EXPECT_NE(Err().find("network.mode 'full'"), std::string::npos);
  WriteProject("[filesystem]\nread = [\"~/.m2\"]\n");
  EXPECT_NE(Err().find(":2:"), std::string::npos);
  WriteProject("[filesystem]\nwritable = [\"~/.cache/pip\"]\n");
  EXPECT_NE(Err().find("is not writable"), std::string::npos);
  WriteProject("[env]\npass = [\"GITHUB_TOKEN\"]\n");
  EXPECT_NE(Err().find("env.pass"), std::string::npos);
  WriteProject("[env]\nset = { PATH = \"/evil\" }\n");
  EXPECT_NE(Err().find("env.set"), std::string::npos);
  WriteProject("[workspaces.\"/x\"]\ntrusted = true\n");
  EXPECT_NE(Err().find("user config file"), std::string::npos);
}

TEST_F(ResolveTest, TrustedProjectMayWiden) {
  WriteUser("[workspaces.\"~/src/proj/\"]\ntrusted = true\n");
  WriteProject(
      "mode = \"full-access\"\n[filesystem]\nread = [\"~/.m2\"]\nwritable = "
      "[\"~/.cache/pip\"]\n[env]\npass = [\"GITHUB_TOKEN\"]\n");
  Policy p = Ok();
  EXPECT_TRUE(p.project_trusted);
  EXPECT_EQ(p.mode, Mode::kFullAccess);
  EXPECT_NE(Find(p.read, home_ + "/.m2"), nullptr);
  EXPECT_NE(Find(p.writable, home_ + "/.cache/pip"), nullptr);
}

TEST_F(ResolveTest, TrustMatchesThroughSymlinksAndCanBeRevoked) {
  fs::create_directory_symlink(ws_, root_ + "/wslink");
  WriteUser("[workspaces.\"" + root_ + "/wslink\"]\ntrusted = true\n");
  WriteProject("[network]\nmode = \"full\"\n");
  EXPECT_TRUE(Ok().project_trusted);
  WriteUser("[workspaces.\"" + root_ + "/wslink\"]\ntrusted = true\n[workspaces.\"" + ws_ +
            "\"]\ntrusted = false\n");
  EXPECT_NE(Err().find("may only narrow"), std::string::npos);
  WriteUser("[workspaces.\"relative/p\"]\ntrusted = true\n");
  EXPECT_NE(Err().find("must be absolute"), std::string::npos);
}

TEST_F(ResolveTest, FlagsWidenAndRecordFlagOrigin) {
  Overrides ov;
  Set(&ov, "--mode", {"read-only"});
  Set(&ov, "--net", {"full"});
  Set(&ov, "--writable", {"../../.cache/pip"});  // relative to cwd (the workspace)
  Set(&ov, "--read", {"~/.m2"});
  Set(&ov, "--deny-read", {"secret"});
  Set(&ov, "--protect", {"~/src/proj/deploy"});
  Set(&ov, "--env", {"CI", "LANG=C", "X=a=b", "LANG=C.UTF-8"});
  Set(&ov, "--allow-degraded", {""});
  Set(&ov, "--mode", {"workspace-write"});
  Policy p = Ok(ov);
  EXPECT_EQ(p.mode_origin.Describe(), "flag --mode");
  EXPECT_EQ(p.net_origin.Describe(), "flag --net");
  ASSERT_EQ(p.writable.size(), 1u);
  EXPECT_EQ(p.writable[0].path, home_ + "/.cache/pip");
  EXPECT_EQ(p.writable[0].origin.Describe(), "flag --writable");
  EXPECT_NE(Find(p.read, home_ + "/.m2"), nullptr);
  EXPECT_NE(Find(p.deny_read, ws_ + "/secret"), nullptr);
  EXPECT_NE(Find(p.protect, ws_ + "/deploy"), nullptr);
  ASSERT_EQ(p.env_pass.size(), 1u);
  EXPECT_EQ(p.env_pass[0].name, "CI");
  ASSERT_EQ(p.env_set.size(), 2u);  // the later LANG replaces the earlier one
  EXPECT_EQ(p.env_set[0].name, "LANG");
  EXPECT_EQ(p.env_set[0].value, "C.UTF-8");
  EXPECT_EQ(p.env_set[1].value, "a=b");
  EXPECT_TRUE(p.allow_degraded);
  EXPECT_EQ(p.allow_degraded_origin.Describe(), "flag --allow-degraded");
}

// A widening approved while cordon runs goes through the checks a flag
// goes through: a re-run cannot grant what --writable may not.
TEST_F(ResolveTest, GrantsPassTheChecksFlagsPass) {
  Overrides ov;
  Grant(&ov, GrantKind::kWritable, home_ + "/.cache/pip", "approval (re-run)");
  Policy p = Ok(ov);
  const PathRule* w = Find(p.writable, home_ + "/.cache/pip");
  ASSERT_NE(w, nullptr);
  EXPECT_EQ(w->origin.Describe(), "flag approval (re-run)");
  for (const std::string& bad : {std::string("/"), home_, std::string("/etc")}) {
    Overrides refused;
    Grant(&refused, GrantKind::kWritable, bad, "approval (re-run)");
    EXPECT_NE(Err(refused).find("refusing writable root"), std::string::npos) << bad;
  }
  Overrides ssh;
  Grant(&ssh, GrantKind::kWritable, home_ + "/.ssh", "approval (re-run)");
  EXPECT_NE(Err(ssh).find("inside deny-read " + home_ + "/.ssh"), std::string::npos);
  Overrides denied;
  Set(&denied, "--deny-read", {home_ + "/.cache"});
  Grant(&denied, GrantKind::kWritable, home_ + "/.cache/pip", "approval (re-run)");
  EXPECT_NE(Err(denied).find("inside deny-read"), std::string::npos);
  Overrides net;
  Set(&net, "--net", {"proxy"});
  Grant(&net, GrantKind::kNetwork, "api.example.com:443", "approval (re-run)");
  Policy q = Ok(net);
  ASSERT_EQ(q.net_rules.allow.size(), 1u);
  EXPECT_EQ(q.net_rules.allow[0].host, "api.example.com");
  EXPECT_NE(q.net_rules.allow[0].origin.find("approval (re-run)"), std::string::npos);
}

// The flag table and AddFlag agree, and a bad value says what is expected.
TEST_F(ResolveTest, EveryPolicyFlagIsAcceptedAndBadValuesAreExplained) {
  for (const PolicyFlag& f : PolicyFlags()) {
    Overrides ov;
    const std::string value = std::string(f.name) == "--mode"               ? "read-only"
                              : std::string(f.name) == "--net"              ? "off"
                              : std::string(f.name) == "--approval"         ? "never"
                              : std::string(f.name) == "--approval-timeout" ? "5"
                              : std::string(f.name) == "--memory"           ? "1G"
                              : std::string(f.name) == "--tmp-size"         ? "1G"
                              : std::string(f.name) == "--pids"             ? "64"
                              : std::string(f.name) == "--cpus"             ? "0.5"
                              : f.arity == PolicyFlag::Arity::kSwitch       ? ""
                                                                            : "x";
    EXPECT_TRUE(AddFlag(&ov, f.name, value).ok()) << f.name;
  }
  Overrides ov;
  for (const auto& [flag, value] :
       {std::pair{"--mode", "rw"}, std::pair{"--net", "on"}, std::pair{"--approval", "ask"},
        std::pair{"--approval-timeout", "0"}, std::pair{"--approval-timeout", "3601"},
        std::pair{"--memory", "lots"}, std::pair{"--cpus", "-1"}, std::pair{"--pids", "1.5"}}) {
    Status s = AddFlag(&ov, flag, value);
    ASSERT_FALSE(s.ok()) << flag << " " << value;
    EXPECT_NE(s.error().detail.find(std::string(flag) + ": expected"), std::string::npos);
    EXPECT_NE(s.error().detail.find(std::string("(got '") + value + "')"), std::string::npos);
  }
  EXPECT_FALSE(AddFlag(&ov, "--no-such-flag", "").ok());
}

TEST_F(ResolveTest, FlagsOverrideNarrowedProject) {
  WriteProject("mode = \"read-only\"\n");
  Overrides ov;
  Set(&ov, "--mode", {"workspace-write"});
  EXPECT_EQ(Ok(ov).mode, Mode::kWorkspaceWrite);
}

TEST_F(ResolveTest, FlagPathErrors) {
  Overrides ov;
  Set(&ov, "--read", {"~/missing"});
  EXPECT_NE(Err(ov).find("does not exist"), std::string::npos);
  ov = {};
  Set(&ov, "--writable", {"~/missing"});
  EXPECT_NE(Err(ov).find("does not exist"), std::string::npos);
  ov = {};
  Set(&ov, "--writable", {"~"});
  EXPECT_NE(Err(ov).find("home directory"), std::string::npos);
  Set(&ov, "--writable", {"/"});
  EXPECT_NE(Err(ov).find("root directory"), std::string::npos);
  Set(&ov, "--writable", {"/etc"});
  EXPECT_NE(Err(ov).find("system directory"), std::string::npos);
  Set(&ov, "--writable", {"~/.ssh"});
  EXPECT_NE(Err(ov).find("inside deny-read " + home_ + "/.ssh"), std::string::npos);
  Set(&ov, "--writable", {"~/.m2"});
  Set(&ov, "--deny-read", {"~/.m2"});
  EXPECT_NE(Err(ov).find("inside deny-read"), std::string::npos);
  ov = {};
  Set(&ov, "--env", {"1BAD"});
  EXPECT_NE(Err(ov).find("not a valid variable name"), std::string::npos);
  Set(&ov, "--env", {"=x"});
  EXPECT_FALSE(Resolve(ov, host_).ok());
  ov = {};
  Set(&ov, "--read", {""});
  EXPECT_NE(Err(ov).find("empty path"), std::string::npos);
}

TEST_F(ResolveTest, WritableSymlinkToSystemRootIsRefused) {
  fs::create_directory_symlink("/usr", home_ + "/usrlink");
  Overrides ov;
  Set(&ov, "--writable", {"~/usrlink"});
  EXPECT_NE(Err(ov).find("system directory"), std::string::npos);
}

// deny_read beats read: a config file's read inside it is dropped and
// listed as skipped; a flag's would do nothing, so it is refused with the
// explicit way to lift the rule (issue 14, point 6).
TEST_F(ResolveTest, DenyReadBeatsRead) {
  fs::create_directories(home_ + "/.ssh/keys");
  fs::create_directory_symlink(home_ + "/.ssh", home_ + "/sshlink");
  for (const char* given : {"~/.ssh/keys", "~/sshlink", "~/.ssh"}) {
    Overrides ov;
    Set(&ov, "--read", {given});
    const std::string err = Err(ov);
    EXPECT_NE(err.find("inside deny-read " + home_ + "/.ssh (built-in default)"), std::string::npos)
        << err;
    EXPECT_NE(err.find("--unhide " + home_ + "/.ssh"), std::string::npos) << err;
  }
  Overrides ov;
  Set(&ov, "--read", {"~/.m2"});
  Set(&ov, "--deny-read", {"~/.m2"});
  EXPECT_NE(Err(ov).find("drop --deny-read"), std::string::npos);
  // A user-file read or writable root inside deny_read is dropped, listed
  // as skipped with the reason, not an error.
  WriteUser("[filesystem]\nwritable = [\"~/.ssh/keys\"]\nread = [\"~/.ssh\"]\n");
  Policy p = Ok();
  EXPECT_TRUE(p.writable.empty());
  EXPECT_EQ(Find(p.read, home_ + "/.ssh"), nullptr);
  ASSERT_EQ(p.skipped.size(), 2u);
  EXPECT_EQ(p.skipped[0].key, "filesystem.read");
  EXPECT_EQ(p.skipped[0].path, home_ + "/.ssh");
  EXPECT_NE(p.skipped[0].reason.find("inside deny-read " + home_ + "/.ssh"), std::string::npos);
  EXPECT_EQ(p.skipped[1].key, "filesystem.writable");
}

// --unhide lifts exactly one built-in deny rule, so --read can name it; it
// is refused when it would lift nothing, cordon's own state, or a rule a
// config file or flag wrote.
TEST_F(ResolveTest, UnhideLiftsABuiltinDenyRule) {
  Write(home_ + "/.npmrc", "registry=x\n");
  Overrides ov;
  Set(&ov, "--unhide", {"~/.ssh", "~/.npmrc"});
  Set(&ov, "--read", {"~/.ssh", "~/.npmrc"});
  Policy p = Ok(ov);
  EXPECT_NE(Find(p.read, home_ + "/.ssh"), nullptr);
  EXPECT_NE(Find(p.read, home_ + "/.npmrc"), nullptr);
  EXPECT_EQ(Find(p.deny_read, home_ + "/.ssh"), nullptr);
  EXPECT_NE(Find(p.deny_read, home_ + "/.aws"), nullptr);  // only what was named
  ASSERT_EQ(p.unhidden.size(), 2u);
  EXPECT_EQ(p.unhidden[0].path, home_ + "/.ssh");
  EXPECT_EQ(p.unhidden[0].lifted_by.Describe(), "flag --unhide");
  EXPECT_EQ(p.unhidden[0].rule, "built-in default");

  // Twin: without --unhide the same --read is refused.
  Overrides plain;
  Set(&plain, "--read", {"~/.npmrc"});
  EXPECT_NE(Err(plain).find("would have no effect"), std::string::npos);

  for (const char* own :
       {"~/.config/cordon", "~/.local/state/cordon", "~/.config", "~/.local/state/cordon/vault"}) {
    Overrides o;
    Set(&o, "--unhide", {own});
    EXPECT_NE(Err(o).find("cordon's own config and state"), std::string::npos) << own;
  }
  Overrides nothing;
  Set(&nothing, "--unhide", {"~/.m2"});
  EXPECT_NE(Err(nothing).find("nothing to unhide"), std::string::npos);
  Overrides inner;
  Set(&inner, "--unhide", {"~/.ssh/id_rsa"});
  EXPECT_NE(Err(inner).find("it is inside " + home_ + "/.ssh"), std::string::npos);
  Overrides flag_rule;
  Set(&flag_rule, "--deny-read", {"~/.m2"});
  Set(&flag_rule, "--unhide", {"~/.m2"});
  EXPECT_NE(Err(flag_rule).find("not a built-in default"), std::string::npos);
}

TEST_F(ResolveTest, UnhideInConfigFiles) {
  WriteUser("[filesystem]\nunhide = [\"~/.ssh\", \"~/.m2\"]\nread = [\"~/.ssh\"]\n");
  Policy p = Ok();
  EXPECT_NE(Find(p.read, home_ + "/.ssh"), nullptr);
  ASSERT_EQ(p.unhidden.size(), 1u);
  EXPECT_EQ(p.unhidden[0].lifted_by.kind, Origin::Kind::kUserConfig);
  // A user file's entry that lifts nothing is skipped, not an error.
  ASSERT_EQ(p.skipped.size(), 1u);
  EXPECT_EQ(p.skipped[0].key, "filesystem.unhide");
  EXPECT_EQ(p.skipped[0].path, home_ + "/.m2");
  // Never cordon's own, even from the user file.
  WriteUser("[filesystem]\nunhide = [\"~/.config/cordon\"]\n");
  EXPECT_NE(Err().find("cordon's own config and state"), std::string::npos);
  // An untrusted project file may not lift anything.
  WriteUser("");
  WriteProject("[filesystem]\nunhide = [\"~/.ssh\"]\n");
  EXPECT_NE(Err().find("filesystem.unhide lifts built-in deny-read rules"), std::string::npos);
}

TEST_F(ResolveTest, MissingConfigPathsAreListedAsSkipped) {
  WriteUser("[filesystem]\nread = [\"~/not-here\"]\nwritable = [\"~/gone\"]\n");
  Policy p = Ok();
  ASSERT_EQ(p.skipped.size(), 2u);
  EXPECT_EQ(p.skipped[0].key, "filesystem.writable");
  EXPECT_EQ(p.skipped[0].path, home_ + "/gone");
  EXPECT_EQ(p.skipped[0].reason, "does not exist");
  EXPECT_EQ(p.skipped[0].origin.line, 3);
  EXPECT_EQ(p.skipped[1].key, "filesystem.read");
  // Twin: a path that exists is not skipped.
  fs::create_directories(home_ + "/not-here");
  fs::create_directories(home_ + "/gone");
  EXPECT_TRUE(Ok().skipped.empty());
}

TEST_F(ResolveTest, UrlWhereAHostBelongsNamesTheHost) {
  Overrides ov;
  Set(&ov, "--net", {"proxy"});
  Set(&ov, "--allow-domain", {"https://example.com/x"});
  EXPECT_NE(Err(ov).find("give the host name: example.com"), std::string::npos);
  Set(&ov, "--allow-domain", {"example.com"});
  EXPECT_EQ(Ok(ov).net_rules.allow.size(), 1u);
  WriteUser("[network]\nmode = \"proxy\"\nallow = [\"http://user@api.example.org:8080/v1\"]\n");
  EXPECT_NE(Err().find("give the host name: api.example.org:8080"), std::string::npos);
}

TEST_F(ResolveTest, DuplicatesKeepTheFirstOrigin) {
  WriteUser("[filesystem]\nread = [\"~/.cargo/bin\"]\n");
  Overrides ov;
  Set(&ov, "--read", {"~/.cargo/bin"});
  Policy p = Ok(ov);
  EXPECT_EQ(std::count_if(p.read.begin(), p.read.end(),
                          [&](const PathRule& r) { return r.path == home_ + "/.cargo/bin"; }),
            1);
  EXPECT_EQ(Find(p.read, home_ + "/.cargo/bin")->origin.kind, Origin::Kind::kBuiltin);
}

TEST_F(ResolveTest, ProxyModeResolves) {
  Overrides ov;
  Set(&ov, "--net", {"proxy"});
  EXPECT_EQ(Ok(ov).net, NetMode::kProxy);
  WriteUser("[network]\nmode = \"proxy\"\n");
  Policy p = Ok();
  EXPECT_EQ(p.net, NetMode::kProxy);
  EXPECT_NE(p.net_origin.Describe().find("config.toml:2:8"), std::string::npos);
}

TEST_F(ResolveTest, NetworkRulesFromEveryLayerWithOrigins) {
  WriteUser(
      "[network]\nmode = \"proxy\"\nallow = [\"*.PyPI.org\", \"example.com:443\"]\n"
      "deny = [\"evil.pypi.org\"]\nallow_local = [\"127.0.0.1:5432\"]\n"
      "allow_presets = [\"crates\"]\n");
  WriteProject("[network]\ndeny = [\"*.example.org\"]\n");
  Overrides ov;
  Set(&ov, "--allow-domain", {"files.pythonhosted.org"});
  Set(&ov, "--deny-domain", {"ads.pypi.org"});
  Set(&ov, "--allow-local", {"localhost:6379", "[::1]:8080"});
  Set(&ov, "--resolve", {"test.example:127.0.0.1"});
  Policy p = Ok(ov);
  const NetRules& r = p.net_rules;
  const std::string user = home_ + "/.config/cordon/config.toml";
  ASSERT_EQ(r.allow.size(), 6u);
  EXPECT_EQ(r.allow[0].host, "pypi.org");
  EXPECT_TRUE(r.allow[0].wildcard);
  EXPECT_EQ(r.allow[0].origin, user + ":3:10");
  EXPECT_EQ(r.allow[2].text, "crates.io");
  EXPECT_EQ(r.allow[2].origin, "preset crates (" + user + ":6:18)");
  EXPECT_EQ(r.allow[5].origin, "flag --allow-domain");
  ASSERT_EQ(r.deny.size(), 3u);
  EXPECT_EQ(r.deny[1].origin, ws_ + "/.cordon.toml:2:9");
  EXPECT_EQ(r.deny[2].origin, "flag --deny-domain");
  ASSERT_EQ(r.allow_local.size(), 3u);
  ASSERT_EQ(p.net_resolve.size(), 1u);
  EXPECT_EQ(p.net_resolve[0].host, "test.example");
  EXPECT_EQ(p.net_resolve[0].address, "127.0.0.1");

  NetVerdict v = DecideHost(r, "evil.pypi.org", 443);
  EXPECT_EQ(v.kind, NetVerdict::kDeny);
  EXPECT_EQ(v.rule, "deny \"evil.pypi.org\" (" + user + ":4:9)");
  EXPECT_EQ(DecideHost(r, "static.crates.io", 443).rule,
            "allow \"static.crates.io\" (preset crates (" + user + ":6:18))");
  EXPECT_EQ(DecideHost(r, "x.example.org", 443).kind, NetVerdict::kDeny);
}

TEST_F(ResolveTest, NetworkRuleErrorsNameTheirOrigin) {
  WriteUser("[network]\nallow = [\"ok.com\", \"foo*.com\"]\n");
  std::string e = Err();
  EXPECT_NE(e.find("config.toml:2:20"), std::string::npos) << e;
  EXPECT_NE(e.find("network.allow: 'foo*.com'"), std::string::npos) << e;
  WriteUser("[network]\nallow_presets = [\"pypi\", \"cpan\"]\n");
  e = Err();
  EXPECT_NE(e.find("unknown preset 'cpan' (choices: github, gitlab, pypi, npm, crates"),
            std::string::npos)
      << e;
  WriteUser("[network]\nallow_local = [\"127.0.0.1\"]\n");
  EXPECT_NE(Err().find("needs a port"), std::string::npos);
  WriteUser("[network]\nallow_local = [\"db.internal:5432\"]\n");
  EXPECT_NE(Err().find("IP address or 'localhost'"), std::string::npos);
  WriteUser("[network]\ndeny = [\"bücher.de\"]\n");
  EXPECT_NE(Err().find("punycode"), std::string::npos);
  WriteUser("");

  Overrides ov;
  Set(&ov, "--net", {"proxy"});
  Set(&ov, "--allow-domain", {"*"});
  e = Err(ov);
  EXPECT_NE(e.find("--allow-domain(*)"), std::string::npos) << e;
  Set(&ov, "--allow-domain", {});
  Set(&ov, "--allow-local", {"*.example.com:80"});
  EXPECT_NE(Err(ov).find("--allow-local"), std::string::npos);
  Set(&ov, "--allow-local", {});
  Set(&ov, "--resolve", {"host.test:not-an-ip"});
  EXPECT_NE(Err(ov).find("--resolve"), std::string::npos);
}

TEST_F(ResolveTest, UntrustedProjectMayOnlyAddDenyRules) {
  for (const char* widening : {"allow = [\"evil.com\"]", "allow_local = [\"127.0.0.1:22\"]",
                               "allow_presets = [\"github\"]"}) {
    WriteProject(std::string("[network]\n") + widening + "\n");
    std::string e = Err();
    EXPECT_NE(e.find("may only narrow"), std::string::npos) << widening << ": " << e;
    EXPECT_NE(e.find(".cordon.toml:2:"), std::string::npos) << e;
  }
  WriteUser("[workspaces.\"" + ws_ + "\"]\ntrusted = true\n");
  WriteProject("[network]\nallow = [\"evil.com\"]\nallow_presets = [\"npm\"]\n");
  Policy p = Ok();
  EXPECT_EQ(p.net_rules.allow.front().host, "evil.com");
  EXPECT_GT(p.net_rules.allow.size(), 1u);
}

TEST_F(ResolveTest, NetworkFlagsNeedProxyMode) {
  for (auto set : std::vector<void (*)(Overrides*)>{
           [](Overrides* o) { Set(o, "--allow-domain", {"a.com"}); },
           [](Overrides* o) { Set(o, "--deny-domain", {"a.com"}); },
           [](Overrides* o) { Set(o, "--resolve", {"a.test:127.0.0.1"}); }}) {
    Overrides ov;
    set(&ov);
    std::string e = Err(ov);
    EXPECT_NE(e.find("has an effect only with network mode proxy (the mode is 'off', from "
                     "built-in default)"),
              std::string::npos)
        << e;
    EXPECT_NE(e.find("--net proxy"), std::string::npos) << e;
    Set(&ov, "--net", {"full"});
    EXPECT_NE(Err(ov).find("'full', from flag --net"), std::string::npos);
    Set(&ov, "--net", {"proxy"});
    Ok(ov);
  }
  // A local service is not internet access: --allow-local works offline
  // (relayed into the sandbox) and only --net full refuses it.
  {
    Overrides ov;
    Set(&ov, "--allow-local", {"127.0.0.1:1"});
    EXPECT_EQ(Ok(ov).net_rules.allow_local.size(), 1u);
    Set(&ov, "--net", {"full"});
    EXPECT_NE(Err(ov).find("has an effect only with network mode proxy or off (the mode is "
                           "'full', from flag --net)"),
              std::string::npos)
        << Err(ov);
  }
  // Rules from config files stay (inactive) in other modes.
  WriteUser("[network]\nallow = [\"a.com\"]\n");
  Policy p = Ok();
  EXPECT_EQ(p.net, NetMode::kOff);
  EXPECT_EQ(p.net_rules.allow.size(), 1u);
}

TEST_F(ResolveTest, DuplicateNetworkRulesKeepTheFirstOrigin) {
  WriteUser("[network]\nallow = [\"a.com\", \"A.com.\", \"a.com:443\"]\n");
  Overrides ov;
  Set(&ov, "--net", {"proxy"});
  Set(&ov, "--allow-domain", {"a.com"});
  Policy p = Ok(ov);
  ASSERT_EQ(p.net_rules.allow.size(), 2u);
  EXPECT_EQ(p.net_rules.allow[0].origin.find("flag"), std::string::npos);
  EXPECT_EQ(p.net_rules.allow[1].port, 443);
}

TEST_F(ResolveTest, BadHostFacts) {
  host_.home = "relative";
  EXPECT_FALSE(Resolve({}, host_).ok());
  host_.home = home_;
  host_.cwd = "";
  EXPECT_FALSE(Resolve({}, host_).ok());
}

TEST(HostFacts, FromProcess) {
  auto h = HostFacts::FromProcess();
  ASSERT_TRUE(h.ok()) << h.error().Describe();
  EXPECT_EQ(h.value().home.front(), '/');
  EXPECT_EQ(h.value().cwd.front(), '/');
  EXPECT_EQ(h.value().xdg_config_home.front(), '/');
  EXPECT_EQ(h.value().xdg_state_home.front(), '/');
}

}  // namespace
}  // namespace cordon::policy

namespace cordon::policy {
namespace {

class SecretGrantTest : public ResolveTest {};

TEST_F(SecretGrantTest, FlagAndUserFileGrantByName) {
  WriteUser("[secrets]\ngh_work = { env = \"GITHUB_TOKEN\" }\nNPM_TOKEN = {}\n");
  Overrides ov;
  Set(&ov, "--secret", {"OPENAI_API_KEY"});
  Policy p = Ok(ov);
  ASSERT_EQ(p.secrets.size(), 3u);
  auto grant = [&](const std::string& name) {
    auto it = std::find_if(p.secrets.begin(), p.secrets.end(),
                           [&](const SecretGrant& g) { return g.name == name; });
    return it == p.secrets.end() ? SecretGrant{} : *it;
  };
  EXPECT_EQ(grant("gh_work").env, "GITHUB_TOKEN");
  EXPECT_EQ(grant("gh_work").origin.kind, Origin::Kind::kUserConfig);
  EXPECT_EQ(grant("NPM_TOKEN").env, "NPM_TOKEN");
  EXPECT_EQ(grant("OPENAI_API_KEY").origin.kind, Origin::Kind::kFlag);
}

TEST_F(SecretGrantTest, FlagReplacesAGrantOfTheSameVariable) {
  WriteUser("[secrets]\nother = { env = \"GITHUB_TOKEN\" }\n");
  Overrides ov;
  Set(&ov, "--secret", {"GITHUB_TOKEN"});
  Policy p = Ok(ov);
  ASSERT_EQ(p.secrets.size(), 1u);
  EXPECT_EQ(p.secrets[0].name, "GITHUB_TOKEN");
}

TEST_F(SecretGrantTest, ProjectFileCannotGrantEvenWhenTrusted) {
  WriteProject("[secrets]\nGITHUB_TOKEN = {}\n");
  EXPECT_NE(Err().find("cannot grant secrets"), std::string::npos);
  WriteUser("[workspaces.\"" + ws_ + "\"]\ntrusted = true\n");
  EXPECT_NE(Err().find("cannot grant secrets"), std::string::npos);
}

TEST_F(SecretGrantTest, InvalidNamesAreRefused) {
  Overrides ov;
  Set(&ov, "--secret", {"NOT-A-NAME"});
  EXPECT_NE(Err(ov).find("--secret"), std::string::npos);
  WriteUser("[secrets]\nA = { env = \"B C\" }\n");
  EXPECT_NE(Err().find("not a valid variable name"), std::string::npos);
  WriteUser("[secrets]\nA = { var = \"B\" }\n");
  EXPECT_NE(Err().find("unknown key"), std::string::npos);
}

}  // namespace
}  // namespace cordon::policy

namespace cordon::policy {
namespace {

const CacheLayer* FindCache(const Policy& p, const std::string& name) {
  auto it = std::find_if(p.caches.begin(), p.caches.end(),
                         [&](const CacheLayer& c) { return c.name == name; });
  return it == p.caches.end() ? nullptr : &*it;
}

TEST_F(ResolveTest, PackageCachesAreLayeredPerWorkspace) {
  Policy p = Ok();
  const CacheLayer* pip = FindCache(p, "pip");
  ASSERT_NE(pip, nullptr);
  EXPECT_EQ(pip->path, home_ + "/.cache/pip");
  EXPECT_TRUE(pip->layer.starts_with(home_ + "/.cache/cordon/layers/proj-")) << pip->layer;
  EXPECT_TRUE(pip->layer.ends_with("/pip")) << pip->layer;
  EXPECT_EQ(pip->env, "PIP_CACHE_DIR");
  const CacheLayer* npm = FindCache(p, "npm");
  ASSERT_NE(npm, nullptr);
  EXPECT_EQ(npm->path, home_ + "/.npm");  // listed whether or not it exists
  const CacheLayer* maven = FindCache(p, "maven");
  ASSERT_NE(maven, nullptr);
  EXPECT_EQ(maven->env, "MAVEN_OPTS");
  EXPECT_TRUE(maven->env_append);
  // Another workspace has layers of its own.
  fs::create_directories(home_ + "/src/other");
  host_.cwd = home_ + "/src/other";
  Policy other = Ok();
  EXPECT_NE(other.cache_layers, p.cache_layers);
}

TEST_F(ResolveTest, PackageCachesFollowTheToolsVariables) {
  host_.xdg_cache_home = root_ + "/xdg-cache";
  host_.cache_env = {{"PIP_CACHE_DIR", root_ + "/pipcache"},
                     {"CARGO_HOME", root_ + "/cargo"},
                     {"GOPATH", root_ + "/gp1:" + root_ + "/gp2"}};
  Policy p = Ok();
  EXPECT_EQ(FindCache(p, "pip")->path, root_ + "/pipcache");
  EXPECT_EQ(FindCache(p, "cargo-registry")->path, root_ + "/cargo/registry");
  EXPECT_EQ(FindCache(p, "go-mod")->path, root_ + "/gp1/pkg/mod");
  EXPECT_EQ(FindCache(p, "go-build")->path, root_ + "/xdg-cache/go-build");
  EXPECT_TRUE(p.cache_layers.starts_with(root_ + "/xdg-cache/cordon/layers/")) << p.cache_layers;
}

TEST_F(ResolveTest, WritableRootOptsIntoTheRealCache) {
  fs::create_directories(home_ + "/.npm");
  Overrides ov;
  Set(&ov, "--writable", {home_ + "/.npm"});
  Policy p = Ok(ov);
  EXPECT_EQ(FindCache(p, "npm"), nullptr);
  EXPECT_NE(FindCache(p, "pip"), nullptr);
  // A root that holds several caches opts into all of them.
  Set(&ov, "--writable", {home_ + "/.cache"});
  p = Ok(ov);
  EXPECT_EQ(FindCache(p, "pip"), nullptr);
  EXPECT_EQ(FindCache(p, "go-build"), nullptr);
  EXPECT_NE(FindCache(p, "npm"), nullptr);
}

TEST_F(ResolveTest, NoCacheLayersOutsideWorkspaceWrite) {
  Overrides ov;
  ASSERT_TRUE(AddFlag(&ov, "--mode", "read-only").ok());
  EXPECT_TRUE(Ok(ov).caches.empty());
  // Deny-read wins: a cache inside a denied path is not shown at all.
  Overrides deny;
  Set(&deny, "--deny-read", {home_ + "/.cache"});
  Policy p = Ok(deny);
  EXPECT_EQ(FindCache(p, "pip"), nullptr);
  EXPECT_NE(FindCache(p, "npm"), nullptr);
}

}  // namespace
}  // namespace cordon::policy
