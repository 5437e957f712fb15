// The proxy server on a host loopback listener, with short limits: what a
// hostile or broken client gets (slow, oversized, half-closed, too many
// connections, SOCKS5 UDP), the Decider seam, the decision events, and
// response bodies spliced no further than their end.
// Real sockets and a real origin server; the sandbox-side tests are in
// tests/integration/proxy_test.cc.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <string>
#include <thread>

#include "proxy/server.h"

namespace cordon::proxy {
namespace {

int Listen(int* port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  EXPECT_EQ(bind(s, reinterpret_cast<sockaddr*>(&a), len), 0);
  EXPECT_EQ(listen(s, 64), 0);
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  *port = ntohs(a.sin_port);
  return s;
}

int Connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a), 0);
  return s;
}

void Send(int s, const std::string& data) {
  ASSERT_EQ(send(s, data.data(), data.size(), MSG_NOSIGNAL), static_cast<ssize_t>(data.size()));
}

// Everything until EOF (or `timeout_ms` of silence: then "TIMEOUT" is
// appended).
std::string ReadAll(int s, int timeout_ms = 5000) {
  std::string out;
  for (;;) {
    pollfd p{s, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return out + "TIMEOUT";
    char buf[4096];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

// What arrives until `needle` has (the connection stays open), EOF, or
// `timeout_ms` of silence ("TIMEOUT" appended).
std::string ReadUntil(int s, const std::string& needle, int timeout_ms = 5000) {
  std::string out;
  while (out.find(needle) == std::string::npos) {
    pollfd p{s, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) != 1) return out + "TIMEOUT";
    char buf[4096];
    ssize_t n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// An origin that answers every connection with one fixed response and
// counts connections.
class Origin {
 public:
  explicit Origin(std::string response = "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\norigin")
      : response_(std::move(response)), fd_(Listen(&port_)) {
    thread_ = std::thread([this] {
      for (;;) {
        int c = accept(fd_, nullptr, nullptr);
        if (c < 0 || stop_) {
          if (c >= 0) close(c);
          return;
        }
        ++connections_;
        char buf[4096];
        (void)recv(c, buf, sizeof buf, 0);
        (void)send(c, response_.data(), response_.size(), MSG_NOSIGNAL);
        close(c);
      }
    });
  }
  ~Origin() {
    stop_ = true;
    close(Connect(port_));
    thread_.join();
    close(fd_);
  }
  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int connections() const { return connections_; }

 private:
  std::string response_;
  int port_ = 0;
  int fd_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::thread thread_;
};

class Events : public EventSink {
 public:
  void Emit(Event e) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  std::vector<Event> Take() {
    std::lock_guard lock(mu_);
    return events_;
  }

 private:
  std::mutex mu_;
  std::vector<Event> events_;
};

std::string Str(const Event& e, const char* key) {
  const AttrValue* v = e.Find(key);
  return v != nullptr && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
}
int64_t Int(const Event& e, const char* key) {
  const AttrValue* v = e.Find(key);
  return v != nullptr && std::holds_alternative<int64_t>(*v) ? std::get<int64_t>(*v) : -1;
}

class ProxyServerTest : public ::testing::Test {
 protected:
  void StartProxy(Limits limits = {}, Decider* decider = nullptr) {
    Config config;
    for (const char* text : {"allowed.test", "held-not.test"}) {
      config.rules.allow.push_back(policy::ParseHostRule(text).value());
    }
    config.rules.allow_local.push_back(
        policy::ParseHostRule("127.0.0.1:" + std::to_string(origin_.port())).value());
    config.resolve.push_back({"allowed.test", "127.0.0.1"});
    config.resolve.push_back({"held.test", "127.0.0.1"});
    config.events = &events_;
    config.decider = decider;
    config.limits = limits;
    int listener = Listen(&port_);
    auto server = Server::Start(UniqueFd(listener), std::move(config));
    ASSERT_TRUE(server.ok()) << server.error().Describe();
    server_ = std::move(server.value());
  }
  std::string Get(const std::string& host) {
    int s = Connect(port_);
    Send(s, "GET http://" + host + ":" + std::to_string(origin_.port()) +
                "/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::string out = ReadAll(s);
    close(s);
    return out;
  }

  Origin origin_;
  Events events_;
  int port_ = 0;
  std::unique_ptr<Server> server_;
};

TEST_F(ProxyServerTest, AllowedRequestReachesTheOriginAndIsAnEventWithBytes) {
  StartProxy();
  std::string out = Get("allowed.test");
  EXPECT_NE(out.find("200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("origin"), std::string::npos) << out;
  EXPECT_EQ(origin_.connections(), 1);
  server_.reset();  // flushes events of open connections
  auto events = events_.Take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].name, "cordon.net.decision");
  EXPECT_EQ(Str(events[0], "cordon.decision"), "allow");
  EXPECT_EQ(Str(events[0], "server.address"), "allowed.test");
  EXPECT_EQ(Int(events[0], "server.port"), origin_.port());
  EXPECT_EQ(Str(events[0], "network.peer.address"), "127.0.0.1");
  EXPECT_GT(Int(events[0], "cordon.bytes_up"), 0);
  EXPECT_GT(Int(events[0], "cordon.bytes_down"), 0);
  EXPECT_NE(Str(events[0], "cordon.rule").find("allowed.test"), std::string::npos);
}

// A response without a length ends when the origin closes: the proxy passes
// it on and ends the exchange (it once spun on the origin's EOF).
TEST(ProxyServerUntilClose, ABodyThatEndsWithTheConnectionIsPassedOn) {
  Origin origin("HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end");
  Config config;
  config.rules.allow.push_back(policy::ParseHostRule("allowed.test").value());
  config.rules.allow_local.push_back(
      policy::ParseHostRule("127.0.0.1:" + std::to_string(origin.port())).value());
  config.resolve.push_back({"allowed.test", "127.0.0.1"});
  int port = 0;
  auto server = Server::Start(UniqueFd(Listen(&port)), std::move(config));
  ASSERT_TRUE(server.ok()) << server.error().Describe();
  int s = Connect(port);
  Send(s, "GET http://allowed.test:" + std::to_string(origin.port()) +
              "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = ReadAll(s);
  close(s);
  EXPECT_NE(out.find("200 OK"), std::string::npos) << out;
  EXPECT_NE(out.find("until the end"), std::string::npos) << out;
  server.value().reset();  // joins the proxy's thread: it must not be spinning
}

// A proxy that allows allowed.test (resolved to the origin) and nothing
// else, on a host loopback port.
std::unique_ptr<Server> StartFor(const Origin& origin, int* port, EventSink* events = nullptr) {
  Config config;
  config.rules.allow.push_back(policy::ParseHostRule("allowed.test").value());
  config.rules.allow_local.push_back(
      policy::ParseHostRule("127.0.0.1:" + std::to_string(origin.port())).value());
  config.resolve.push_back({"allowed.test", "127.0.0.1"});
  config.events = events;
  auto server = Server::Start(UniqueFd(Listen(port)), std::move(config));
  EXPECT_TRUE(server.ok()) << server.error().Describe();
  return server.ok() ? std::move(server.value()) : nullptr;
}

// Bytes no two positions of which repeat in step with a pipe's or a
// buffer's size, so a dropped, doubled or reordered block shows.
std::string Pattern(size_t n) {
  std::string out(n, '\0');
  uint32_t x = 2463534242U;
  for (char& c : out) {
    x ^= x << 13;
    x ^= x >> 17;
    x ^= x << 5;
    c = static_cast<char>(x);
  }
  return out;
}

// Exactly `n` bytes (fewer on EOF or 5 s of silence).
std::string ReadExactly(int s, size_t n) {
  std::string out;
  while (out.size() < n) {
    pollfd p{s, POLLIN, 0};
    if (poll(&p, 1, 5000) != 1) break;
    std::string buf(std::min<size_t>(n - out.size(), 1 << 16), '\0');
    ssize_t got = recv(s, buf.data(), buf.size(), 0);
    if (got <= 0) break;
    out.append(buf, 0, static_cast<size_t>(got));
  }
  return out;
}

// A Content-Length body far beyond the first read is spliced: it arrives
// byte for byte, and the event counts every byte.
TEST(ProxyServerSplice, ALargeContentLengthBodyArrivesByteExact) {
  const std::string body = Pattern((9U << 20) + 12345);
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  Origin origin(head + body);
  Events events;
  int port = 0;
  auto server = StartFor(origin, &port, &events);
  ASSERT_NE(server, nullptr);
  int s = Connect(port);
  Send(s, "GET http://allowed.test:" + std::to_string(origin.port()) +
              "/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string out = ReadAll(s);
  close(s);
  ASSERT_EQ(out.size(), head.size() + body.size()) << out.substr(0, 200);
  EXPECT_EQ(out.substr(0, head.size()), head);
  EXPECT_TRUE(out.compare(head.size(), std::string::npos, body) == 0) << "the body differs";
  server.reset();
  auto taken = events.Take();
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(Int(taken[0], "cordon.bytes_down"), static_cast<int64_t>(out.size()));
}

// The splice stops at the message's end: bytes a server sends past its
// Content-Length never reach the client (they could pose as a response to
// the client's next request), and that next request on the kept
// connection is read, checked and refused or allowed on its own.
TEST(ProxyServerSplice, AKeptConnectionAfterASplicedBodyChecksTheNextRequest) {
  const std::string body = Pattern(6U << 20);
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n";
  const std::string smuggled = "HTTP/1.1 200 OK\r\nContent-Length: 8\r\n\r\nSMUGGLED";
  Origin origin(head + body + smuggled);
  int port = 0;
  auto server = StartFor(origin, &port);
  ASSERT_NE(server, nullptr);
  const std::string target = "allowed.test:" + std::to_string(origin.port());
  int s = Connect(port);
  Send(s, "GET http://" + target + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string first = ReadExactly(s, head.size() + body.size());
  ASSERT_EQ(first.size(), head.size() + body.size());
  EXPECT_TRUE(first.compare(head.size(), std::string::npos, body) == 0) << "the body differs";
  // Denied: a host no rule names, on the same connection.
  Send(s, "GET http://unknown.test:" + std::to_string(origin.port()) +
              "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string denied = ReadAll(s);
  close(s);
  EXPECT_EQ(denied.rfind("HTTP/1.1 403", 0), 0u) << denied.substr(0, 200);
  EXPECT_EQ(denied.find("SMUGGLED"), std::string::npos);
  EXPECT_EQ(origin.connections(), 1);
  // Allowed: the same second request to the allowed host gets its own
  // response, and again nothing past its end.
  s = Connect(port);
  Send(s, "GET http://" + target + "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  ASSERT_EQ(ReadExactly(s, head.size() + body.size()).size(), head.size() + body.size());
  Send(s, "GET http://" + target + "/ HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  std::string second = ReadAll(s);
  close(s);
  EXPECT_EQ(second.size(), head.size() + body.size()) << second.substr(0, 200);
  EXPECT_EQ(second.find("SMUGGLED"), std::string::npos);
  EXPECT_EQ(origin.connections(), 3);
}

// A body without a length runs until the server closes: spliced whole,
// then the client's connection ends too.
TEST(ProxyServerSplice, ALargeBodyThatEndsWithTheConnectionArrivesWhole) {
  const std::string body = Pattern((5U << 20) + 777);
  const std::string head = "HTTP/1.0 200 OK\r\nContent-Type: application/octet-stream\r\n\r\n";
  Origin origin(head + body);
  int port = 0;
  auto server = StartFor(origin, &port);
  ASSERT_NE(server, nullptr);
  int s = Connect(port);
  Send(s, "GET http://allowed.test:" + std::to_string(origin.port()) +
              "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = ReadAll(s);
  close(s);
  ASSERT_EQ(out.size(), head.size() + body.size()) << out.substr(0, 200);
  EXPECT_TRUE(out.compare(head.size(), std::string::npos, body) == 0) << "the body differs";
}

// A server that closes before its Content-Length is reached: the client's
// connection is cut, not ended as if the body were whole.
TEST(ProxyServerSplice, ABodyCutShortCutsTheClientConnection) {
  const std::string body = Pattern(3U << 20);
  Origin origin("HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size() + 100) +
                "\r\n\r\n" + body);
  int port = 0;
  auto server = StartFor(origin, &port);
  ASSERT_NE(server, nullptr);
  int s = Connect(port);
  Send(s, "GET http://allowed.test:" + std::to_string(origin.port()) +
              "/ HTTP/1.1\r\nHost: x\r\n\r\n");
  std::string out = ReadAll(s);
  close(s);
  EXPECT_NE(out.find("200 OK"), std::string::npos);
  EXPECT_LT(out.size(), body.size() + 100 + 40);      // never more than was sent
  EXPECT_EQ(out.find("TIMEOUT"), std::string::npos);  // closed, not left hanging
}

TEST_F(ProxyServerTest, UnknownHostIsDeniedWithoutADecider) {
  StartProxy();
  std::string out = Get("unknown.test");
  EXPECT_EQ(out.rfind("HTTP/1.1 403", 0), 0u) << out;
  EXPECT_EQ(origin_.connections(), 0);
  auto events = events_.Take();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(Str(events[0], "cordon.decision"), "deny");
}

TEST_F(ProxyServerTest, SlowRequestHeadTimesOut) {
  Limits limits;
  limits.head_timeout_ms = 200;
  StartProxy(limits);
  int s = Connect(port_);
  Send(s, "GET http://allowed.test/ HTTP/1.1\r\nX-Slow: ");
  std::string out = ReadAll(s, 5000);
  close(s);
  EXPECT_EQ(out.rfind("HTTP/1.1 408", 0), 0u) << out;
  EXPECT_EQ(origin_.connections(), 0);
}

TEST_F(ProxyServerTest, OversizedHeadIsRefused) {
  Limits limits;
  limits.max_head_bytes = 1024;
  StartProxy(limits);
  int s = Connect(port_);
  Send(s, "GET http://allowed.test/ HTTP/1.1\r\nX-Big: " + std::string(4000, 'a') + "\r\n\r\n");
  std::string out = ReadAll(s);
  close(s);
  EXPECT_EQ(out.rfind("HTTP/1.1 431", 0), 0u) << out;
}

TEST_F(ProxyServerTest, ConnectionsBeyondTheLimitAreClosed) {
  Limits limits;
  limits.max_connections = 2;
  StartProxy(limits);
  const std::string get =
      "GET http://allowed.test:" + std::to_string(origin_.port()) + "/ HTTP/1.1\r\nHost: a\r\n";
  // Two connections the proxy has accepted: each got an answer and stays
  // open (keep-alive), so both count against the limit when c arrives.
  int a = Connect(port_);
  int b = Connect(port_);
  for (int s : {a, b}) {
    Send(s, get + "\r\n");
    std::string first = ReadUntil(s, "origin");
    ASSERT_NE(first.find("origin"), std::string::npos) << first;
  }
  int c = Connect(port_);
  EXPECT_EQ(ReadAll(c, 2000), "");  // closed at once
  // The first two are still served.
  Send(a, get + "Connection: close\r\n\r\n");
  std::string out = ReadAll(a);
  EXPECT_NE(out.find("origin"), std::string::npos) << out;
  close(a);
  close(b);
  close(c);
}

TEST_F(ProxyServerTest, HalfClosedClientStillGetsItsAnswer) {
  StartProxy();
  int s = Connect(port_);
  Send(s, "CONNECT denied.test:443 HTTP/1.1\r\n\r\n");
  shutdown(s, SHUT_WR);
  std::string out = ReadAll(s);
  close(s);
  EXPECT_EQ(out.rfind("HTTP/1.1 403", 0), 0u) << out;
}

TEST_F(ProxyServerTest, Socks5UdpAssociateAndBindAreRefused) {
  StartProxy();
  for (char command : {'\x03', '\x02'}) {
    int s = Connect(port_);
    Send(s, std::string("\x05\x01\x00", 3));
    Send(s, std::string("\x05", 1) + command + std::string("\x00\x01\x7f\x00\x00\x01\x00\x35", 8));
    std::string out = ReadAll(s);
    close(s);
    ASSERT_GE(out.size(), 4u);
    EXPECT_EQ(out.substr(0, 2), std::string("\x05\x00", 2));  // method: no auth
    EXPECT_EQ(out[3], '\x07') << "command " << static_cast<int>(command);
  }
  EXPECT_EQ(origin_.connections(), 0);
}

TEST_F(ProxyServerTest, Socks5DeniedNameGetsReplyTwo) {
  StartProxy();
  int s = Connect(port_);
  Send(s, std::string("\x05\x01\x00", 3));
  std::string name = "denied.test";
  Send(s, std::string("\x05\x01\x00\x03", 4) + static_cast<char>(name.size()) + name +
              std::string("\x00\x50", 2));
  std::string out = ReadAll(s);
  close(s);
  ASSERT_GE(out.size(), 4u);
  EXPECT_EQ(out[3], '\x02');
}

// Holds the question about "held.test" until the test answers it, from
// the test's thread (not the proxy's), after Ask has returned; never answers
// anything else.
class TestDecider : public Decider {
 public:
  void Ask(const DecisionRequest& request, DecisionDone done) override {
    ++asked;
    if (request.host != "held.test") return;  // never answered: the timeout decides
    std::lock_guard<std::mutex> l(mu_);
    held_ = std::move(done);
    asked_held_.notify_all();
  }
  // Waits for the held question, then allows it. False if none came.
  bool AllowHeld() {
    DecisionDone done;
    {
      std::unique_lock<std::mutex> l(mu_);
      if (!asked_held_.wait_for(l, std::chrono::seconds(5), [&] { return held_ != nullptr; })) {
        return false;
      }
      done = std::move(held_);
      held_ = nullptr;
    }
    done(true, "approved (test)");
    return true;
  }
  std::atomic<int> asked{0};

 private:
  std::mutex mu_;
  std::condition_variable asked_held_;
  DecisionDone held_;
};

TEST_F(ProxyServerTest, ADeciderCanAllowAHeldDestinationAndSilenceDenies) {
  TestDecider decider;
  Limits limits;
  limits.decide_timeout_ms = 300;
  StartProxy(limits, &decider);
  auto held = std::async(std::launch::async, [this] { return Get("held.test"); });
  EXPECT_TRUE(decider.AllowHeld()) << "the proxy never asked about held.test";
  EXPECT_NE(held.get().find("origin"), std::string::npos);
  EXPECT_EQ(Get("silent.test").rfind("HTTP/1.1 403", 0), 0u);
  EXPECT_EQ(decider.asked, 2);
  EXPECT_EQ(origin_.connections(), 1);
}

}  // namespace
}  // namespace cordon::proxy
