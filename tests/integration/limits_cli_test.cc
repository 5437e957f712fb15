// The resource limits' command line and config contract: bad values of
// --memory, --pids, --cpus, --tmp-size (and of their [limits] keys) are
// exit 125 with a message naming the flag or key and the accepted forms,
// before anything runs; good values reach `cordon policy show` (text and
// JSON) with their origin and how this host enforces them; a project file
// that raises a limit is refused. The limits' real effect is tested in the
// limits' own integration tests.
#include <nlohmann/json.hpp>

#include "harness.h"

namespace cordon::it {
namespace {

using LimitsCliTest = SandboxTest;

TEST_F(LimitsCliTest, BadValuesAreExit125NamingTheFlagAndTheForms) {
  struct Case {
    std::vector<std::string> flag;
    const char* message;
  };
  for (const Case& c : std::vector<Case>{
           {{"--memory", "lots"}, "--memory: expected a size such as 512M, 1.5G or 2T"},
           {{"--memory", "8M"}, "--memory: 8 MiB is below the floor of 16 MiB"},
           {{"--memory", "99999999999999999999G"}, "--memory: too large"},
           {{"--pids", "0"}, "--pids: 0 would stop every run"},
           {{"--pids", "many"}, "--pids: expected a whole number of processes"},
           {{"--cpus", "-1"}, "--cpus: expected a number of cores such as 0.5"},
           {{"--cpus", "0"}, "--cpus: 0 would stop every run"},
           {{"--cpus", "0.0001"}, "--cpus: at most 3 decimals"},
           {{"--tmp-size", "10X"}, "--tmp-size: unknown unit 'X'"},
       }) {
    for (const char* sub : {"run", "policy"}) {
      std::vector<std::string> args = {sub};
      if (std::string_view(sub) == "policy") args.push_back("show");
      args.insert(args.end(), {"--no-config", "--workspace", ws_});
      args.insert(args.end(), c.flag.begin(), c.flag.end());
      if (std::string_view(sub) == "run") args.insert(args.end(), {"--", "/bin/true"});
      RunResult r = Cordon(args);
      EXPECT_EQ(r.exit_code, 125) << c.flag[0] << " " << c.flag[1] << "\n" << r.Describe();
      EXPECT_NE(r.err.find(c.message), std::string::npos) << r.Describe();
    }
  }
}

TEST_F(LimitsCliTest, BadConfigValueIsExit125NamingFileLineAndKey) {
  std::string config = root_ / "limits.toml";
  WriteFile(config, "[limits]\nmemory = \"lots\"\n");
  RunResult r = Cordon({"run", "--config", config, "--workspace", ws_, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find(config + ":2:10): limits.memory: expected a size"), std::string::npos)
      << r.Describe();
  WriteFile(config, "[limits]\nswap = \"1G\"\n");
  r = Cordon({"policy", "show", "--config", config, "--workspace", ws_});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find("unknown key 'swap' in [limits]"), std::string::npos) << r.Describe();
}

TEST_F(LimitsCliTest, PolicyShowListsLimitsWithOriginAndEnforcement) {
  std::string config = root_ / "limits.toml";
  WriteFile(config, "[limits]\npids = 300\n");
  RunResult r = Cordon({"policy", "show", "--config", config, "--workspace", ws_, "--memory",
                        "1.5G", "--cpus", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Limits (docs/limits.md):"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("memory 1.5 GiB"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("flag --memory"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("cpus 0.5 CPU"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("pids 300"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(config + ":2:8"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("tmp_size "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("of RAM: one tmpfs holds /tmp and /dev/shm"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("      enforced: "), std::string::npos) << r.out;

  r = Cordon({"policy", "show", "--json", "--no-config", "--workspace", ws_, "--pids", "64",
              "--tmp-size", "none"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  nlohmann::json j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  const nlohmann::json& l = j["limits"];
  EXPECT_EQ(l["pids"]["value"], 64) << l.dump(2);
  EXPECT_EQ(l["pids"]["origin"], "flag --pids") << l.dump(2);
  EXPECT_TRUE(l["tmp_size"]["value"].is_null()) << l.dump(2);
  EXPECT_EQ(l["tmp_size"]["shown"], "none") << l.dump(2);
  EXPECT_GT(l["memory"]["value"].get<int64_t>(), 0) << l.dump(2);  // 3/4 of this host's RAM
  for (const char* key : {"memory", "pids", "cpus", "tmp_size"}) {
    const std::string kind = l[key]["enforced"].value("kind", "");
    EXPECT_TRUE(kind == "whole-run" || kind == "per-process" || kind == "none") << l.dump(2);
  }
}

TEST_F(LimitsCliTest, ProjectFileMayLowerButNotRaiseALimit) {
  WriteFile(ws_ + "/.cordon.toml", "[limits]\npids = 100\n");
  RunResult r = Cordon({"policy", "show", "--workspace", ws_});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("pids 100"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(ws_ + "/.cordon.toml:2:8"), std::string::npos) << r.out;

  WriteFile(ws_ + "/.cordon.toml", "[limits]\npids = 100000\n");
  r = Cordon({"run", "--workspace", ws_, "--", "/bin/true"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find("limits.pids 100000 is higher than 8192"), std::string::npos)
      << r.Describe();
  EXPECT_NE(r.err.find("a project file may only narrow"), std::string::npos) << r.Describe();
  // The person's own flag still raises it.
  r = Cordon({"policy", "show", "--workspace", ws_, "--no-config", "--pids", "100000"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
}

TEST_F(LimitsCliTest, HelpListsTheLimitFlags) {
  RunResult h = Cordon({"run", "--help"});
  ASSERT_EQ(h.exit_code, 0) << h.Describe();
  for (const char* flag : {"--memory", "--pids", "--cpus", "--tmp-size"}) {
    EXPECT_NE(h.out.find(flag), std::string::npos) << flag << " missing from run --help";
  }
}

}  // namespace
}  // namespace cordon::it
