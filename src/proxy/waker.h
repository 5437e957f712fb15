// Wakes the proxy's loop from another thread: a socket-like handle the
// poller watches for reading, made readable by Signal() and quiet again by
// Clear(). Linux (waker-unix.cc): an eventfd. Windows (waker-win32.cc): a
// UDP socket on 127.0.0.1 connected to itself, since select() watches
// only sockets; a datagram it sends itself is the signal.
#pragma once

#include "common/result.h"
#include "proxy/socket.h"

namespace cordon::proxy {

class Waker {
 public:
  [[nodiscard]] Status Open(const char* what);
  [[nodiscard]] bool ok() const { return handle_.valid(); }
  // What the poller watches (kPollIn).
  [[nodiscard]] Socket handle() const { return handle_.get(); }
  // Any thread; wake-ups before the next Clear may merge into one.
  void Signal();
  // The loop thread, after waking.
  void Clear();

 private:
  UniqueSocket handle_;
};

}  // namespace cordon::proxy
