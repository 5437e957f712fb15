// Name resolution for the proxy: the sandbox has no DNS, so the proxy looks
// names up itself (getaddrinfo on a short-lived thread, so the event loop
// never blocks) and then checks and connects to exactly the addresses it got.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "policy/net_rules.h"
#include "policy/socket_headers.h"
#include "proxy/mailbox.h"

namespace cordon::proxy {

struct Resolved {
  std::vector<sockaddr_storage> addresses;  // port filled in
  std::string error;                        // empty on success
};

// Parses an IPv4 or IPv6 literal (no brackets) into `out` with `port`.
[[nodiscard]] bool ParseIpLiteral(const std::string& text, uint16_t port, sockaddr_storage* out);
[[nodiscard]] std::string AddressText(const sockaddr_storage& addr);  // "1.2.3.4", "::1"

class Resolver {
 public:
  // `overrides`: HOST -> address literal, consulted before DNS (a testing
  // aid, like curl's --resolve).
  Resolver(std::shared_ptr<Mailbox> mailbox, std::vector<policy::ResolveOverride> overrides)
      : mailbox_(std::move(mailbox)), overrides_(std::move(overrides)) {}

  // Calls `done` on the loop thread (through the mailbox), or at once when
  // the answer needs no lookup (IP literal, override).
  void Lookup(const std::string& host, uint16_t port, std::function<void(Resolved)> done);

  // Lookups run at once on their own threads, up to this many; the rest
  // wait in order. Bounds the threads a sandbox can make the supervisor
  // start by asking for many names.
  static constexpr size_t kMaxConcurrent = 32;

 private:
  struct Pending {
    std::string host;
    uint16_t port;
    std::function<void(Resolved)> done;
  };
  void Start(Pending lookup);
  void Finished();

  std::shared_ptr<Mailbox> mailbox_;
  std::vector<policy::ResolveOverride> overrides_;
  size_t running_ = 0;  // loop thread only
  std::deque<Pending> queue_;
};

}  // namespace cordon::proxy
