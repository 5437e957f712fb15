// The Windows half of poller.h: select() over every watched socket, level
// triggered like the epoll loop it stands in for. Winsock's fd_set is a
// count and an array of sockets, and select() reads as many as the count
// says (FD_SETSIZE only sizes the header's struct), so the sets are
// vectors laid out as fd_set: the count in the first slot, the sockets
// after it. O(watched sockets) per wait, which suits the proxy of one
// sandbox; the Linux loop stays epoll.
#include <winsock2.h>

#include <cstddef>
#include <unordered_map>

#include "proxy/poller.h"

namespace cordon::proxy {
namespace {

static_assert(offsetof(fd_set, fd_count) == 0 && offsetof(fd_set, fd_array) == sizeof(SOCKET),
              "a vector<SOCKET> with the count in slot 0 is an fd_set");

fd_set* AsFdSet(std::vector<Socket>& set) {
  *reinterpret_cast<u_int*>(set.data()) = static_cast<u_int>(set.size() - 1);
  return reinterpret_cast<fd_set*>(set.data());
}

// The sockets select() left in `set` (it rewrites the count and array).
void Collect(std::vector<Socket>& set, uint32_t bit, std::unordered_map<Socket, uint32_t>& out) {
  const u_int n = *reinterpret_cast<u_int*>(set.data());
  for (u_int i = 0; i < n; ++i) out[set[1 + i]] |= bit;
}

}  // namespace

Status Poller::Open() { return {}; }

bool Poller::Watch(Socket s, uint64_t tag, uint32_t events) {
  interest_[s] = {tag, events};
  return true;
}

bool Poller::Change(Socket s, uint64_t tag, uint32_t events) {
  interest_[s] = {tag, events};
  return true;
}

void Poller::Unwatch(Socket s) { interest_.erase(s); }

void Poller::Wait(int timeout_ms, std::vector<PollEvent>& ready) {
  ready.clear();
  read_set_.assign(1, 0);
  write_set_.assign(1, 0);
  except_set_.assign(1, 0);
  for (const auto& [s, want] : interest_) {
    const bool reads = (want.events & kPollIn) != 0;
    const bool writes = (want.events & kPollOut) != 0;
    if (reads) read_set_.push_back(s);
    if (writes) write_set_.push_back(s);
    // With SO_OOBINLINE (socket-win32.cc) the exception set reports only
    // a failed connect.
    if (reads || writes) except_set_.push_back(s);
  }
  if (except_set_.size() == 1) {
    Sleep(static_cast<DWORD>(timeout_ms));  // select() refuses three empty sets
    return;
  }
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  if (select(0, AsFdSet(read_set_), AsFdSet(write_set_), AsFdSet(except_set_), &tv) <= 0) return;
  std::unordered_map<Socket, uint32_t> found;
  Collect(read_set_, kPollIn, found);
  Collect(write_set_, kPollOut, found);
  Collect(except_set_, kPollErr, found);
  for (const auto& [s, events] : found) {
    auto it = interest_.find(s);
    if (it != interest_.end()) ready.push_back({it->second.tag, events});
  }
}

}  // namespace cordon::proxy
