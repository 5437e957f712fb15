#include "proxy/tunnel.h"

#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace cordon::proxy {
namespace {

// The kernel's default pipe size; pages are only used while bytes wait, so
// an idle tunnel holds no buffer memory.
constexpr size_t kPipeBytes = 64 * 1024;
constexpr unsigned kFlags = SPLICE_F_NONBLOCK | SPLICE_F_MOVE;

bool Transient(int err) { return err == EAGAIN || err == EINTR; }

}  // namespace

bool Direction::full() const { return pending >= kPipeBytes; }

bool Direction::Fill(int src) {
  while (!eof && !full()) {
    ssize_t n = splice(src, nullptr, pipe_write.get(), nullptr, kPipeBytes - pending, kFlags);
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
