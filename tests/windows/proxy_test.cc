// The allowlist proxy on Windows: the same src/proxy code as on Linux, its
// *-win32.cc halves (Winsock, select, a loopback wake-up socket, a copy
// loop for tunnels), served from this process on a loopback listener, with
// a loopback server thread as the destination. Checked for real: bytes
// cross an allowed CONNECT or SOCKS5 tunnel both ways, an allowed plain
// GET reaches the server as the proxy rewrote it, a denied host gets 403
// (SOCKS5: reply 2) and the server sees no connection at all, and each
// decision is an event that names the host, the protocol and the verdict.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <variant>
#include <vector>

#include "check.h"
#include "common/event.h"
#include "loopback.h"
#include "policy/net_rules.h"
#include "proxy/server.h"

namespace cordon::wintest {
namespace {

class Events : public EventSink {
 public:
  void Emit(Event e) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  // The decision event for `host` (waits up to 5 s: it goes out when the
  // connection ends, on the proxy's thread).
  Event WaitFor(const std::string& host) {
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard lock(mu_);
        for (const Event& e : events_) {
          if (e.name == "cordon.net.decision" && Str(e, "server.address") == host) return e;
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return {};
  }
  static std::string Str(const Event& e, const char* key) {
    const AttrValue* v = e.Find(key);
    return v != nullptr && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
};

// The proxy as cordon would run it: allowed.test (resolved to the
// destination's 127.0.0.1, which allow_local names) is allowed,
// denied.test (resolved to the same address) is on no allowlist.
struct Proxy {
  explicit Proxy(Test& t, uint16_t destination_port) {
    proxy::Config config;
    config.rules.allow.push_back(policy::ParseHostRule("allowed.test").value());
    config.rules.allow_local.push_back(
        policy::ParseHostRule("127.0.0.1:" + std::to_string(destination_port)).value());
    config.resolve.push_back({"allowed.test", "127.0.0.1"});
    config.resolve.push_back({"denied.test", "127.0.0.1"});
    config.events = &events;
    SOCKET listener = Listen(&port);
    auto started = proxy::Server::Start(proxy::UniqueSocket(listener), std::move(config));
    CORDON_CHECK(t, started.ok(),
                 started.ok() ? "" : "proxy::Server::Start: " + started.error().Describe());
    if (started.ok()) server = std::move(started.value());
  }
  Events events;
  uint16_t port = 0;
  std::unique_ptr<proxy::Server> server;
};

void CheckDecision(Test& t, const Event& e, const std::string& host, const char* kind,
                   const char* decision) {
  CORDON_CHECK(t, e.name == "cordon.net.decision", "a decision event for " + host);
  CORDON_CHECK(
      t, Events::Str(e, "cordon.proxy.kind") == kind,
      std::string("kind ") + kind + ", got " + Quoted(Events::Str(e, "cordon.proxy.kind")));
  CORDON_CHECK(
      t, Events::Str(e, "cordon.decision") == decision,
      std::string("decision ") + decision + ", got " + Quoted(Events::Str(e, "cordon.decision")));
}

std::string Authority(uint16_t port, const char* host) {
  return std::string(host) + ":" + std::to_string(port);
}

void AnAllowedConnectTunnelsBytesBothWays(Test& t) {
  Destination dest;
  Proxy proxy(t, dest.port());
  SOCKET c = Connect(proxy.port);
  CORDON_CHECK(t, c != INVALID_SOCKET, "connected to the proxy");
  const std::string target = Authority(dest.port(), "allowed.test");
  CORDON_CHECK(t, SendAll(c, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"),
               "sent CONNECT");
  const std::string answer = ReadUntil(c, "\r\n\r\n");
  CORDON_CHECK(t, answer.starts_with("HTTP/1.1 200"), "200 to CONNECT: " + Quoted(answer));
  CORDON_CHECK(t, SendAll(c, "ping through the tunnel\n"), "sent into the tunnel");
  const std::string back = ReadUntil(c, "");
  CORDON_CHECK(t, back == "echo:ping through the tunnel\n",
               "the server's answer came back: " + Quoted(back));
  closesocket(c);
  const auto requests = dest.requests();
  CORDON_CHECK(t, requests.size() == 1 && requests[0] == "ping through the tunnel\n",
               "the server got the bytes sent into the tunnel");
  const Event e = proxy.events.WaitFor("allowed.test");
  CheckDecision(t, e, "allowed.test", "connect", "allow");
  CORDON_CHECK(t, Events::Str(e, "network.peer.address") == "127.0.0.1",
               "the event names the address connected to");
}

void AnAllowedPlainGetIsForwarded(Test& t) {
  Destination dest;
  Proxy proxy(t, dest.port());
  SOCKET c = Connect(proxy.port);
  CORDON_CHECK(t, c != INVALID_SOCKET, "connected to the proxy");
  const std::string target = Authority(dest.port(), "allowed.test");
  CORDON_CHECK(t,
               SendAll(c, "GET http://" + target + "/some/path HTTP/1.1\r\nHost: " + target +
                              "\r\nProxy-Connection: keep-alive\r\n\r\n"),
               "sent GET");
  const std::string answer = ReadUntil(c, "from-server");
  CORDON_CHECK(t, answer.starts_with("HTTP/1.1 200") && answer.ends_with("from-server"),
               "the server's response came back: " + Quoted(answer));
  closesocket(c);
  const auto requests = dest.requests();
  CORDON_CHECK(t, requests.size() == 1, "the server saw one request");
  if (!requests.empty()) {
    CORDON_CHECK(t, requests[0].starts_with("GET /some/path HTTP/1.1\r\n"),
                 "origin-form request line: " + Quoted(requests[0]));
    CORDON_CHECK(t, requests[0].find("Proxy-Connection") == std::string::npos,
                 "the proxy's own header was removed: " + Quoted(requests[0]));
  }
  const Event e = proxy.events.WaitFor("allowed.test");
  CheckDecision(t, e, "allowed.test", "http", "allow");
  CORDON_CHECK(t, Events::Str(e, "http.request.method") == "GET", "the event names the method");
}

void ADeniedHostGets403AndTheServerSeesNoConnection(Test& t) {
  Destination dest;
  Proxy proxy(t, dest.port());
  SOCKET c = Connect(proxy.port);
  CORDON_CHECK(t, c != INVALID_SOCKET, "connected to the proxy");
  const std::string target = Authority(dest.port(), "denied.test");
  CORDON_CHECK(t, SendAll(c, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n"),
               "sent CONNECT");
  const std::string answer = ReadUntil(c, "");
  CORDON_CHECK(t, answer.starts_with("HTTP/1.1 403"), "403 to CONNECT: " + Quoted(answer));
  CORDON_CHECK(t, answer.find("denied.test") != std::string::npos,
               "the answer names the host: " + Quoted(answer));
  CORDON_CHECK(t, answer.find("--allow-domain denied.test") != std::string::npos,
               "the answer says what would allow it: " + Quoted(answer));
  closesocket(c);
  const Event e = proxy.events.WaitFor("denied.test");
  CheckDecision(t, e, "denied.test", "connect", "deny");
  CORDON_CHECK(t, Events::Str(e, "cordon.reason") == "not on the network allowlist",
               "the event says why: " + Quoted(Events::Str(e, "cordon.reason")));
  // The destination answers any connection; denied.test resolves to it.
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CORDON_CHECK(t, dest.connections() == 0,
               "the server saw no connection, saw " + std::to_string(dest.connections()));
}

// A SOCKS5 CONNECT by name: greeting, request, reply, then the tunnel.
// Returns the reply code (-1: no reply).
int Socks5Connect(Test& t, SOCKET c, const std::string& host, uint16_t port) {
  CORDON_CHECK(t, SendAll(c, std::string("\x05\x01\x00", 3)), "sent the greeting");
  const std::string method = ReadUntil(c, std::string("\x05\x00", 2));
  CORDON_CHECK(t, method == std::string("\x05\x00", 2), "no-authentication chosen");
  std::string request("\x05\x01\x00\x03", 4);
  request += static_cast<char>(host.size());
  request += host;
  request += static_cast<char>(port >> 8);
  request += static_cast<char>(port & 0xff);
  CORDON_CHECK(t, SendAll(c, request), "sent the CONNECT request");
  std::string reply;
  while (reply.size() < 10) {
    if (!Readable(c, 5000)) break;
    char buf[10];
    int n = recv(c, buf, static_cast<int>(10 - reply.size()), 0);
    if (n <= 0) break;
    reply.append(buf, static_cast<size_t>(n));
  }
  CORDON_CHECK(t, reply.size() == 10 && reply[0] == 5, "a 10-byte SOCKS5 reply");
  return reply.size() == 10 ? static_cast<unsigned char>(reply[1]) : -1;
}

void Socks5ConnectTunnelsToAnAllowedHost(Test& t) {
  Destination dest;
  Proxy proxy(t, dest.port());
  SOCKET c = Connect(proxy.port);
  CORDON_CHECK(t, c != INVALID_SOCKET, "connected to the proxy");
  const int reply = Socks5Connect(t, c, "allowed.test", dest.port());
  CORDON_CHECK(t, reply == 0, "reply 0 (succeeded), got " + std::to_string(reply));
  CORDON_CHECK(t, SendAll(c, "socks ping\n"), "sent into the tunnel");
  const std::string back = ReadUntil(c, "");
  CORDON_CHECK(t, back == "echo:socks ping\n", "the server's answer came back: " + Quoted(back));
  closesocket(c);
  CORDON_CHECK(t, dest.connections() == 1, "the server saw the connection");
  CheckDecision(t, proxy.events.WaitFor("allowed.test"), "allowed.test", "socks5", "allow");
}

void Socks5DeniedHostGetsReply2AndNoConnection(Test& t) {
  Destination dest;
  Proxy proxy(t, dest.port());
  SOCKET c = Connect(proxy.port);
  CORDON_CHECK(t, c != INVALID_SOCKET, "connected to the proxy");
  const int reply = Socks5Connect(t, c, "denied.test", dest.port());
  CORDON_CHECK(t, reply == 2, "reply 2 (not allowed by ruleset), got " + std::to_string(reply));
  closesocket(c);
  CheckDecision(t, proxy.events.WaitFor("denied.test"), "denied.test", "socks5", "deny");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CORDON_CHECK(t, dest.connections() == 0,
               "the server saw no connection, saw " + std::to_string(dest.connections()));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  WSADATA data{};
  if (WSAStartup(MAKEWORD(2, 2), &data) != 0) {
    std::fprintf(stderr, "WSAStartup failed\n");
    return 1;
  }
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"AnAllowedConnectTunnelsBytesBothWays",
            cordon::wintest::AnAllowedConnectTunnelsBytesBothWays},
       Case{"AnAllowedPlainGetIsForwarded", cordon::wintest::AnAllowedPlainGetIsForwarded},
       Case{"ADeniedHostGets403AndTheServerSeesNoConnection",
            cordon::wintest::ADeniedHostGets403AndTheServerSeesNoConnection},
       Case{"Socks5ConnectTunnelsToAnAllowedHost",
            cordon::wintest::Socks5ConnectTunnelsToAnAllowedHost},
       Case{"Socks5DeniedHostGetsReply2AndNoConnection",
            cordon::wintest::Socks5DeniedHostGetsReply2AndNoConnection}});
}
