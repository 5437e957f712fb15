// The Windows half of tunnel.h: Windows has no splice, so each direction
// is a plain copy: recv into a buffer of the pipe's capacity, send from it.
// The buffer is allocated when the tunnel opens and freed with it; the
// flow control is the pipe's (a full buffer stops reading src).
#include <algorithm>
#include <cerrno>
#include <cstring>

#include "proxy/tunnel.h"

namespace cordon::proxy {
namespace {

bool Transient(int err) { return err == EAGAIN || err == EINTR; }

}  // namespace

bool Direction::full() const { return pending >= capacity; }

bool Direction::opened() const { return buffer != nullptr; }

bool Direction::Fill(Socket src) {
  while (!eof && !full() && limit > 0) {
    // Keep the bytes at the front so the free space is one run.
    if (start > 0) {
      std::memmove(buffer.get(), buffer.get() + start, pending);
      start = 0;
    }
    const size_t want = static_cast<size_t>(std::min<uint64_t>(capacity - pending, limit));
    IoResult n = SocketRead(src, buffer.get() + pending, want);
    if (n > 0) {
      pending += static_cast<size_t>(n);
      limit -= static_cast<uint64_t>(n);
    } else if (n == 0) {
      eof = true;
    } else {
      return Transient(errno);
    }
  }
  return true;
}

bool Direction::Drain(Socket dst) {
  while (pending > 0) {
    IoResult n = SocketSend(dst, buffer.get() + start, pending);
    if (n > 0) {
      pending -= static_cast<size_t>(n);
      start = pending == 0 ? 0 : start + static_cast<size_t>(n);
      total += static_cast<uint64_t>(n);
    } else if (n < 0 && Transient(errno)) {
      return true;
    } else {
      if (n == 0) errno = EPIPE;
      return false;
    }
  }
  if (eof && shut_on_eof && !shut) {
    shut = true;
    ShutWrite(dst);
  }
  return true;
}

// The buffer is the proxy's own memory: it stays at the pipe's default
// size, however much the tunnel carries.
void Direction::Grow() { grown = true; }

bool Direction::Open() {
  buffer = std::make_unique<char[]>(capacity);
  start = 0;
  return true;
}

bool Tunnel::Open() {
  if (!up.Open() || !down.Open()) return false;
  open = true;
  return true;
}

}  // namespace cordon::proxy
