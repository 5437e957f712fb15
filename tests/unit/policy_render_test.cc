// `cordon policy show` renderings: text for people, JSON for scripts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policy/net_rules.h"
#include "policy/render.h"

namespace cordon::policy {
namespace {

Policy Sample() {
  Policy p;
  p.workspace = "/w";
  p.home = "/h";
  p.system_read = {{"/usr", {}}};
  Origin user{Origin::Kind::kUserConfig, "/h/.config/cordon/config.toml", 3, 1, "", "", ""};
  Origin flag{Origin::Kind::kFlag, "", 0, 0, "--read", "", ""};
  p.read = {{"/h/.m2", flag}};
  p.writable = {{"/h/.cache/pip", user}};
  p.protect = {{"/w/.envrc", {}}};
  p.deny_read = {{"/h/.ssh", {}}};
  p.hide = {{"/run", {}}};
  p.scrub_patterns = {"*_TOKEN"};
  p.env_pass = {{"CI", user}};
  p.env_set = {{"LANG", "C", flag}, {"GH_TOKEN", "secret-value", flag}};
  p.sources = {"/h/.config/cordon/config.toml"};
  return p;
}

TEST(RenderText, ListsEveryRuleWithItsOrigin) {
  std::string t = RenderText(Sample());
  for (const char* want : {"workspace  /w",
                           "mode       workspace-write  [built-in default]",
                           "network    off",
                           "System, read-only:",
                           "/usr",
                           "Read-only:",
                           "/h/.m2",
                           "flag --read",
                           "Writable:",
                           "/h/.cache/pip",
                           "/h/.config/cordon/config.toml:3:1",
                           "Protected",
                           "/w/.envrc",
                           "Deny-read",
                           "/h/.ssh",
                           "Hidden",
                           "/run",
                           "*_TOKEN",
                           "pass CI",
                           "set LANG=C",
                           "set GH_TOKEN=<redacted>",
                           "Config files:",
                           "not trusted"}) {
    EXPECT_NE(t.find(want), std::string::npos) << want << "\n" << t;
  }
  EXPECT_EQ(t.find("secret-value"), std::string::npos);
}

TEST(RenderText, ReadOnlyModeAndFullAccessWarning) {
  Policy p = Sample();
  p.mode = Mode::kReadOnly;
  std::string t = RenderText(p);
  EXPECT_LT(t.find("Read-only:"), t.find("/w  "));
  p.mode = Mode::kFullAccess;
  EXPECT_NE(RenderText(p).find("unconfined"), std::string::npos);
}

Policy WithNetwork(NetMode mode) {
  Policy p = Sample();
  p.net = mode;
  HostRule allow = ParseHostRule("*.pypi.org").value();
  allow.origin = "flag --allow-domain";
  HostRule deny = ParseHostRule("evil.pypi.org:443").value();
  deny.origin = "/h/.config/cordon/config.toml:7:9";
  HostRule local = ParseHostRule("127.0.0.1:5432").value();
  local.origin = "preset x";
  p.net_rules.allow = {allow};
  p.net_rules.deny = {deny};
  p.net_rules.allow_local = {local};
  p.net_resolve = {{"h.test", "::1"}};
  return p;
}

TEST(RenderText, NetworkRulesWithOrigins) {
  std::string t = RenderText(WithNetwork(NetMode::kProxy));
  for (const char* want :
       {"Network rules (deny beats allow; anything else is denied):", "deny evil.pypi.org:443",
        "/h/.config/cordon/config.toml:7:9", "allow *.pypi.org", "flag --allow-domain",
        "allow_local 127.0.0.1:5432", "resolve h.test -> ::1"}) {
    EXPECT_NE(t.find(want), std::string::npos) << want << "\n" << t;
  }
  EXPECT_NE(RenderText(WithNetwork(NetMode::kOff)).find("inactive"), std::string::npos);
  EXPECT_EQ(RenderText(Sample()).find("Network rules"), std::string::npos);
}

TEST(RenderJson, NetworkRules) {
  auto j = nlohmann::json::parse(RenderJson(WithNetwork(NetMode::kProxy)));
  EXPECT_EQ(j["network"]["mode"], "proxy");
  ASSERT_EQ(j["network"]["rules"].size(), 3u);
  EXPECT_EQ(j["network"]["rules"][0]["kind"], "deny");
  EXPECT_EQ(j["network"]["rules"][0]["rule"], "evil.pypi.org:443");
  EXPECT_EQ(j["network"]["rules"][0]["port"], 443);
  EXPECT_EQ(j["network"]["rules"][1]["kind"], "allow");
  EXPECT_EQ(j["network"]["rules"][1]["host"], "pypi.org");
  EXPECT_EQ(j["network"]["rules"][1]["wildcard"], true);
  EXPECT_TRUE(j["network"]["rules"][1]["port"].is_null());
  EXPECT_EQ(j["network"]["rules"][1]["origin"], "flag --allow-domain");
  EXPECT_EQ(j["network"]["rules"][2]["kind"], "allow_local");
  EXPECT_EQ(j["network"]["resolve"][0]["address"], "::1");
  EXPECT_TRUE(nlohmann::json::parse(RenderJson(Sample()))["network"]["rules"].empty());
}

TEST(RenderJson, StableShape) {
  auto j = nlohmann::json::parse(RenderJson(Sample()));
  EXPECT_EQ(j["workspace"], "/w");
  EXPECT_EQ(j["home"], "/h");
  EXPECT_EQ(j["mode"]["value"], "workspace-write");
  EXPECT_EQ(j["mode"]["origin"], "built-in default");
  EXPECT_EQ(j["network"]["mode"], "off");
  EXPECT_EQ(j["project_trusted"], false);
  EXPECT_EQ(j["allow_degraded"], false);
  EXPECT_EQ(j["sources"][0], "/h/.config/cordon/config.toml");
  EXPECT_EQ(j["env"]["scrub"][0], "*_TOKEN");
  EXPECT_EQ(j["env"]["pass"][0]["name"], "CI");
  EXPECT_EQ(j["env"]["set"][1]["value"], "<redacted>");
  std::map<std::string, std::string> access;
  for (const auto& e : j["paths"]) {
    access[e["path"]] = e["access"];
  }
  EXPECT_EQ(access["/usr"], "system-read");
  EXPECT_EQ(access["/h/.m2"], "read");
  EXPECT_EQ(access["/w"], "writable");
  EXPECT_EQ(access["/h/.cache/pip"], "writable");
  EXPECT_EQ(access["/w/.envrc"], "protect");
  EXPECT_EQ(access["/h/.ssh"], "deny-read");
  EXPECT_EQ(access["/h"], "hidden");
  EXPECT_EQ(access["/run"], "hidden");
  for (const auto& e : j["paths"]) {
    EXPECT_TRUE(e.contains("origin"));
  }
}

TEST(RenderJson, InvalidUtf8DoesNotThrow) {
  Policy p = Sample();
  p.workspace = "/w/\xff\xfe";
  EXPECT_NO_THROW((void)RenderJson(p));
}

// The compact form (hashed into every run's session.start) is written
// without nlohmann's dump since issue 16: the same bytes, whatever the
// strings hold. The reference: the indented form read back and dumped
// compactly by nlohmann (order kept by ordered_json).
TEST(RenderJson, CompactIsWhatNlohmannWrites) {
  auto reference = [](const Policy& p) {
    return nlohmann::ordered_json::parse(RenderJson(p, 2))
        .dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  };
  EXPECT_EQ(RenderJson(Sample(), -1), reference(Sample()));
  EXPECT_EQ(RenderJson(WithNetwork(NetMode::kProxy), -1), reference(WithNetwork(NetMode::kProxy)));
  for (const std::string& odd :
       {std::string("quote \" backslash \\ tab \t nl \n cr \r bs \b ff \f del \x7f"),
        std::string("ctl \x01 \x1f nul \0 end", 17), std::string("caf\xc3\xa9 \xf0\x9f\x98\x80"),
        std::string("bad \xff\xfe \xc3 \xed\xa0\x80 \xf4\x90\x80\x80 \xe2\x82")}) {
    Policy p = Sample();
    p.workspace = "/w/" + odd;
    p.env_set.push_back({"ODD", odd, {}});
    p.trusted_commands = {odd, "git"};
    EXPECT_EQ(RenderJson(p, -1), reference(p)) << odd;
  }
}

}  // namespace
}  // namespace cordon::policy
