// The byte relay of an established CONNECT or SOCKS5 tunnel. On Linux
// (tunnel-unix.cc) socket to pipe to socket with splice(2), so payload
// never enters the proxy's memory; on Windows (tunnel-win32.cc), which has
// no splice, recv into a buffer of the same capacity and send from it. HTTP
// forwarding relays a response body of known extent (Content-Length, or
// until the server closes) through one Direction, bounded by `limit` so no
// byte past the message's end is taken.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>

#include "proxy/socket.h"

#ifdef _WIN32
#include <memory>
#else
#include "common/unique_fd.h"
#endif

namespace cordon::proxy {

// One direction: src socket -> pipe (Windows: buffer) -> dst socket.
struct Direction {
#ifdef _WIN32
  std::unique_ptr<char[]> buffer;  // `pending` bytes from `start`
  size_t start = 0;
#else
  UniqueFd pipe_read;
  UniqueFd pipe_write;
#endif
  size_t pending = 0;                   // bytes in the pipe
  bool eof = false;                     // src has no more to send
  bool shut = false;                    // dst's write side was shut after the last byte
  uint64_t total = 0;                   // bytes delivered to dst
  size_t capacity = size_t{64} * 1024;  // the pipe's size; grown for bulk transfers
  bool grown = false;
  // Bytes Fill may still take from src: the rest of a message's body. A
  // tunnel has no bound.
  uint64_t limit = std::numeric_limits<uint64_t>::max();
  // Drain shuts dst's write side after src's last byte (a tunnel); HTTP
  // forwarding ends the exchange itself.
  bool shut_on_eof = true;

  // Makes the pipe. false: errno set.
  bool Open();
  [[nodiscard]] bool opened() const;
  // splice what src has into the pipe, at most `limit` bytes. false: fatal
  // error (errno set).
  bool Fill(Socket src);
  // splice the pipe into dst, and shut dst's write side after the last byte
  // (if shut_on_eof).
  bool Drain(Socket dst);
  [[nodiscard]] bool full() const;
  void Grow();
};

struct Tunnel {
  Direction up;    // client -> upstream
  Direction down;  // upstream -> client
  bool open = false;

  // Makes the two pipes. false: errno set.
  bool Open();
  [[nodiscard]] bool finished() const { return up.shut && down.shut; }
};

}  // namespace cordon::proxy
