// Host rules: parsing, normalization and matching. The special-address
// registry is in net_special.cc, the presets in net_presets.cc.
#include "policy/net_rules.h"

#include <algorithm>
#include <charconv>
#include <cstring>

#include "policy/socket_headers.h"

namespace cordon::policy {

namespace {

constexpr size_t kMaxName = 253;
constexpr size_t kMaxLabel = 63;

bool IsAscii(std::string_view s) {
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') {
      c = static_cast<char>(c - 'A' + 'a');
    }
  }
  return out;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool IsHexNumber(std::string_view s) {
  if (s.size() < 2 || s[0] != '0' || (s[1] != 'x' && s[1] != 'X')) {
    return false;
  }
  return std::all_of(s.begin() + 2, s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
  });
}

// The canonical text of a 4- or 16-byte address; an IPv4-mapped IPv6
// address becomes the IPv4 address, so both spellings compare equal.
std::string AddressText(int family, const void* bytes) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (family == AF_INET6) {
    const auto* a6 = static_cast<const in6_addr*>(bytes);
    if (IN6_IS_ADDR_V4MAPPED(a6)) {
      return AddressText(AF_INET, &a6->s6_addr[12]);
    }
  }
  if (::inet_ntop(family, bytes, buf, sizeof buf) == nullptr) {
    return {};
  }
  return buf;
}

// The canonical form of an IPv4 or IPv6 literal (no brackets), or nullopt.
// inet_pton is strict: no leading zeros, no short or hex forms, no zone id.
std::optional<std::string> CanonicalIp(std::string_view s) {
  if (s.empty() || s.size() >= INET6_ADDRSTRLEN) {
    return std::nullopt;
  }
  std::string z(s);
  unsigned char bytes[sizeof(in6_addr)];
  if (::inet_pton(AF_INET, z.c_str(), bytes) == 1) {
    return AddressText(AF_INET, bytes);
  }
  if (::inet_pton(AF_INET6, z.c_str(), bytes) == 1) {
    return AddressText(AF_INET6, bytes);
  }
  return std::nullopt;
}

// Why `name` (lower-case ASCII, no trailing dot) is not a valid host name,
// or empty when it is.
std::string NameProblem(std::string_view name) {
  if (name.empty()) {
    return "empty host name";
  }
  if (name.size() > kMaxName) {
    return "host name longer than 253 characters";
  }
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    std::string_view label =
        name.substr(start, dot == std::string_view::npos ? std::string_view::npos : dot - start);
    if (label.empty()) {
      return "empty label in host name";
    }
    if (label.size() > kMaxLabel) {
      return "label '" + std::string(label) + "' is longer than 63 characters";
    }
    for (char c : label) {
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
        return std::string("character '") + c +
               "' is not allowed in a host name (letters, digits, '-' and '.')";
      }
    }
    if (label.front() == '-' || label.back() == '-') {
      return "label '" + std::string(label) + "' starts or ends with '-'";
    }
    if (dot == std::string_view::npos) {
      // Resolvers read a name that ends in a number as an IPv4 address in
      // one of inet_aton's forms ("127.1", "2130706433", "0x7f.1"): only
      // the strict dotted-quad is an address here, so these are refused.
      if (IsDigits(label) || IsHexNumber(label)) {
        return "'" + std::string(name) +
               "' is neither a host name nor an IPv4 address in dotted-quad form";
      }
      return {};
    }
    start = dot + 1;
  }
}

struct SplitHost {
  std::string_view host;
  std::optional<std::string_view> port;  // the text after ':', if any
  bool bracketed = false;
};

// "host", "host:port", "[v6]", "[v6]:port", or a bare IPv6 address.
std::optional<SplitHost> Split(std::string_view s) {
  SplitHost out;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    out.host = s.substr(1, close - 1);
    out.bracketed = true;
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return std::nullopt;
      }
      out.port = rest.substr(1);
    }
    return out;
  }
  size_t colon = s.find(':');
  if (colon != std::string_view::npos && s.find(':', colon + 1) == std::string_view::npos) {
    out.host = s.substr(0, colon);
    out.port = s.substr(colon + 1);
  } else {
    out.host = s;  // no colon, or a bare IPv6 address (two or more)
  }
  return out;
}

std::optional<uint16_t> ParsePort(std::string_view s) {
  if (!IsDigits(s) || s.size() > 5 || s.front() == '0') {
    return std::nullopt;
  }
  unsigned value = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), value);
  if (ec != std::errc() || end != s.data() + s.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(value);
}

Error RuleError(std::string_view text, const std::string& detail) {
  return PlainError("network rule", std::string(text), detail);
}

bool Matches(const HostRule& r, std::string_view host, bool host_is_ip, uint16_t port) {
  if (r.port && *r.port != port) {
    return false;
  }
  if (r.is_ip != host_is_ip) {
    return false;
  }
  if (r.wildcard) {
    return host.size() > r.host.size() + 1 && host.substr(host.size() - r.host.size()) == r.host &&
           host[host.size() - r.host.size() - 1] == '.';
  }
  return host == r.host;
}

const HostRule* FindMatch(const std::vector<HostRule>& rules, std::string_view host, bool is_ip,
                          uint16_t port) {
  for (const HostRule& r : rules) {
    if (Matches(r, host, is_ip, port)) {
      return &r;
    }
  }
  return nullptr;
}

// The address of an AF_INET/AF_INET6 sockaddr as canonical text, or empty.
std::string SockaddrText(const sockaddr* addr) {
  if (addr == nullptr) {
    return {};
  }
  if (addr->sa_family == AF_INET) {
    sockaddr_in in;
    std::memcpy(&in, addr, sizeof in);
    return AddressText(AF_INET, &in.sin_addr);
  }
  if (addr->sa_family == AF_INET6) {
    sockaddr_in6 in6;
    std::memcpy(&in6, addr, sizeof in6);
    return AddressText(AF_INET6, &in6.sin6_addr);
  }
  return {};
}

bool RuleNamesAddress(const HostRule& r, const std::string& text, uint16_t port, bool local) {
  if (r.port && *r.port != port) {
    return false;
  }
  if (r.is_ip) {
    return r.host == text;
  }
  return local && r.host == "localhost" && (text == "127.0.0.1" || text == "::1");
}

}  // namespace

std::optional<std::string> NormalizeHost(std::string_view host) {
  if (host.empty() || !IsAscii(host)) {
    return std::nullopt;
  }
  if (host.front() == '[') {
    if (host.size() < 2 || host.back() != ']') {
      return std::nullopt;
    }
    std::string_view inner = host.substr(1, host.size() - 2);
    if (inner.find(':') == std::string_view::npos) {
      return std::nullopt;  // brackets hold IPv6 only
    }
    return CanonicalIp(inner);
  }
  if (host.find(':') != std::string_view::npos) {
    return CanonicalIp(host);
  }
  if (host.size() > 1 && host.back() == '.') {
    host.remove_suffix(1);
  }
  std::string lower = Lower(host);
  if (auto ip = CanonicalIp(lower)) {
    return ip;
  }
  if (!NameProblem(lower).empty()) {
    return std::nullopt;
  }
  return lower;
}

bool IsIpLiteral(std::string_view host) {
  unsigned char bytes[sizeof(in6_addr)];
  std::string z(host);
  return ::inet_pton(AF_INET, z.c_str(), bytes) == 1 ||
         ::inet_pton(AF_INET6, z.c_str(), bytes) == 1;
}

std::string HostPort(std::string_view host, uint16_t port) {
  std::string h(host);
  if (h.find(':') != std::string::npos) h = "[" + h + "]";
  return h + ":" + std::to_string(port);
}

Result<HostRule> ParseHostRule(std::string_view text) {
  HostRule rule;
  rule.text = std::string(text);
  if (text.empty()) {
    return RuleError(text, "empty rule");
  }
  if (!IsAscii(text)) {
    return RuleError(text,
                     "non-ASCII host name: internationalized names must be written in punycode "
                     "(xn--...), e.g. 'xn--bcher-kva.example' for 'bücher.example'");
  }
  // A URL where a host belongs: say which part to give.
  if (size_t scheme = text.find("://"); scheme != std::string_view::npos) {
    std::string_view host = text.substr(scheme + 3);
    host = host.substr(0, host.find_first_of("/?#"));
    if (size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);
    return RuleError(text, "a URL, not a host: give the host name: " +
                               std::string(host.empty() ? "HOST" : host));
  }
  std::string_view rest = text;
  if (rest.substr(0, 2) == "*.") {
    rule.wildcard = true;
    rest.remove_prefix(2);
  }
  if (rest.find('*') != std::string_view::npos) {
    return RuleError(text,
                     "'*' may only be the whole first label, meaning any subdomain: "
                     "'*.example.com'");
  }
  std::optional<SplitHost> split = Split(rest);
  if (!split) {
    return RuleError(text, "expected HOST, HOST:PORT, [IPV6] or [IPV6]:PORT");
  }
  if (split->port) {
    rule.port = ParsePort(*split->port);
    if (!rule.port) {
      return RuleError(text, "bad port '" + std::string(*split->port) + "' (expected 1-65535)");
    }
  }
  std::string_view host = split->host;
  if (host.empty()) {
    return RuleError(text, "empty host");
  }
  if (split->bracketed || host.find(':') != std::string_view::npos) {
    std::optional<std::string> ip = CanonicalIp(host);
    if (!ip || (split->bracketed && host.find(':') == std::string_view::npos)) {
      return RuleError(text, "'" + std::string(host) + "' is not an IPv6 address");
    }
    rule.host = *ip;
    rule.is_ip = true;
  } else if (std::optional<std::string> ip = CanonicalIp(host)) {
    rule.host = *ip;
    rule.is_ip = true;
  } else {
    if (host.size() > 1 && host.back() == '.') {
      host.remove_suffix(1);
    }
    rule.host = Lower(host);
    std::string problem = NameProblem(rule.host);
    if (!problem.empty()) {
      return RuleError(text, problem);
    }
  }
  if (rule.wildcard && rule.is_ip) {
    return RuleError(text, "a wildcard cannot apply to an IP address");
  }
  if (rule.wildcard && rule.host.find('.') == std::string::npos) {
    return RuleError(text, "too broad: a wildcard must name a domain below a top-level domain");
  }
  return rule;
}

std::string DescribeRule(std::string_view kind, const HostRule& rule) {
  std::string out = std::string(kind) + " \"" + rule.text + "\"";
  if (!rule.origin.empty()) {
    out += " (" + rule.origin + ")";
  }
  return out;
}

NetVerdict DecideHost(const NetRules& rules, std::string_view host, uint16_t port) {
  std::optional<std::string> normal = NormalizeHost(host);
  if (!normal) {
    return {NetVerdict::kDeny, "not a valid ASCII host name or IP address"};
  }
  const bool is_ip = IsIpLiteral(*normal);
  if (const HostRule* r = FindMatch(rules.deny, *normal, is_ip, port)) {
    return {NetVerdict::kDeny, DescribeRule("deny", *r)};
  }
  if (const HostRule* r = FindMatch(rules.allow, *normal, is_ip, port)) {
    return {NetVerdict::kAllow, DescribeRule("allow", *r)};
  }
  if (const HostRule* r = FindMatch(rules.allow_local, *normal, is_ip, port)) {
    return {NetVerdict::kAllow, DescribeRule("allow_local", *r)};
  }
  if (is_ip) {
    return {NetVerdict::kDeny, "IP addresses pass only when a rule names them"};
  }
  return {NetVerdict::kUnknown, "no rule names this host"};
}

bool AddressNamed(const NetRules& rules, const sockaddr* addr, uint16_t port) {
  std::string text = SockaddrText(addr);
  if (text.empty()) {
    return false;
  }
  return std::any_of(rules.allow.begin(), rules.allow.end(),
                     [&](const HostRule& r) { return RuleNamesAddress(r, text, port, false); }) ||
         std::any_of(rules.allow_local.begin(), rules.allow_local.end(),
                     [&](const HostRule& r) { return RuleNamesAddress(r, text, port, true); });
}

bool AddressDenied(const NetRules& rules, const sockaddr* addr, uint16_t port) {
  std::string text = SockaddrText(addr);
  if (text.empty()) {
    return true;
  }
  return std::any_of(rules.deny.begin(), rules.deny.end(),
                     [&](const HostRule& r) { return RuleNamesAddress(r, text, port, false); });
}

Result<ResolveOverride> ParseResolveOverride(std::string_view text) {
  auto fail = [&](const std::string& detail) {
    return PlainError("--resolve", std::string(text), detail + " (expected HOST:ADDR)");
  };
  size_t colon = text.find(':');
  if (colon == std::string_view::npos) {
    return fail("missing ':'");
  }
  std::string_view host = text.substr(0, colon);
  std::string_view addr = text.substr(colon + 1);
  std::optional<std::string> name = NormalizeHost(host);
  if (!name || IsIpLiteral(*name)) {
    return fail("'" + std::string(host) + "' is not a valid host name");
  }
  if (addr.size() >= 2 && addr.front() == '[' && addr.back() == ']') {
    addr = addr.substr(1, addr.size() - 2);
  }
  std::optional<std::string> ip = CanonicalIp(addr);
  if (!ip) {
    return fail("'" + std::string(addr) + "' is not an IPv4 or IPv6 address");
  }
  return ResolveOverride{*name, *ip};
}

}  // namespace cordon::policy
