// IsSpecialAddress (net_rules.h): the IANA IPv4 and IPv6 Special-Purpose
// Address Registries as prefix tables, for the proxy's DNS rebinding check.
// A table entry is an address a name must not lead to unless a rule names
// it; keep the list in net_rules.h in step with the tables.
#include <algorithm>
#include <array>
#include <cstdint>
#include <cstring>
#include <initializer_list>

#include "policy/net_rules.h"
#include "policy/socket_headers.h"

namespace cordon::policy {
namespace {

bool InV4(uint32_t a, uint32_t net, int bits) {
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  return (a & mask) == (net & mask);
}

constexpr uint32_t V4(unsigned a, unsigned b, unsigned c, unsigned d) {
  return (a << 24) | (b << 16) | (c << 8) | d;
}

bool IsSpecialV4(uint32_t a) {
  struct Net {
    uint32_t net;
    int bits;
  };
  static constexpr std::array<Net, 18> kSpecial = {{
      {V4(0, 0, 0, 0), 8},
      {V4(10, 0, 0, 0), 8},
      {V4(100, 64, 0, 0), 10},
      {V4(127, 0, 0, 0), 8},
      {V4(169, 254, 0, 0), 16},
      {V4(172, 16, 0, 0), 12},
      {V4(192, 0, 0, 0), 24},
      {V4(192, 0, 2, 0), 24},
      {V4(192, 31, 196, 0), 24},
      {V4(192, 52, 193, 0), 24},
      {V4(192, 88, 99, 0), 24},
      {V4(192, 168, 0, 0), 16},
      {V4(198, 18, 0, 0), 15},
      {V4(198, 51, 100, 0), 24},
      {V4(203, 0, 113, 0), 24},
      {V4(224, 0, 0, 0), 4},
      {V4(240, 0, 0, 0), 4},
      {V4(255, 255, 255, 255), 32},
  }};
  return std::any_of(kSpecial.begin(), kSpecial.end(),
                     [&](const Net& n) { return InV4(a, n.net, n.bits); });
}

uint32_t V4At(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

// True when the first `bits` bits of `a` equal those of `prefix`.
bool InV6(const uint8_t* a, std::initializer_list<uint8_t> prefix, int bits) {
  const uint8_t* p = prefix.begin();
  for (int i = 0; bits > 0; ++i, bits -= 8) {
    uint8_t want = i < static_cast<int>(prefix.size()) ? p[i] : 0;
    uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((a[i] & mask) != (want & mask)) {
      return false;
    }
  }
  return true;
}

bool IsSpecialV6(const uint8_t* a) {
  // Forms that carry an IPv4 address: judged by that address.
  if (InV6(a, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff}, 96)) {  // ::ffff:0:0/96
    return IsSpecialV4(V4At(a + 12));
  }
  if (InV6(a, {0x00, 0x64, 0xff, 0x9b}, 96)) {  // 64:ff9b::/96
    return IsSpecialV4(V4At(a + 12));
  }
  if (!InV6(a, {0x20}, 3)) {  // outside 2000::/3: nothing ordinary lives there
    return true;
  }
  if (InV6(a, {0x20, 0x01, 0x00}, 23) ||                    // 2001::/23, incl. Teredo
      InV6(a, {0x20, 0x01, 0x0d, 0xb8}, 32) ||              // documentation
      InV6(a, {0x3f, 0xff}, 20) ||                          // documentation
      InV6(a, {0x26, 0x20, 0x00, 0x4f, 0x80, 0x00}, 48)) {  // AS112
    return true;
  }
  if (InV6(a, {0x20, 0x02}, 16)) {  // 6to4: 2002:AABB:CCDD::/48 wraps A.B.C.D
    return IsSpecialV4(V4At(a + 2));
  }
  return false;
}

}  // namespace

bool IsSpecialAddress(const sockaddr* addr) {
  if (addr == nullptr) {
    return true;
  }
  if (addr->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof in);
    return IsSpecialV4(ntohl(in.sin_addr.s_addr));
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    return IsSpecialV6(in6.sin6_addr.s6_addr);
  }
  return true;
}

}  // namespace cordon::policy
