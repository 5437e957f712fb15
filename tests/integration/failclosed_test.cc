// Property 8: fail closed. A missing kernel feature (faked for cordon's
// process tree only, by cordon-deny-syscall's seccomp filter: Landlock,
// user or network namespaces, seccomp itself) is exit 125 with a message
// naming the feature and the remedy, and the command never runs;
// --allow-degraded runs it with what is left and says on stderr what is not
// enforced, and what can still be enforced still is.
#include <algorithm>
#include <cctype>

#include "harness.h"

namespace cordon::it {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

class FailClosedTest : public SandboxTest {
 protected:
  void SetUp() override {
    CORDON_SKIP_IN_NAMESPACELESS_TIER("these tests fake missing features themselves");
  }

  // cordon run ... -- probe write WS/ran, under a filter that fakes `fake`.
  RunResult RunWithout(const std::vector<std::string>& fake, const std::vector<std::string>& opts,
                       const std::vector<std::string>& probe_args) {
    std::vector<std::string> argv = {DenySyscallBin()};
    argv.insert(argv.end(), fake.begin(), fake.end());
    argv.push_back("--");
    std::vector<std::string> cmd = {probe_};
    cmd.insert(cmd.end(), probe_args.begin(), probe_args.end());
    auto run = RunArgvAnyTier(opts, cmd);
    argv.insert(argv.end(), run.begin(), run.end());
    RunResult r = RunProcess(argv, env_, ws_);
    EXPECT_EQ(r.err.find("cordon-deny-syscall:"), std::string::npos) << "the helper itself failed\n"
                                                                     << r.Describe();
    return r;
  }

  // Exit 125, a message naming the feature (any of `names`) and a remedy,
  // and the command did not run.
  void ExpectRefused(const std::vector<std::string>& fake,
                     std::initializer_list<const char*> names) {
    RunResult r = RunWithout(fake, {}, {"write", ws_ + "/ran"});
    EXPECT_EQ(r.exit_code, 125) << r.Describe();
    std::string err = Lower(r.err);
    EXPECT_TRUE(std::any_of(names.begin(), names.end(),
                            [&](const char* n) { return err.find(n) != std::string::npos; }))
        << "stderr does not name the missing feature\n"
        << r.Describe();
    EXPECT_NE(err.find("--allow-degraded"), std::string::npos) << "no remedy offered\n"
                                                               << r.Describe();
    EXPECT_FALSE(Exists(ws_ + "/ran")) << "the command ran although cordon refused";
  }

  // --allow-degraded: the command runs, stderr says what is not enforced.
  void ExpectDegradedRun(const std::vector<std::string>& fake,
                         std::initializer_list<const char*> names) {
    RunResult r = RunWithout(fake, {"--allow-degraded"}, {"write", ws_ + "/ran", "degraded\n"});
    EXPECT_TRUE(Allowed(r));
    EXPECT_EQ(ReadFile(ws_ + "/ran"), "degraded\n");
    std::string err = Lower(r.err);
    EXPECT_TRUE(std::any_of(names.begin(), names.end(),
                            [&](const char* n) { return err.find(n) != std::string::npos; }))
        << "stderr does not say what is not enforced\n"
        << r.Describe();
    EXPECT_NE(err.find("not enforced"), std::string::npos) << r.Describe();
  }
};

TEST_F(FailClosedTest, HelperDoesNotBreakANormalRun) {
  // The filter that fakes nothing must leave cordon working, or the
  // refusals below could be the helper's fault.
  RunResult r = RunWithout({"acct:EPERM"}, {}, {"write", ws_ + "/ran"});
  EXPECT_TRUE(Allowed(r));
}

TEST_F(FailClosedTest, MissingLandlockIsRefused) {
  ExpectRefused({"landlock_create_ruleset:ENOSYS"}, {"landlock"});
}

TEST_F(FailClosedTest, MissingLandlockWithAllowDegradedRunsAndSaysSo) {
  ExpectDegradedRun({"landlock_create_ruleset:ENOSYS"}, {"landlock"});
  // What the mount view enforces still holds.
  RunResult r =
      RunWithout({"landlock_create_ruleset:ENOSYS"}, {"--allow-degraded"}, {"write", home_ + "/x"});
  EXPECT_TRUE(Denied(r, {"EACCES", "EROFS"}));
  EXPECT_FALSE(Exists(home_ + "/x"));
  r = RunWithout({"landlock_create_ruleset:ENOSYS"}, {"--allow-degraded"},
                 {"read", home_ + "/.ssh/id_ed25519"});
  EXPECT_TRUE(Denied(r, {"ENOENT", "EACCES"}));
  EXPECT_EQ(r.out.find(fake_home_.secret()), std::string::npos);
}

TEST_F(FailClosedTest, MissingUserNamespacesWithRequireNamespacesAreRefused) {
  RunResult r = RunWithout({"--ns", "user"}, {"--require-namespaces"}, {"write", ws_ + "/ran"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(Lower(r.err).find("user namespace"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("--require-namespaces"), std::string::npos) << "no remedy\n" << r.Describe();
  EXPECT_FALSE(Exists(ws_ + "/ran")) << "the command ran although cordon refused";
}

TEST_F(FailClosedTest, MissingUserNamespacesSwitchToTheNamespacelessTierAndSaySoOnce) {
  RunResult r = RunWithout({"--ns", "user"}, {}, {"write", ws_ + "/ran", "nsless\n"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_EQ(ReadFile(ws_ + "/ran"), "nsless\n");
  size_t at = r.err.find("namespace-less tier");
  ASSERT_NE(at, std::string::npos) << r.Describe();
  EXPECT_EQ(r.err.find("namespace-less tier", at + 1), std::string::npos) << "said twice\n"
                                                                          << r.Describe();
  EXPECT_NE(r.err.find("EPERM"), std::string::npos) << "no reason given\n" << r.Describe();
  // Landlock still refuses writes outside the workspace.
  r = RunWithout({"--ns", "user"}, {}, {"write", home_ + "/x"});
  EXPECT_TRUE(Denied(r, {"EACCES", "EROFS"}));
  EXPECT_FALSE(Exists(home_ + "/x"));
}

TEST_F(FailClosedTest, MissingNetworkNamespaceSwitchesTierAndTcpStaysRefused) {
  TcpServer server("127.0.0.1");
  RunResult r =
      RunWithout({"--ns", "net"}, {}, {"connect-tcp", "127.0.0.1", std::to_string(server.port())});
  EXPECT_TRUE(Denied(r, {"EACCES", "EPERM", "ECONNREFUSED", "ENETUNREACH"}));
  EXPECT_NE(r.err.find("namespace-less tier"), std::string::npos) << r.Describe();
  EXPECT_EQ(server.TakeAccepted(), 0);
}

TEST_F(FailClosedTest, MissingSeccompIsRefused) { ExpectRefused({"--no-seccomp"}, {"seccomp"}); }

}  // namespace
}  // namespace cordon::it
