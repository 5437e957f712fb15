// The byte relay of an established CONNECT or SOCKS5 tunnel: socket to pipe
// to socket with splice(2), so payload never enters the proxy's memory.
#pragma once

#include <cstddef>
#include <cstdint>

#include "common/unique_fd.h"

namespace cordon::proxy {

// One direction: src socket -> pipe -> dst socket.
struct Direction {
  UniqueFd pipe_read;
  UniqueFd pipe_write;
  size_t pending = 0;             // bytes in the pipe
  bool eof = false;               // src has no more to send
  bool shut = false;              // dst's write side was shut after the last byte
  uint64_t total = 0;             // bytes delivered to dst
  size_t capacity = 64UL * 1024;  // the pipe's size; grown for bulk transfers
  bool grown = false;

  // splice what src has into the pipe. false: fatal error (errno set).
  bool Fill(int src);
  // splice the pipe into dst, and shut dst's write side after the last byte.
  bool Drain(int dst);
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
