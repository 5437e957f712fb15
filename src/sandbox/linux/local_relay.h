// allow_local services inside the sandbox's network namespace: for each
// allow_local rule, a listening socket at the service's own loopback
// address and port, made by the child like the proxy's (proxy_listener.h),
// whose connections the supervisor relays to the host's service. So any TCP
// client (curl without a proxy, psql, redis-cli, a raw socket) reaches it
// at the address the user named, and each connection is still a network
// decision the proxy logs.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

#include "policy/net_rules.h"

namespace cordon::sandbox {

struct LocalRelay {
  sockaddr_storage addr{};  // where it listens inside the namespace
  socklen_t len = 0;
  std::string what;  // "127.0.0.1:5432 (allow_local relay)", for errors
  // The destination, as the rule names it ("127.0.0.1", "localhost",
  // "::1"), and its port: the proxy decides and connects from the host.
  std::string host;
  uint16_t port = 0;
};

// The relays for `rules.allow_local`: an IP rule on a loopback address
// (127.0.0.0/8, ::1) listens there; "localhost" on 127.0.0.1 and, where the
// kernel has IPv6, ::1. Other addresses are not the sandbox's to take (its
// namespace has only `lo`): they stay reachable through the proxy only, and
// a note says so. `proxy`: 127.0.0.1:3128 is the proxy's, so a rule for it
// gets no relay (also noted). One relay per address and port.
[[nodiscard]] std::vector<LocalRelay> PlanLocalRelays(const policy::NetRules& rules, bool proxy,
                                                      std::vector<std::string>* notes);

}  // namespace cordon::sandbox
