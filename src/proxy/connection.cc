#include "proxy/connection.h"

#include <cerrno>
#include <cstring>

#include "policy/net_rules.h"
#include "policy/socket_headers.h"
#include "proxy/poller.h"
#include "proxy/socket.h"
#include "proxy/socks5.h"

namespace cordon::proxy {
namespace {

using policy::HostPort;

constexpr size_t kReadChunk = size_t{64} * 1024;
// Buffered bytes (HTTP forwarding) before the proxy stops reading the
// other side: bounds memory per connection.
constexpr size_t kBufferLimit = size_t{256} * 1024;
constexpr int kDrainTimeoutMs = 2000;

constexpr uint8_t kSocksGeneralFailure = 1;
constexpr uint8_t kSocksNotAllowed = 2;
constexpr uint8_t kSocksHostUnreachable = 4;
constexpr uint8_t kSocksConnectionRefused = 5;
constexpr uint8_t kSocksTtlExpired = 6;
constexpr uint8_t kSocksCommandNotSupported = 7;
constexpr uint8_t kSocksConnect = 1;

// One end of a TCP connection as "IP:PORT" (getpeername or getsockname);
// empty for anything else.
std::string EndpointText(Socket fd, int (*name)(Socket, sockaddr*, socklen_t*)) {
  sockaddr_storage a{};
  socklen_t len = sizeof(a);
  if (name(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) return "";
  char buf[INET6_ADDRSTRLEN] = {};
  if (a.ss_family == AF_INET) {
    const auto* in = reinterpret_cast<const sockaddr_in*>(&a);
    inet_ntop(AF_INET, &in->sin_addr, buf, sizeof(buf));
    return HostPort(buf, ntohs(in->sin_port));
  }
  if (a.ss_family == AF_INET6) {
    const auto* in6 = reinterpret_cast<const sockaddr_in6*>(&a);
    inet_ntop(AF_INET6, &in6->sin6_addr, buf, sizeof(buf));
    return HostPort(buf, ntohs(in6->sin6_port));
  }
  return "";
}

}  // namespace

Connection::Connection(Context& ctx, uint64_t id, UniqueSocket client)
    : ctx_(ctx), id_(id), client_(std::move(client)) {
  started_ms_ = ctx_.now_ms;
  Touch(ctx_.config->limits.head_timeout_ms);
  UpdateInterest();
}

Connection::~Connection() { Close(); }

void Connection::StartRelay(const std::string& host, uint16_t port) {
  protocol_ = Protocol::kRelay;
  host_ = host;
  port_ = port;
  Decide();
  if (phase_ != Phase::kClosed) UpdateInterest();
}

const char* Connection::KindName() const {
  switch (protocol_) {
    case Protocol::kSocks5:
      return "socks5";
    case Protocol::kConnect:
      return "connect";
    case Protocol::kRelay:
      return "relay";
    case Protocol::kHttp:
      break;
  }
  return "http";
}

void Connection::OnEvent(bool upstream, uint32_t events) {
  if (phase_ == Phase::kClosed) return;
  if (phase_ == Phase::kTunnel) {
    PumpTunnel(upstream, events);
  } else if (upstream && phase_ == Phase::kConnecting) {
    const int err = PendingSocketError(upstream_.get());
    if (err != 0) {
      DropUpstream();
      errno = err;
      ConnectNext();
    } else if (events & (kPollOut | kPollErr | kPollHup)) {
      OnConnected();
    }
  } else if (upstream) {
    PumpForward(true);
  } else if (phase_ == Phase::kDraining) {
    char sink[4096];
    IoResult n;
    while ((n = SocketRead(client_.get(), sink, sizeof sink)) > 0) {
    }
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
      Close();
      return;
    }
    if (!Flush(client_.get(), to_client_)) {
      Close();
      return;
    }
    if (to_client_.empty()) ShutClient();
  } else if (Waiting()) {
    // Held: the request is read later; only the client's going matters.
    if (events & (kPollHup | kPollErr)) {
      Abort("the client closed the connection");
      return;
    }
    if (events & kPollRdHup) client_rdhup_ = true;
  } else {
    if (events & kPollOut) {
      if (!Flush(client_.get(), to_client_)) {
        Close();
        return;
      }
    }
    if (events & (kPollIn | kPollRdHup | kPollHup | kPollErr)) ReadClient();
    if (phase_ == Phase::kForward) {
      PumpForward(false);
    } else {
      Advance();
    }
  }
  if (phase_ != Phase::kClosed) UpdateInterest();
}

bool Connection::Waiting() const {
  return phase_ == Phase::kDeciding || phase_ == Phase::kResolving || phase_ == Phase::kConnecting;
}

void Connection::ReadClient() {
  const size_t limit = ctx_.config->limits.max_head_bytes + kReadChunk;
  while (!client_eof_ && in_.size() < limit) {
    char buf[kReadChunk];
    IoResult n = SocketRecv(client_.get(), buf, sizeof buf);
    if (n > 0) {
      in_.append(buf, static_cast<size_t>(n));
      // A request head has a fixed deadline (no slowloris trickle); a
      // request body only an idle one.
      if (phase_ == Phase::kForward) Touch(ctx_.config->limits.idle_timeout_ms);
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
    client_eof_ = true;
  }
}

void Connection::Advance() {
  const size_t max = ctx_.config->limits.max_head_bytes;
  for (;;) {
    if (phase_ == Phase::kSniff) {
      if (in_.empty()) break;
      phase_ = in_[0] == 0x05 ? Phase::kSocksGreeting : Phase::kHttpHead;
      protocol_ = in_[0] == 0x05 ? Protocol::kSocks5 : Protocol::kHttp;
    } else if (phase_ == Phase::kHttpHead) {
      RequestParse r = ParseRequestHead(in_, max);
      if (r.state == Parse::kIncomplete) {
        if (client_eof_) {
          if (in_.empty()) {
            Close();
          } else {
            Fail(400, 0, "the request head ended early");
          }
        }
        break;
      }
      if (r.state == Parse::kError) {
        Fail(r.status, 0, r.reason);
        break;
      }
      in_.erase(0, r.consumed);
      OnHead(r.head);
      break;
    } else if (phase_ == Phase::kSocksGreeting) {
      GreetingParse g = ParseSocks5Greeting(in_);
      if (g.state == Parse::kIncomplete && !client_eof_) break;
      if (g.state != Parse::kDone || !g.greeting.no_auth_offered) {
        // 0xFF: no acceptable method; the client learns why from the close.
        to_client_.assign("\x05\xff", 2);
        Fail(0, 0xff, "SOCKS5 greeting without the no-authentication method");
        break;
      }
      in_.erase(0, g.consumed);
      to_client_.append("\x05\x00", 2);
      phase_ = Phase::kSocksRequest;
    } else if (phase_ == Phase::kSocksRequest) {
      Socks5Parse r = ParseSocks5Request(in_);
      if (r.state == Parse::kIncomplete && !client_eof_) break;
      if (r.state != Parse::kDone) {
        Fail(0, r.state == Parse::kError ? r.reply_on_error : kSocksGeneralFailure,
             "malformed SOCKS5 request");
        break;
      }
      in_.erase(0, r.consumed);
      if (r.request.command != kSocksConnect) {
        host_ = r.request.host;
        port_ = r.request.port;
        Fail(0, kSocksCommandNotSupported,
             r.request.command == 3 ? "SOCKS5 UDP ASSOCIATE is not supported"
                                    : "SOCKS5 BIND is not supported");
        break;
      }
      OnSocksRequest(r.request.host, r.request.port);
      break;
    } else {
      break;
    }
  }
}

void Connection::OnHead(const RequestHead& head) {
  forward_.request = head;
  protocol_ = head.method == "CONNECT" ? Protocol::kConnect : Protocol::kHttp;
  host_ = head.host;
  port_ = head.port;
  Decide();
}

void Connection::OnSocksRequest(std::string host, uint16_t port) {
  host_ = std::move(host);
  port_ = port;
  Decide();
}

void Connection::Decide() {
  started_ms_ = ctx_.now_ms;
  bytes_up_ = bytes_down_ = 0;
  decided_ = false;
  allowed_ = false;
  peer_.clear();
  // Look up, log and connect the name in the form the rules matched.
  if (auto normalized = policy::NormalizeHost(host_)) host_ = *normalized;
  policy::NetVerdict v = policy::DecideHost(ctx_.config->rules, host_, port_);
  if (v.kind == policy::NetVerdict::kAllow) {
    Allowed(v.rule);
    return;
  }
  if (v.kind == policy::NetVerdict::kDeny || ctx_.config->decider == nullptr) {
    Deny(v.rule,
         v.kind == policy::NetVerdict::kDeny ? "denied by " + v.rule
                                             : "not on the network allowlist",
         DenyAdvice(v));
    return;
  }
  phase_ = Phase::kDeciding;
  Touch(ctx_.config->limits.decide_timeout_ms);
  DecisionRequest req;
  req.host = host_;
  req.port = port_;
  req.protocol = KindName();
  req.client = EndpointText(client_.get(), getpeername);
  req.proxy = EndpointText(client_.get(), getsockname);
  // The answer may come from any thread, even after the proxy is gone:
  // it holds the mailbox, and only the loop (if still running) acts on it.
  Context* ctx = &ctx_;
  uint64_t id = id_;
  ctx_.config->decider->Ask(req,
                            [mailbox = ctx_.mailbox, ctx, id](bool allow, const std::string& why) {
                              mailbox->Post([ctx, id, allow, why] {
                                Connection* c = ctx->find(id);
                                if (c == nullptr || c->phase_ != Phase::kDeciding) return;
                                if (allow) {
                                  c->Allowed(why);
                                } else {
                                  c->Deny("approval", why, c->AllowAdvice());
                                }
                                if (c->phase_ != Phase::kClosed) c->UpdateInterest();
                              });
                            });
}

void Connection::Allowed(std::string rule) {
  rule_ = std::move(rule);
  allowed_ = true;
  phase_ = Phase::kResolving;
  Touch(ctx_.config->limits.connect_timeout_ms);
  Context* ctx = &ctx_;
  uint64_t id = id_;
  ctx_.resolver->Lookup(host_, port_, [ctx, id](const Resolved& r) {
    Connection* c = ctx->find(id);
    if (c == nullptr || c->phase_ != Phase::kResolving) return;
    c->OnResolved(r);
    if (c->phase_ != Phase::kClosed) c->UpdateInterest();
  });
}

void Connection::OnResolved(const Resolved& resolved) {
  if (!resolved.error.empty()) {
    Fail(502, kSocksHostUnreachable, "cannot resolve " + host_ + ": " + resolved.error);
    return;
  }
  // DNS rebinding: an allowed name must not lead to the host's loopback or
  // the local network unless a rule names that address.
  addresses_.clear();
  std::string refused;
  bool refused_by_deny = false;
  for (const auto& a : resolved.addresses) {
    const auto* sa = reinterpret_cast<const sockaddr*>(&a);
    if (policy::AddressDenied(ctx_.config->rules, sa, port_)) {
      if (refused.empty()) {
        refused = AddressText(a);
        refused_by_deny = true;
      }
      continue;
    }
    if (policy::IsSpecialAddress(sa) && !policy::AddressNamed(ctx_.config->rules, sa, port_)) {
      if (refused.empty()) refused = AddressText(a);
      continue;
    }
    addresses_.push_back(a);
  }
  // The name itself was allowed (rule_ says by what): the advice is about
  // the address, never the --allow-domain the user already gave.
  if (addresses_.empty() && refused_by_deny) {
    Deny("a deny rule names address " + refused,
         host_ + " (" + rule_ + ") resolves to " + refused + ", which a deny rule names",
         "A deny rule beats every allow rule: remove it to reach this address.");
    return;
  }
  if (addresses_.empty()) {
    Deny("no rule names address " + refused,
         host_ + " (" + rule_ + ") resolves to " + refused +
             ", a loopback, private or special address that no rule names",
         "Such an address is reachable only when named: --allow-local " + HostPort(refused, port_) +
             " allows it.");
    return;
  }
  next_address_ = 0;
  ConnectNext();
}

void Connection::ConnectNext() {
  while (next_address_ < addresses_.size()) {
    const sockaddr_storage& a = addresses_[next_address_++];
    UniqueSocket s(OpenStreamSocket(a.ss_family));
    if (!s.valid()) continue;
    SetNoDelay(s.get());
    socklen_t len = a.ss_family == AF_INET ? sizeof(sockaddr_in) : sizeof(sockaddr_in6);
    int rc = SocketConnect(s.get(), reinterpret_cast<const sockaddr*>(&a), len);
    if (rc != 0 && errno != EINPROGRESS) continue;
    upstream_ = std::move(s);
    upstream_events_ = kUnregistered;
    peer_ = AddressText(a);
    phase_ = Phase::kConnecting;
    if (rc == 0) OnConnected();
    return;
  }
  Fail(502, kSocksConnectionRefused,
       "cannot connect to " + HostPort(host_, port_) + ": " + SocketErrorText(errno));
}

void Connection::OnConnected() {
  Touch(ctx_.config->limits.idle_timeout_ms);
  if (protocol_ == Protocol::kHttp) {
    phase_ = Phase::kForward;
    to_upstream_ = forward_.Start();
    bytes_up_ += to_upstream_.size();
    from_upstream_.clear();
    MoveRequestBody();
    PumpForward(true);
    return;
  }
  if (!tunnel_.Open()) {
    Fail(502, kSocksGeneralFailure, std::string("pipe2: ") + SocketErrorText(errno));
    return;
  }
  phase_ = Phase::kTunnel;
  if (protocol_ == Protocol::kConnect) {
    to_client_.append("HTTP/1.1 200 Connection established\r\n\r\n");
  } else if (protocol_ == Protocol::kSocks5) {
    to_client_.append(Socks5Reply(0));
  }
  // Bytes the client sent before the answer (a TLS hello) go first.
  to_upstream_ = std::move(in_);
  in_.clear();
  bytes_up_ += to_upstream_.size();
  PumpTunnel(false, kPollOut);
  if (phase_ == Phase::kTunnel) PumpTunnel(true, kPollOut);
}

void Connection::PumpTunnel(bool upstream, uint32_t events) {
  Touch(ctx_.config->limits.idle_timeout_ms);
  Socket c = client_.get();
  Socket u = upstream_.get();
  bool ok = Flush(c, to_client_) && Flush(u, to_upstream_);
  // Strings first, so the answer precedes spliced bytes.
  if (ok && to_upstream_.empty()) {
    if (!upstream && (events & (kPollIn | kPollRdHup | kPollHup | kPollErr)))
      ok = tunnel_.up.Fill(c);
    if (ok) ok = tunnel_.up.Drain(u);
  }
  if (ok && to_client_.empty()) {
    if (upstream && (events & (kPollIn | kPollRdHup | kPollHup | kPollErr)))
      ok = tunnel_.down.Fill(u);
    if (ok) ok = tunnel_.down.Drain(c);
  }
  if (!ok || tunnel_.finished()) Close();
}

void Connection::MoveRequestBody() {
  if (to_upstream_.size() >= kBufferLimit) return;
  std::optional<size_t> moved = forward_.MoveRequestBody(in_, to_upstream_);
  if (!moved) {
    Fail(400, 0, "malformed chunked request body");
    return;
  }
  bytes_up_ += *moved;
}

void Connection::PumpForward(bool upstream_ready) {
  Touch(ctx_.config->limits.idle_timeout_ms);
  MoveRequestBody();
  if (phase_ != Phase::kForward) return;
  if (!Flush(upstream_.get(), to_upstream_) || !Flush(client_.get(), to_client_)) {
    Close();
    return;
  }
  if (upstream_ready && !upstream_eof_ && !splicing_) {
    ReadResponse();
    if (phase_ != Phase::kForward) return;
  }
  if (splicing_ && !SpliceResponse(upstream_ready)) return;
  if (upstream_eof_) {
    switch (forward_.OnUpstreamEof()) {
      case Forwarder::Eof::kDone:
        break;
      case Forwarder::Eof::kNoResponse:
        Fail(502, 0, "the server closed the connection without a response");
        return;
      case Forwarder::Eof::kCutShort:
        Abort("the server closed the connection in the middle of the response");
        return;
    }
  }
  // A spliced body is done when its last byte has left the pipe.
  if (forward_.response_done && body_.pending == 0) FinishRequest();
}

// The copy path: response heads (parsed and checked), chunked bodies (their
// framing followed byte by byte), and the first bytes of any body. A body
// of known extent then goes on by splice.
void Connection::ReadResponse() {
  while (to_client_.size() < kBufferLimit && from_upstream_.size() < kBufferLimit) {
    char buf[kReadChunk];
    IoResult n = SocketRead(upstream_.get(), buf, sizeof buf);
    if (n > 0) {
      from_upstream_.append(buf, static_cast<size_t>(n));
      if (!forward_.MoveResponse(from_upstream_, to_client_, ctx_.config->limits.max_head_bytes,
                                 &bytes_down_)) {
        if (!forward_.response_head_done) {
          Fail(502, 0, "malformed response from " + HostPort(host_, port_));
        } else {
          Abort("malformed response body");
        }
        return;
      }
      if (forward_.response_done) break;
      // MoveResponse left nothing behind: the head and the body's first
      // bytes are in to_client_, the rest is spliced.
      if (forward_.SpliceableBody() > 0) {
        StartSplice();
        if (splicing_) break;
      }
      continue;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) break;
    upstream_eof_ = true;
    break;
  }
  if (!Flush(client_.get(), to_client_)) Close();
}

void Connection::StartSplice() {
  // Without a pipe (the fd or pipe quota is spent) the body is copied, as
  // chunked bodies are.
  if (!body_.opened() && !body_.Open()) return;
  body_.shut_on_eof = false;
  body_.eof = false;
  body_.limit = forward_.SpliceableBody();
  splicing_ = true;
}

bool Connection::SpliceResponse(bool upstream_ready) {
  if (upstream_ready && !upstream_eof_) {
    const uint64_t before = body_.limit;
    if (!body_.Fill(upstream_.get())) {
      close_reason_ = std::string("reading the response body from ") + HostPort(host_, port_) +
                      ": " + SocketErrorText(errno);
      Close();
      return false;
    }
    forward_.OnBodySpliced(before - body_.limit);
    if (body_.eof) upstream_eof_ = true;
  }
  // The head and the body's first bytes (to_client_) go first.
  if (to_client_.empty()) {
    const uint64_t before = body_.total;
    if (!body_.Drain(client_.get())) {
      Close();
      return false;
    }
    bytes_down_ += body_.total - before;
  }
  return true;
}

void Connection::FinishRequest() {
  splicing_ = false;
  EmitDecision("");
  DropUpstream();
  upstream_eof_ = false;
  // The next request may go to another host: it starts over with its own
  // head and decision. A response without length ends the connection.
  const bool again = forward_.Reusable() && !client_eof_;
  if (!again) {
    StartDraining();
    return;
  }
  phase_ = Phase::kHttpHead;
  Touch(ctx_.config->limits.head_timeout_ms);
  Advance();
}

std::string Connection::AllowAdvice() const {
  return "This sandbox reaches only the hosts its network policy allows. To allow this one, run "
         "with --allow-domain " +
         host_ + " or add it to [network] allow in cordon's config.";
}

std::string Connection::DenyAdvice(const policy::NetVerdict& v) const {
  if (v.kind != policy::NetVerdict::kDeny) return AllowAdvice();
  if (v.rule.starts_with("deny ")) {
    return "A deny rule beats every allow rule: to reach " + host_ + ", remove that rule.";
  }
  if (!policy::NormalizeHost(host_)) return "No rule can allow it.";
  return AllowAdvice();  // an IP address that no rule names
}

void Connection::Deny(const std::string& rule, const std::string& reason,
                      const std::string& advice) {
  rule_ = rule;
  allowed_ = false;
  EmitDecision(reason);
  const std::string target = HostPort(host_, port_);
  Answer(403, kSocksNotAllowed,
         "cordon: blocked " + target + ": " + reason + ".\n" + advice + "\n");
}

void Connection::Fail(int http_status, uint8_t socks_reply, const std::string& reason) {
  if (!decided_ && !host_.empty()) EmitDecision(reason);
  Answer(http_status, socks_reply, "cordon: " + reason + "\n");
}

void Connection::Answer(int http_status, uint8_t socks_reply, const std::string& text) {
  DropUpstream();
  // A relay's client speaks its own protocol: the refusal is the close
  // (the decision event says why).
  if (protocol_ == Protocol::kRelay) {
    Close();
    return;
  }
  if (protocol_ == Protocol::kSocks5) {
    if (socks_reply != 0 && socks_reply != 0xff) to_client_.append(Socks5Reply(socks_reply));
  } else if (http_status != 0) {
    to_client_.append(DenyResponse(http_status, text));
  }
  StartDraining();
}

void Connection::StartDraining() {
  phase_ = Phase::kDraining;
  deadline_ms_ = ctx_.now_ms + kDrainTimeoutMs;
  if (!Flush(client_.get(), to_client_)) {
    Close();
    return;
  }
  // Shut the write side once the answer is out; reading on until the
  // client's EOF keeps the kernel from resetting the connection (and
  // discarding the answer) over unread request bytes.
  if (to_client_.empty()) ShutClient();
  if (client_eof_) Close();
}

void Connection::ShutClient() {
  if (client_shut_) return;
  client_shut_ = true;
  ShutWrite(client_.get());
}

void Connection::Abort(const char* why) {
  if (phase_ == Phase::kClosed) return;
  close_reason_ = why;
  Close();
}

void Connection::OnTick() {
  if (phase_ == Phase::kClosed || ctx_.now_ms < deadline_ms_) return;
  switch (phase_) {
    case Phase::kDeciding:
      Deny("approval", "no answer within the approval timeout", AllowAdvice());
      break;
    case Phase::kResolving:
    case Phase::kConnecting:
      Fail(504, kSocksTtlExpired, "timed out connecting to " + HostPort(host_, port_));
      break;
    case Phase::kSniff:
    case Phase::kHttpHead:
    case Phase::kSocksGreeting:
    case Phase::kSocksRequest:
      if (in_.empty() && host_.empty()) {
        Close();  // an idle keep-alive connection
      } else {
        Fail(408, kSocksGeneralFailure, "timed out waiting for the request");
      }
      break;
    default:
      // A relayed service's connection (a database's) may idle for long;
      // the run's end closes it.
      if (protocol_ == Protocol::kRelay && phase_ == Phase::kTunnel) break;
      Abort("idle timeout");
      break;
  }
  if (phase_ != Phase::kClosed) UpdateInterest();
}

void Connection::EmitDecision(const std::string& reason) {
  decided_ = true;
  const bool allowed = allowed_;
  EventSink* sink = ctx_.config->events;
  if (sink == nullptr) return;
  Event e;
  e.name = "cordon.net.decision";
  e.time_unix_nano = NowUnixNano();
  e.severity = allowed ? Severity::kInfo : Severity::kWarn;
  const char* proto = KindName();
  e.body = std::string(allowed ? "allowed " : "denied ") + proto + " " + HostPort(host_, port_);
  // Denied: why. Allowed: what went wrong upstream, if anything.
  if (!reason.empty()) e.body += ": " + reason;
  e.Add("cordon.decision", std::string(allowed ? "allow" : "deny"))
      .Add("server.address", host_)
      .Add("server.port", static_cast<int64_t>(port_))
      .Add("network.protocol.name", std::string(protocol_ == Protocol::kSocks5  ? "socks"
                                                : protocol_ == Protocol::kRelay ? "tcp"
                                                                                : "http"))
      .Add("cordon.proxy.kind", std::string(proto))
      .Add("cordon.rule", rule_);
  if (protocol_ == Protocol::kHttp && !forward_.request.method.empty()) {
    e.Add("http.request.method", forward_.request.method);
  }
  if (!peer_.empty()) e.Add("network.peer.address", peer_);
  if (!reason.empty()) e.Add("cordon.reason", reason);
  // Allowed, but no upstream connection came of it (no such name, refused,
  // timed out): `cordon log --denied` lists it with the denials.
  if (allowed && !reason.empty() && (phase_ == Phase::kResolving || phase_ == Phase::kConnecting)) {
    e.Add("cordon.upstream.failed", true);
  }
  e.Add("cordon.bytes_up", static_cast<int64_t>(bytes_up_))
      .Add("cordon.bytes_down", static_cast<int64_t>(bytes_down_))
      .Add("cordon.duration_ms", ctx_.now_ms - started_ms_);
  sink->Emit(std::move(e));
}

void Connection::Close() {
  if (phase_ == Phase::kClosed) return;
  // A tunnel's or a request's event goes out when it ends, with its byte
  // counts; one that never got that far says why.
  bytes_up_ += tunnel_.up.total;
  bytes_down_ += tunnel_.down.total;
  if (!decided_ && !host_.empty()) EmitDecision(close_reason_);
  phase_ = Phase::kClosed;
  if (client_events_ != kUnregistered) ctx_.poller->Forget(client_.get());
  client_.Reset();
  DropUpstream();
}

void Connection::DropUpstream() {
  if (upstream_events_ != kUnregistered) ctx_.poller->Forget(upstream_.get());
  upstream_.Reset();
  upstream_events_ = kUnregistered;
}

bool Connection::Flush(Socket fd, std::string& buffer) {
  while (!buffer.empty()) {
    IoResult n = SocketSend(fd, buffer.data(), buffer.size());
    if (n > 0) {
      buffer.erase(0, static_cast<size_t>(n));
    } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return true;
    } else {
      return false;
    }
  }
  return true;
}

void Connection::UpdateInterest() {
  if (phase_ == Phase::kClosed) return;
  uint32_t c = 0;
  uint32_t u = 0;
  const size_t head_limit = ctx_.config->limits.max_head_bytes + kReadChunk;
  switch (phase_) {
    case Phase::kTunnel:
      if (!tunnel_.up.eof && !tunnel_.up.full() && to_upstream_.empty()) c |= kPollIn | kPollRdHup;
      if (!to_client_.empty() || tunnel_.down.pending > 0) c |= kPollOut;
      if (!tunnel_.down.eof && !tunnel_.down.full() && to_client_.empty())
        u |= kPollIn | kPollRdHup;
      if (!to_upstream_.empty() || tunnel_.up.pending > 0) u |= kPollOut;
      break;
    case Phase::kForward:
      if (!client_eof_ && in_.size() < head_limit && to_upstream_.size() < kBufferLimit)
        c |= kPollIn | kPollRdHup;
      if (!to_client_.empty() || body_.pending > 0) c |= kPollOut;
      if (splicing_) {
        if (!upstream_eof_ && !body_.full() && body_.limit > 0) u |= kPollIn | kPollRdHup;
      } else if (!upstream_eof_ && to_client_.size() < kBufferLimit) {
        u |= kPollIn | kPollRdHup;
      }
      if (!to_upstream_.empty()) u |= kPollOut;
      break;
    case Phase::kConnecting:
      u |= kPollOut;
      if (!client_rdhup_) c |= kPollRdHup;
      break;
    case Phase::kDeciding:
    case Phase::kResolving:
      if (!client_rdhup_) c |= kPollRdHup;
      break;
    default:
      if (!client_eof_) c |= kPollIn | kPollRdHup;
      if (!to_client_.empty()) c |= kPollOut;
      break;
  }
  SetInterest(client_.get(), false, c, &client_events_);
  if (upstream_.valid()) SetInterest(upstream_.get(), true, u, &upstream_events_);
}

void Connection::SetInterest(Socket fd, bool upstream, uint32_t want, uint32_t* current) {
  if (want == *current) return;
  // kPollHup and kPollErr are always reported.
  if (*current == kUnregistered) {
    ctx_.poller->Watch(fd, Tag(id_, upstream), want);
  } else {
    ctx_.poller->Change(fd, Tag(id_, upstream), want);
  }
  *current = want;
}

}  // namespace cordon::proxy
