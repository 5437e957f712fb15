// Everyday use explained (issue 14, points 6, 9, 10 and 12): flags that
// cannot take effect are refused with the way to lift the rule, config
// paths that do nothing are listed, denials are summed up at the end of a
// run, the terminal names a device and takes one-key answers while the
// command is held, and `cordon mcp` starts where no workspace is allowed.
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include "harness.h"
#include "http_server.h"

namespace cordon::it {
namespace {

class UxTest : public SandboxTest {
 protected:
  // RunArgv without the secret-leak check of Run(): some runs here read a
  // secret on purpose, after lifting its rule.
  RunResult RunRaw(const std::vector<std::string>& opts, const std::vector<std::string>& cmd) {
    return RunProcess(RunArgv(opts, cmd), env_, ws_);
  }
  std::string WriteConfig(const std::string& text) {
    MakeDirs(home_ + "/.config/cordon", 0700);
    const std::string path = home_ + "/.config/cordon/config.toml";
    WriteFile(path, text, 0600);
    return path;
  }
};

// --read of a path a built-in rule hides did nothing and exited 0; now it
// is refused (125) with the rule and the flag that lifts it, and with that
// flag the file really is readable.
TEST_F(UxTest, ReadOfAHiddenSecretIsRefusedUntilUnhidden) {
  for (const char* path : {"~/.ssh", "~/.ssh/known_hosts"}) {
    RunResult r = Run({"--read", path}, {"/bin/true"});
    EXPECT_EQ(r.exit_code, 125) << r.Describe();
    EXPECT_NE(r.err.find("inside deny-read " + home_ + "/.ssh (built-in default)"),
              std::string::npos)
        << r.Describe();
    EXPECT_NE(r.err.find("--unhide " + home_ + "/.ssh"), std::string::npos) << r.Describe();
  }
  RunResult lifted =
      RunRaw({"--unhide", "~/.ssh", "--read", "~/.ssh"}, {"/bin/cat", home_ + "/.ssh/known_hosts"});
  EXPECT_EQ(lifted.exit_code, 0) << lifted.Describe();
  EXPECT_NE(lifted.out.find("github.com ssh-ed25519"), std::string::npos) << lifted.Describe();
  // Lifting one rule lifts only that one.
  RunResult other =
      Probe({"--unhide", "~/.ssh", "--read", "~/.ssh"}, {"read", home_ + "/.aws/credentials"});
  EXPECT_TRUE(Denied(other, {"ENOENT", "EACCES"})) << other.Describe();
  // cordon's own state is never lifted.
  RunResult own = Run({"--unhide", state_ + "/cordon"}, {"/bin/true"});
  EXPECT_EQ(own.exit_code, 125) << own.Describe();
  EXPECT_NE(own.err.find("cordon's own config and state"), std::string::npos) << own.Describe();
  RunResult shown =
      Cordon({"policy", "show", "--workspace", ws_, "--no-config", "--unhide", "~/.ssh", "--json"});
  ASSERT_EQ(shown.exit_code, 0) << shown.Describe();
  auto j = nlohmann::json::parse(shown.out);
  ASSERT_EQ(j["unhidden"].size(), 1u) << shown.out;
  EXPECT_EQ(j["unhidden"][0]["path"], home_ + "/.ssh");
  EXPECT_EQ(j["unhidden"][0]["origin"], "flag --unhide");
}

TEST_F(UxTest, MissingConfigPathsAreWarnedOnceAndShownAsSkipped) {
  const std::string config =
      WriteConfig("[filesystem]\nread = [\"~/no-such-dir\"]\nwritable = [\"/var/tmp/gone-" +
                  RandomToken() + "\"]\n");
  std::vector<std::string> argv = TierPrefix();
  argv.insert(argv.end(),
              {CordonBin(), "run", "--workspace", ws_, "--config", config, "--", "/bin/true"});
  RunResult r = RunProcess(argv, env_, ws_);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  const std::string warning = "filesystem.read: " + home_ + "/no-such-dir does not exist";
  size_t first = r.err.find(warning);
  EXPECT_NE(first, std::string::npos) << r.Describe();
  EXPECT_EQ(r.err.find("no-such-dir", first + warning.size()), std::string::npos)
      << "warned twice\n"
      << r.Describe();
  EXPECT_NE(r.err.find("filesystem.writable"), std::string::npos) << r.Describe();
  // --quiet: no warning.
  argv.insert(argv.end() - 2, "--quiet");
  RunResult quiet = RunProcess(argv, env_, ws_);
  EXPECT_EQ(quiet.exit_code, 0) << quiet.Describe();
  EXPECT_EQ(quiet.err.find("no-such-dir"), std::string::npos) << quiet.Describe();

  RunResult text = Cordon({"policy", "show", "--workspace", ws_, "--config", config});
  EXPECT_NE(text.out.find("Skipped"), std::string::npos) << text.Describe();
  EXPECT_NE(text.out.find(home_ + "/no-such-dir"), std::string::npos) << text.Describe();
  RunResult json = Cordon({"policy", "show", "--workspace", ws_, "--config", config, "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.Describe();
  auto j = nlohmann::json::parse(json.out);
  ASSERT_EQ(j["skipped"].size(), 2u) << json.out;
  EXPECT_EQ(j["skipped"][0]["reason"], "does not exist");
  // Twin: once the path exists it is used, and nothing is skipped.
  MakeDirs(home_ + "/no-such-dir");
  WriteConfig("[filesystem]\nread = [\"~/no-such-dir\"]\n");
  RunResult fixed = Cordon({"policy", "show", "--workspace", ws_, "--config", config, "--json"});
  EXPECT_TRUE(nlohmann::json::parse(fixed.out)["skipped"].empty()) << fixed.out;
}

TEST_F(UxTest, AUrlWhereAHostBelongsSaysWhichHost) {
  RunResult r = Run({"--net", "proxy", "--allow-domain", "https://example.com/x"}, {"/bin/true"});
  EXPECT_EQ(r.exit_code, 125) << r.Describe();
  EXPECT_NE(r.err.find("give the host name: example.com"), std::string::npos) << r.Describe();
  RunResult ok = Run({"--net", "proxy", "--allow-domain", "example.com"}, {"/bin/true"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
}

// A destination refused by the proxy is named at the end of the run with
// the flag that allows it; --quiet silences it.
TEST_F(UxTest, DeniedDestinationIsSummedUpWithTheFlag) {
  HttpServer server;
  const std::string port = std::to_string(server.port());
  std::vector<std::string> curl = {"/usr/bin/curl", "-s", "-o", "/dev/null",
                                   "http://refused.test:" + port + "/"};
  std::vector<std::string> opts = {"--net",      "proxy", "--resolve", "refused.test:127.0.0.1",
                                   "--approval", "never"};
  RunResult r = Run(opts, curl);
  EXPECT_NE(r.err.find("cordon: denied: network refused.test:" + port), std::string::npos)
      << r.Describe();
  EXPECT_NE(r.err.find("--allow-domain refused.test"), std::string::npos) << r.Describe();
  EXPECT_TRUE(server.requests().empty());
  opts.push_back("--quiet");
  RunResult quiet = Run(opts, curl);
  EXPECT_EQ(quiet.err.find("denied: network"), std::string::npos) << quiet.Describe();
}

// Allowed, but the name does not resolve: told at the end, and listed by
// `cordon log --denied`.
TEST_F(UxTest, AllowedDestinationFailingUpstreamIsListed) {
  RunResult r = Run({"--net", "proxy", "--allow-domain", "nosuch.invalid"},
                    {"/usr/bin/curl", "-sf", "-o", "/dev/null", "http://nosuch.invalid/"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("allowed but failed: network nosuch.invalid:80"), std::string::npos)
      << r.Describe();
  RunResult log = Cordon({"log", "--denied"});
  EXPECT_NE(log.out.find("nosuch.invalid"), std::string::npos) << log.Describe();
  // Twin: an allowed destination that answers is not a denial.
  HttpServer server;
  const std::string port = std::to_string(server.port());
  RunResult fine =
      Run({"--net", "proxy", "--resolve", "fine.test:127.0.0.1", "--allow-domain", "fine.test",
           "--allow-local", "127.0.0.1:" + port},
          {"/usr/bin/curl", "-sf", "-o", "/dev/null", "http://fine.test:" + port + "/"});
  EXPECT_EQ(fine.exit_code, 0) << fine.Describe();
  EXPECT_EQ(fine.err.find("failed"), std::string::npos) << fine.Describe();
}

// `git config` cannot replace the protected .git/config (EBUSY): cordon
// says why at the end of the run. A passing command gets no such note.
TEST_F(UxTest, ProtectedPathFailureIsExplained) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("protected paths are not read-only (namespaceless.md)");
  InitRepo(ws_);
  RunResult r = Run({}, {"/usr/bin/git", "config", "user.name", "X"});
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.err.find("EBUSY"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find(".git/config"), std::string::npos) << r.Describe();
  RunResult ok = Run({}, {"/usr/bin/git", "status", "--short"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  EXPECT_EQ(ok.err.find("EBUSY"), std::string::npos) << ok.Describe();
}

// ---- the terminal ----

class PtyRun {
 public:
  PtyRun(const std::vector<std::string>& argv, const Env& env, const std::string& cwd) {
    if (openpty(&master_, &slave_, nullptr, nullptr, nullptr) != 0) {
      ADD_FAILURE() << "openpty failed";
      return;
    }
    process_ = std::make_unique<Process>(argv, env, cwd, slave_);
    close(slave_);
  }
  ~PtyRun() {
    if (master_ >= 0) close(master_);
  }
  // Reads until `pred(shown)` or the deadline; false on timeout or EOF.
  bool ReadUntil(const std::function<bool(const std::string&)>& pred, double seconds) {
    const double deadline = Now() + seconds;
    while (!pred(shown_)) {
      if (Now() > deadline) return false;
      pollfd pfd = {master_, POLLIN, 0};
      if (poll(&pfd, 1, 50) > 0) {
        char buf[4096];
        ssize_t n = read(master_, buf, sizeof buf);
        if (n <= 0) return pred(shown_);
        shown_.append(buf, static_cast<size_t>(n));
      }
    }
    return true;
  }
  void Type(const std::string& s) {
    EXPECT_EQ(write(master_, s.data(), s.size()), static_cast<ssize_t>(s.size()));
  }
  int Finish() {
    ReadUntil([](const std::string&) { return false; }, 15);
    return process_->Wait(10).exit_code;
  }
  [[nodiscard]] const std::string& shown() const { return shown_; }

 private:
  int master_ = -1, slave_ = -1;
  std::unique_ptr<Process> process_;
  std::string shown_;
};

TEST_F(UxTest, TtyNamesADeviceOnATerminal) {
  PtyRun run(RunArgv({}, {"/usr/bin/tty"}), env_, ws_);
  const int status = run.Finish();
  EXPECT_EQ(status, 0) << run.shown();
  EXPECT_NE(run.shown().find("/dev/"), std::string::npos) << run.shown();
  EXPECT_EQ(run.shown().find("not a tty"), std::string::npos) << run.shown();
  // Twin: without a terminal there is none to name.
  RunResult none = Run({}, {"/usr/bin/tty"});
  EXPECT_EQ(none.exit_code, 1) << none.Describe();
  EXPECT_NE(none.out.find("not a tty"), std::string::npos) << none.Describe();
}

// The command's spinner is held while the question is on screen, and a
// single key (no Enter) answers it.
TEST_F(UxTest, QuestionIsHeldStillAndOneKeyAnswers) {
  for (const char* key : {"o", "d"}) {
    HttpServer server;
    const std::string port = std::to_string(server.port());
    const std::string script =
        "(while :; do printf '#'; sleep 0.02; done) & spin=$!; sleep 0.3; "
        "code=$(curl -s -o /dev/null -w '%{http_code}' http://asked.test:" +
        port + "/); sleep 0.3; kill $spin; echo; echo code=$code";
    PtyRun run(RunArgv({"--net", "proxy", "--resolve", "asked.test:127.0.0.1", "--allow-local",
                        "127.0.0.1:" + port, "--approval-timeout", "20"},
                       {"/bin/sh", "-c", script}),
               env_, ws_);
    ASSERT_TRUE(run.ReadUntil(
        [](const std::string& s) { return s.find("without an answer): ") != std::string::npos; },
        20))
        << run.shown();
    // While the question is shown, the spinner prints nothing.
    const size_t asked = run.shown().size();
    run.ReadUntil([](const std::string&) { return false; }, 0.5);
    EXPECT_EQ(run.shown().find('#', asked), std::string::npos)
        << "the command wrote over the question:\n"
        << run.shown().substr(asked);
    run.Type(key);  // no newline
    const int status = run.Finish();
    EXPECT_EQ(status, 0) << run.shown();
    if (std::string(key) == "o") {
      EXPECT_NE(run.shown().find("code=200"), std::string::npos) << run.shown();
      EXPECT_EQ(server.requests().size(), 1u);
    } else {
      EXPECT_NE(run.shown().find("code=403"), std::string::npos) << run.shown();
      EXPECT_TRUE(server.requests().empty());
    }
    // Twin of the hold: once answered, the spinner runs again.
    EXPECT_NE(run.shown().find('#', asked), std::string::npos) << run.shown();
  }
}

// ---- cordon mcp where no workspace is allowed ----

TEST_F(UxTest, McpStartsInTheHomeAndExplainsEachCall) {
  const std::string input =
      R"({"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}})"
      "\n"
      R"({"jsonrpc":"2.0","method":"notifications/initialized"})"
      "\n"
      R"({"jsonrpc":"2.0","id":2,"method":"tools/list"})"
      "\n"
      R"({"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"run","arguments":{"command":["true"]}}})"
      "\n";
  WriteFile(root_ / "mcp-in.jsonl", input);
  // stdin stays open a while: at EOF the server stops the calls in flight.
  std::string cmd = "{ cat '" + (root_ / "mcp-in.jsonl") + "'; sleep 6; } | ";
  for (const std::string& a : TierPrefix()) cmd += "'" + a + "' ";
  cmd += "'" + CordonBin() + "' mcp";
  RunResult r = RunProcess({"/bin/sh", "-c", cmd}, env_, home_);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  std::map<int, nlohmann::json> by_id;
  size_t start = 0;
  for (size_t nl; (nl = r.out.find('\n', start)) != std::string::npos; start = nl + 1) {
    auto j = nlohmann::json::parse(r.out.substr(start, nl - start), nullptr, false);
    if (j.is_object() && j.contains("id") && j["id"].is_number()) by_id[j["id"].get<int>()] = j;
  }
  ASSERT_TRUE(by_id.count(1)) << r.Describe();
  EXPECT_TRUE(by_id[1].contains("result")) << by_id[1].dump();
  ASSERT_TRUE(by_id.count(2)) << r.Describe();
  EXPECT_FALSE(by_id[2]["result"]["tools"].empty()) << by_id[2].dump();
  ASSERT_TRUE(by_id.count(3)) << r.Describe();
  const nlohmann::json& call = by_id[3]["result"];
  EXPECT_EQ(call["isError"], true) << call.dump();
  const std::string text = call["content"][0]["text"];
  EXPECT_NE(text.find("refusing this workspace"), std::string::npos) << text;
  EXPECT_NE(text.find("--workspace DIR"), std::string::npos) << text;
  // Twin: from the project directory the same call runs.
  RunResult in_ws = RunProcess({"/bin/sh", "-c", cmd}, env_, ws_);
  EXPECT_NE(in_ws.out.find("\"id\":3"), std::string::npos) << in_ws.Describe();
  EXPECT_EQ(in_ws.out.find("refusing this workspace"), std::string::npos) << in_ws.Describe();
}

}  // namespace
}  // namespace cordon::it
