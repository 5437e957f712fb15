// Network rules: parsing, host normalization, decisions, named and special
// addresses, presets, resolver overrides.
#include "policy/net_rules.h"

#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <algorithm>
#include <cstring>

namespace cordon::policy {
namespace {

HostRule Rule(std::string_view text, std::string origin = "test") {
  auto r = ParseHostRule(text);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().Describe());
  HostRule rule = r.ok() ? r.value() : HostRule{};
  rule.origin = std::move(origin);
  return rule;
}

std::string RuleErr(std::string_view text) {
  auto r = ParseHostRule(text);
  EXPECT_FALSE(r.ok()) << text << " parsed";
  return r.ok() ? "" : r.error().Describe();
}

// A sockaddr_storage holding an IPv4 or IPv6 address given as text.
sockaddr_storage Addr(const char* text) {
  sockaddr_storage ss{};
  auto* in = reinterpret_cast<sockaddr_in*>(&ss);
  auto* in6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (::inet_pton(AF_INET, text, &in->sin_addr) == 1) {
    in->sin_family = AF_INET;
  } else if (::inet_pton(AF_INET6, text, &in6->sin6_addr) == 1) {
    in6->sin6_family = AF_INET6;
  } else {
    ADD_FAILURE() << "not an address: " << text;
  }
  return ss;
}

bool Special(const char* text) {
  sockaddr_storage ss = Addr(text);
  return IsSpecialAddress(reinterpret_cast<const sockaddr*>(&ss));
}

bool Named(const NetRules& rules, const char* text, uint16_t port) {
  sockaddr_storage ss = Addr(text);
  return AddressNamed(rules, reinterpret_cast<const sockaddr*>(&ss), port);
}

TEST(ParseHostRule, AcceptedForms) {
  HostRule r = Rule("Example.COM.");
  EXPECT_EQ(r.host, "example.com");
  EXPECT_FALSE(r.wildcard);
  EXPECT_FALSE(r.port);
  EXPECT_FALSE(r.is_ip);
  EXPECT_EQ(r.text, "Example.COM.");

  r = Rule("*.example.com:443");
  EXPECT_EQ(r.host, "example.com");
  EXPECT_TRUE(r.wildcard);
  EXPECT_EQ(r.port, 443);

  r = Rule("1.2.3.4:80");
  EXPECT_TRUE(r.is_ip);
  EXPECT_EQ(r.host, "1.2.3.4");
  EXPECT_EQ(r.port, 80);

  r = Rule("[::1]:8080");
  EXPECT_TRUE(r.is_ip);
  EXPECT_EQ(r.host, "::1");
  EXPECT_EQ(r.port, 8080);

  r = Rule("2001:DB8:0:0::1");  // canonical form, lower case
  EXPECT_EQ(r.host, "2001:db8::1");
  EXPECT_FALSE(r.port);
  EXPECT_EQ(Rule("[2001:db8::1]").host, "2001:db8::1");
  EXPECT_EQ(Rule("::ffff:1.2.3.4").host, "1.2.3.4");  // mapped: the IPv4 address
  EXPECT_EQ(Rule("xn--bcher-kva.example").host, "xn--bcher-kva.example");
  EXPECT_EQ(Rule("a-b.c0.example:65535").port, 65535);
  EXPECT_EQ(Rule("localhost:5432").host, "localhost");
}

TEST(ParseHostRule, RejectedForms) {
  EXPECT_NE(RuleErr("").find("empty rule"), std::string::npos);
  for (const char* bad : {"example.com:0", "example.com:65536", "example.com:", "example.com:x",
                          "example.com:+80", "example.com:0443", "[::1]:", "[::1]x"}) {
    EXPECT_FALSE(ParseHostRule(bad).ok()) << bad;
  }
  EXPECT_NE(RuleErr("example.com:99999").find("bad port '99999' (expected 1-65535)"),
            std::string::npos);
  for (const char* bad : {"*", "foo*.com", "a.*.com", "*example.com", "**.example.com",
                          "*.*.example.com", "example.*"}) {
    EXPECT_NE(RuleErr(bad).find("'*' may only be the whole first label"), std::string::npos) << bad;
  }
  EXPECT_NE(RuleErr("*.com").find("too broad"), std::string::npos);
  EXPECT_NE(RuleErr("*.1.2.3.4").find("wildcard cannot apply to an IP"), std::string::npos);
  EXPECT_NE(RuleErr(std::string(64, 'a') + ".com").find("longer than 63"), std::string::npos);
  EXPECT_TRUE(ParseHostRule(std::string(63, 'a') + ".com").ok());
  std::string long_name;
  for (int i = 0; i < 4; ++i) {
    long_name += std::string(62, 'a') + ".";
  }
  long_name += "com";  // 255 characters
  EXPECT_NE(RuleErr(long_name).find("longer than 253"), std::string::npos);
  EXPECT_NE(RuleErr("bücher.example").find("punycode (xn--...)"), std::string::npos);
  EXPECT_NE(RuleErr("under_score.com").find("character '_'"), std::string::npos);
  EXPECT_NE(RuleErr("-lead.com").find("starts or ends with '-'"), std::string::npos);
  EXPECT_NE(RuleErr("trail-.com").find("starts or ends with '-'"), std::string::npos);
  EXPECT_NE(RuleErr("a..com").find("empty label"), std::string::npos);
  EXPECT_NE(RuleErr("example.com..").find("empty label"), std::string::npos);
  EXPECT_FALSE(ParseHostRule(".").ok());
  EXPECT_FALSE(ParseHostRule("http://example.com").ok());
  EXPECT_FALSE(ParseHostRule("example.com/path").ok());
  EXPECT_FALSE(ParseHostRule("[1.2.3.4]").ok());     // brackets hold IPv6 only
  EXPECT_FALSE(ParseHostRule("fe80::1%eth0").ok());  // no zone ids
  // Numeric forms that resolvers read as IPv4 addresses.
  for (const char* bad :
       {"2130706433", "127.1", "0x7f.1", "0x7f000001", "010.0.0.1", "1.2.3.4.5"}) {
    EXPECT_FALSE(ParseHostRule(bad).ok()) << bad;
  }
  EXPECT_TRUE(ParseHostRule("123.example.com").ok());  // a number only as the last label
}

TEST(NormalizeHost, SameFormAsRules) {
  EXPECT_EQ(NormalizeHost("ExAmple.Com."), "example.com");
  EXPECT_EQ(NormalizeHost("[::1]"), "::1");
  EXPECT_EQ(NormalizeHost("[::FFFF:127.0.0.1]"), "127.0.0.1");
  EXPECT_EQ(NormalizeHost("0:0:0:0:0:0:0:1"), "::1");
  EXPECT_EQ(NormalizeHost("1.2.3.4"), "1.2.3.4");
  for (const char* bad :
       {"", ".", "[::1", "[1.2.3.4]", "bücher.example", "a b", "a\tb", "2130706433", "127.1",
        "0x7f.0.0.1", "x..y", "-x.com", "*.example.com", "example.com:80"}) {
    EXPECT_FALSE(NormalizeHost(bad)) << bad;
  }
  EXPECT_FALSE(NormalizeHost(std::string_view("a\0b.com", 7)));
}

NetRules Sample() {
  NetRules r;
  r.allow = {Rule("*.pypi.org", "flag --allow-domain"), Rule("example.com"),
             Rule("api.example.com:443"), Rule("1.2.3.4"), Rule("[2001:db8::5]:8443")};
  r.deny = {Rule("evil.pypi.org", "config.toml:3:9"), Rule("*.ads.example.com")};
  r.allow_local = {Rule("127.0.0.1:5432"), Rule("localhost:6379")};
  return r;
}

TEST(DecideHost, WildcardsAreSubdomainsOnly) {
  NetRules r = Sample();
  NetVerdict v = DecideHost(r, "files.pypi.org", 443);
  EXPECT_EQ(v.kind, NetVerdict::kAllow);
  EXPECT_EQ(v.rule, "allow \"*.pypi.org\" (flag --allow-domain)");
  EXPECT_EQ(DecideHost(r, "a.b.pypi.org", 80).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "pypi.org", 443).kind, NetVerdict::kUnknown);
  EXPECT_EQ(DecideHost(r, "badpypi.org", 443).kind, NetVerdict::kUnknown);
  EXPECT_EQ(DecideHost(r, "pypi.org.evil.com", 443).kind, NetVerdict::kUnknown);
  // An exact rule does not cover subdomains.
  EXPECT_EQ(DecideHost(r, "example.com", 1234).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "www.example.com", 443).kind, NetVerdict::kUnknown);
  EXPECT_EQ(DecideHost(r, "badexample.com", 443).kind, NetVerdict::kUnknown);
  EXPECT_EQ(DecideHost(r, "example.com.au", 443).kind, NetVerdict::kUnknown);
}

TEST(DecideHost, CaseTrailingDotAndBrackets) {
  NetRules r = Sample();
  EXPECT_EQ(DecideHost(r, "FILES.PyPI.org.", 443).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "EXAMPLE.com.", 80).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "[2001:DB8::5]", 8443).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "2001:db8:0::5", 8443).kind, NetVerdict::kAllow);
}

TEST(DecideHost, PortsMustMatchWhenGiven) {
  NetRules r = Sample();
  EXPECT_EQ(DecideHost(r, "api.example.com", 443).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "api.example.com", 80).kind, NetVerdict::kUnknown);
  EXPECT_EQ(DecideHost(r, "2001:db8::5", 443).kind, NetVerdict::kDeny);
}

TEST(DecideHost, DenyBeatsAllow) {
  NetRules r = Sample();
  NetVerdict v = DecideHost(r, "Evil.PyPI.org", 443);
  EXPECT_EQ(v.kind, NetVerdict::kDeny);
  EXPECT_EQ(v.rule, "deny \"evil.pypi.org\" (config.toml:3:9)");
  EXPECT_EQ(DecideHost(r, "x.ads.example.com", 443).kind, NetVerdict::kDeny);
  // The deny wildcard is subdomains only too.
  EXPECT_EQ(DecideHost(r, "ads.example.com", 443).kind, NetVerdict::kUnknown);
}

TEST(DecideHost, IpLiteralsOnlyWhenNamed) {
  NetRules r = Sample();
  EXPECT_EQ(DecideHost(r, "1.2.3.4", 80).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "::ffff:1.2.3.4", 80).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "[::ffff:1.2.3.4]", 80).kind, NetVerdict::kAllow);
  NetVerdict v = DecideHost(r, "1.2.3.5", 80);
  EXPECT_EQ(v.kind, NetVerdict::kDeny);
  EXPECT_NE(v.rule.find("IP addresses pass only when a rule names them"), std::string::npos);
  EXPECT_EQ(DecideHost(r, "127.0.0.1", 5432).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "127.0.0.1", 5433).kind, NetVerdict::kDeny);
  EXPECT_EQ(DecideHost(r, "::1", 5432).kind, NetVerdict::kDeny);
  EXPECT_EQ(DecideHost(r, "localhost", 6379).kind, NetVerdict::kAllow);
  EXPECT_EQ(DecideHost(r, "localhost", 22).kind, NetVerdict::kUnknown);
  // Resolver-style numeric names are never "names".
  EXPECT_EQ(DecideHost(r, "2130706433", 80).kind, NetVerdict::kDeny);
  EXPECT_EQ(DecideHost(r, "127.1", 5432).kind, NetVerdict::kDeny);
}

TEST(DecideHost, InvalidAndNonAsciiHostsAreDenied) {
  NetRules r;
  r.allow = {Rule("xn--bcher-kva.example")};
  EXPECT_EQ(DecideHost(r, "xn--bcher-kva.example", 443).kind, NetVerdict::kAllow);
  // A Unicode look-alike never matches an ASCII rule.
  EXPECT_EQ(DecideHost(r, "bücher.example", 443).kind, NetVerdict::kDeny);
  EXPECT_EQ(DecideHost(r, "", 443).kind, NetVerdict::kDeny);
  EXPECT_EQ(DecideHost(r, "a b.example", 443).kind, NetVerdict::kDeny);
  EXPECT_EQ(DecideHost(r, std::string_view("xn--bcher-kva.example\0.evil", 27), 443).kind,
            NetVerdict::kDeny);
}

TEST(DecideHost, EmptyAllowlistAllowsNothing) {
  NetRules r;
  EXPECT_EQ(DecideHost(r, "example.com", 443).kind, NetVerdict::kUnknown);
  EXPECT_EQ(DecideHost(r, "example.com", 443).rule, "no rule names this host");
  EXPECT_EQ(DecideHost(r, "1.1.1.1", 443).kind, NetVerdict::kDeny);
}

TEST(AddressNamed, ExactAddressAndPort) {
  NetRules r = Sample();
  EXPECT_TRUE(Named(r, "1.2.3.4", 80));
  EXPECT_TRUE(Named(r, "::ffff:1.2.3.4", 443));  // mapped compares as IPv4
  EXPECT_FALSE(Named(r, "1.2.3.5", 80));
  EXPECT_TRUE(Named(r, "2001:db8::5", 8443));
  EXPECT_FALSE(Named(r, "2001:db8::5", 8444));
  EXPECT_TRUE(Named(r, "127.0.0.1", 5432));
  EXPECT_FALSE(Named(r, "127.0.0.1", 5433));
  // allow_local "localhost" names both loopback addresses.
  EXPECT_TRUE(Named(r, "127.0.0.1", 6379));
  EXPECT_TRUE(Named(r, "::1", 6379));
  EXPECT_TRUE(Named(r, "::ffff:127.0.0.1", 6379));
  EXPECT_FALSE(Named(r, "127.0.0.2", 6379));
  EXPECT_FALSE(Named(r, "::1", 5432));
  // Names in allow rules name no address.
  EXPECT_FALSE(Named(r, "93.184.215.14", 443));
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  EXPECT_FALSE(AddressNamed(r, reinterpret_cast<const sockaddr*>(&un), 0));
}

TEST(AddressDenied, DenyRulesNamingAddresses) {
  NetRules r;
  r.deny = {Rule("9.9.9.9"), Rule("[2001:db8::1]:443")};
  sockaddr_storage a = Addr("::ffff:9.9.9.9");
  EXPECT_TRUE(AddressDenied(r, reinterpret_cast<const sockaddr*>(&a), 80));
  a = Addr("2001:db8::1");
  EXPECT_TRUE(AddressDenied(r, reinterpret_cast<const sockaddr*>(&a), 443));
  EXPECT_FALSE(AddressDenied(r, reinterpret_cast<const sockaddr*>(&a), 80));
  a = Addr("8.8.8.8");
  EXPECT_FALSE(AddressDenied(r, reinterpret_cast<const sockaddr*>(&a), 80));
}

TEST(IsSpecialAddress, Ipv4Registry) {
  for (const char* a : {"0.0.0.0",         "0.1.2.3",         "10.0.0.1",        "10.255.255.255",
                        "100.64.0.1",      "100.127.255.255", "127.0.0.1",       "127.255.0.1",
                        "169.254.169.254", "172.16.0.1",      "172.31.255.255",  "192.0.0.8",
                        "192.0.2.1",       "192.31.196.1",    "192.52.193.1",    "192.88.99.1",
                        "192.168.1.1",     "198.18.0.1",      "198.19.255.255",  "198.51.100.7",
                        "203.0.113.9",     "224.0.0.1",       "239.255.255.250", "240.0.0.1",
                        "255.255.255.255"}) {
    EXPECT_TRUE(Special(a)) << a;
  }
  for (const char* a : {"1.1.1.1", "8.8.8.8", "93.184.215.14", "100.63.255.255", "100.128.0.0",
                        "172.15.255.255", "172.32.0.0", "192.0.1.1", "192.169.0.1", "198.17.1.1",
                        "198.20.0.0", "223.255.255.255", "11.0.0.1", "126.255.255.255"}) {
    EXPECT_FALSE(Special(a)) << a;
  }
}

TEST(IsSpecialAddress, Ipv6Registry) {
  for (const char* a : {"::",
                        "::1",
                        "::127.0.0.1",
                        "::ffff:127.0.0.1",
                        "::ffff:10.1.2.3",
                        "::ffff:169.254.169.254",
                        "64:ff9b::7f00:1",
                        "64:ff9b::a00:1",
                        "64:ff9b:1::1",
                        "100::1",
                        "fc00::1",
                        "fd12:3456::1",
                        "fe80::1",
                        "febf::1",
                        "fec0::1",
                        "ff02::1",
                        "ff0e::1",
                        "2001::1",
                        "2001:0:4136:e378::1",
                        "2001:1ff::1",
                        "2001:db8::1",
                        "3fff::1",
                        "3fff:fff::1",
                        "2620:4f:8000::1",
                        "2002:7f00:1::1",
                        "2002:c0a8:101::1",
                        "5f00::1",
                        "4000::1",
                        "::ffff:0:7f00:1"}) {
    EXPECT_TRUE(Special(a)) << a;
  }
  for (const char* a :
       {"2606:4700:4700::1111", "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8", "64:ff9b::808:808",
        "2002:808:808::1", "2001:200::1", "3ffe::1", "2620:4f:8001::1"}) {
    EXPECT_FALSE(Special(a)) << a;
  }
  sockaddr_un un{};
  un.sun_family = AF_UNIX;
  EXPECT_TRUE(IsSpecialAddress(reinterpret_cast<const sockaddr*>(&un)));
  EXPECT_TRUE(IsSpecialAddress(nullptr));
}

TEST(Presets, KnownNamesParseAsRules) {
  for (const char* name : {"github", "gitlab", "pypi", "npm", "crates", "rustup", "go", "rubygems",
                           "maven", "debian"}) {
    auto domains = PresetDomains(name);
    ASSERT_TRUE(domains) << name;
    EXPECT_FALSE(domains->empty()) << name;
    for (const std::string& d : *domains) {
      EXPECT_TRUE(ParseHostRule(d).ok()) << name << ": " << d;
    }
    EXPECT_NE(PresetChoices().find(name), std::string::npos);
  }
  auto gh = PresetDomains("github");
  EXPECT_NE(std::find(gh->begin(), gh->end(), "*.githubusercontent.com"), gh->end());
  auto crates = PresetDomains("crates");
  EXPECT_EQ(*crates,
            (std::vector<std::string>{"crates.io", "static.crates.io", "index.crates.io"}));
  EXPECT_FALSE(PresetDomains("GitHub"));
  EXPECT_FALSE(PresetDomains(""));
}

TEST(ParseResolveOverride, HostAndAddress) {
  auto r = ParseResolveOverride("Test.Example.:127.0.0.1");
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  EXPECT_EQ(r.value().host, "test.example");
  EXPECT_EQ(r.value().address, "127.0.0.1");
  r = ParseResolveOverride("h.test:[::1]");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().address, "::1");
  r = ParseResolveOverride("h.test:0:0::1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().address, "::1");
  for (const char* bad :
       {"h.test", "h.test:", ":1.2.3.4", "h.test:example.com", "h.test:1.2.3", "1.2.3.4:5.6.7.8",
        "*.h.test:1.2.3.4", "h_x.test:1.2.3.4", "h.test:1.2.3.4:80"}) {
    EXPECT_FALSE(ParseResolveOverride(bad).ok()) << bad;
  }
  EXPECT_NE(ParseResolveOverride("h.test:nope").error().Describe().find("HOST:ADDR"),
            std::string::npos);
}

}  // namespace
}  // namespace cordon::policy

namespace cordon::policy {
namespace {

TEST(HostPortTest, BracketsIpv6AndParsesBackAsARule) {
  EXPECT_EQ(HostPort("example.com", 443), "example.com:443");
  EXPECT_EQ(HostPort("::1", 8080), "[::1]:8080");
  auto rule = ParseHostRule(HostPort("::1", 8080));
  ASSERT_TRUE(rule.ok()) << rule.error().Describe();
  EXPECT_EQ(rule.value().host, "::1");
  EXPECT_EQ(rule.value().port, 8080);
}

}  // namespace
}  // namespace cordon::policy
