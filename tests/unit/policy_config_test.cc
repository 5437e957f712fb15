// The TOML config file parser: schema, types, positions in errors.
#include <gtest/gtest.h>

#include "policy/config_file.h"

namespace cordon::policy {
namespace {

ConfigLayer ParseOk(std::string_view text, ConfigKind kind = ConfigKind::kUser) {
  auto r = ParseConfig(text, "/c.toml", kind);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().Describe());
  return r.ok() ? r.value() : ConfigLayer{};
}

std::string ParseErr(std::string_view text, ConfigKind kind = ConfigKind::kUser) {
  auto r = ParseConfig(text, "/c.toml", kind);
  EXPECT_FALSE(r.ok()) << "parsed: " << text;
  return r.ok() ? "" : r.error().Describe();
}

TEST(ParseConfig, EmptyFileIsAnEmptyLayer) {
  ConfigLayer l = ParseOk("");
  EXPECT_FALSE(l.mode);
  EXPECT_FALSE(l.net);
  EXPECT_FALSE(l.writable_origin);
  EXPECT_TRUE(l.writable.empty());
}

TEST(ParseConfig, FullSchemaWithOrigins) {
  ConfigLayer l = ParseOk(R"(mode = "read-only"
[filesystem]
writable  = ["~/.cache/pip"]
read      = ["~/.m2", "/opt/x"]
deny_read = ["~/clients/data"]
protect   = ["deploy/"]
[network]
mode = "full"
[env]
pass = ["CI"]
set = { LANG = "C.UTF-8", EMPTY = "" }
scrub = ["MY_*"]
[workspaces."~/src/p"]
trusted = true
)");
  ASSERT_TRUE(l.mode);
  EXPECT_EQ(*l.mode, Mode::kReadOnly);
  EXPECT_EQ(l.mode_origin.Describe(), "/c.toml:1:8");
  EXPECT_EQ(l.mode_origin.kind, Origin::Kind::kUserConfig);
  ASSERT_EQ(l.writable.size(), 1u);
  EXPECT_EQ(l.writable[0].value, "~/.cache/pip");
  EXPECT_EQ(l.writable[0].origin.line, 3);
  ASSERT_TRUE(l.writable_origin);
  ASSERT_EQ(l.read.size(), 2u);
  EXPECT_EQ(l.read[1].value, "/opt/x");
  EXPECT_EQ(l.deny_read.size(), 1u);
  EXPECT_EQ(l.protect[0].value, "deploy/");
  ASSERT_TRUE(l.net);
  EXPECT_EQ(*l.net, NetMode::kFull);
  EXPECT_EQ(l.net_origin.line, 8);
  ASSERT_EQ(l.env_pass.size(), 1u);
  EXPECT_EQ(l.env_pass[0].value, "CI");
  ASSERT_EQ(l.env_set.size(), 2u);
  EXPECT_EQ(l.env_scrub[0].value, "MY_*");
  ASSERT_EQ(l.workspaces.size(), 1u);
  EXPECT_EQ(l.workspaces[0].path, "~/src/p");
  EXPECT_TRUE(l.workspaces[0].trusted);
}

TEST(ParseConfig, EmptyWritableArrayIsRecorded) {
  ConfigLayer l = ParseOk("[filesystem]\nwritable = []\n", ConfigKind::kProject);
  EXPECT_TRUE(l.writable_origin);
  EXPECT_EQ(l.writable_origin->kind, Origin::Kind::kProjectConfig);
}

TEST(ParseConfig, DottedKeysWork) {
  ConfigLayer l = ParseOk("network.mode = \"off\"\nfilesystem.read = [\"a\"]\n");
  ASSERT_TRUE(l.net);
  EXPECT_EQ(l.read.size(), 1u);
}

TEST(ParseConfig, UnknownKeysNameFileLineColumn) {
  EXPECT_NE(ParseErr("\n  bogus = 1\n").find("/c.toml:2:3"), std::string::npos);
  EXPECT_NE(ParseErr("bogus = 1").find("unknown key 'bogus'"), std::string::npos);
  std::string e = ParseErr("[filesystem]\nwritable = []\nreadd = []\n");
  EXPECT_NE(e.find("unknown key 'readd' in [filesystem]"), std::string::npos) << e;
  EXPECT_NE(e.find("/c.toml:3:1"), std::string::npos) << e;
  EXPECT_NE(ParseErr("[network]\nallowed = [\"x\"]")
                .find("(known keys: mode, allow, deny, allow_local, allow_presets)"),
            std::string::npos);
  EXPECT_NE(ParseErr("[env]\nkeep = []").find("unknown key 'keep'"), std::string::npos);
  EXPECT_NE(ParseErr("allow_degraded = true").find("--allow-degraded"), std::string::npos);
  EXPECT_NE(ParseErr("[workspaces.\"/p\"]\ntrusted = true\nx = 1").find("unknown key 'x'"),
            std::string::npos);
}

TEST(ParseConfig, BadValues) {
  std::string e = ParseErr("mode = \"yolo\"");
  EXPECT_NE(e.find("mode: expected one of read-only, workspace-write, full-access"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("/c.toml:1:8"), std::string::npos) << e;
  EXPECT_NE(ParseErr("mode = 3").find("expected a string, got an integer"), std::string::npos);
  EXPECT_NE(ParseErr("[network]\nmode = \"on\"").find("off, proxy, full"), std::string::npos);
  EXPECT_NE(ParseErr("filesystem = 1").find("expected a table"), std::string::npos);
  EXPECT_NE(ParseErr("[filesystem]\nread = \"~/.m2\"").find("expected an array of strings"),
            std::string::npos);
  EXPECT_NE(ParseErr("[filesystem]\nread = [1]").find("expected a string"), std::string::npos);
  EXPECT_NE(ParseErr("[filesystem]\nread = [\"\"]").find("empty"), std::string::npos);
  EXPECT_NE(ParseErr("[filesystem]\nread = [\"a\\u0000b\"]").find("NUL"), std::string::npos);
  EXPECT_NE(ParseErr("[env]\npass = [\"A-B\"]").find("not a valid variable name"),
            std::string::npos);
  EXPECT_NE(ParseErr("[env]\nset = { \"A B\" = \"x\" }").find("not a valid variable name"),
            std::string::npos);
  EXPECT_NE(ParseErr("[env]\nset = { A = 1 }").find("expected a string"), std::string::npos);
  EXPECT_NE(ParseErr("[env]\nscrub = [\"A?\"]").find("not a valid pattern"), std::string::npos);
  EXPECT_NE(ParseErr("[workspaces.\"/p\"]\ntrusted = \"yes\"").find("expected a boolean"),
            std::string::npos);
}

TEST(ParseConfig, InvalidTomlHasAPosition) {
  std::string e = ParseErr("mode = \"read-only\"\nmode = \"full-access\"\n");
  EXPECT_NE(e.find("/c.toml:2"), std::string::npos) << e;
  EXPECT_NE(e.find("invalid TOML"), std::string::npos) << e;
  EXPECT_NE(ParseErr("[[[").find("invalid TOML"), std::string::npos);
}

// toml++ 3.3.0 asserts on these (marzer/tomlplusplus#301); they must come
// back as errors.
TEST(ParseConfig, MalformedTableHeadersAreErrorsNotAborts) {
  // "\xc2\xa0" (U+00A0) is a blank to toml++; the literal is split so that
  // the "a" after it is not read as a hex digit.
  const std::string nbsp_header = std::string("mode = \"off\"\n  [[\xc2\xa0") + "a]]";
  for (const std::string& text :
       {std::string("[[[1]]]"), std::string("[[[a]]"), std::string("[[[]]"), std::string("[[="),
        std::string("[="), std::string("[\n"), std::string("[ \t{"), std::string("[[ ]"),
        nbsp_header, std::string("\xef\xbb\xbf[="), std::string("[\r\n")}) {
    auto r = ParseConfig(text, "/c.toml", ConfigKind::kUser);
    EXPECT_FALSE(r.ok()) << text;
  }
  std::string e = ParseErr("mode = \"read-only\"\n  [[[x]]]\n");
  EXPECT_NE(e.find("/c.toml:2:5"), std::string::npos) << e;
  // Valid headers and arrays still parse.
  ParseOk("[filesystem]\n[ env ]\n[\"network\"]\nmode = \"off\"\n");
  ParseOk("[filesystem]\nread = [\n  \"a\",\n  'b',\n]\n");
}

TEST(ParseConfig, ProjectFileCannotTrustItself) {
  std::string e = ParseErr("[workspaces.\"/p\"]\ntrusted = true\n", ConfigKind::kProject);
  EXPECT_NE(e.find("only appear in the user config file"), std::string::npos) << e;
}

TEST(ParseConfig, RefusesHugeInput) {
  std::string big(kMaxConfigBytes + 1, '#');
  EXPECT_NE(ParseErr(big).find("larger than"), std::string::npos);
}

TEST(LoadConfigFile, MissingAndUnreadable) {
  auto missing = LoadConfigFile("/nonexistent/cordon.toml", ConfigKind::kUser, false);
  ASSERT_TRUE(missing.ok());
  EXPECT_FALSE(missing.value().has_value());
  auto required = LoadConfigFile("/nonexistent/cordon.toml", ConfigKind::kUser, true);
  ASSERT_FALSE(required.ok());
  EXPECT_NE(required.error().Describe().find("ENOENT"), std::string::npos);
  auto dir = LoadConfigFile("/", ConfigKind::kUser, true);
  ASSERT_FALSE(dir.ok());
  EXPECT_NE(dir.error().Describe().find("not a regular file"), std::string::npos);
}

}  // namespace
}  // namespace cordon::policy
