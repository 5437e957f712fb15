// `cordon policy show` renderings: text for people, JSON for scripts.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "policy/render.h"

namespace cordon::policy {
namespace {

Policy Sample() {
  Policy p;
  p.workspace = "/w";
  p.home = "/h";
  p.system_read = {{"/usr", {}}};
  Origin user{Origin::Kind::kUserConfig, "/h/.config/cordon/config.toml", 3, 1, ""};
  Origin flag{Origin::Kind::kFlag, "", 0, 0, "--read"};
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

}  // namespace
}  // namespace cordon::policy
