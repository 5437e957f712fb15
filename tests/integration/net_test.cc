// Property 4: offline network. Servers the test runs on the host (TCP on
// 127.0.0.1, ::1 and a non-loopback address; UDP; pathname and abstract unix
// sockets) receive nothing from the sandbox, checked on the server side; no
// DNS; no raw or packet sockets. The twins: --net full reaches the same TCP
// and UDP servers, and unix sockets the sandbox makes for itself work.
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <unistd.h>

#include "harness.h"

namespace cordon::it {
namespace {

// What an empty network namespace (or Landlock, or seccomp) answers.
constexpr std::initializer_list<const char*> kNetDenied = {
    "ECONNREFUSED", "ENETUNREACH", "EHOSTUNREACH", "EACCES", "EPERM", "EADDRNOTAVAIL", "ETIMEDOUT"};
constexpr std::initializer_list<const char*> kUnixDenied = {"ENOENT", "EACCES", "ECONNREFUSED",
                                                            "EPERM"};

using NetTest = SandboxTest;

// The first non-loopback IPv4 address of this host, or "".
std::string HostAddress() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return "";
  std::string found;
  for (ifaddrs* i = list; i != nullptr && found.empty(); i = i->ifa_next) {
    if (i->ifa_addr == nullptr || i->ifa_addr->sa_family != AF_INET) continue;
    char buf[INET_ADDRSTRLEN];
    inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, buf, sizeof buf);
    if (std::string(buf).rfind("127.", 0) != 0) found = buf;
  }
  freeifaddrs(list);
  return found;
}

TEST_F(NetTest, TcpToHostLoopbackV4IsRefused) {
  TcpServer server("127.0.0.1");
  EXPECT_TRUE(
      Denied(Probe({"connect-tcp", "127.0.0.1", std::to_string(server.port())}), kNetDenied));
  EXPECT_TRUE(
      Denied(Probe({"connect-tcp", "127.0.0.2", std::to_string(server.port())}), kNetDenied));
  EXPECT_EQ(server.TakeAccepted(), 0);
}

TEST_F(NetTest, TcpToHostLoopbackV6IsRefused) {
  TcpServer server("::1");
  EXPECT_TRUE(Denied(Probe({"connect-tcp", "::1", std::to_string(server.port())}), kNetDenied));
  EXPECT_EQ(server.TakeAccepted(), 0);
}

TEST_F(NetTest, TcpToAHostAddressIsRefused) {
  std::string address = HostAddress();
  if (address.empty()) GTEST_SKIP() << "this host has no non-loopback IPv4 address to test against";
  TcpServer server(address);
  EXPECT_TRUE(Denied(Probe({"connect-tcp", address, std::to_string(server.port())}), kNetDenied));
  EXPECT_EQ(server.TakeAccepted(), 0);
}

TEST_F(NetTest, FullNetworkReachesTheSameServers) {
  TcpServer v4("127.0.0.1");
  TcpServer v6("::1");
  EXPECT_TRUE(
      Allowed(Probe({"--net", "full"}, {"connect-tcp", "127.0.0.1", std::to_string(v4.port())})));
  EXPECT_TRUE(Allowed(Probe({"--net", "full"}, {"connect-tcp", "::1", std::to_string(v6.port())})));
  EXPECT_EQ(v4.TakeAccepted(), 1);
  EXPECT_EQ(v6.TakeAccepted(), 1);
  UdpServer udp("127.0.0.1");
  EXPECT_TRUE(
      Allowed(Probe({"--net", "full"}, {"send-udp", "127.0.0.1", std::to_string(udp.port())})));
  EXPECT_TRUE(WaitFor([&] { return udp.TakeReceived() == 1; }, 2));
}

TEST_F(NetTest, UdpToHostReceivesNothing) {
  UdpServer v4("127.0.0.1");
  UdpServer v6("::1");
  // sendto on an unconnected socket may "succeed" into the sandbox's own
  // loopback: the server's side is what counts.
  Probe({"send-udp", "127.0.0.1", std::to_string(v4.port())});
  Probe({"send-udp", "::1", std::to_string(v6.port())});
  usleep(100000);
  EXPECT_EQ(v4.TakeReceived(), 0);
  EXPECT_EQ(v6.TakeReceived(), 0);
}

TEST_F(NetTest, DnsDoesNotResolve) {
  for (const char* name : {"example.com", "github.com", "registry.npmjs.org"}) {
    RunResult r = Probe({"dns", name});
    EXPECT_EQ(r.exit_code, 1) << name << "\n" << r.Describe();
    EXPECT_EQ(r.FirstLine().rfind("EAI ", 0), 0u) << r.Describe();
  }
}

TEST_F(NetTest, RawAndPacketSocketsFail) {
  EXPECT_TRUE(Denied(Probe({"raw-socket"}), {"EPERM", "EACCES"}));
  EXPECT_TRUE(Denied(Probe({"packet-socket"}), {"EPERM", "EACCES", "EAFNOSUPPORT"}));
  EXPECT_TRUE(Denied(Probe({"--net", "full"}, {"raw-socket"}), {"EPERM", "EACCES"}));
  EXPECT_TRUE(
      Denied(Probe({"--net", "full"}, {"packet-socket"}), {"EPERM", "EACCES", "EAFNOSUPPORT"}));
}

TEST_F(NetTest, HostPathnameUnixSocketsAreUnreachable) {
  // Where ssh-agent, dbus, docker and X11 put theirs: $XDG_RUNTIME_DIR, a
  // deny-listed dir of the home, a directory of the host's /tmp.
  TempDir x11("cordon-it-x11-", "/tmp");
  UnixServer bus(runtime_ + "/bus", false);
  UnixServer agent(home_ + "/.ssh/agent.sock", false);
  UnixServer x(x11 / "X0", false);
  for (const std::string& path : {runtime_ + "/bus", home_ + "/.ssh/agent.sock", x11 / "X0"}) {
    EXPECT_TRUE(Denied(Probe({"connect-unix", path}), kUnixDenied)) << path;
    EXPECT_TRUE(Denied(Probe({"--net", "full"}, {"connect-unix", path}), kUnixDenied)) << path;
  }
  EXPECT_EQ(bus.TakeAccepted(), 0);
  EXPECT_EQ(agent.TakeAccepted(), 0);
  EXPECT_EQ(x.TakeAccepted(), 0);
}

TEST_F(NetTest, HostAbstractUnixSocketIsUnreachable) {
  std::string name = "cordon-it-" + RandomToken();
  UnixServer server(name, true);
  EXPECT_TRUE(Denied(Probe({"connect-abstract", name}), kUnixDenied));
  // Also with the host's network namespace: Landlock scoping must refuse it.
  EXPECT_TRUE(Denied(Probe({"--net", "full"}, {"connect-abstract", name}), kUnixDenied));
  EXPECT_EQ(server.TakeAccepted(), 0);
}

TEST_F(NetTest, SandboxOwnUnixSocketsWork) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("AF_UNIX sockets are refused (only socketpair)");
  EXPECT_TRUE(Allowed(Probe({"unix-selftest", ws_ + "/own.sock"})));
  EXPECT_TRUE(Allowed(Probe({"unix-selftest", "/tmp/own.sock"})));
  EXPECT_TRUE(Allowed(Probe({"abstract-selftest", "cordon-it-own-" + RandomToken()})));
  EXPECT_TRUE(
      Allowed(Probe({"--net", "full"}, {"abstract-selftest", "cordon-it-own-" + RandomToken()})));
}

}  // namespace
}  // namespace cordon::it
