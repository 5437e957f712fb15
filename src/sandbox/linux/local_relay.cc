#include "sandbox/linux/local_relay.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "sandbox/linux/proxy_listener.h"

namespace cordon::sandbox {
namespace {

// A loopback address in `text` (canonical, as rules hold it) as a socket
// address with `port`; false for anything else.
bool LoopbackAddress(const std::string& text, uint16_t port, LocalRelay* relay) {
  auto* v4 = reinterpret_cast<sockaddr_in*>(&relay->addr);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&relay->addr);
  if (inet_pton(AF_INET, text.c_str(), &v4->sin_addr) == 1) {
    if ((ntohl(v4->sin_addr.s_addr) >> 24) != 127) return false;
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    relay->len = sizeof *v4;
    return true;
  }
  relay->addr = {};
  if (inet_pton(AF_INET6, text.c_str(), &v6->sin6_addr) == 1 &&
      IN6_IS_ADDR_LOOPBACK(&v6->sin6_addr)) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    relay->len = sizeof *v6;
    return true;
  }
  relay->addr = {};
  return false;
}

// The kernel gives the namespace's `lo` an ::1 only when it has IPv6.
bool KernelHasIpv6() { return access("/proc/net/if_inet6", F_OK) == 0; }

}  // namespace

std::vector<LocalRelay> PlanLocalRelays(const policy::NetRules& rules, bool proxy,
                                        std::vector<std::string>* notes) {
  std::vector<LocalRelay> relays;
  auto add = [&](const policy::HostRule& rule, const std::string& address) {
    LocalRelay relay;
    relay.host = rule.host;
    relay.port = *rule.port;
    const std::string at = policy::HostPort(address, relay.port);
    if (!LoopbackAddress(address, relay.port, &relay)) {
      notes->push_back("allow_local " + rule.text + ": not a loopback address, so reachable " +
                       "through the proxy only (the sandbox's network has only its loopback)");
      return;
    }
    if (proxy && at == policy::HostPort("127.0.0.1", proxy_listener::kPort)) {
      notes->push_back("allow_local " + rule.text + ": " + at +
                       " is cordon's proxy inside the sandbox, so reachable through the " +
                       "proxy only");
      return;
    }
    relay.what = at + " (allow_local relay)";
    bool taken = std::any_of(relays.begin(), relays.end(), [&](const LocalRelay& r) {
      return r.len == relay.len && std::memcmp(&r.addr, &relay.addr, r.len) == 0;
    });
    if (!taken) relays.push_back(std::move(relay));
  };
  for (const policy::HostRule& rule : rules.allow_local) {
    if (!rule.port) continue;  // the loader refuses these
    if (rule.is_ip) {
      add(rule, rule.host);
    } else if (rule.host == "localhost") {
      add(rule, "127.0.0.1");
      if (KernelHasIpv6()) add(rule, "::1");
    }
  }
  return relays;
}

}  // namespace cordon::sandbox
