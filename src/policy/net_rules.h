// Network allowlist rules of the online identity: host patterns, the
// decision for a requested destination, and the address checks the proxy
// makes after it resolved a name (DNS rebinding defense).
//
// Pure: no I/O and no name resolution. The loader parses every rule once
// (ParseHostRule) so that a bad rule is an error naming its origin, and the
// proxy only calls DecideHost / AddressNamed / IsSpecialAddress.
//
// Rule syntax (docs/config.md, "[network]"):
//   example.com           this host only (not its subdomains)
//   *.example.com         its subdomains only (never example.com itself)
//   example.com:443       ...on this port only (any rule may carry a port)
//   1.2.3.4  [::1]:8080  ::1    an IP address (IPv6 in brackets when a port follows)
// Names are ASCII: lower-cased, one trailing dot dropped; internationalized
// names must be written in punycode (xn--...), so a look-alike Unicode name
// can never match an ASCII rule.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

struct sockaddr;

namespace cordon::policy {

struct HostRule {
  std::string text;  // as written by the user
  // Lower-case ASCII name without trailing dot (the part after "*." for a
  // wildcard), or an IP address in canonical form (inet_ntop; IPv6 without
  // brackets; an IPv4-mapped IPv6 address is written as the IPv4 address).
  std::string host;
  bool wildcard = false;
  std::optional<uint16_t> port;
  bool is_ip = false;
  // Where the rule came from, for decisions and `policy show`: "flag
  // --allow-domain", "FILE:LINE:COL", "preset github (FILE:LINE:COL)".
  std::string origin;
};

// "host:port" as messages and rules write it: an IPv6 address in brackets.
[[nodiscard]] std::string HostPort(std::string_view host, uint16_t port);

// Parses one rule (see the syntax above). Errors say what is wrong with it;
// the caller adds where it came from.
[[nodiscard]] Result<HostRule> ParseHostRule(std::string_view text);

// A host as a client names it (CONNECT authority, absolute-form URL, SOCKS5
// name or address) in the form rules use: lower-case, no trailing dot, no
// IPv6 brackets, IP addresses canonical (IPv4-mapped IPv6 as IPv4). nullopt
// for anything that is not a valid ASCII host name or IP address, including
// non-ASCII names and the numeric forms that resolvers would read as IPv4
// ("2130706433", "0x7f.1", "127.1", "010.0.0.1").
[[nodiscard]] std::optional<std::string> NormalizeHost(std::string_view host);

// True when `host` (already normalized) is an IPv4 or IPv6 address.
[[nodiscard]] bool IsIpLiteral(std::string_view host);

struct NetRules {
  std::vector<HostRule> allow;
  std::vector<HostRule> deny;
  // Services on the host's own loopback: an IP or "localhost", always with a
  // port ("127.0.0.1:5432", "localhost:6379", "[::1]:8080").
  std::vector<HostRule> allow_local;
};

struct NetVerdict {
  enum Kind { kAllow, kDeny, kUnknown };
  Kind kind = kDeny;
  // The rule that decided, e.g. `allow "*.pypi.org" (flag --allow-domain)`,
  // or why no rule did ("no rule names this host").
  std::string rule;
};

// The decision for a client's request to reach `host`:`port`, before any
// name resolution:
// - an invalid or non-ASCII host: kDeny;
// - a deny rule that names it (and the port, if the rule has one): kDeny
//   (deny beats allow);
// - an IP address: kAllow only when an allow or allow_local rule names that
//   address, else kDeny;
// - a name an allow or allow_local rule names: kAllow;
// - any other name: kUnknown (the proxy denies it until approvals exist).
// An empty allowlist allows nothing.
[[nodiscard]] NetVerdict DecideHost(const NetRules& rules, std::string_view host, uint16_t port);

// True when an allow or allow_local rule names this exact address (and port,
// if the rule has one). An allow_local "localhost" rule names 127.0.0.1 and
// ::1. An IPv4-mapped IPv6 address compares as its IPv4 address. The proxy
// calls this after resolving a name whose address IsSpecialAddress: such an
// address is reachable only when named. Non-IP families: false.
[[nodiscard]] bool AddressNamed(const NetRules& rules, const sockaddr* addr, uint16_t port);

// True when a deny rule names this exact address (and port, if the rule has
// one): a name that is allowed still must not reach an address denied by IP.
[[nodiscard]] bool AddressDenied(const NetRules& rules, const sockaddr* addr, uint16_t port);

// True for every address that is not an ordinary public unicast address,
// following the IANA IPv4 and IPv6 Special-Purpose Address Registries, plus
// multicast. Non-IP families: true (fail closed).
//
// IPv4: 0.0.0.0/8 (this network, incl. unspecified), 10.0.0.0/8,
// 100.64.0.0/10 (CGNAT), 127.0.0.0/8, 169.254.0.0/16 (link-local, cloud
// metadata), 172.16.0.0/12, 192.0.0.0/24 (IETF protocol assignments),
// 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 (documentation),
// 192.31.196.0/24 (AS112), 192.52.193.0/24 (AMT), 192.88.99.0/24 (6to4
// relay anycast), 192.168.0.0/16, 198.18.0.0/15 (benchmarking),
// 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved, incl. 255.255.255.255).
//
// IPv6: everything outside 2000::/3 (global unicast) is special: ::/128,
// ::1/128, ::/96 (IPv4-compatible), 64:ff9b:1::/48 (local NAT64), 100::/64
// (discard), fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10
// (site-local), ff00::/8 (multicast), ... except the two forms that wrap an
// IPv4 address, which are special when the wrapped address is:
// ::ffff:0:0/96 (IPv4-mapped) and 64:ff9b::/96 (NAT64 well-known prefix).
// Inside 2000::/3: 2001::/23 (IETF protocol assignments, incl. Teredo
// 2001::/32 and ORCHID), 2001:db8::/32 and 3fff::/20 (documentation),
// 2620:4f:8000::/48 (AS112), and 2002::/16 (6to4) when its embedded IPv4
// address is special.
[[nodiscard]] bool IsSpecialAddress(const sockaddr* addr);

// The domains of a named preset ("github", "pypi", ...), as rule texts;
// nullopt for an unknown name. The lists are documented in docs/config.md.
[[nodiscard]] std::optional<std::vector<std::string>> PresetDomains(std::string_view name);

// For error messages: "github, gitlab, pypi, ...".
[[nodiscard]] std::string PresetChoices();

// A test-only resolver override (--resolve HOST:ADDR): the proxy resolves
// HOST to ADDR instead of asking DNS. The rules still apply to HOST, and ADDR
// still passes the special-address check.
struct ResolveOverride {
  std::string host;     // normalized name
  std::string address;  // canonical IPv4 or IPv6 address (no brackets)
};

// Parses "HOST:ADDR" ("test.example:127.0.0.1", "h.test:[::1]", "h.test:::1").
[[nodiscard]] Result<ResolveOverride> ParseResolveOverride(std::string_view text);

// "allow \"*.pypi.org\" (flag --allow-domain)": a rule as decisions name it.
[[nodiscard]] std::string DescribeRule(std::string_view kind, const HostRule& rule);

}  // namespace cordon::policy
