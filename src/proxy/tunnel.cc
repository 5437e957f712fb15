#include "proxy/tunnel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace cordon::proxy {
namespace {

// Pipes start at the kernel's default 64 KiB; pages are only used while
// bytes wait, so an idle tunnel holds no buffer memory. A tunnel that has
// carried a few MiB gets a bigger pipe: fewer splice calls (and wake-ups)
// per byte, which is most of the relay's cost on bulk transfers. Capacity
// counts against the user's pipe quota, so only busy tunnels grow.
constexpr size_t kBulkPipeBytes = 1024UL * 1024;
constexpr uint64_t kBulkAfter = 4ULL * 1024 * 1024;
constexpr unsigned kFlags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;

bool Transient(int err) { return err == EAGAIN || err == EINTR; }

}  // namespace

bool Direction::full() const { return pending >= capacity; }

bool Direction::Fill(int src) {
  while (!eof && !full()) {
    ssize_t n = splice(src, nullptr, pipe_write.get(), nullptr, capacity - pending, kFlags);
    if (n > 0) {
      pending += static_cast<size_t>(n);
    } else if (n == 0) {
      eof = true;
    } else {
      return Transient(errno);
    }
  }
  return true;
}

bool Direction::Drain(int dst) {
  while (pending > 0) {
    ssize_t n = splice(pipe_read.get(), nullptr, dst, nullptr, pending, kFlags);
    if (n > 0) {
      pending -= static_cast<size_t>(n);
      total += static_cast<uint64_t>(n);
      if (total >= kBulkAfter && !grown) Grow();
    } else if (n < 0 && Transient(errno)) {
      return true;
    } else {
      if (n == 0) errno = EPIPE;
      return false;
    }
  }
  if (eof && !shut) {
    shut = true;
    shutdown(dst, SHUT_WR);
  }
  return true;
}

void Direction::Grow() {
  grown = true;  // refused (quota, pipe-max-size): keep the default, try no more
  int size = fcntl(pipe_write.get(), F_SETPIPE_SZ, static_cast<int>(kBulkPipeBytes));
  if (size > 0) capacity = static_cast<size_t>(size);
}

bool Tunnel::Open() {
  int a[2];
  int b[2];
  if (pipe2(a, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  if (pipe2(b, O_CLOEXEC | O_NONBLOCK) != 0) {
    close(a[0]);
    close(a[1]);
    return false;
  }
  up.pipe_read.Reset(a[0]);
  up.pipe_write.Reset(a[1]);
  down.pipe_read.Reset(b[0]);
  down.pipe_write.Reset(b[1]);
  open = true;
  return true;
}

}  // namespace cordon::proxy
