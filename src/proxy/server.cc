// The proxy's loop: accepts, dispatches readiness to connections, ticks
// their deadlines. The same on every platform; what differs is behind
// poller.h (epoll / select), waker.h (eventfd / a loopback socket) and
// socket.h (the socket calls).
#include "proxy/server.h"

#include <cerrno>
#include <thread>
#include <unordered_map>
#include <vector>

#include "common/clock.h"
#include "proxy/connection.h"
#include "proxy/poller.h"
#include "proxy/socket.h"
#include "proxy/waker.h"

namespace cordon::proxy {
namespace {

constexpr uint64_t kListenerTag = ~0ULL;
constexpr uint64_t kMailboxTag = ~0ULL - 1;
constexpr uint64_t kStopTag = ~0ULL - 2;
// Relay i's listener: kRelayTag - i (connection tags are small: id << 1).
constexpr uint64_t kRelayTag = ~0ULL - 3;

Status Watch(Poller& poller, Socket s, uint64_t tag, const char* what) {
  if (!poller.Watch(s, tag, kPollIn)) return SysError("epoll_ctl(ADD)", what, errno);
  return {};
}

}  // namespace

class Server::Impl {
 public:
  Impl(UniqueSocket listener, Config config, std::vector<Relay> relays)
      : listener_(std::move(listener)),
        relays_(std::move(relays)),
        config_(std::move(config)),
        mailbox_(std::make_shared<Mailbox>()),
        resolver_(mailbox_, config_.resolve) {}

  Status Init() {
    CORDON_RETURN_IF_ERROR(poller_.Open());
    CORDON_RETURN_IF_ERROR(stop_.Open("proxy"));
    CORDON_RETURN_IF_ERROR(mailbox_->Open());
    CORDON_RETURN_IF_ERROR(WatchListeners());
    CORDON_RETURN_IF_ERROR(Watch(poller_, mailbox_->handle(), kMailboxTag, "proxy mailbox"));
    CORDON_RETURN_IF_ERROR(Watch(poller_, stop_.handle(), kStopTag, "proxy stop"));
    ctx_.poller = &poller_;
    ctx_.config = &config_;
    ctx_.resolver = &resolver_;
    ctx_.mailbox = mailbox_;
    ctx_.now_ms = MonotonicMs();
    ctx_.find = [this](uint64_t id) -> Connection* {
      auto it = connections_.find(id);
      return it == connections_.end() || it->second->closed() ? nullptr : it->second.get();
    };
    return {};
  }

  void Run() {
    std::vector<PollEvent> events;
    events.reserve(Poller::kMaxEvents);
    int64_t next_tick = ctx_.now_ms + 1000;
    while (!stopping_) {
      poller_.Wait(1000, events);
      ctx_.now_ms = MonotonicMs();
      for (const PollEvent& ev : events) Dispatch(ev);
      if (ctx_.now_ms >= next_tick) {
        next_tick = ctx_.now_ms + 1000;
        for (auto& [id, c] : connections_) c->OnTick();
        ResumeListener();
      }
      Reap();
    }
    for (auto& [id, c] : connections_) c->Abort("the run ended");
    connections_.clear();
  }

  void Stop() {
    stop_.Signal();
    if (thread_.joinable()) thread_.join();
  }

  std::thread thread_;

 private:
  void Dispatch(const PollEvent& ev) {
    const uint64_t tag = ev.tag;
    if (tag == kStopTag) {
      stopping_ = true;
    } else if (tag == kListenerTag) {
      Accept(listener_.get(), nullptr);
    } else if (tag <= kRelayTag && kRelayTag - tag < relays_.size()) {
      const Relay& relay = relays_[kRelayTag - tag];
      Accept(relay.listener.get(), &relay);
    } else if (tag == kMailboxTag) {
      for (auto& work : mailbox_->Take()) work();
    } else {
      auto it = connections_.find(tag >> 1);
      if (it != connections_.end()) it->second->OnEvent((tag & 1) != 0, ev.events);
    }
  }

  Status WatchListeners() {
    if (listener_.valid()) {
      CORDON_RETURN_IF_ERROR(Watch(poller_, listener_.get(), kListenerTag, "proxy listener"));
    }
    for (size_t i = 0; i < relays_.size(); ++i) {
      CORDON_RETURN_IF_ERROR(
          Watch(poller_, relays_[i].listener.get(), kRelayTag - i, "relay listener"));
    }
    return {};
  }

  // `relay`: the listener is a relay's, whose connections go to its
  // destination; null for the proxy's.
  void Accept(Socket listener, const Relay* relay) {
    for (;;) {
      UniqueSocket client(AcceptSocket(listener));
      if (!client.valid()) {
        // Out of descriptors (EMFILE, ENFILE) or memory: the listener stays
        // readable, so stop watching it until the next tick rather than spin.
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) PauseListener();
        return;
      }
      // Over the limit: closed at once (`client` goes) rather than queued.
      if (connections_.size() >= config_.limits.max_connections) continue;
      uint64_t id = next_id_++;
      auto [it, added] =
          connections_.emplace(id, std::make_unique<Connection>(ctx_, id, std::move(client)));
      if (relay != nullptr) it->second->StartRelay(relay->host, relay->port);
    }
  }

  void PauseListener() {
    if (listener_paused_) return;
    listener_paused_ = true;
    if (listener_.valid()) poller_.Unwatch(listener_.get());
    for (const Relay& r : relays_) poller_.Unwatch(r.listener.get());
  }

  void ResumeListener() {
    if (!listener_paused_) return;
    listener_paused_ = !WatchListeners().ok();
  }

  void Reap() {
    std::erase_if(connections_, [](const auto& kv) { return kv.second->closed(); });
  }

  UniqueSocket listener_;
  std::vector<Relay> relays_;
  Config config_;
  std::shared_ptr<Mailbox> mailbox_;
  Resolver resolver_;
  Poller poller_;
  Waker stop_;
  Context ctx_;
  std::unordered_map<uint64_t, std::unique_ptr<Connection>> connections_;
  uint64_t next_id_ = 1;
  bool stopping_ = false;
  bool listener_paused_ = false;
};

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() {
  if (impl_) impl_->Stop();
}

Result<std::unique_ptr<Server>> Server::Start(UniqueSocket listener, Config config,
                                              std::vector<Relay> relays) {
  CORDON_RETURN_IF_ERROR(StartSockets());
  // The listeners were made blocking in the sandbox; accept must not block.
  if (listener.valid()) CORDON_RETURN_IF_ERROR(SetNonBlocking(listener.get(), "proxy listener"));
  for (const Relay& r : relays) {
    CORDON_RETURN_IF_ERROR(SetNonBlocking(r.listener.get(), "relay listener"));
  }
  auto impl = std::make_unique<Impl>(std::move(listener), std::move(config), std::move(relays));
  CORDON_RETURN_IF_ERROR(impl->Init());
  Impl* raw = impl.get();
  impl->thread_ = std::thread([raw] { raw->Run(); });
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

}  // namespace cordon::proxy
