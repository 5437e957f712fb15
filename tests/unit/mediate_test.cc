// The namespace-less tier's loopback rewriting for mediated binds, and the
// comparable form of addresses that mediated connects are checked against.
#include "sandbox/linux/mediate.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>

#include <string>

namespace cordon::sandbox::mediate {
namespace {

sockaddr_storage Addr(const std::string& text, uint16_t port, socklen_t* len) {
  sockaddr_storage ss{};
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    *len = sizeof(sockaddr_in);
  } else {
    EXPECT_EQ(inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr), 1) << text;
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    *len = sizeof(sockaddr_in6);
  }
  return ss;
}

std::string BindText(const std::string& text) {
  socklen_t len = 0;
  sockaddr_storage in = Addr(text, 80, &len);
  sockaddr_storage out{};
  if (!LoopbackBindAddress(in, len, &out)) return "refused";
  char buf[INET6_ADDRSTRLEN] = {};
  const void* where =
      out.ss_family == AF_INET
          ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&out)->sin_addr)
          : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&out)->sin6_addr);
  inet_ntop(out.ss_family, where, buf, sizeof(buf));
  return buf;
}

TEST(Mediate, BindsWildcardsOnLoopbackAndRefusesOtherAddresses) {
  EXPECT_EQ(BindText("0.0.0.0"), "127.0.0.1");
  EXPECT_EQ(BindText("::"), "::1");
  EXPECT_EQ(BindText("::ffff:0.0.0.0"), "::ffff:127.0.0.1");
  EXPECT_EQ(BindText("127.0.0.1"), "127.0.0.1");
  EXPECT_EQ(BindText("127.1.2.3"), "127.1.2.3");
  EXPECT_EQ(BindText("::1"), "::1");
  EXPECT_EQ(BindText("::ffff:127.0.0.1"), "::ffff:127.0.0.1");
  EXPECT_EQ(BindText("192.168.1.10"), "refused");
  EXPECT_EQ(BindText("10.0.0.1"), "refused");
  EXPECT_EQ(BindText("fe80::1"), "refused");
  EXPECT_EQ(BindText("::ffff:192.168.1.10"), "refused");
  // A short address is not read past its length.
  sockaddr_storage in{};
  in.ss_family = AF_INET;
  sockaddr_storage out{};
  EXPECT_FALSE(LoopbackBindAddress(in, sizeof(sa_family_t), &out));
}

Endpoint Ep(const std::string& text, uint16_t port) {
  socklen_t len = 0;
  sockaddr_storage ss = Addr(text, port, &len);
  Endpoint e;
  EXPECT_TRUE(ToEndpoint(ss, len, &e)) << text;
  return e;
}

TEST(Mediate, MappedAddressesCompareAsIpv4) {
  EXPECT_EQ(Ep("127.0.0.1", 8000), Ep("::ffff:127.0.0.1", 8000));
  EXPECT_FALSE(Ep("127.0.0.1", 8000) == Ep("::1", 8000));
  EXPECT_FALSE(Ep("127.0.0.1", 8000) == Ep("127.0.0.1", 8001));
  EXPECT_EQ(Ep("::1", 5432).family, AF_INET6);
}

}  // namespace
}  // namespace cordon::sandbox::mediate
