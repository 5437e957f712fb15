// The allowlist proxy: serves the listener made in the sandbox's network
// namespace (sandbox/linux/proxy_listener.h) from a thread of the supervisor.
// The same code serves on Windows (socket.h, poller.h, waker.h, tunnel.h
// say what differs there).
// HTTP CONNECT, absolute-form HTTP/1.1 and SOCKS5 CONNECT on one port, and
// plain TCP relays to allow_local services on theirs; every destination is checked against the
// policy's rules, resolved here and checked again by address, and every decision is an event.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/event.h"
#include "common/result.h"
#include "policy/net_rules.h"
#include "proxy/decider.h"
#include "proxy/socket.h"

namespace cordon::proxy {

struct Limits {
  size_t max_head_bytes = size_t{16} * 1024;  // request line + headers, SOCKS5 messages
  size_t max_connections = 4096;              // client connections held at once
  int head_timeout_ms = 10'000;               // to send a whole request head (slowloris)
  int connect_timeout_ms = 10'000;            // lookup plus connect
  int idle_timeout_ms = 300'000;              // no byte either way on an open connection
  int decide_timeout_ms = 60'000;             // a held destination waiting for a Decider
};

struct Config {
  policy::NetRules rules;
  std::vector<policy::ResolveOverride> resolve;  // --resolve: HOST -> address (tests)
  EventSink* events = nullptr;                   // may be null
  Decider* decider = nullptr;                    // null: destinations no rule names are denied
  Limits limits;
};

// A listening socket whose connections all go to one destination: an
// allow_local service relayed into the sandbox (sandbox/linux/local_relay.h).
// No request is read: each connection is decided as a request for
// host:port would be, then spliced through.
struct Relay {
  UniqueSocket listener;
  std::string host;  // as the rule names it, e.g. "127.0.0.1" or "localhost"
  uint16_t port = 0;
};

class Server {
 public:
  // Starts serving `listener` (a listening TCP socket; may be invalid when
  // there are relays) and the relays' listeners on a new thread.
  [[nodiscard]] static Result<std::unique_ptr<Server>> Start(UniqueSocket listener, Config config,
                                                             std::vector<Relay> relays = {});
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
