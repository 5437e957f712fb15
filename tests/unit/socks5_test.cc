// SOCKS5: greetings, requests with each address type, errors and replies.
#include "proxy/socks5.h"

#include <gtest/gtest.h>

namespace cordon::proxy {
namespace {

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) {
    s.push_back(static_cast<char>(c));
  }
  return s;
}

TEST(Socks5Greeting, NoAuthOffered) {
  GreetingParse g = ParseSocks5Greeting(Bytes({5, 2, 2, 0, 0x42}));
  ASSERT_EQ(g.state, Parse::kDone);
  EXPECT_EQ(g.consumed, 4u);
  EXPECT_TRUE(g.greeting.no_auth_offered);
  g = ParseSocks5Greeting(Bytes({5, 1, 2}));
  ASSERT_EQ(g.state, Parse::kDone);
  EXPECT_FALSE(g.greeting.no_auth_offered);
  EXPECT_EQ(Socks5MethodReply(true), Bytes({5, 0}));
  EXPECT_EQ(Socks5MethodReply(false), Bytes({5, 0xff}));
}

TEST(Socks5Greeting, IncompleteAndErrors) {
  EXPECT_EQ(ParseSocks5Greeting("").state, Parse::kIncomplete);
  EXPECT_EQ(ParseSocks5Greeting(Bytes({5})).state, Parse::kIncomplete);
  EXPECT_EQ(ParseSocks5Greeting(Bytes({5, 3, 0, 1})).state, Parse::kIncomplete);
  EXPECT_EQ(ParseSocks5Greeting(Bytes({4})).state, Parse::kError);  // SOCKS4
  EXPECT_EQ(ParseSocks5Greeting("CONNECT a:1 HTTP/1.1").state, Parse::kError);
  EXPECT_EQ(ParseSocks5Greeting(Bytes({5, 0})).state, Parse::kError);
  std::string all = Bytes({5, 255});
  all.append(255, '\x01');
  EXPECT_EQ(ParseSocks5Greeting(all).state, Parse::kDone);
  EXPECT_FALSE(ParseSocks5Greeting(all).greeting.no_auth_offered);
}

TEST(Socks5Request, Ipv4) {
  Socks5Parse p = ParseSocks5Request(Bytes({5, 1, 0, 1, 127, 0, 0, 1, 0x1f, 0x90, 0xaa}));
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_EQ(p.consumed, 10u);
  EXPECT_EQ(p.request.command, kSocks5Connect);
  EXPECT_EQ(p.request.host, "127.0.0.1");
  EXPECT_EQ(p.request.port, 8080);
  EXPECT_TRUE(p.request.is_ip);
}

TEST(Socks5Request, Ipv6) {
  Socks5Parse p = ParseSocks5Request(
      Bytes({5, 1, 0, 4, 0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0xbb}));
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_EQ(p.consumed, 22u);
  EXPECT_EQ(p.request.host, "2001:db8::1");
  EXPECT_EQ(p.request.port, 443);
  EXPECT_TRUE(p.request.is_ip);
  p = ParseSocks5Request(
      Bytes({5, 1, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 1, 0, 80}));
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_EQ(p.request.host, "10.0.0.1");  // IPv4-mapped: the IPv4 address
}

TEST(Socks5Request, Name) {
  std::string req = Bytes({5, 1, 0, 3, 11}) + "Example.COM" + Bytes({0, 22});
  Socks5Parse p = ParseSocks5Request(req);
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_EQ(p.consumed, req.size());
  EXPECT_EQ(p.request.host, "example.com");
  EXPECT_EQ(p.request.port, 22);
  EXPECT_FALSE(p.request.is_ip);
  p = ParseSocks5Request(Bytes({5, 1, 0, 3, 7}) + "1.2.3.4" + Bytes({0, 80}));
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_TRUE(p.request.is_ip);
  for (size_t n = 0; n < req.size(); ++n) {
    EXPECT_EQ(ParseSocks5Request(req.substr(0, n)).state, Parse::kIncomplete) << n;
  }
  // Names that do not normalize are kept as sent, for the decision to deny.
  p = ParseSocks5Request(Bytes({5, 1, 0, 3, 4}) + "b\xfcr" + "." + Bytes({0, 80}));
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_EQ(p.request.host, "b\xfcr.");
  EXPECT_FALSE(p.request.is_ip);
}

TEST(Socks5Request, BindAndUdpParseForTheServerToRefuse) {
  for (int cmd : {kSocks5Bind, kSocks5UdpAssociate}) {
    Socks5Parse p = ParseSocks5Request(Bytes({5, cmd, 0, 1, 0, 0, 0, 0, 0, 0}));
    ASSERT_EQ(p.state, Parse::kDone);
    EXPECT_EQ(p.request.command, cmd);
  }
}

TEST(Socks5Request, Errors) {
  auto err = [](const std::string& b) {
    Socks5Parse p = ParseSocks5Request(b);
    EXPECT_EQ(p.state, Parse::kError);
    return p.reply_on_error;
  };
  EXPECT_EQ(err(Bytes({4})), kSocks5GeneralFailure);
  EXPECT_EQ(err(Bytes({5, 0})), kSocks5CommandNotSupported);
  EXPECT_EQ(err(Bytes({5, 4, 0, 1})), kSocks5CommandNotSupported);
  EXPECT_EQ(err(Bytes({5, 1, 1, 1, 1, 2, 3, 4, 0, 80})), kSocks5GeneralFailure);  // RSV
  EXPECT_EQ(err(Bytes({5, 1, 0, 2})), kSocks5AddressTypeNotSupported);
  EXPECT_EQ(err(Bytes({5, 1, 0, 0})), kSocks5AddressTypeNotSupported);
  EXPECT_EQ(err(Bytes({5, 1, 0, 5})), kSocks5AddressTypeNotSupported);
  EXPECT_EQ(err(Bytes({5, 1, 0, 3, 0, 0, 80})), kSocks5GeneralFailure);               // empty name
  EXPECT_EQ(err(Bytes({5, 1, 0, 3, 3, 'a', 0, 'b', 0, 80})), kSocks5GeneralFailure);  // NUL
}

TEST(Socks5Reply, ZeroBoundAddress) {
  EXPECT_EQ(Socks5Reply(kSocks5NotAllowed), Bytes({5, 2, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Socks5Reply(kSocks5Succeeded), Bytes({5, 0, 0, 1, 0, 0, 0, 0, 0, 0}));
  EXPECT_EQ(Socks5Reply(kSocks5Succeeded).size(), 10u);
}

}  // namespace
}  // namespace cordon::proxy
