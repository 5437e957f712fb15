// The seam for destinations that no rule names: the approvals work wires a
// Decider to the terminal and to MCP. Without one, unknown means deny.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

namespace cordon::proxy {

struct DecisionRequest {
  std::string host;  // as the client asked, normalized
  uint16_t port = 0;
  std::string protocol;  // "http", "connect", "socks5"
  // The held connection as the proxy sees it, "IP:PORT" (IPv6 in
  // brackets): the client's end and the proxy's; empty when unknown.
  std::string client;
  std::string proxy;
};

// The answer, and why, in words for the decision event and the client's
// 403 ("refused by the person asked", "approved (once)").
using DecisionDone = std::function<void(bool allow, const std::string& why)>;

class Decider {
 public:
  virtual ~Decider() = default;
  // Called on the proxy thread; the connection is held meanwhile. `done` may
  // be called once from any thread; the proxy denies when its timeout comes
  // first and ignores a later answer.
  virtual void Ask(const DecisionRequest& request, DecisionDone done) = 0;
};

}  // namespace cordon::proxy
