// The Linux half of tunnel.h: splice(2) through a pipe per direction.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "proxy/tunnel.h"

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

bool Direction::opened() const { return pipe_read.valid(); }

bool Direction::Fill(Socket src) {
  while (!eof && !full() && limit > 0) {
    const size_t want = static_cast<size_t>(std::min<uint64_t>(capacity - pending, limit));
    ssize_t n = splice(src, nullptr, pipe_write.get(), nullptr, want, kFlags);
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
  if (eof && shut_on_eof && !shut) {
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

bool Direction::Open() {
  int p[2];
  if (pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) return false;
  pipe_read.Reset(p[0]);
  pipe_write.Reset(p[1]);
  return true;
}

bool Tunnel::Open() {
  if (!up.Open() || !down.Open()) return false;
  open = true;
  return true;
}

}  // namespace cordon::proxy
