// The allowlist proxy: serves the listener made in the sandbox's network
// namespace (sandbox/linux/proxy_listener.h) from a thread of the supervisor.
// HTTP CONNECT, absolute-form HTTP/1.1 and SOCKS5 CONNECT on one port;
// every destination is checked against the policy's rules, resolved here and
// checked again by address, and every decision is an event.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/result.h"
#include "common/unique_fd.h"
#include "policy/net_rules.h"
#include "proxy/decider.h"

namespace cordon::proxy {

struct Limits {
  size_t max_head_bytes = 16UL * 1024;  // request line + headers, SOCKS5 messages
  size_t max_connections = 4096;        // client connections held at once
  int head_timeout_ms = 10'000;         // to send a whole request head (slowloris)
  int connect_timeout_ms = 10'000;      // lookup plus connect
  int idle_timeout_ms = 300'000;        // no byte either way on an open connection
  int decide_timeout_ms = 60'000;       // a held destination waiting for a Decider
};

struct Config {
  policy::NetRules rules;
  std::vector<policy::ResolveOverride> resolve;  // --resolve: HOST -> address (tests)
  EventSink* events = nullptr;                   // may be null
  Decider* decider = nullptr;                    // null: destinations no rule names are denied
  Limits limits;
};

class Server {
 public:
  // Starts serving `listener` (a listening TCP socket) on a new thread.
  [[nodiscard]] static Result<std::unique_ptr<Server>> Start(UniqueFd listener, Config config);
  // Stops the thread and closes every connection (each gets its event).
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace cordon::proxy
