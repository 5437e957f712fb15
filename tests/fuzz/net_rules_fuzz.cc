// Fuzzes the network rule parser, host normalization and the decision on
// arbitrary bytes: the first line is a rule, the rest a host. Besides not
// crashing: normalization is idempotent, a parsed name rule's host is
// already normal, and a host that does not normalize is never allowed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "check.h"
#include "policy/net_rules.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace cordon::policy;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  size_t nl = in.find('\n');
  std::string_view rule_text = in.substr(0, nl);
  std::string_view host = nl == std::string_view::npos ? "" : in.substr(nl + 1);

  NetRules rules;
  auto rule = ParseHostRule(rule_text);
  if (rule.ok()) {
    const HostRule& r = rule.value();
    Check(NormalizeHost(r.host) == r.host);
    Check(!(r.wildcard && r.is_ip));
    rules.allow.push_back(r);
  }
  std::optional<std::string> normal = NormalizeHost(host);
  if (normal) {
    Check(NormalizeHost(*normal) == normal);
  }
  uint16_t port = size > 1 ? static_cast<uint16_t>(data[0] << 8 | data[1]) : 443;
  NetVerdict v = DecideHost(rules, host, port);
  if (!normal) {
    Check(v.kind == NetVerdict::kDeny);
  }
  auto resolve = ParseResolveOverride(in);
  if (resolve.ok()) {
    Check(IsIpLiteral(resolve.value().address));
  }
  return 0;
}
