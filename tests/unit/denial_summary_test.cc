// The end-of-run denial summary: one line per distinct denial, naming the
// destination or path, the rule and what would allow it; allowed
// destinations that failed upstream are listed too; events pass through.
#include "cli/denial_summary.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace cordon::cli {
namespace {

class Collect : public EventSink {
 public:
  void Emit(Event e) override { events.push_back(std::move(e)); }
  std::vector<Event> events;
};

Event Net(const std::string& decision, const std::string& host, int64_t port,
          const std::string& rule, const std::string& reason, bool upstream_failed = false) {
  Event e;
  e.name = "cordon.net.decision";
  e.Add("cordon.decision", decision)
      .Add("server.address", host)
      .Add("server.port", port)
      .Add("cordon.rule", rule);
  if (!reason.empty()) e.Add("cordon.reason", reason);
  if (upstream_failed) e.Add("cordon.upstream.failed", true);
  return e;
}

policy::Policy ProxyPolicy() {
  policy::Policy p;
  p.workspace = "/w";
  p.home = "/h";
  p.net = policy::NetMode::kProxy;
  return p;
}

TEST(DenialSummaryTest, OneLinePerDistinctNetworkDenialWithTheFlag) {
  Collect next;
  DenialSummary s(&next);
  for (int i = 0; i < 3; ++i) {
    s.Emit(
        Net("deny", "example.com", 443, "no rule names this host", "not on the network allowlist"));
  }
  s.Emit(Net("deny", "db.test", 5432, "no rule names address 10.0.0.5",
             "db.test resolves to 10.0.0.5, a loopback, private or special address"));
  s.Emit(Net("deny", "evil.test", 80, "deny evil.test (flag --deny-domain)", "denied by deny"));
  EXPECT_EQ(next.events.size(), 5u);  // every event goes on
  auto lines = s.Lines(ProxyPolicy(), 0);
  ASSERT_EQ(lines.size(), 3u);
  EXPECT_NE(lines[0].find("denied: network example.com:443"), std::string::npos) << lines[0];
  EXPECT_NE(lines[0].find("--allow-domain example.com"), std::string::npos) << lines[0];
  EXPECT_NE(lines[1].find("--allow-local 10.0.0.5:5432"), std::string::npos) << lines[1];
  EXPECT_NE(lines[2].find("remove that rule"), std::string::npos) << lines[2];
}

TEST(DenialSummaryTest, AllowedButFailedUpstreamIsListedAndPlainAllowsAreNot) {
  DenialSummary s(nullptr);
  s.Emit(Net("allow", "ok.test", 443, "allow ok.test (flag --allow-domain)", ""));
  EXPECT_TRUE(s.Lines(ProxyPolicy(), 0).empty());
  s.Emit(Net("allow", "nosuch.test", 443, "allow nosuch.test (flag --allow-domain)",
             "cannot resolve nosuch.test: Name or service not known", true));
  auto lines = s.Lines(ProxyPolicy(), 0);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("allowed but failed: network nosuch.test:443"), std::string::npos);
  EXPECT_NE(lines[0].find("cannot resolve"), std::string::npos);
}

TEST(DenialSummaryTest, DenialsToldAsTheyHappenedAreNotRepeated) {
  DenialSummary s(nullptr);
  s.Emit(Net("deny", "asked.test", 80, "approval", "nobody to ask (not interactive)"));
  EXPECT_TRUE(s.Lines(ProxyPolicy(), 0).empty());
}

TEST(DenialSummaryTest, WritesNameTheProtectRuleOrTheWritableFlag) {
  policy::Policy p = ProxyPolicy();
  policy::PathRule git_config{"/w/.git/config", {}};
  git_config.origin.note = "git config";
  p.protect.push_back(git_config);
  for (const char* path : {"/w/.git/config", "/opt/cache/x"}) {
    DenialSummary s(nullptr);
    Event e;
    e.name = "cordon.fs.denial";
    e.Add("file.path", std::string(path));
    s.Emit(e);
    auto lines = s.Lines(p, 1);
    ASSERT_EQ(lines.size(), 1u) << path;
    if (std::string(path) == "/w/.git/config") {
      EXPECT_NE(lines[0].find("protected by built-in default (git config)"), std::string::npos)
          << lines[0];
      EXPECT_NE(lines[0].find("EBUSY"), std::string::npos) << lines[0];
    } else {
      EXPECT_NE(lines[0].find("--writable /opt/cache"), std::string::npos) << lines[0];
    }
  }
}

// Without a watched write, a failed command gets a note naming the protected
// paths that exist; a successful one (or exit 1) gets none.
TEST(DenialSummaryTest, FailedCommandNamesExistingProtectedPaths) {
  char tmpl[] = "/tmp/cordon-denials-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string ws = tmpl;
  std::filesystem::create_directories(ws + "/.git");
  std::ofstream(ws + "/.git/config") << "[core]\n";
  policy::Policy p = ProxyPolicy();
  p.workspace = ws;
  p.protect.push_back({ws + "/.git/config", {}});
  p.protect.push_back({ws + "/.envrc", {}});  // absent: not named
  DenialSummary s(nullptr);
  EXPECT_TRUE(s.Lines(p, 0).empty());
  EXPECT_TRUE(s.Lines(p, 1).empty());
  auto lines = s.Lines(p, 4);
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_NE(lines[0].find("EBUSY"), std::string::npos);
  EXPECT_NE(lines[0].find(".git/config"), std::string::npos);
  EXPECT_EQ(lines[0].find(".envrc"), std::string::npos);
  std::filesystem::remove_all(ws);
}

}  // namespace
}  // namespace cordon::cli
