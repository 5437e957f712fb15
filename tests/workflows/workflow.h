// The workflow tests' fixture: everyday development driven through the real
// `cordon run`, typed as a user types it, with real tools (git, python3 and
// pip, npm and node, cmake and cc, curl), each test checking the real result
// on the host (the commit's files, the package imports, the binary runs, the
// server answered).
//
// Unlike the integration tests' SandboxTest::Run, a workflow run passes no
// --workspace and no --no-config: cordon picks the workspace from the
// current directory as it does for a user, and the command starts where the
// user stands. The fixture reuses the integration harness (temp root, fake
// home with real-looking secrets, tier prefix), so these tests run in both
// tiers (CORDON_TEST_TIER=nsless) and as root or cordon-test like the
// integration suite.
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "harness.h"

namespace cordon::wf {

// A tool looked up on the test's PATH; "" when it is not installed.
std::string FindTool(const std::string& name);

// Skips the test when a tool it drives is missing. In CI a missing tool is
// a configure error already (tests/CMakeLists.txt), so this skip never
// happens there; elsewhere it names what to install.
#define CORDON_REQUIRE_TOOL(name)                                                      \
  do {                                                                                 \
    if (::cordon::wf::FindTool(name).empty())                                          \
      GTEST_SKIP() << "not installed: " << (name) << " (scripts/deps.sh installs it)"; \
  } while (0)

// A free TCP port on the host's 127.0.0.1 (bound, read, closed).
int FreeLoopbackPort();

// A host-side TCP service on 127.0.0.1 that answers each connection's first
// line with "pong-TOKEN\n" and counts the connections it accepted: a
// database or cache server on the developer's machine, as a raw TCP client
// meets it.
class PongServer {
 public:
  PongServer();
  ~PongServer();
  PongServer(const PongServer&) = delete;
  PongServer& operator=(const PongServer&) = delete;
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] const std::string& token() const { return token_; }
  [[nodiscard]] int accepted() const { return accepted_.load(); }

 private:
  void Serve();

  int fd_ = -1;
  int port_ = 0;
  std::string token_;
  std::atomic<bool> stop_{false};
  std::atomic<int> accepted_{0};
  std::thread thread_;
};

class WorkflowTest : public it::SandboxTest {
 protected:
  WorkflowTest();

  // `cordon run [--require-namespaces] OPTS -- CMD` started in cwd, with the
  // test's environment, as a user types it; checks that no secret of the
  // home came out.
  it::RunResult User(const std::string& cwd, const std::vector<std::string>& opts,
                     const std::vector<std::string>& cmd, double timeout_s = 90);
  // User(cwd, opts, {"/bin/sh", "-c", script}).
  it::RunResult UserSh(const std::string& cwd, const std::string& script,
                       const std::vector<std::string>& opts = {}, double timeout_s = 90);
  // A host command in cwd, unconfined, with the test's environment (git
  // finds no repository above the test's root). Fails the test and returns
  // "" when it exits non-zero; returns its stdout.
  std::string HostIn(const std::string& cwd, const std::vector<std::string>& argv);
  // Host git in dir: HostIn(dir, {git, args...}).
  std::string Git(const std::string& dir, const std::vector<std::string>& args);

  it::Env host_env_;  // env_ plus GIT_CEILING_DIRECTORIES
};

}  // namespace cordon::wf
