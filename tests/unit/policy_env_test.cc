// Scrub patterns and the sandbox's environment.
#include <gtest/gtest.h>

#include "policy/defaults.h"
#include "policy/env.h"

namespace cordon::policy {
namespace {

TEST(GlobMatch, StarOnlyIgnoringCase) {
  EXPECT_TRUE(GlobMatch("*_TOKEN", "GITHUB_TOKEN"));
  EXPECT_FALSE(GlobMatch("*_TOKEN", "GITHUB_TOKENS"));
  EXPECT_TRUE(GlobMatch("*_TOKEN", "github_token"));
  EXPECT_TRUE(GlobMatch("*_KEY", "openai_api_Key"));
  EXPECT_FALSE(GlobMatch("*_KEY", "keyboard"));
  EXPECT_TRUE(GlobMatch("*SECRET*", "SECRET"));
  EXPECT_TRUE(GlobMatch("*SECRET*", "MY_SECRET_VALUE"));
  EXPECT_TRUE(GlobMatch("AWS_*", "AWS_"));
  EXPECT_TRUE(GlobMatch("SSH_AUTH_SOCK", "SSH_AUTH_SOCK"));
  EXPECT_FALSE(GlobMatch("SSH_AUTH_SOCK", "SSH_AUTH_SOCK2"));
  EXPECT_TRUE(GlobMatch("*", ""));
  EXPECT_FALSE(GlobMatch("A?", "AB"));  // '?' is literal
  EXPECT_TRUE(GlobMatch("*a*a*a*b", std::string(5000, 'a') + "b"));
  EXPECT_FALSE(GlobMatch("*a*a*a*b", std::string(5000, 'a')));
}

TEST(EnvNames, Validation) {
  EXPECT_TRUE(IsValidEnvName("CI"));
  EXPECT_TRUE(IsValidEnvName("_x9"));
  EXPECT_FALSE(IsValidEnvName("9X"));
  EXPECT_FALSE(IsValidEnvName(""));
  EXPECT_FALSE(IsValidEnvName("A-B"));
  EXPECT_FALSE(IsValidEnvName("A=B"));
  EXPECT_TRUE(IsValidScrubPattern("*_TOKEN_*"));
  EXPECT_FALSE(IsValidScrubPattern("A?"));
  EXPECT_FALSE(IsValidScrubPattern(""));
}

Policy DefaultEnvPolicy() {
  Policy p;
  p.scrub_patterns = DefaultScrubPatterns();
  return p;
}

TEST(DefaultScrub, CoversDesignList) {
  Policy p = DefaultEnvPolicy();
  for (const char* name : {"GITHUB_TOKEN",
                           "GH_TOKEN_X",
                           "CLIENT_SECRET",
                           "OPENAI_API_KEY",
                           "AWS_SECRET_ACCESS_KEY",
                           "AWS_PROFILE",
                           "AZURE_CLIENT_ID",
                           "DB_PASSWORD",
                           "PGPASSWD",
                           "MY_CREDENTIALS",
                           "SSH_AUTH_SOCK",
                           "SSH_AGENT_PID",
                           "GPG_AGENT_INFO",
                           "KRB5CCNAME",
                           "DBUS_SESSION_BUS_ADDRESS",
                           "XDG_RUNTIME_DIR",
                           "GOOGLE_APPLICATION_CREDENTIALS",
                           "SIGNING_KEY_ID",
                           "OTEL_EXPORTER_OTLP_HEADERS",
                           "OTEL_EXPORTER_OTLP_LOGS_HEADERS"}) {
    EXPECT_TRUE(IsScrubbed(p, name)) << name;
  }
  for (const char* name :
       {"HOME", "PATH", "TERM", "LANG", "USER", "SHELL", "CI", "KEYBOARD", "LC_ALL", "EDITOR"}) {
    EXPECT_FALSE(IsScrubbed(p, name)) << name;
  }
}

TEST(BuildEnvironment, ScrubsPassesSetsAndFixesTmp) {
  Policy p = DefaultEnvPolicy();
  p.env_pass.push_back({"GITHUB_TOKEN", {}});
  p.env_set.push_back({"LANG", "C.UTF-8", {}});
  p.env_set.push_back({"NEW", "a=b", {}});
  std::vector<std::string> host = {"HOME=/home/u",
                                   "PATH=/usr/bin",
                                   "GITHUB_TOKEN=ghp",
                                   "NPM_TOKEN=x",
                                   "SSH_AUTH_SOCK=/run/s",
                                   "XDG_RUNTIME_DIR=/run/user/1",
                                   "TMPDIR=/nonexistent",
                                   "LANG=en_US.UTF-8",
                                   "NOEQUALS",
                                   "=weird",
                                   "HOME=/dup",
                                   "TERM=xterm"};
  std::vector<char*> envp;
  envp.reserve(host.size() + 1);
  envp.reserve(host.size());
  for (std::string& s : host) {
    envp.push_back(s.data());
  }
  envp.push_back(nullptr);

  std::vector<std::string> want = {"HOME=/home/u", "PATH=/usr/bin", "GITHUB_TOKEN=ghp",
                                   "TERM=xterm",   "TMPDIR=/tmp",   "LANG=C.UTF-8",
                                   "NEW=a=b"};
  EXPECT_EQ(BuildEnvironment(p, envp.data()), want);
}

TEST(BuildEnvironment, NullEnvironAndExplicitTmpdir) {
  Policy p = DefaultEnvPolicy();
  EXPECT_EQ(BuildEnvironment(p, nullptr), std::vector<std::string>{"TMPDIR=/tmp"});
  p.env_set.push_back({"TMPDIR", "/tmp/x", {}});
  p.env_set.push_back({"XDG_RUNTIME_DIR", "/tmp/rt", {}});
  std::vector<std::string> want = {"TMPDIR=/tmp/x", "XDG_RUNTIME_DIR=/tmp/rt"};
  EXPECT_EQ(BuildEnvironment(p, nullptr), want);
}

TEST(AddVariables, EachReplacesItsNameAndGoesLast) {
  std::vector<std::string> env = {"GH_TOKEN=host", "PATH=/usr/bin", "GH_TOKEN_2=x"};
  AddVariables(env, {"GH_TOKEN=vault", "NEW=1"});
  EXPECT_EQ(env,
            (std::vector<std::string>{"PATH=/usr/bin", "GH_TOKEN_2=x", "GH_TOKEN=vault", "NEW=1"}));
}

}  // namespace
}  // namespace cordon::policy
