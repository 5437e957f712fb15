// One client connection of the proxy and everything it leads to: the
// request head or SOCKS5 handshake, the decision, the lookup, the upstream
// connect, then a splice(2) tunnel or HTTP forwarding request by request.
// Lives on the proxy thread only; other threads reach it through the
// mailbox by id.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/event.h"
#include "policy/net_rules.h"
#include "policy/socket_headers.h"
#include "proxy/forwarder.h"
#include "proxy/http_head.h"
#include "proxy/poller.h"
#include "proxy/resolver.h"
#include "proxy/server.h"
#include "proxy/socket.h"
#include "proxy/tunnel.h"

namespace cordon::proxy {

class Connection;

// What connections share: owned by the server's loop.
struct Context {
  Poller* poller = nullptr;
  const Config* config = nullptr;
  Resolver* resolver = nullptr;
  std::shared_ptr<Mailbox> mailbox;
  int64_t now_ms = 0;
  // Finds a live connection by id (nullptr once it is gone).
  std::function<Connection*(uint64_t)> find;
};

class Connection {
 public:
  Connection(Context& ctx, uint64_t id, UniqueSocket client);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // A relay's connection (server.h's Relay): no request to read, the
  // destination is host:port; decides at once. Call right after the
  // constructor.
  void StartRelay(const std::string& host, uint16_t port);
  // Readiness (kPoll* bits) on the client (upstream = false) or upstream
  // socket.
  void OnEvent(bool upstream, uint32_t events);
  // Called about once a second; closes what waited too long.
  void OnTick();
  // Stops everything now (server shutdown).
  void Abort(const char* why);
  [[nodiscard]] bool closed() const { return phase_ == Phase::kClosed; }
  [[nodiscard]] uint64_t id() const { return id_; }

  // The poller's tag: id << 1 | upstream.
  static uint64_t Tag(uint64_t id, bool upstream) { return id << 1 | (upstream ? 1 : 0); }

 private:
  enum class Phase {
    kSniff,          // first byte tells SOCKS5 (0x05) from HTTP
    kHttpHead,       // reading a request head
    kSocksGreeting,  // method negotiation
    kSocksRequest,   // the CONNECT request
    kDeciding,       // held for the Decider
    kResolving,      // lookup on another thread
    kConnecting,     // non-blocking connect to addresses_[next_address_ - 1]
    kForward,        // absolute-form HTTP: one request and its response
    kTunnel,         // CONNECT / SOCKS5: bytes both ways with splice
    kDraining,       // answer sent, write side shut, reading until EOF
    kClosed,
  };
  enum class Protocol { kHttp, kConnect, kSocks5, kRelay };
  // "http", "connect", "socks5", "relay": the decision event's kind.
  [[nodiscard]] const char* KindName() const;

  void ReadClient();
  void Advance();  // parses what has arrived for the current phase
  void OnHead(const RequestHead& head);
  void OnSocksRequest(std::string host, uint16_t port);
  void Decide();
  void Allowed(std::string rule);
  void OnResolved(const Resolved& resolved);
  void ConnectNext();
  void OnConnected();
  void PumpForward(bool upstream_ready);
  void ReadResponse();
  void StartSplice();
  bool SpliceResponse(bool upstream_ready);  // false: the connection is gone
  void MoveRequestBody();
  void FinishRequest();
  void PumpTunnel(bool upstream, uint32_t events);

  // Refusals and failures: an answer in the client's protocol, the
  // decision event, then a clean close.
  // `advice` says what would allow it, never a rule the user already has:
  // DenyAdvice for a verdict, AllowAdvice when no rule named the host.
  void Deny(const std::string& rule, const std::string& reason, const std::string& advice);
  [[nodiscard]] std::string AllowAdvice() const;
  [[nodiscard]] std::string DenyAdvice(const policy::NetVerdict& v) const;
  void Fail(int http_status, uint8_t socks_reply, const std::string& reason);
  void Answer(int http_status, uint8_t socks_reply, const std::string& text);
  void EmitDecision(const std::string& reason);
  void StartDraining();
  void ShutClient();
  [[nodiscard]] bool Waiting() const;
  void Close();

  bool Flush(Socket fd, std::string& buffer);  // false on a fatal write error
  void UpdateInterest();
  void SetInterest(Socket fd, bool upstream, uint32_t want, uint32_t* current);
  // Closes the upstream socket (the poller forgets it first).
  void DropUpstream();
  void Touch(int timeout_ms) { deadline_ms_ = ctx_.now_ms + timeout_ms; }

  Context& ctx_;
  uint64_t id_;
  Phase phase_ = Phase::kSniff;
  Protocol protocol_ = Protocol::kHttp;
  UniqueSocket client_;
  UniqueSocket upstream_;
  static constexpr uint32_t kUnregistered = ~0U;
  uint32_t client_events_ = kUnregistered;
  uint32_t upstream_events_ = kUnregistered;
  int64_t deadline_ms_ = 0;
  bool client_eof_ = false;
  bool client_rdhup_ = false;  // half-closed while the request was held
  bool client_shut_ = false;
  bool upstream_eof_ = false;

  std::string in_;           // client bytes not yet consumed
  std::string to_client_;    // answers, response bytes
  std::string to_upstream_;  // request head and body, early tunnel bytes
  std::string from_upstream_;

  // The destination of the current request.
  std::string host_;
  uint16_t port_ = 0;
  std::string rule_;  // the rule that allowed it
  std::vector<sockaddr_storage> addresses_;
  size_t next_address_ = 0;
  std::string peer_;  // the address connected to
  int64_t started_ms_ = 0;
  uint64_t bytes_up_ = 0;
  uint64_t bytes_down_ = 0;
  bool allowed_ = false;  // the policy (or the person asked) allowed it
  bool decided_ = false;  // the decision event for this request went out
  std::string close_reason_;

  Forwarder forward_;  // absolute-form HTTP; its request is also CONNECT's head
  // A forwarded response's body of known extent, spliced as a tunnel's
  // bytes are (the pipe is made by the first such body and kept for the
  // connection's next requests; it is empty between them).
  Direction body_;
  bool splicing_ = false;
  Tunnel tunnel_;
};

}  // namespace cordon::proxy
