// Property 6: the environment is scrubbed of secret-looking variables (the
// default patterns, SSH_AUTH_SOCK included), in the command's environment and
// in every /proc/PID/environ the sandbox can read; `--env NAME` passes one
// back, `--env NAME=VALUE` sets one; TMPDIR is /tmp inside.
#include "harness.h"

namespace cordon::it {
namespace {

class EnvTest : public SandboxTest {
 protected:
  EnvTest() {
    for (const char* name : kSecretNames) {
      std::string value = std::string("value-of-") + name + "-" + token_;
      env_[name] = value;
      values_.push_back(value);
    }
    env_["SSH_AUTH_SOCK"] = runtime_ + "/ssh-agent.sock";
    env_["MY_SETTING"] = "visible";
    env_["EDITOR"] = "vi";
  }

  static constexpr const char* kSecretNames[] = {
      "GITHUB_TOKEN",  "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_PROFILE",
      "MY_PASSWORD",   "OPENAI_API_KEY",        "NPM_TOKEN",         "DB_SECRET_VALUE",
      "STRIPE_KEY",    "ANTHROPIC_API_KEY",     "SSH_AGENT_PID",     "github_token",
      "openai_api_key"};
  std::string token_ = RandomToken();
  std::vector<std::string> values_;

  void ExpectNoSecretIn(const RunResult& r, const std::vector<std::string>& except = {}) {
    for (const char* name : kSecretNames) {
      if (std::find(except.begin(), except.end(), name) != except.end()) continue;
      EXPECT_EQ(r.out.find(std::string(name) + "="), std::string::npos) << name << " leaked\n"
                                                                        << r.Describe();
    }
    EXPECT_EQ(r.out.find("SSH_AUTH_SOCK="), std::string::npos) << r.Describe();
    if (except.empty()) {
      EXPECT_EQ(r.out.find(token_), std::string::npos) << r.Describe();
    }
  }
};

TEST_F(EnvTest, SecretVariablesAreScrubbed) {
  RunResult r = Probe({"env-all"});
  ASSERT_TRUE(Allowed(r));
  ExpectNoSecretIn(r);
  // The twin: ordinary variables pass.
  EXPECT_NE(r.out.find("\nMY_SETTING=visible\n"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("\nEDITOR=vi\n"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("\nPATH="), std::string::npos) << r.Describe();
}

TEST_F(EnvTest, SecretsAreNotInAnyReadableProcEnviron) {
  RunResult r = Run({}, {"/bin/sh", "-c",
                         "for f in /proc/[0-9]*/environ /proc/[0-9]*/cmdline; do "
                         "cat \"$f\" 2>/dev/null | tr '\\0' '\\n'; done; true"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find(token_), std::string::npos) << r.Describe();
}

TEST_F(EnvTest, EnvFlagPassesOneVariableBack) {
  RunResult r = Probe({"--env", "GITHUB_TOKEN"}, {"env-all"});
  ASSERT_TRUE(Allowed(r));
  EXPECT_NE(r.out.find("\nGITHUB_TOKEN=value-of-GITHUB_TOKEN-" + token_ + "\n"), std::string::npos)
      << r.Describe();
  ExpectNoSecretIn(r, {"GITHUB_TOKEN"});
  for (const auto& v : values_) {
    if (v.find("GITHUB_TOKEN") == std::string::npos) {
      EXPECT_EQ(r.out.find(v), std::string::npos) << v;
    }
  }
}

TEST_F(EnvTest, EnvFlagSetsAVariable) {
  env_["FOO"] = "from-host";
  RunResult r = Probe({"--env", "FOO=bar", "--env", "NEW_ONE=1"}, {"env", "FOO"});
  EXPECT_TRUE(Allowed(r));
  EXPECT_EQ(r.Data(), std::vector<std::string>{"bar"});
  r = Probe({"--env", "FOO=bar", "--env", "NEW_ONE=1"}, {"env", "NEW_ONE"});
  EXPECT_EQ(r.Data(), std::vector<std::string>{"1"});
  // Setting a scrubbed name explicitly is allowed: the user chose the value.
  r = Probe({"--env", "API_TOKEN=chosen"}, {"env", "API_TOKEN"});
  EXPECT_EQ(r.Data(), std::vector<std::string>{"chosen"});
}

TEST_F(EnvTest, TmpdirIsTheUsablePrivateTmp) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("TMPDIR is a private directory under the host /tmp, not /tmp");
  env_["TMPDIR"] = "/nonexistent/host-tmpdir";
  RunResult r = Probe({"env", "TMPDIR"});
  EXPECT_EQ(r.Data(), std::vector<std::string>{"/tmp"}) << r.Describe();
  RunResult mk = Run({}, {"/bin/sh", "-c", "f=$(mktemp) && echo data > \"$f\" && cat \"$f\""});
  EXPECT_EQ(mk.exit_code, 0) << mk.Describe();
  EXPECT_EQ(mk.out, "data\n");
}

TEST_F(EnvTest, HomeAndWorkingDirectoryAreTheSamePathsInside) {
  RunResult r = Probe({"env", "HOME"});
  EXPECT_EQ(r.Data(), std::vector<std::string>{home_}) << r.Describe();
  RunResult pwd = Run({}, {"/bin/sh", "-c", "pwd -P"});
  EXPECT_EQ(pwd.out, ws_ + "\n") << pwd.Describe();
}

}  // namespace
}  // namespace cordon::it
