// Property 6: the environment is scrubbed of secret-looking variables (the
// default patterns, SSH_AUTH_SOCK included), in the command's environment and
// in every /proc/PID/environ the sandbox can read; `--env NAME` passes one
// back, `--env NAME=VALUE` sets one; TMPDIR is /tmp inside. Values that
// carry credentials (a URL with a password, a token of a known shape) are
// scrubbed whatever the variable's name; `policy show -v` names them.
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

// A credential under a harmless name: its shape gives it away.
class CredentialValueTest : public EnvTest {
 protected:
  CredentialValueTest() {
    env_["DB_URL"] = db_url_;
    env_["REDIS"] = "redis://:pw" + token_ + "@h:6379";
    env_["CI_AUTH"] = github_;
    env_["PLAIN_URL"] = "postgres://h/db";
    env_["GIT_REMOTE"] = "ssh://git@example.com/repo.git";
  }
  std::string db_url_ = "postgres://u:pw" + token_ + "@h/db";
  // ghp_ and 36 letters and digits, the shape of a GitHub token.
  std::string github_ = "ghp_" + token_ + token_ + "abcd";
};

TEST_F(CredentialValueTest, AreNotInTheCommandsEnvironment) {
  for (const std::vector<std::string>& cmd :
       {std::vector<std::string>{probe_, "env-all"}, std::vector<std::string>{"/usr/bin/env"}}) {
    RunResult r = Run({}, cmd);
    ASSERT_EQ(r.exit_code, 0) << r.Describe();
    EXPECT_EQ(r.out.find(token_), std::string::npos) << r.Describe();
    for (const char* name : {"DB_URL=", "REDIS=", "CI_AUTH="}) {
      EXPECT_EQ(r.out.find(std::string("\n") + name), std::string::npos) << name << r.Describe();
    }
    // The twins: the same kinds of value without a secret pass.
    EXPECT_NE(r.out.find("\nPLAIN_URL=postgres://h/db\n"), std::string::npos) << r.Describe();
    EXPECT_NE(r.out.find("\nGIT_REMOTE=ssh://git@example.com/repo.git\n"), std::string::npos)
        << r.Describe();
  }
}

TEST_F(CredentialValueTest, EnvFlagPassesOneBack) {
  RunResult r = Probe({"--env", "DB_URL"}, {"env", "DB_URL"});
  EXPECT_EQ(r.Data(), std::vector<std::string>{db_url_}) << r.Describe();
  r = Probe({"--env", "DB_URL"}, {"env-all"});
  EXPECT_EQ(r.out.find(github_), std::string::npos) << r.Describe();
  r = Probe({"--env", "CI_AUTH"}, {"env", "CI_AUTH"});
  EXPECT_EQ(r.Data(), std::vector<std::string>{github_}) << r.Describe();
}

TEST_F(CredentialValueTest, PolicyShowNamesThemAndWhyNeverTheValues) {
  RunResult r = Cordon({"policy", "show", "--no-config", "-v"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("DB_URL"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("value looks like a URL with a password"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("value looks like a GitHub token"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("name matches *_TOKEN"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("PLAIN_URL"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find(token_), std::string::npos) << r.out;
  RunResult j = Cordon({"policy", "show", "--no-config", "--json"});
  ASSERT_EQ(j.exit_code, 0) << j.Describe();
  EXPECT_NE(j.out.find("\"name\": \"CI_AUTH\""), std::string::npos) << j.out;
  EXPECT_EQ(j.out.find(token_), std::string::npos) << j.out;
  // A variable passed back is not listed as scrubbed.
  RunResult passed = Cordon({"policy", "show", "--no-config", "-v", "--env", "DB_URL"});
  EXPECT_EQ(passed.out.find("\n  DB_URL "), std::string::npos) << passed.out;
  EXPECT_NE(passed.out.find("\n  CI_AUTH "), std::string::npos) << passed.out;
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
