// Plan compilation: which covers, binds, hides and protects a policy yields.
// The mount operations themselves are exercised by the integration suite.
#include "sandbox/linux/plan.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "policy/defaults.h"
#include "policy/git_surface.h"

namespace cordon::sandbox {
namespace {

namespace fsys = std::filesystem;

// `true` under the namespace tier.
CompileInputs TrueInputs(char** environ = nullptr, std::vector<std::string> extra_env = {}) {
  CompileInputs in;
  in.argv = {"true"};
  in.environ = environ;
  in.extra_env = std::move(extra_env);
  return in;
}

class PlanTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Not under /tmp, whose own cover would swallow the home cover.
    char tmpl[] = "/var/tmp/cordon-plan-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    home_ = root_ + "/home";
    ws_ = home_ + "/src/proj";
    fsys::create_directories(ws_);
    fsys::create_directories(home_ + "/.cargo/bin");
    fsys::create_directories(home_ + "/.ssh");
    policy_.home = home_;
    policy_.workspace = ws_;
    policy_.read.push_back({home_ + "/.cargo/bin", {}});
    policy_.deny_read.push_back({home_ + "/.ssh", {}});
    for (const char* p : {"/.git/hooks", "/.git/config", "/.envrc", "/.cordon.toml"}) {
      policy_.protect.push_back({ws_ + p, {}});
    }
  }
  void TearDown() override { fsys::remove_all(root_); }

  Plan MustCompile() {
    auto plan = Compile(policy_, TrueInputs());
    EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().Describe());
    return std::move(plan).value();
  }

  static const mount_view::Bind* FindBind(const Plan& plan, const std::string& path) {
    auto it = std::find_if(plan.mounts.binds.begin(), plan.mounts.binds.end(),
                           [&](const auto& b) { return b.path == path; });
    return it == plan.mounts.binds.end() ? nullptr : &*it;
  }

  static bool HasCover(const Plan& plan, const std::string& path) {
    return std::any_of(plan.mounts.covers.begin(), plan.mounts.covers.end(),
                       [&](const auto& c) { return c.path == path; });
  }

  static bool Contains(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  static bool HasPlaceholder(const Plan& plan, const std::string& path, bool is_dir) {
    return std::any_of(plan.placeholders.begin(), plan.placeholders.end(),
                       [&](const auto& p) { return p.path == path && p.is_dir == is_dir; });
  }

  std::string root_, home_, ws_;
  policy::Policy policy_;
};

TEST_F(PlanTest, HomeIsCoveredAndAllowedPathsBoundBack) {
  Plan plan = MustCompile();
  EXPECT_TRUE(HasCover(plan, home_));
  EXPECT_TRUE(HasCover(plan, "/tmp"));
  EXPECT_TRUE(HasCover(plan, "/dev"));
  const auto* ws = FindBind(plan, ws_);
  ASSERT_NE(ws, nullptr);
  EXPECT_FALSE(ws->read_only);
  EXPECT_TRUE(ws->make_mountpoint);
  const auto* cargo = FindBind(plan, home_ + "/.cargo/bin");
  ASSERT_NE(cargo, nullptr);
  EXPECT_TRUE(cargo->read_only);
  // ~/.ssh is under the home cover and not bound back: nothing to hide.
  EXPECT_TRUE(plan.mounts.hides.empty());
}

TEST_F(PlanTest, AHomeInsideThePrivateTmpIsStillCoveredReadOnly) {
  policy_.home = "/tmp/cordon-plan-home";
  fsys::create_directories(policy_.home);
  Plan plan = MustCompile();
  fsys::remove_all(policy_.home);
  auto home = std::find_if(plan.mounts.covers.begin(), plan.mounts.covers.end(),
                           [&](const auto& c) { return c.path == policy_.home; });
  ASSERT_NE(home, plan.mounts.covers.end());
  EXPECT_TRUE(home->read_only);
  EXPECT_TRUE(home->make_mountpoint);  // inside the /tmp cover
}

TEST_F(PlanTest, DenyReadUnderAnAllowedParentIsHidden) {
  fsys::create_directories(home_ + "/.config/gh");
  std::ofstream(home_ + "/.config/gh/hosts.yml") << "token";
  policy_.read.push_back({home_ + "/.config", {}});
  policy_.deny_read.push_back({home_ + "/.config/gh", {}});
  std::ofstream(ws_ + "/secret.txt") << "s";
  policy_.deny_read.push_back({ws_ + "/secret.txt", {}});
  Plan plan = MustCompile();
  auto& hides = plan.mounts.hides;
  ASSERT_EQ(hides.size(), 2U);
  EXPECT_TRUE(std::any_of(hides.begin(), hides.end(), [&](const auto& h) {
    return h.path == home_ + "/.config/gh" && h.is_dir;
  }));
  EXPECT_TRUE(std::any_of(hides.begin(), hides.end(), [&](const auto& h) {
    return h.path == ws_ + "/secret.txt" && !h.is_dir;
  }));
}

TEST_F(PlanTest, ProtectsGitAndPinsItsParent) {
  fsys::create_directories(ws_ + "/.git/hooks");
  std::ofstream(ws_ + "/.git/config") << "[core]\n";
  Plan plan = MustCompile();
  EXPECT_TRUE(Contains(plan.mounts.protects, ws_ + "/.git/hooks"));
  EXPECT_TRUE(Contains(plan.mounts.protects, ws_ + "/.git/config"));
  EXPECT_TRUE(Contains(plan.mounts.pins, ws_ + "/.git"));
  // Missing .envrc and .cordon.toml are in the work tree: no placeholder
  // (git would list it); what the run creates there is moved out after it.
  EXPECT_FALSE(HasPlaceholder(plan, ws_ + "/.envrc", false));
  EXPECT_FALSE(HasPlaceholder(plan, ws_ + "/.cordon.toml", false));
  EXPECT_FALSE(Contains(plan.mounts.protects, ws_ + "/.envrc"));
  auto watched = [&](const std::string& path) {
    return std::any_of(plan.watched.begin(), plan.watched.end(),
                       [&](const auto& w) { return w.path == path; });
  };
  EXPECT_TRUE(watched(ws_ + "/.envrc"));
  EXPECT_TRUE(watched(ws_ + "/.cordon.toml"));
  // Planning creates nothing.
  EXPECT_FALSE(fsys::exists(ws_ + "/.envrc"));
}

TEST_F(PlanTest, MissingHooksDirGetsADirectoryPlaceholder) {
  fsys::create_directories(ws_ + "/.git");
  Plan plan = MustCompile();
  EXPECT_FALSE(fsys::exists(ws_ + "/.git/hooks"));
  EXPECT_TRUE(HasPlaceholder(plan, ws_ + "/.git/hooks", true));
  EXPECT_TRUE(Contains(plan.mounts.protects, ws_ + "/.git/hooks"));
}

TEST_F(PlanTest, AWorkspaceWithoutRepositoryHasItsGitProtected) {
  Plan plan = MustCompile();
  EXPECT_TRUE(HasPlaceholder(plan, ws_ + "/.git", true));
  EXPECT_TRUE(Contains(plan.mounts.protects, ws_ + "/.git"));
  // Nothing below a missing .git is planned.
  EXPECT_FALSE(Contains(plan.mounts.protects, ws_ + "/.git/hooks"));
}

TEST_F(PlanTest, ReadingTheWholeHomeBindsItBackAndHidesTheDenyList) {
  policy_.read.push_back({home_, {}});
  Plan plan = MustCompile();
  const auto* home = FindBind(plan, home_);
  ASSERT_NE(home, nullptr);
  EXPECT_TRUE(home->read_only);
  ASSERT_EQ(plan.mounts.hides.size(), 1U);
  EXPECT_EQ(plan.mounts.hides[0].path, home_ + "/.ssh");
}

TEST_F(PlanTest, WorktreeGitdirIsProtected) {
  std::string common = ws_ + "/main.git";
  std::string gitdir = common + "/worktrees/wt";
  fsys::create_directories(gitdir);
  fsys::create_directories(common + "/hooks");
  // A git dir as git makes it: HEAD and objects/ (how the plan knows a git
  // dir under another name, where missing paths get placeholders).
  fsys::create_directories(common + "/objects");
  std::ofstream(common + "/HEAD") << "ref: refs/heads/main\n";
  std::ofstream(common + "/config") << "[core]\n";
  std::ofstream(gitdir + "/commondir") << "../..\n";
  std::ofstream(gitdir + "/config") << "";
  fsys::create_directories(gitdir + "/hooks");
  std::ofstream(ws_ + "/.git") << "gitdir: main.git/worktrees/wt\n";
  // The policy lists them (defaults.cc); the plan protects and pins them.
  for (auto& g : policy::GitSurface(ws_, {home_, home_ + "/.config", "", "", true})) {
    policy_.protect.push_back({g.path, {}, g.is_dir});
  }
  Plan plan = MustCompile();
  EXPECT_TRUE(Contains(plan.mounts.protects, gitdir + "/hooks"));
  EXPECT_TRUE(Contains(plan.mounts.protects, common + "/hooks"));
  EXPECT_TRUE(Contains(plan.mounts.protects, common + "/config"));
  EXPECT_TRUE(Contains(plan.mounts.pins, common));
  // The pointers that redirect git: the .git file and both commondirs.
  EXPECT_TRUE(Contains(plan.mounts.protects, ws_ + "/.git"));
  EXPECT_TRUE(Contains(plan.mounts.protects, gitdir + "/commondir"));
  EXPECT_TRUE(Contains(plan.mounts.protects, common + "/commondir"));
}

TEST_F(PlanTest, ReadOnlyModeBindsTheWorkspaceReadOnlyAndProtectsNothing) {
  policy_.mode = policy::Mode::kReadOnly;
  Plan plan = MustCompile();
  const auto* ws = FindBind(plan, ws_);
  ASSERT_NE(ws, nullptr);
  EXPECT_TRUE(ws->read_only);
  EXPECT_TRUE(plan.mounts.protects.empty());
  EXPECT_TRUE(plan.placeholders.empty());
}

// What a plan says, as lines to compare, the namespace-less tier's private
// tmp dir (a new random name each time) written TMP.
std::vector<std::string> Facts(const Plan& plan) {
  const std::string tmp = plan.host ? plan.host->tmp.path() : std::string("\x01");
  auto norm = [&](std::string s) {
    for (size_t at; (at = s.find(tmp)) != std::string::npos;) s.replace(at, tmp.size(), "TMP");
    return s;
  };
  std::vector<std::string> facts = DescribePlan(plan);
  facts.push_back("tier " + std::string(TierName(plan.tier)) + " " + plan.tier_reason);
  facts.push_back("clone " + std::to_string(plan.clone_flags) + " view " +
                  std::to_string(plan.use_mount_view) + " seccomp " +
                  std::to_string(plan.use_seccomp) + " landlock " +
                  std::to_string(plan.use_landlock) + " port " +
                  std::to_string(plan.landlock.allow_connect_port));
  for (const auto& r : plan.landlock.paths) {
    facts.push_back("landlock " + r.path + " " + std::to_string(r.access));
  }
  for (const auto& e : plan.envp) facts.push_back("env " + e);
  for (const auto& w : plan.watched) facts.push_back("watched " + w.path + " " + w.why);
  for (const auto& p : plan.placeholders) facts.push_back("placeholder " + p.path);
  for (const auto& d : plan.degraded) facts.push_back("degraded " + d);
  facts.push_back("limits cgroup " + std::to_string(plan.limits.cgroup) + " data " +
                  std::to_string(plan.limits.rlimit_data) + " nproc " +
                  std::to_string(plan.limits.rlimit_nproc) + " tmp " +
                  std::to_string(plan.limits.tmp_bytes));
  for (std::string& f : facts) f = norm(f);
  return facts;
}

// Where user namespaces are refused, the namespace-less plan is made from
// the refused one instead of from the start: it is the plan Compile makes
// for that tier, the limits (planned per tier) and their messages
// included.
TEST_F(PlanTest, ReplanningTheRefusedPlanGivesTheNamespacelessOne) {
  policy_.limits.pids = 64;
  policy_.limits.pids_origin.kind = policy::Origin::Kind::kFlag;
  policy_.limits.tmp_bytes = 1 << 20;
  policy_.allow_degraded = true;
  auto refused = Compile(policy_, TrueInputs(environ));
  ASSERT_TRUE(refused.ok()) << refused.error().Describe();
  ASSERT_EQ(refused.value().tier, Tier::kNamespaces);
  if (!refused.value().use_landlock) GTEST_SKIP() << "no Landlock: no namespace-less tier";
  CompileInputs nsless = TrueInputs(environ);
  nsless.tier = Tier::kNamespaceless;
  nsless.tier_reason = "clone(CLONE_NEWUSER): EPERM";
  auto replanned = Replan(policy_, nsless, std::move(refused).value());
  ASSERT_TRUE(replanned.ok()) << replanned.error().Describe();
  auto compiled = Compile(policy_, nsless);
  ASSERT_TRUE(compiled.ok()) << compiled.error().Describe();
  EXPECT_EQ(replanned.value().tier, Tier::kNamespaceless);
  EXPECT_EQ(Facts(replanned.value()), Facts(compiled.value()));
  // The twin: the namespace tier's own plan says otherwise.
  EXPECT_NE(Facts(MustCompile()), Facts(compiled.value()));
}

TEST_F(PlanTest, FullAccessIsNotConfined) {
  policy_.mode = policy::Mode::kFullAccess;
  EXPECT_EQ(MustCompile().tier, Tier::kUnconfined);
}

// Granted secrets: set after scrubbing, replacing the host's variable of the
// same name, in every tier.
TEST_F(PlanTest, ExtraEnvReplacesTheHostVariable) {
  char host_var[] = "CORDON_PLAN_TEST=host";
  char* environ[] = {host_var, nullptr};
  for (policy::Mode mode : {policy::Mode::kWorkspaceWrite, policy::Mode::kFullAccess}) {
    policy_.mode = mode;
    auto compiled = Compile(policy_, TrueInputs(environ, {"CORDON_PLAN_TEST=granted"}));
    ASSERT_TRUE(compiled.ok()) << compiled.error().Describe();
    const auto& envp = compiled.value().envp;
    EXPECT_EQ(std::count(envp.begin(), envp.end(), "CORDON_PLAN_TEST=granted"), 1);
    EXPECT_EQ(std::count(envp.begin(), envp.end(), "CORDON_PLAN_TEST=host"), 0);
  }
}

TEST_F(PlanTest, ProxyKeepsANetworkNamespaceAndPointsTheProxyVariablesAtIt) {
  policy_.net = policy::NetMode::kProxy;
  char host_proxy[] = "https_proxy=http://host-proxy.invalid:8080";
  char* environ[] = {host_proxy, nullptr};
  auto compiled = Compile(policy_, TrueInputs(environ));
  ASSERT_TRUE(compiled.ok()) << compiled.error().Describe();
  const Plan& plan = compiled.value();
  EXPECT_TRUE(plan.proxy);
  EXPECT_NE(plan.clone_flags & CLONE_NEWNET, 0u);
  auto has = [&](const std::string& entry) {
    return std::find(plan.envp.begin(), plan.envp.end(), entry) != plan.envp.end();
  };
  EXPECT_TRUE(has("HTTPS_PROXY=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("https_proxy=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("ALL_PROXY=http://127.0.0.1:3128"));
  EXPECT_TRUE(has("NO_PROXY=localhost,127.0.0.1,::1"));
  EXPECT_FALSE(has("https_proxy=http://host-proxy.invalid:8080"));
}

// Offline is the network namespace alone: its own loopback must work (a
// test suite's servers), so no Landlock TCP rule.
TEST_F(PlanTest, OfflineHasItsOwnNetworkAndFullKeepsTheHostNetwork) {
  Plan offline = MustCompile();
  EXPECT_FALSE(offline.landlock.deny_tcp);
  EXPECT_TRUE(offline.clone_flags & CLONE_NEWNET);
  policy_.net = policy::NetMode::kFull;
  Plan full = MustCompile();
  EXPECT_FALSE(full.landlock.deny_tcp);
  EXPECT_FALSE(full.clone_flags & CLONE_NEWNET);
}

policy::HostRule LocalRule(const std::string& text) {
  auto rule = policy::ParseHostRule(text);
  EXPECT_TRUE(rule.ok()) << text;
  return rule.value();
}

TEST_F(PlanTest, AllowLocalLoopbackServicesGetRelays) {
  policy_.net_rules.allow_local = {LocalRule("127.0.0.1:5432"), LocalRule("127.0.0.1:5432"),
                                   LocalRule("127.0.0.53:53"), LocalRule("192.0.2.7:80"),
                                   LocalRule("localhost:6379")};
  Plan plan = MustCompile();
  std::vector<std::string> relays;
  for (const LocalRelay& r : plan.relays) relays.push_back(r.what + " -> " + r.host);
  const bool v6 = access("/proc/net/if_inet6", F_OK) == 0;
  std::vector<std::string> want = {"127.0.0.1:5432 (allow_local relay) -> 127.0.0.1",
                                   "127.0.0.53:53 (allow_local relay) -> 127.0.0.53",
                                   "127.0.0.1:6379 (allow_local relay) -> localhost"};
  if (v6) want.emplace_back("[::1]:6379 (allow_local relay) -> localhost");
  EXPECT_EQ(relays, want);
  // Not a loopback address: not the sandbox's to take, and -v says so.
  EXPECT_TRUE(std::any_of(plan.notes.begin(), plan.notes.end(), [](const std::string& n) {
    return n.find("allow_local 192.0.2.7:80: not a loopback address") != std::string::npos;
  }));
  // The proxy's own port is the proxy's.
  policy_.net = policy::NetMode::kProxy;
  policy_.net_rules.allow_local = {LocalRule("127.0.0.1:3128")};
  EXPECT_TRUE(MustCompile().relays.empty());
  // --net full: the host's network, nothing to relay.
  policy_.net = policy::NetMode::kFull;
  policy_.net_rules.allow_local = {LocalRule("127.0.0.1:5432")};
  EXPECT_TRUE(MustCompile().relays.empty());
}

}  // namespace
}  // namespace cordon::sandbox
