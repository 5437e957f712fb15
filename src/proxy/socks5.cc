// SOCKS5 greeting and request parsing, and the server's replies (RFC 1928).
#include "proxy/socks5.h"

#include "policy/net_rules.h"
#include "policy/socket_headers.h"

namespace cordon::proxy {

namespace {

constexpr uint8_t kAtypIpv4 = 1;
constexpr uint8_t kAtypName = 3;
constexpr uint8_t kAtypIpv6 = 4;

uint8_t Byte(std::string_view buf, size_t i) { return static_cast<uint8_t>(buf[i]); }

Socks5Parse Fail(uint8_t reply) {
  Socks5Parse p;
  p.state = Parse::kError;
  p.reply_on_error = reply;
  return p;
}

}  // namespace

GreetingParse ParseSocks5Greeting(std::string_view buf) {
  GreetingParse g;
  if (buf.empty()) {
    return g;
  }
  if (Byte(buf, 0) != kSocks5Version) {
    g.state = Parse::kError;
    return g;
  }
  if (buf.size() < 2) {
    return g;
  }
  const size_t n = Byte(buf, 1);
  if (n == 0) {
    g.state = Parse::kError;
    return g;
  }
  if (buf.size() < 2 + n) {
    return g;
  }
  for (size_t i = 0; i < n; ++i) {
    g.greeting.no_auth_offered |= Byte(buf, 2 + i) == kSocks5NoAuth;
  }
  g.consumed = 2 + n;
  g.state = Parse::kDone;
  return g;
}

std::string Socks5MethodReply(bool no_auth_offered) {
  return std::string{
      static_cast<char>(kSocks5Version),
      static_cast<char>(no_auth_offered ? kSocks5NoAuth : kSocks5NoAcceptableMethod)};
}

Socks5Parse ParseSocks5Request(std::string_view buf) {
  // Each field is checked as soon as it arrived, so a bad request fails
  // without waiting for the rest.
  if (!buf.empty() && Byte(buf, 0) != kSocks5Version) {
    return Fail(kSocks5GeneralFailure);
  }
  if (buf.size() >= 2) {
    uint8_t cmd = Byte(buf, 1);
    if (cmd != kSocks5Connect && cmd != kSocks5Bind && cmd != kSocks5UdpAssociate) {
      return Fail(kSocks5CommandNotSupported);
    }
  }
  if (buf.size() >= 3 && Byte(buf, 2) != 0) {
    return Fail(kSocks5GeneralFailure);
  }
  if (buf.size() < 4) {
    return {};
  }
  Socks5Parse p;
  p.request.command = Byte(buf, 1);
  const uint8_t atyp = Byte(buf, 3);
  size_t addr_len = 0;
  size_t addr_at = 4;
  switch (atyp) {
    case kAtypIpv4:
      addr_len = 4;
      break;
    case kAtypIpv6:
      addr_len = 16;
      break;
    case kAtypName:
      if (buf.size() < 5) {
        return {};
      }
      addr_len = Byte(buf, 4);
      addr_at = 5;
      if (addr_len == 0) {
        return Fail(kSocks5GeneralFailure);
      }
      break;
    default:
      return Fail(kSocks5AddressTypeNotSupported);
  }
  if (buf.size() < addr_at + addr_len + 2) {
    return {};
  }
  std::string_view addr = buf.substr(addr_at, addr_len);
  if (atyp == kAtypName) {
    if (addr.find('\0') != std::string_view::npos) {
      return Fail(kSocks5GeneralFailure);
    }
    // Normalized like every host the proxy sees; a name that does not
    // normalize stays as sent, for the decision (deny) and its event.
    p.request.host = policy::NormalizeHost(addr).value_or(std::string(addr));
  } else {
    char text[INET6_ADDRSTRLEN] = {};
    if (::inet_ntop(atyp == kAtypIpv4 ? AF_INET : AF_INET6, addr.data(), text, sizeof text) ==
        nullptr) {
      return Fail(kSocks5GeneralFailure);
    }
    p.request.host = policy::NormalizeHost(text).value_or(text);
  }
  p.request.is_ip = policy::IsIpLiteral(p.request.host);
  size_t port_at = addr_at + addr_len;
  p.request.port = static_cast<uint16_t>(Byte(buf, port_at) << 8 | Byte(buf, port_at + 1));
  p.consumed = port_at + 2;
  p.state = Parse::kDone;
  return p;
}

std::string Socks5Reply(uint8_t code) {
  // VER REP RSV ATYP(IPv4) BND.ADDR(0.0.0.0) BND.PORT(0)
  return std::string{
      static_cast<char>(kSocks5Version), static_cast<char>(code), 0, 1, 0, 0, 0, 0, 0, 0};
}

}  // namespace cordon::proxy
