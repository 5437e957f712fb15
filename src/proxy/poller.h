// The proxy's readiness loop on each platform: which sockets it watches,
// for what, and which are ready. Linux (poller-unix.cc): epoll, level
// triggered, as the proxy always used it. Windows (poller-win32.cc):
// select() over the watched sockets (Winsock's select takes any number of
// them, unlike Unix's), rebuilt on each wait from the interest kept here.
//
// The interest bits are epoll's values on Linux. On Windows kPollIn is
// "readable" (a peer's FIN reads as EOF, so kPollRdHup adds nothing),
// kPollOut "writable", kPollErr a failed connect, and kPollHup and
// kPollRdHup are never reported. A socket whose interest is kPollRdHup
// alone (a connection held for a decision) is not watched there, so a
// client that leaves while held is seen at the next read or write, or at
// the hold's timeout, rather than at once as on Linux.
#pragma once

#include <cstdint>
#include <vector>

#include "common/result.h"
#include "proxy/socket.h"

#ifdef _WIN32
#include <unordered_map>
#else
#include <sys/epoll.h>
#endif

namespace cordon::proxy {

#ifdef _WIN32
inline constexpr uint32_t kPollIn = 0x1;
inline constexpr uint32_t kPollOut = 0x4;
inline constexpr uint32_t kPollErr = 0x8;
inline constexpr uint32_t kPollHup = 0x10;
inline constexpr uint32_t kPollRdHup = 0x2000;
#else
inline constexpr uint32_t kPollIn = EPOLLIN;
inline constexpr uint32_t kPollOut = EPOLLOUT;
inline constexpr uint32_t kPollErr = EPOLLERR;
inline constexpr uint32_t kPollHup = EPOLLHUP;
inline constexpr uint32_t kPollRdHup = EPOLLRDHUP;
#endif

struct PollEvent {
  uint64_t tag;     // as given to Watch
  uint32_t events;  // kPoll* bits
};

class Poller {
 public:
  [[nodiscard]] Status Open();
  // Starts watching `s` for `events`, reported with `tag`. false: the
  // call failed (errno set).
  bool Watch(Socket s, uint64_t tag, uint32_t events);
  // Changes what a watched socket is watched for.
  bool Change(Socket s, uint64_t tag, uint32_t events);
  // Stops watching `s` (it stays open).
  void Unwatch(Socket s);
  // Call before closing a watched socket. epoll drops a closed descriptor
  // itself, so this is nothing on Linux; select must not see a closed one.
  void Forget([[maybe_unused]] Socket s) {
#ifdef _WIN32
    interest_.erase(s);
#endif
  }
  // Waits up to `timeout_ms` and fills `ready` with what is ready (at most
  // kMaxEvents on Linux); an interrupted or failed wait leaves it empty.
  void Wait(int timeout_ms, std::vector<PollEvent>& ready);

  static constexpr int kMaxEvents = 256;

 private:
#ifdef _WIN32
  struct Interest {
    uint64_t tag;
    uint32_t events;
  };
  std::unordered_map<Socket, Interest> interest_;
  std::vector<Socket> read_set_, write_set_, except_set_;  // select's, reused
#else
  UniqueFd epoll_;
#endif
};

}  // namespace cordon::proxy
