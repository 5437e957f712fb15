// The Linux half of poller.h: epoll, level triggered.
#include <sys/epoll.h>

#include <cerrno>

#include "common/error.h"
#include "proxy/poller.h"

namespace cordon::proxy {

Status Poller::Open() {
  epoll_.Reset(epoll_create1(EPOLL_CLOEXEC));
  if (!epoll_.valid()) return SysError("epoll_create1", "proxy", errno);
  return {};
}

bool Poller::Watch(Socket s, uint64_t tag, uint32_t events) {
  epoll_event ev{};
  ev.events = events;  // EPOLLHUP and EPOLLERR are always reported
  ev.data.u64 = tag;
  return epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, s, &ev) == 0;
}

bool Poller::Change(Socket s, uint64_t tag, uint32_t events) {
  epoll_event ev{};
  ev.events = events;
  ev.data.u64 = tag;
  return epoll_ctl(epoll_.get(), EPOLL_CTL_MOD, s, &ev) == 0;
}

void Poller::Unwatch(Socket s) { epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, s, nullptr); }

void Poller::Wait(int timeout_ms, std::vector<PollEvent>& ready) {
  epoll_event events[kMaxEvents];
  const int n = epoll_wait(epoll_.get(), events, kMaxEvents, timeout_ms);
  ready.clear();
  for (int i = 0; i < n; ++i) ready.push_back({events[i].data.u64, events[i].events});
}

}  // namespace cordon::proxy
