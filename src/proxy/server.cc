#include "proxy/server.h"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>

#include <atomic>
#include <cerrno>
#include <thread>
#include <unordered_map>

#include "common/clock.h"
#include "proxy/connection.h"

namespace cordon::proxy {
namespace {

constexpr uint64_t kListenerTag = ~0ULL;
constexpr uint64_t kMailboxTag = ~0ULL - 1;
constexpr uint64_t kStopTag = ~0ULL - 2;
// Relay i's listener: kRelayTag - i (connection tags are small: id << 1).
constexpr uint64_t kRelayTag = ~0ULL - 3;

// Each tunnel holds six descriptors (two sockets, two pipes); the default
// soft limit of 1024 would cap the proxy near 170 of them.
void RaiseDescriptorLimit() {
  rlimit r{};
  if (getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    setrlimit(RLIMIT_NOFILE, &r);
  }
}

Status Watch(int epfd, int fd, uint64_t tag, const char* what) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = tag;
  if (epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0) return SysError("epoll_ctl(ADD)", what, errno);
  return {};
}

}  // namespace

class Server::Impl {
 public:
  Impl(UniqueFd listener, Config config, std::vector<Relay> relays)
      : listener_(std::move(listener)),
        relays_(std::move(relays)),
        config_(std::move(config)),
        mailbox_(std::make_shared<Mailbox>()),
        resolver_(mailbox_, config_.resolve) {}

  Status Init() {
    epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
    if (!epoll_.valid()) return SysError("epoll_create1", "proxy", errno);
    stop_.Reset(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!stop_.valid()) return SysError("eventfd", "proxy", errno);
    if (!mailbox_->ok()) return SysError("eventfd", "proxy mailbox", errno);
    CORDON_RETURN_IF_ERROR(WatchListeners());
    CORDON_RETURN_IF_ERROR(Watch(epoll_.get(), mailbox_->fd(), kMailboxTag, "proxy mailbox"));
    CORDON_RETURN_IF_ERROR(Watch(epoll_.get(), stop_.get(), kStopTag, "proxy stop"));
    ctx_.epoll_fd = epoll_.get();
    ctx_.config = &config_;
    ctx_.resolver = &resolver_;
    ctx_.mailbox = mailbox_;
    ctx_.now_ms = MonotonicMs();
    ctx_.find = [this](uint64_t id) -> Connection* {
      auto it = connections_.find(id);
      return it == connections_.end() || it->second->closed() ? nullptr : it->second.get();
    };
    RaiseDescriptorLimit();
    return {};
  }

  void Run() {
    epoll_event events[256];
    int64_t next_tick = ctx_.now_ms + 1000;
    while (!stopping_) {
      int n = epoll_wait(epoll_.get(), events, 256, 1000);
      ctx_.now_ms = MonotonicMs();
      for (int i = 0; i < n; ++i) Dispatch(events[i]);
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
    uint64_t one = 1;
    (void)!write(stop_.get(), &one, sizeof one);
    if (thread_.joinable()) thread_.join();
  }

  std::thread thread_;

 private:
  void Dispatch(const epoll_event& ev) {
    const uint64_t tag = ev.data.u64;
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
      CORDON_RETURN_IF_ERROR(Watch(epoll_.get(), listener_.get(), kListenerTag, "proxy listener"));
    }
    for (size_t i = 0; i < relays_.size(); ++i) {
      CORDON_RETURN_IF_ERROR(
          Watch(epoll_.get(), relays_[i].listener.get(), kRelayTag - i, "relay listener"));
    }
    return {};
  }

  // `relay`: the listener is a relay's, whose connections go to its
  // destination; null for the proxy's.
  void Accept(int listener, const Relay* relay) {
    for (;;) {
      int fd = accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) {
        // Out of descriptors (EMFILE, ENFILE) or memory: the listener stays
        // readable, so stop watching it until the next tick rather than spin.
        if (errno != EAGAIN && errno != EINTR && errno != ECONNABORTED) PauseListener();
        return;
      }
      if (connections_.size() >= config_.limits.max_connections) {
        close(fd);  // over the limit: refused at once rather than queued
        continue;
      }
      uint64_t id = next_id_++;
      auto [it, added] =
          connections_.emplace(id, std::make_unique<Connection>(ctx_, id, UniqueFd(fd)));
      if (relay != nullptr) it->second->StartRelay(relay->host, relay->port);
    }
  }

  void PauseListener() {
    if (listener_paused_) return;
    listener_paused_ = true;
    if (listener_.valid()) epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, listener_.get(), nullptr);
    for (const Relay& r : relays_)
      epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, r.listener.get(), nullptr);
  }

  void ResumeListener() {
    if (!listener_paused_) return;
    listener_paused_ = !WatchListeners().ok();
  }

  void Reap() {
    std::erase_if(connections_, [](const auto& kv) { return kv.second->closed(); });
  }

  UniqueFd listener_;
  std::vector<Relay> relays_;
  Config config_;
  std::shared_ptr<Mailbox> mailbox_;
  Resolver resolver_;
  UniqueFd epoll_;
  UniqueFd stop_;
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

namespace {

// The listeners were made blocking in the sandbox; accept must not block.
Status SetNonBlocking(int fd, const char* what) {
  int fl = fcntl(fd, F_GETFL);
  if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) != 0) {
    return SysError("fcntl(O_NONBLOCK)", what, errno);
  }
  return {};
}

}  // namespace

Result<std::unique_ptr<Server>> Server::Start(UniqueFd listener, Config config,
                                              std::vector<Relay> relays) {
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
