// The CLI contract scripts rely on: `cordon policy show` (text and --json)
// prints the workspace, the deny list and where every rule came from; errors
// (bad flags, bad values, bad config) are exit 125 with a message naming the
// culprit; --version and --help succeed; config files are read from
// $XDG_CONFIG_HOME and --config, and --no-config ignores them.
#include <nlohmann/json.hpp>

#include "harness.h"

namespace cordon::it {
namespace {

using CliTest = SandboxTest;

TEST_F(CliTest, PolicyShowListsWorkspaceDenyListAndOrigins) {
  RunResult r = Cordon({"policy", "show", "--no-config", "--workspace", ws_, "--deny-read",
                        ws_ + "/secret.txt", "--read", home_ + "/projects"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find(ws_), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(home_ + "/.ssh"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(home_ + "/.aws"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(ws_ + "/secret.txt"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(ws_ + "/.git/hooks"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("built-in"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--deny-read"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("--read"), std::string::npos) << r.out;
}

TEST_F(CliTest, PolicyShowJsonIsParseableAndComplete) {
  RunResult r = Cordon({"policy", "show", "--json", "--no-config", "--workspace", ws_,
                        "--deny-read", ws_ + "/secret.txt", "--net", "full"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << "not JSON:\n" << r.out;
  EXPECT_EQ(j.value("workspace", ""), ws_);
  EXPECT_EQ(j.value("home", ""), home_);
  ASSERT_TRUE(j.contains("paths") && j["paths"].is_array()) << j.dump(2);
  bool ssh_denied = false;
  bool flag_denied = false;
  for (const auto& p : j["paths"]) {
    std::string path = p.value("path", "");
    std::string access = p.value("access", "");
    std::string origin = p.value("origin", "");
    EXPECT_FALSE(origin.empty()) << p.dump();
    if (path == home_ + "/.ssh" && access == "deny-read")
      ssh_denied = origin.find("built-in") != std::string::npos;
    if (path == ws_ + "/secret.txt" && access == "deny-read")
      flag_denied = origin.find("--deny-read") != std::string::npos;
  }
  EXPECT_TRUE(ssh_denied) << j.dump(2);
  EXPECT_TRUE(flag_denied) << j.dump(2);
  EXPECT_NE(j.dump().find("full"), std::string::npos) << j.dump(2);
}

TEST_F(CliTest, UserConfigIsReadAndNoConfigIgnoresIt) {
  MakeDirs(home_ + "/.config/cordon");
  WriteFile(home_ + "/.config/cordon/config.toml",
            "[filesystem]\ndeny_read = [\"" + ws_ + "/from-config\"]\n");
  RunResult with = Cordon({"policy", "show", "--workspace", ws_});
  ASSERT_EQ(with.exit_code, 0) << with.Describe();
  EXPECT_NE(with.out.find(ws_ + "/from-config"), std::string::npos) << with.out;
  EXPECT_NE(with.out.find("config.toml:2"), std::string::npos)
      << "origin should name file and line\n"
      << with.out;
  RunResult without = Cordon({"policy", "show", "--no-config", "--workspace", ws_});
  ASSERT_EQ(without.exit_code, 0) << without.Describe();
  EXPECT_EQ(without.out.find(ws_ + "/from-config"), std::string::npos) << without.out;
  // And it is enforced by run.
  WriteFile(ws_ + "/from-config", "hidden by config\n");
  std::vector<std::string> argv = {CordonBin(), "run", "--workspace", ws_,    "--read",
                                   tools_,      "--",  probe_,        "read", ws_ + "/from-config"};
  EXPECT_TRUE(Denied(RunProcess(argv, env_, ws_), {"ENOENT", "EACCES"}));
}

TEST_F(CliTest, BadConfigIsExit125NamingFileLineAndColumn) {
  std::string config = root_ / "bad.toml";
  WriteFile(config, "mode = \"workspace-write\"\nno_such_key = 1\n");
  RunResult r = Cordon({"run", "--config", config, "--workspace", ws_, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find(config + ":2:1"), std::string::npos) << r.Describe();
  WriteFile(config, "mode = \"sideways\"\n");
  r = Cordon({"run", "--config", config, "--workspace", ws_, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find(config + ":1"), std::string::npos) << r.Describe();
}

TEST_F(CliTest, BadInvocationsAreExit125WithAMessage) {
  for (const auto& args : std::vector<std::vector<std::string>>{
           {"run", "--no-such-flag", "--", "/bin/true"},
           {"run", "--mode", "sideways", "--", "/bin/true"},
           {"run", "--net", "sometimes", "--", "/bin/true"},
           {"run", "--timeout", "soon", "--", "/bin/true"},
           {"run", "--workspace", root_ / "does-not-exist", "--", "/bin/true"},
           {"run", "--no-config"},
           // Nothing to share: refused at start, before any call.
           {"mcp", "--no-config", "--mode", "full-access", "--session-sandbox"},
           {"no-such-subcommand"}}) {
    RunResult r = Cordon(args);
    EXPECT_EQ(r.exit_code, 125) << args[1] << "\n" << r.Describe();
    EXPECT_FALSE(r.err.empty()) << r.Describe();
  }
}

TEST_F(CliTest, VersionAndHelpSucceed) {
  RunResult v = Cordon({"--version"});
  EXPECT_EQ(v.exit_code, 0) << v.Describe();
  EXPECT_NE(v.out.find("0."), std::string::npos) << v.Describe();
  RunResult h = Cordon({"run", "--help"});
  EXPECT_EQ(h.exit_code, 0) << h.Describe();
  for (const char* flag :
       {"--workspace", "--mode", "--writable", "--read", "--deny-read", "--protect", "--net",
        "--env", "--timeout", "--config", "--no-config", "--allow-degraded"}) {
    EXPECT_NE(h.out.find(flag), std::string::npos) << flag << " missing from run --help";
  }
}

TEST_F(CliTest, DefaultWorkspaceIsTheCurrentDirectory) {
  RunResult r = RunProcess(
      {CordonBin(), "run", "--no-config", "--read", tools_, "--", probe_, "write", "here.txt"},
      env_, ws_);
  EXPECT_TRUE(Allowed(r));
  EXPECT_TRUE(Exists(ws_ + "/here.txt"));
}

}  // namespace
}  // namespace cordon::it
