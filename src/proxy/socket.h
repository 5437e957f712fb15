// The proxy's sockets on each platform: the handle type, its owner, and the
// calls the event loop makes on it, with the Unix names and errno. On
// Linux each call is the system call the proxy always made (inline, so the
// hot path is unchanged); on Windows (socket-win32.cc) it is the Winsock
// call, its failure translated from WSAGetLastError() into the errno value
// the shared code tests (WSAEWOULDBLOCK is EAGAIN, a connect in progress
// is EINPROGRESS), so connection.cc and server.cc read the same on both.
#pragma once

#include <cstddef>
#include <string>

#include "common/result.h"
#include "policy/socket_headers.h"

#ifdef _WIN32
#include <utility>
#else
#include <netdb.h>
#include <netinet/tcp.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/unique_fd.h"
#endif

namespace cordon::proxy {

#ifdef _WIN32

using Socket = SOCKET;
// What send/recv return (ssize_t on Unix; int on Winsock).
using IoResult = int;

// Sole owner of a Winsock socket, closed (closesocket) on destruction.
class UniqueSocket {
 public:
  UniqueSocket() = default;
  explicit UniqueSocket(Socket s) : s_(s) {}
  UniqueSocket(UniqueSocket&& o) noexcept : s_(std::exchange(o.s_, INVALID_SOCKET)) {}
  UniqueSocket& operator=(UniqueSocket&& o) noexcept {
    if (this != &o) Reset(std::exchange(o.s_, INVALID_SOCKET));
    return *this;
  }
  UniqueSocket(const UniqueSocket&) = delete;
  UniqueSocket& operator=(const UniqueSocket&) = delete;
  ~UniqueSocket() { Reset(); }

  [[nodiscard]] Socket get() const { return s_; }
  [[nodiscard]] bool valid() const { return s_ != INVALID_SOCKET; }
  [[nodiscard]] Socket Release() { return std::exchange(s_, INVALID_SOCKET); }
  void Reset(Socket s = INVALID_SOCKET) {
    if (s_ != INVALID_SOCKET) closesocket(s_);
    s_ = s;
  }

 private:
  Socket s_ = INVALID_SOCKET;
};

[[nodiscard]] IoResult SocketRead(Socket s, char* buf, size_t n);
[[nodiscard]] inline IoResult SocketRecv(Socket s, char* buf, size_t n) {
  return SocketRead(s, buf, n);
}
[[nodiscard]] IoResult SocketSend(Socket s, const char* buf, size_t n);
[[nodiscard]] Socket OpenStreamSocket(int family);
[[nodiscard]] int SocketConnect(Socket s, const sockaddr* addr, socklen_t len);
[[nodiscard]] Socket AcceptSocket(Socket listener);
[[nodiscard]] int PendingSocketError(Socket s);
void SetNoDelay(Socket s);
void ShutWrite(Socket s);
[[nodiscard]] std::string SocketErrorText(int err);
[[nodiscard]] std::string LookupErrorText(int rc);

#else

using Socket = int;
using IoResult = ssize_t;
using UniqueSocket = UniqueFd;

// read(2): a socket, or the draining client.
[[nodiscard]] inline IoResult SocketRead(Socket s, char* buf, size_t n) { return read(s, buf, n); }
// recv(2): the client's request bytes.
[[nodiscard]] inline IoResult SocketRecv(Socket s, char* buf, size_t n) {
  return recv(s, buf, n, 0);
}
// send(2) without SIGPIPE: a peer that went away is an EPIPE, not a signal.
[[nodiscard]] inline IoResult SocketSend(Socket s, const char* buf, size_t n) {
  return send(s, buf, n, MSG_NOSIGNAL);
}
// A non-blocking, close-on-exec TCP socket; -1 with errno.
[[nodiscard]] inline Socket OpenStreamSocket(int family) {
  return socket(family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
}
// connect(2): 0, or -1 with errno (EINPROGRESS: wait for writability).
[[nodiscard]] inline int SocketConnect(Socket s, const sockaddr* addr, socklen_t len) {
  return connect(s, addr, len);
}
// The next connection, non-blocking and close-on-exec; -1 with errno.
[[nodiscard]] inline Socket AcceptSocket(Socket listener) {
  return accept4(listener, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
}
// SO_ERROR: a non-blocking connect's result (0: connected).
[[nodiscard]] inline int PendingSocketError(Socket s) {
  int err = 0;
  socklen_t len = sizeof err;
  if (getsockopt(s, SOL_SOCKET, SO_ERROR, &err, &len) != 0) err = errno;
  return err;
}
inline void SetNoDelay(Socket s) {
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}
inline void ShutWrite(Socket s) { shutdown(s, SHUT_WR); }
// An errno value (from these calls) in words.
[[nodiscard]] inline std::string SocketErrorText(int err) { return std::strerror(err); }
// A getaddrinfo failure in words.
[[nodiscard]] inline std::string LookupErrorText(int rc) { return gai_strerror(rc); }

#endif

// Readies the process for the proxy's sockets. Windows: WSAStartup (a
// reference count in ws2_32, never released: the proxy may start again in
// the same process). Linux: raises the open-file soft limit to the hard
// limit, since each tunnel holds six descriptors and the default 1024 would
// cap the proxy near 170 of them.
[[nodiscard]] Status StartSockets();
// A listener made blocking elsewhere (in the sandbox) must not block accept.
[[nodiscard]] Status SetNonBlocking(Socket s, const char* what);

}  // namespace cordon::proxy
