// Local servers under `cordon run` (issue 14, points 1 and 7): a test
// suite's own HTTP server on the sandbox's loopback answers its client with
// --net off; a service on the host's loopback is unreachable without
// --allow-local and reachable with it by a raw TCP client (no proxy-aware
// HTTP client), each checked on the server's side too.
#include "workflow.h"

namespace cordon::wf {
namespace {

using it::RunResult;
using it::WriteFile;

// A raw TCP client: connects, sends a line, prints the reply; exit 3 when
// the connection fails.
std::string RawClient(int port) {
  return "import socket, sys\n"
         "try:\n"
         "    s = socket.create_connection(('127.0.0.1', " +
         std::to_string(port) +
         "), timeout=5)\n"
         "    s.sendall(b'ping\\n')\n"
         "    print('reply:' + s.recv(256).decode().strip())\n"
         "except OSError as e:\n"
         "    print('failed:', e)\n"
         "    sys.exit(3)\n";
}

class ServerWorkflowTest : public WorkflowTest {};

TEST_F(ServerWorkflowTest, OwnLoopbackServerAnswersOffline) {
  CORDON_REQUIRE_TOOL("python3");
  CORDON_REQUIRE_TOOL("curl");
  const std::string token = it::RandomToken();
  WriteFile(ws_ + "/index.html", "page-" + token + "\n");
  // A free port on the host: in the namespace-less tier the sandbox shares
  // the host's network namespace.
  const std::string port = std::to_string(FreeLoopbackPort());
  RunResult r = UserSh(ws_,
                       "python3 -m http.server " + port +
                           " --bind 127.0.0.1 >server.log 2>&1 & pid=$!; ok=1; i=0; "
                           "while [ $i -lt 300 ]; do "
                           "if curl -sf http://127.0.0.1:" +
                           port +
                           "/index.html; then ok=0; break; fi; "
                           "kill -0 $pid 2>/dev/null || break; "
                           "sleep 0.1; i=$((i+1)); done; kill $pid 2>/dev/null; exit $ok",
                       {"--net", "off"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe() << "\nserver.log:\n"
                            << (it::Exists(ws_ + "/server.log") ? it::ReadFile(ws_ + "/server.log")
                                                                : "(none)");
  EXPECT_EQ(r.out, "page-" + token + "\n") << r.Describe();
}

TEST_F(ServerWorkflowTest, HostLoopbackServiceUnreachableWithoutAllowLocal) {
  CORDON_REQUIRE_TOOL("python3");
  PongServer server;
  for (const auto& opts :
       {std::vector<std::string>{}, std::vector<std::string>{"--net", "proxy"}}) {
    RunResult r = User(ws_, opts, {"python3", "-c", RawClient(server.port())});
    EXPECT_EQ(r.exit_code, 3) << r.Describe();
    EXPECT_EQ(r.out.find(server.token()), std::string::npos) << r.Describe();
  }
  EXPECT_EQ(server.accepted(), 0) << "the host's service accepted a connection from the sandbox";
}

TEST_F(ServerWorkflowTest, HostLoopbackServiceReachableWithAllowLocal) {
  CORDON_REQUIRE_TOOL("python3");
  PongServer server;
  const std::string target = "127.0.0.1:" + std::to_string(server.port());
  RunResult r = User(ws_, {"--net", "proxy", "--allow-local", target},
                     {"python3", "-c", RawClient(server.port())});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "reply:pong-" + server.token() + "\n") << r.Describe();
  EXPECT_GE(server.accepted(), 1);
}

}  // namespace
}  // namespace cordon::wf
