// The sandbox's own loopback and the allow_local relays (namespaces tier):
// a command's own TCP servers work offline and behind the proxy, on
// 127.0.0.1 and ::1 (bytes really exchanged); the host's loopback services
// stay unreachable (the host's server sees no connection); an allow_local
// service is reached by a raw TCP client at its own address and port, and
// that connection is a logged decision, while a port no rule names stays
// unreachable. The namespace-less tier shares the host's loopback and
// mediates it its own way (nsless_test.cc).
#include <unistd.h>

#include "harness.h"
#include "http_server.h"

namespace cordon::it {
namespace {

using LoopbackTest = SandboxTest;

constexpr std::initializer_list<const char*> kUnreachable = {
    "ECONNREFUSED", "ECONNRESET", "ENETUNREACH",  "EHOSTUNREACH",
    "EACCES",       "EPERM",      "EADDRNOTAVAIL"};

#define SKIP_IN_NSLESS() \
  CORDON_SKIP_IN_NAMESPACELESS_TIER("the host's loopback is shared there (nsless_test.cc)")

std::string Events(const std::string& state) {
  std::string all;
  std::string dir = state + "/cordon/events";
  for (const std::string& f : ListDir(dir)) all += ReadFile(std::string(dir).append("/").append(f));
  return all;
}

TEST_F(LoopbackTest, OwnServerWorksOfflineOnV4AndV6) {
  SKIP_IN_NSLESS();
  for (const char* addr : {"127.0.0.1", "::1"}) {
    RunResult r = Probe({"--net", "off"}, {"tcp-selftest", addr});
    ASSERT_TRUE(Allowed(r)) << addr;
    // The server got the client's bytes and the client the server's.
    EXPECT_NE(r.out.find("\nping\npong\n"), std::string::npos) << r.Describe();
  }
}

TEST_F(LoopbackTest, OwnServerWorksBehindTheProxy) {
  SKIP_IN_NSLESS();
  for (const char* addr : {"127.0.0.1", "::1"}) {
    RunResult r = Probe({"--net", "proxy"}, {"tcp-selftest", addr});
    ASSERT_TRUE(Allowed(r)) << addr;
    EXPECT_NE(r.out.find("\nping\npong\n"), std::string::npos) << r.Describe();
  }
}

TEST_F(LoopbackTest, PythonHttpServerAnswersACurlInTheSameRun) {
  WriteFile(ws_ + "/hello.txt", "served offline\n");
  // A test suite's server: python's http.server, started and asked in one
  // run, --net off; curl goes straight to the sandbox's own loopback.
  const std::string script =
      "/usr/bin/python3 -m http.server 8123 --bind 127.0.0.1 >/dev/null 2>&1 & "
      "for i in $(seq 50); do /usr/bin/curl -s http://127.0.0.1:8123/hello.txt && break; "
      "sleep 0.1; done; kill $!";
  RunResult r = Run({"--net", "off"}, {"/bin/sh", "-c", script});
  EXPECT_EQ(r.out, "served offline\n") << r.Describe();
}

// Both tiers: without a network namespace the host's loopback is shared,
// and still only what the sandbox bound itself is reachable.
TEST_F(LoopbackTest, HostLoopbackStaysUnreachableOffline) {
  HttpServer v4("127.0.0.1");
  HttpServer v6("::1");
  EXPECT_TRUE(
      Denied(Probe({"--net", "off"}, {"http-raw", "127.0.0.1", std::to_string(v4.port()), "/"}),
             kUnreachable));
  EXPECT_TRUE(Denied(Probe({"--net", "off"}, {"http-raw", "::1", std::to_string(v6.port()), "/"}),
                     kUnreachable));
  EXPECT_EQ(v4.connections(), 0);
  EXPECT_EQ(v6.connections(), 0);
}

// Namespaces tier: a relay in the sandbox's network namespace. The
// namespace-less tier: the supervisor connects the sandbox's socket itself
// (namespaceless.md); both log the decision.
TEST_F(LoopbackTest, AllowLocalReachesTheHostServiceForARawClient) {
  const std::string kind = NamespacelessTier() ? "direct" : "relay";
  HttpServer server("127.0.0.1");
  HttpServer unnamed("127.0.0.1");
  const std::string port = std::to_string(server.port());
  for (const char* net : {"off", "proxy"}) {
    RunResult r = Probe({"--net", net, "--allow-local", "127.0.0.1:" + port, "-v"},
                        {"http-raw", "127.0.0.1", port, std::string("/relay-") + net});
    ASSERT_TRUE(Allowed(r)) << net;
    EXPECT_NE(r.out.find(HttpServer::Greeting(std::string("/relay-") + net)), std::string::npos)
        << r.Describe();
    EXPECT_NE(r.err.find("net.decision: allow 127.0.0.1:" + port), std::string::npos)
        << r.Describe();
    // The twin: a port no rule names is not relayed.
    EXPECT_TRUE(Denied(Probe({"--net", net, "--allow-local", "127.0.0.1:" + port},
                             {"http-raw", "127.0.0.1", std::to_string(unnamed.port()), "/"}),
                       kUnreachable))
        << net;
  }
  ASSERT_EQ(server.requests().size(), 2u);
  EXPECT_EQ(server.requests()[0], "GET /relay-off HTTP/1.0");
  EXPECT_EQ(unnamed.connections(), 0);
  const std::string events = Events(state_);
  EXPECT_NE(events.find("allowed " + kind + " 127.0.0.1:" + port), std::string::npos) << events;
  EXPECT_NE(events.find("allow_local \\\"127.0.0.1:" + port), std::string::npos) << events;
  if (NamespacelessTier()) {
    // The refused twin is a decision too (a relay's namespace has no
    // listener there: nothing to decide).
    EXPECT_NE(events.find("denied direct 127.0.0.1:" + std::to_string(unnamed.port())),
              std::string::npos)
        << events;
  }
}

TEST_F(LoopbackTest, AllowLocalOnV6AndLocalhost) {
  if (access("/proc/net/if_inet6", F_OK) != 0) GTEST_SKIP() << "this kernel has no IPv6";
  HttpServer v6("::1");
  HttpServer v4("127.0.0.1");
  RunResult r = Probe({"--allow-local", "[::1]:" + std::to_string(v6.port())},
                      {"http-raw", "::1", std::to_string(v6.port()), "/v6"});
  ASSERT_TRUE(Allowed(r));
  EXPECT_NE(r.out.find(HttpServer::Greeting("/v6")), std::string::npos) << r.Describe();
  // localhost:PORT: both loopback addresses lead to the service.
  RunResult l = Probe({"--allow-local", "localhost:" + std::to_string(v4.port())},
                      {"http-raw", "127.0.0.1", std::to_string(v4.port()), "/localhost"});
  ASSERT_TRUE(Allowed(l));
  EXPECT_NE(l.out.find(HttpServer::Greeting("/localhost")), std::string::npos) << l.Describe();
  EXPECT_EQ(v6.connections(), 1);
  EXPECT_EQ(v4.connections(), 1);
}

TEST_F(LoopbackTest, ProxyPortIsTakenAnotherPortWorks) {
  SKIP_IN_NSLESS();
  // The proxy listens on 127.0.0.1:3128 inside; the command's own server
  // gets any other port.
  const std::string script =
      "/usr/bin/python3 -c \"import socket\n"
      "s = socket.socket()\n"
      "try:\n"
      "    s.bind(('127.0.0.1', 3128)); print('bound 3128')\n"
      "except OSError as e:\n"
      "    print('3128 taken', e.errno)\n"
      "t = socket.socket(); t.bind(('127.0.0.1', 3129)); t.listen(); print('bound 3129')\"";
  RunResult r = Run({"--net", "proxy"}, {"/bin/sh", "-c", script});
  EXPECT_EQ(r.out, "3128 taken 98\nbound 3129\n") << r.Describe();
}

}  // namespace
}  // namespace cordon::it
