// Terminal approvals, answered through a pseudo-terminal (openpty): cordon
// is started with the pty as its controlling terminal, the test reads the
// prompt on the master side and types the answer. Every "allowed" answer is
// checked against the loopback server (it saw the request) and every
// refusal against it too (no connection). Also: non-interactive runs deny
// and say so, "always" lands in the user config with its comment, the
// untrusted gate, and a project file that tries to loosen approvals.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include "harness.h"
#include "http_server.h"

namespace cordon::it {
namespace {

class ApprovalTest : public SandboxTest {
 protected:
  // --net proxy; asked.test resolves to the server, which only
  // --allow-local names: no rule names asked.test, so it is asked about.
  std::vector<std::string> Opts(int port, std::vector<std::string> extra = {}) {
    std::vector<std::string> o = {"--net",
                                  "proxy",
                                  "--resolve",
                                  "asked.test:127.0.0.1",
                                  "--allow-local",
                                  "127.0.0.1:" + std::to_string(port),
                                  "--approval-timeout",
                                  "20"};
    o.insert(o.end(), extra.begin(), extra.end());
    return o;
  }
  std::vector<std::string> Curl(int port, const std::string& path) {
    return {"/usr/bin/curl",
            "-sS",
            "-o",
            "/dev/null",
            "-w",
            "%{http_code}",
            "http://asked.test:" + std::to_string(port) + path};
  }

  std::string Events() {
    std::string all;
    std::string dir = state_ + "/cordon/events";
    for (const std::string& f : ListDir(dir)) all += ReadFile(dir + "/" + f);
    return all;
  }
};

TEST_F(ApprovalTest, TerminalOnceLetsTheHeldConnectionThrough) {
  HttpServer server;
  auto [status, shown] = OnTerminal(RunArgv(Opts(server.port()), Curl(server.port(), "/once")),
                                    "allow asked.test:" + std::to_string(server.port()), "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_NE(shown.find("200"), std::string::npos) << shown;
  ASSERT_EQ(server.requests().size(), 1u);
  std::string events = Events();
  EXPECT_NE(events.find("cordon.approval.request"), std::string::npos);
  EXPECT_NE(events.find("\"cordon.approval.answer\",\"value\":{\"stringValue\":\"once\"}"),
            std::string::npos)
      << events;
  EXPECT_NE(events.find("\"cordon.approval.channel\",\"value\":{\"stringValue\":\"terminal\"}"),
            std::string::npos);
}

TEST_F(ApprovalTest, TerminalDenyRefusesAndOpensNoConnection) {
  HttpServer server;
  auto [status, shown] = OnTerminal(RunArgv(Opts(server.port()), Curl(server.port(), "/deny")),
                                    "allow asked.test:", "d\n");
  EXPECT_NE(shown.find("403"), std::string::npos) << shown;
  EXPECT_TRUE(server.requests().empty());
  EXPECT_NE(Events().find("\"cordon.approval.answer\",\"value\":{\"stringValue\":\"deny\"}"),
            std::string::npos);
  // The proxy's own decision says why, in the same words.
  EXPECT_NE(Events().find("\"cordon.reason\",\"value\":{\"stringValue\":\"refused by the person "
                          "asked\"}"),
            std::string::npos);
}

TEST_F(ApprovalTest, SessionAnswerIsAskedOnceForTwoConnections) {
  HttpServer server;
  std::string url = "http://asked.test:" + std::to_string(server.port());
  std::vector<std::string> cmd = {"/bin/sh", "-c",
                                  "curl -sS -o /dev/null " + url +
                                      "/a && sleep 0.2 && curl -sS "
                                      "-o /dev/null " +
                                      url + "/b && echo both-ok"};
  auto [status, shown] = OnTerminal(RunArgv(Opts(server.port()), cmd), "allow asked.test:", "s\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_NE(shown.find("both-ok"), std::string::npos) << shown;
  EXPECT_EQ(server.requests().size(), 2u);
  size_t first = shown.find("allow asked.test:");
  EXPECT_EQ(shown.find("allow asked.test:", first + 1), std::string::npos) << "asked twice";
}

TEST_F(ApprovalTest, AlwaysIsSavedInTheUserConfigWithItsCommentAndUsedNextTime) {
  HttpServer server;
  std::string config = home_ + "/.config/cordon/config.toml";
  MakeDirs(home_ + "/.config/cordon", 0700);
  WriteFile(config, "# my settings\n[network]\nallow = [\"example.org\"]  # docs\n", 0600);
  auto argv = [&](const std::string& path) {
    std::vector<std::string> a = TierPrefix();
    a.insert(a.end(), {CordonBin(), "run", "--workspace", ws_, "--config", config});
    for (const auto& o : Opts(server.port())) a.push_back(o);
    a.push_back("--");
    for (const auto& c : Curl(server.port(), path)) a.push_back(c);
    return a;
  };
  auto [status, shown] = OnTerminal(argv("/always"), "allow asked.test:", "a\n");
  EXPECT_EQ(status, 0) << shown;
  std::string text = ReadFile(config);
  EXPECT_NE(text.find("# my settings"), std::string::npos) << text;
  EXPECT_NE(text.find("allow = [\"example.org\","), std::string::npos) << text;
  EXPECT_NE(text.find("]  # docs"), std::string::npos) << text;
  EXPECT_NE(text.find("# added by cordon "), std::string::npos) << text;
  EXPECT_NE(text.find("\"asked.test:" + std::to_string(server.port()) + "\","), std::string::npos)
      << text;
  // The next run (not even interactive) passes by the saved rule.
  RunResult again = RunProcess(argv("/again"), env_, ws_);
  EXPECT_EQ(again.out, "200") << again.Describe();
  EXPECT_EQ(server.requests().size(), 2u);
}

TEST_F(ApprovalTest, NonInteractiveRunDeniesAndSaysSo) {
  HttpServer server;
  RunResult r = Run(Opts(server.port()), Curl(server.port(), "/nobody"));
  EXPECT_EQ(r.out, "403") << r.Describe();
  EXPECT_NE(r.err.find("nobody to ask"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("--allow-domain asked.test:"), std::string::npos) << r.Describe();
  EXPECT_TRUE(server.requests().empty());
  EXPECT_NE(Events().find("nobody to ask (not interactive)"), std::string::npos);
}

TEST_F(ApprovalTest, NeverAsksNobody) {
  HttpServer server;
  auto [status, shown] = OnTerminal(
      RunArgv(Opts(server.port(), {"--approval", "never"}), Curl(server.port(), "/n")), "", "");
  EXPECT_EQ(shown.find("allow asked.test"), std::string::npos) << shown;
  EXPECT_NE(shown.find("403"), std::string::npos) << shown;
  EXPECT_TRUE(server.requests().empty());
  EXPECT_NE(Events().find("approval policy never (nothing is asked while the command runs)"),
            std::string::npos);
}

TEST_F(ApprovalTest, OnFailureOffersARerunWithTheDeniedDestination) {
  HttpServer server;
  std::vector<std::string> cmd = {"/usr/bin/curl", "-fsS", "-o", "/dev/null",
                                  "http://asked.test:" + std::to_string(server.port()) + "/f"};
  auto [status, shown] =
      OnTerminal(RunArgv(Opts(server.port(), {"--approval", "on-failure"}), cmd), "re-run", "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_NE(shown.find("re-running with asked.test:"), std::string::npos) << shown;
  EXPECT_EQ(server.requests().size(), 1u);
}

TEST_F(ApprovalTest, UntrustedGatesCommandsNotOnTheTrustedList) {
  std::vector<std::string> opts = {"--approval", "untrusted", "--trust-command", "echo"};
  RunResult trusted = Run(opts, {"echo", "fine"});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.Describe();
  RunResult gated = Run(opts, {"/bin/sh", "-c", "touch made; echo ran"});
  EXPECT_EQ(gated.exit_code, 125) << gated.Describe();
  EXPECT_NE(gated.err.find("not approved"), std::string::npos) << gated.Describe();
  EXPECT_FALSE(Exists(ws_ + "/made"));
  auto [status, shown] = OnTerminal(RunArgv(opts, {"/bin/sh", "-c", "touch made; echo ran"}),
                                    "run `/bin/sh -c", "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_TRUE(Exists(ws_ + "/made"));
}

TEST_F(ApprovalTest, AProjectFileCannotLoosenApprovals) {
  std::vector<std::string> show = {"policy", "show", "--workspace", ws_, "--approval", "untrusted"};
  WriteFile(ws_ + "/.cordon.toml", "trusted_commands = [\"rm\"]\n");
  RunResult r = Cordon(show);
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find("trusted_commands"), std::string::npos) << r.Describe();
  WriteFile(ws_ + "/.cordon.toml", "approval = \"never\"\napproval_timeout = 5\n");
  r = Cordon({"policy", "show", "--workspace", ws_});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("approval   never, 5 s"), std::string::npos) << r.out;
  WriteFile(ws_ + "/.cordon.toml", "approval = \"on-request\"\n");
  MakeDirs(home_ + "/.config/cordon", 0700);
  WriteFile(home_ + "/.config/cordon/config.toml", "approval = \"never\"\n");
  r = Cordon({"policy", "show", "--workspace", ws_});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find("looser"), std::string::npos) << r.Describe();
}

}  // namespace
}  // namespace cordon::it
