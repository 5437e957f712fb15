// cordon's command line: subcommands, policy options, "--", errors, help.
#include "cli/flags.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>

#include "policy/loader.h"
#include "policy/render.h"

namespace cordon::cli {
namespace {

using Args = std::vector<std::string>;

// The flag layer's values as typed.
Args Values(const std::vector<policy::ConfigString>& list) {
  Args out;
  for (const auto& s : list) out.push_back(s.value);
  return out;
}
Args Env(const policy::ConfigLayer& f) {
  Args out = Values(f.env_pass);
  for (const auto& s : f.env_set) out.push_back(s.name + "=" + s.value);
  return out;
}

Command Ok(const Args& args) {
  auto r = ParseArgs(args);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().Describe());
  return r.ok() ? r.value() : Command{};
}

std::string Err(const Args& args) {
  auto r = ParseArgs(args);
  EXPECT_FALSE(r.ok());
  if (r.ok()) {
    return "";
  }
  std::string msg = r.error().Describe();
  EXPECT_EQ(msg.find('\n'), std::string::npos) << "not one line: " << msg;
  return msg;
}

TEST(ParseArgs, NetworkRuleFlags) {
  Command c = Ok({"run", "--net", "proxy", "--allow-domain", "pypi.org", "--allow-domain=*.x.org",
                  "--deny-domain", "evil.x.org", "--allow-local", "127.0.0.1:5432", "--resolve",
                  "h.test:127.0.0.1", "--", "pip"});
  const policy::Overrides& o = c.run.overrides;
  const policy::ConfigLayer& f = o.flags;
  EXPECT_EQ(Values(f.net_allow), (Args{"pypi.org", "*.x.org"}));
  EXPECT_EQ(Values(f.net_deny), (Args{"evil.x.org"}));
  EXPECT_EQ(Values(f.net_allow_local), (Args{"127.0.0.1:5432"}));
  EXPECT_EQ(Values(f.net_resolve), (Args{"h.test:127.0.0.1"}));
  c = Ok({"policy", "show", "--net", "proxy", "--allow-domain", "a.com"});
  EXPECT_EQ(Values(c.show.overrides.flags.net_allow), (Args{"a.com"}));
  EXPECT_NE(Err({"run", "--allow-domain", "--", "x"}).find("--allow-domain"), std::string::npos);
}

TEST(ParseArgs, RunWithAllOptions) {
  Command c = Ok({"run",         "--workspace", "/w",           "--mode", "read-only",
                  "--writable",  "a",           "--writable=b", "--read", "~/.m2",
                  "--deny-read", "s",           "--protect",    "p",      "--net",
                  "full",        "--env",       "CI",           "--env",  "A=b=c",
                  "--timeout",   "30",          "--config",     "c.toml", "--allow-degraded",
                  "-v",          "--",          "make",         "-j4"});
  EXPECT_EQ(c.kind, Command::Kind::kRun);
  const policy::Overrides& o = c.run.overrides;
  const policy::ConfigLayer& f = o.flags;
  EXPECT_EQ(o.workspace, "/w");
  EXPECT_EQ(f.mode, policy::Mode::kReadOnly);
  EXPECT_EQ(f.net, policy::NetMode::kFull);
  EXPECT_EQ(Values(f.writable), (Args{"a", "b"}));
  EXPECT_EQ(Values(f.read), Args{"~/.m2"});
  EXPECT_EQ(Values(f.deny_read), Args{"s"});
  EXPECT_EQ(Values(f.protect), Args{"p"});
  EXPECT_EQ(Env(f), (Args{"CI", "A=b=c"}));
  EXPECT_EQ(o.config_file, "c.toml");
  EXPECT_FALSE(o.no_config);
  EXPECT_TRUE(f.allow_degraded.has_value());
  EXPECT_TRUE(c.run.verbose);
  EXPECT_EQ(c.run.timeout_seconds, 30);
  EXPECT_EQ(c.run.argv, (Args{"make", "-j4"}));
}

TEST(ParseArgs, RunDefaults) {
  Command c = Ok({"run", "--", "true"});
  EXPECT_EQ(c.kind, Command::Kind::kRun);
  EXPECT_FALSE(c.run.overrides.workspace);
  EXPECT_FALSE(c.run.overrides.flags.mode);
  EXPECT_FALSE(c.run.overrides.flags.net);
  EXPECT_FALSE(c.run.overrides.config_file);
  EXPECT_FALSE(c.run.timeout_seconds);
  EXPECT_FALSE(c.run.verbose);
  EXPECT_EQ(c.run.argv, Args{"true"});
}

TEST(ParseArgs, ArgsAfterDashDashAreVerbatim) {
  Command c = Ok({"run", "--", "--mode", "full-access", "--", "--help", "-v", ""});
  EXPECT_EQ(c.run.argv, (Args{"--mode", "full-access", "--", "--help", "-v", ""}));
  EXPECT_FALSE(c.run.overrides.flags.mode);
  EXPECT_FALSE(c.run.verbose);
}

TEST(ParseArgs, ProxyParsesHereAndIsRefusedByResolve) {
  EXPECT_EQ(Ok({"run", "--net", "proxy", "--", "x"}).run.overrides.flags.net,
            policy::NetMode::kProxy);
}

TEST(ParseArgs, PolicyShow) {
  Command c =
      Ok({"policy", "show", "--json", "--no-config", "--read", "x", "--mode", "full-access"});
  EXPECT_EQ(c.kind, Command::Kind::kPolicyShow);
  EXPECT_TRUE(c.show.json);
  EXPECT_TRUE(c.show.overrides.no_config);
  EXPECT_EQ(Values(c.show.overrides.flags.read), Args{"x"});
  EXPECT_EQ(c.show.overrides.flags.mode, policy::Mode::kFullAccess);
  EXPECT_FALSE(Ok({"policy", "show"}).show.json);
}

TEST(ParseArgs, VersionAndHelp) {
  EXPECT_EQ(Ok({"--version"}).kind, Command::Kind::kVersion);
  Command top = Ok({"--help"});
  EXPECT_EQ(top.kind, Command::Kind::kHelp);
  EXPECT_NE(top.help_text.find("run"), std::string::npos);
  EXPECT_NE(top.help_text.find("policy"), std::string::npos);
  EXPECT_NE(top.help_text.find("Examples"), std::string::npos);
  EXPECT_EQ(Ok({}).kind, Command::Kind::kHelp);
  Command run = Ok({"run", "--help"});
  EXPECT_EQ(run.kind, Command::Kind::kHelp);
  for (const char* flag : {"--workspace", "--mode", "--writable", "--read", "--deny-read",
                           "--protect", "--net", "--env", "--timeout", "--config", "--no-config",
                           "--allow-degraded", "--verbose", "Exit status"}) {
    EXPECT_NE(run.help_text.find(flag), std::string::npos) << flag;
  }
  EXPECT_NE(Ok({"run", "-h"}).help_text.find("--timeout"), std::string::npos);
  Command show = Ok({"policy", "show", "--help"});
  EXPECT_NE(show.help_text.find("--json"), std::string::npos);
}

TEST(ParseArgs, MissingCommand) {
  EXPECT_NE(Err({"run"}).find("missing command"), std::string::npos);
  EXPECT_NE(Err({"run", "--mode", "read-only"}).find("missing command"), std::string::npos);
  EXPECT_NE(Err({"run", "--"}).find("no command after '--'"), std::string::npos);
  EXPECT_NE(Err({"run", "ls"}).find("ls"), std::string::npos);
}

TEST(ParseArgs, BadValues) {
  EXPECT_NE(Err({"run", "--mode", "yolo", "--", "x"})
                .find("--mode: expected one of read-only, workspace-write, full-access"),
            std::string::npos);
  EXPECT_NE(Err({"run", "--net", "on", "--", "x"}).find("expected one of off, proxy, full"),
            std::string::npos);
  for (const char* t : {"0", "-1", "1.5", "10s", "", "99999999999999999999", "+5", " 5"}) {
    EXPECT_NE(Err({"run", "--timeout", t, "--", "x"}).find("--timeout"), std::string::npos) << t;
  }
  EXPECT_NE(Err({"run", "--bogus", "--", "x"}).find("bogus"), std::string::npos);
  EXPECT_FALSE(ParseArgs({"run", "--mode", "--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"run", "--mode", "read-only", "--mode", "full-access", "--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"run", "--read", "a", "b", "--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"run", "--json", "--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"policy", "show", "--timeout", "5"}).ok());
  EXPECT_FALSE(ParseArgs({"policy", "show", "--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"policy"}).ok());
  EXPECT_FALSE(ParseArgs({"policy", "list"}).ok());
  EXPECT_FALSE(ParseArgs({"frobnicate"}).ok());
  EXPECT_FALSE(ParseArgs({"--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"--version", "run", "--", "x"}).ok());
}

// `cordon run` builds only its own options (issue 16: start-up): the other
// subcommands and their options are still refused after "run", with the
// message they had.
TEST(ParseArgs, RunRefusesOtherSubcommandsAfterIt) {
  for (const Args& args :
       {Args{"run", "policy", "show", "--json", "--", "x"}, Args{"run", "log", "--since", "1h"},
        Args{"run", "doctor", "--", "x"}, Args{"run", "secret", "list"},
        Args{"run", "--since", "1h", "--", "x"}, Args{"run", "--denied", "--", "x"}}) {
    const std::string e = Err(args);
    EXPECT_EQ(e.rfind("run: ", 0), 0U) << args[1] << ": " << e;
  }
  EXPECT_EQ(Ok({"log", "--since", "1h", "--denied"}).kind, Command::Kind::kLog);
  EXPECT_EQ(Ok({"run", "--", "log", "--since", "1h"}).kind, Command::Kind::kRun);
}

TEST(ParseArgs, NoConfigConflictsWithConfig) {
  EXPECT_FALSE(ParseArgs({"run", "--no-config", "--config", "f", "--", "x"}).ok());
  EXPECT_FALSE(ParseArgs({"policy", "show", "--config", "f", "--no-config"}).ok());
}

TEST(ParseArgs, RunSessionKeepsTheOptionsAsTyped) {
  Command c = Ok({"run", "--session", "--net", "proxy", "-q", "--", "make"});
  EXPECT_EQ(c.kind, Command::Kind::kRun);
  EXPECT_TRUE(c.run.session);
  EXPECT_EQ(c.run.options, (Args{"--session", "--net", "proxy", "-q"}));
  EXPECT_EQ(c.run.argv, Args{"make"});
  EXPECT_FALSE(Ok({"run", "--", "make"}).run.session);
  EXPECT_NE(Err({"run", "--session", "--session-fd", "4"}).find("--session"), std::string::npos);
  // --trace-id is internal to a session's own run, and checked.
  EXPECT_NE(Err({"run", "--trace-id", "abc", "--", "x"}).find("--trace-id"), std::string::npos);
  const std::string id(32, 'a');
  EXPECT_EQ(Ok({"run", "--session-fd", "4", "--trace-id", id}).run.trace_id, id);
}

// The policy `ov` resolves to in a scratch home, as JSON (or the error):
// every field of the flag layer shows in it.
std::string PolicyText(const policy::Overrides& ov) {
  namespace fs = std::filesystem;
  const fs::path root = fs::temp_directory_path() / ("cordon-flags-" + std::to_string(getpid()));
  fs::create_directories(root / "ws");
  policy::HostFacts host;
  host.home = root.string();
  host.cwd = (root / "ws").string();
  host.xdg_config_home = (root / ".config").string();
  host.xdg_state_home = (root / ".local/state").string();
  auto p = policy::Resolve(ov, host);
  std::string text = p.ok() ? policy::RenderJson(p.value(), -1) : p.error().Describe();
  fs::remove_all(root);
  return text;
}

// ParseArgs takes most `cordon run` lines without CLI11: where it does, the
// result is CLI11's to the last field; what it does not take, CLI11 parses
// (or refuses) as before.
TEST(ParseArgs, QuickRunAgreesWithTheFullParser) {
  const std::vector<Args> lines = {
      {"run", "--", "x"},
      {"run", "--session", "--net=proxy", "--allow-domain", "pypi.org", "--allow-domain",
       "files.pythonhosted.org", "-q", "--", "pip", "install", "-r", "r.txt"},
      {"run", "--workspace", "/w", "--no-config", "--read", "/opt", "--read=/srv", "--writable",
       "/var/cache", "--timeout", "5", "-v", "--", "make", "-j", "--", "x"},
      {"run",
       "--mode",
       "read-only",
       "--env",
       "A=1",
       "--env",
       "B",
       "--secret",
       "GH",
       "--allow-degraded",
       "--require-namespaces",
       "--memory",
       "2G",
       "--pids",
       "100",
       "--cpus",
       "1.5",
       "--tmp-size",
       "64M",
       "--approval",
       "never",
       "--approval-timeout",
       "30",
       "--trust-command",
       "make",
       "--deny-domain",
       "x.com",
       "--allow-local",
       "5432",
       "--resolve",
       "a.internal=10.0.0.1",
       "--config",
       "/c.toml",
       "--quiet",
       "--verbose",
       "--",
       "sh",
       "-c",
       "true"},
      // For the full parser alone (from here on): help, errors, internal
      // fds, odd spellings.
      {"run", "--help"},
      {"run", "--mode", "sideways", "--", "x"},
      {"run", "--timeout", "0", "--", "x"},
      {"run", "--no-such", "--", "x"},
      {"run", "--mode", "read-only", "--mode", "full-access", "--", "x"},
      {"run", "--config", "c", "--no-config", "--", "x"},
      {"run", "-qv", "--", "x"},
      {"run", "--read", "--", "x"},
      {"run", "--read", "-v", "--", "x"},
      {"run", "--no-config=true", "--", "x"},
      {"run", "--approval-fd", "3", "--", "x"},
      {"run", "--session", "--session-fd", "4"},
      {"run", "--"},
      {"run", "x"},
  };
  const size_t quick_lines = 4;
  for (size_t i = 0; i < lines.size(); ++i) {
    const Args& line = lines[i];
    SCOPED_TRACE(::testing::PrintToString(line));
    EXPECT_EQ(QuickRun(line).has_value(), i < quick_lines);
    auto quick = ParseArgs(line);
    auto full = ParseArgsFull(line);
    ASSERT_EQ(quick.ok(), full.ok());
    if (!full.ok()) {
      EXPECT_EQ(quick.error().Describe(), full.error().Describe());
      continue;
    }
    const Command& q = quick.value();
    const Command& f = full.value();
    EXPECT_EQ(q.kind, f.kind);
    EXPECT_EQ(q.help_text, f.help_text);
    const RunArgs& a = q.run;
    const RunArgs& b = f.run;
    EXPECT_EQ(a.argv, b.argv);
    EXPECT_EQ(a.options, b.options);
    EXPECT_EQ(a.session, b.session);
    EXPECT_EQ(a.quiet, b.quiet);
    EXPECT_EQ(a.verbose, b.verbose);
    EXPECT_EQ(a.timeout_seconds, b.timeout_seconds);
    EXPECT_EQ(a.approval_fd, b.approval_fd);
    EXPECT_EQ(a.session_fd, b.session_fd);
    EXPECT_EQ(a.overrides.workspace, b.overrides.workspace);
    EXPECT_EQ(a.overrides.config_file, b.overrides.config_file);
    EXPECT_EQ(a.overrides.no_config, b.overrides.no_config);
    EXPECT_EQ(PolicyText(a.overrides), PolicyText(b.overrides));
  }
}

TEST(ParseArgs, Session) {
  Command start = Ok({"session", "start", "--net", "proxy", "--idle-timeout", "0"});
  EXPECT_EQ(start.kind, Command::Kind::kSessionStart);
  EXPECT_EQ(start.session.idle_timeout_seconds, 0);
  EXPECT_EQ(start.session.policy_args, (Args{"--net", "proxy"}));
  EXPECT_EQ(Ok({"session", "start"}).session.idle_timeout_seconds, 3600);
  EXPECT_EQ(Ok({"session", "start", "--idle-timeout=90"}).session.idle_timeout_seconds, 90);
  Command stop = Ok({"session", "stop", "--workspace", "/w"});
  EXPECT_EQ(stop.kind, Command::Kind::kSessionStop);
  EXPECT_EQ(stop.session.workspace, "/w");
  EXPECT_TRUE(Ok({"session", "stop", "--all"}).session.all);
  Command status = Ok({"session", "status", "--json"});
  EXPECT_EQ(status.kind, Command::Kind::kSessionStatus);
  EXPECT_TRUE(status.session.json);
  EXPECT_EQ(Ok({"session"}).kind, Command::Kind::kHelp);
  EXPECT_EQ(Ok({"session", "start", "--help"}).kind, Command::Kind::kHelp);

  EXPECT_NE(Err({"session", "begin"}).find("unknown subcommand"), std::string::npos);
  EXPECT_NE(Err({"session", "start", "--idle-timeout", "-1"}).find("--idle-timeout"),
            std::string::npos);
  EXPECT_NE(Err({"session", "start", "--idle-timeout"}).find("needs a value"), std::string::npos);
  EXPECT_NE(Err({"session", "start", "--", "x"}).find("'--'"), std::string::npos);
  EXPECT_NE(Err({"session", "start", "--net", "sideways"}).find("session start"),
            std::string::npos);
  EXPECT_NE(Err({"session", "stop", "--all", "--workspace", "/w"}).find("exclude"),
            std::string::npos);
  EXPECT_NE(Err({"session", "status", "-v"}).find("'-v'"), std::string::npos);
}

TEST(ParseArgs, HostileInputNeverThrows) {
  std::vector<Args> inputs = {{"run", std::string("\0\0", 2)},
                              {"run", "--env"},
                              {"run", "--env="},
                              {"-"},
                              {"---"},
                              {"run", "--workspace=", "--", "x"},
                              {"run", "-vvvv", "--", "x"},
                              {"policy", "show", "-"},
                              {"run", "--help=x"},
                              {"--help", "--version"},
                              {"run", "--timeout=", "--", "x"},
                              {"session", "start", "--idle-timeout="},
                              {"session", "stop", "--workspace"},
                              {"session", std::string("\0", 1)}};
  for (const Args& a : inputs) {
    (void)ParseArgs(a);
  }
}

}  // namespace
}  // namespace cordon::cli
