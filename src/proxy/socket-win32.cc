// The Windows half of socket.h: Winsock's calls under the Unix names the
// shared proxy code uses, each failure translated into the errno value
// that code tests. Sockets are made non-blocking (ioctlsocket FIONBIO),
// not inherited by child processes (WSA_FLAG_NO_HANDLE_INHERIT, Windows'
// close-on-exec), and with SO_OOBINLINE: urgent data then arrives as
// ordinary bytes, so select()'s exception set (poller-win32.cc) reports
// only a failed connect, never a hostile client's urgent byte.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "common/error.h"
#include "proxy/socket.h"

namespace cordon::proxy {
namespace {

int ErrnoFromWsa(int wsa) {
  switch (wsa) {
    case WSAEWOULDBLOCK:
      return EAGAIN;
    case WSAEINTR:
      return EINTR;
    case WSAEINPROGRESS:
    case WSAEALREADY:
      return EINPROGRESS;
    case WSAECONNREFUSED:
      return ECONNREFUSED;
    case WSAECONNRESET:
      return ECONNRESET;
    case WSAECONNABORTED:
      return ECONNABORTED;
    case WSAETIMEDOUT:
      return ETIMEDOUT;
    case WSAENETUNREACH:
    case WSAENETDOWN:
      return ENETUNREACH;
    case WSAEHOSTUNREACH:
      return EHOSTUNREACH;
    case WSAEMFILE:
      return EMFILE;
    case WSAENOBUFS:
      return ENOBUFS;
    case WSAEADDRNOTAVAIL:
      return EADDRNOTAVAIL;
    case WSAEAFNOSUPPORT:
      return EAFNOSUPPORT;
    case WSAESHUTDOWN:
    case WSAENOTCONN:
      return EPIPE;
    case WSAEACCES:
      return EACCES;
    case WSAENOTSOCK:
    case WSAEBADF:
      return EBADF;
    case WSAEINVAL:
      return EINVAL;
    default:
      return EIO;
  }
}

// errno from the last Winsock failure; returns `result` for chaining.
template <typename T>
T Failed(T result) {
  errno = ErrnoFromWsa(WSAGetLastError());
  return result;
}

int Clamp(size_t n) { return n > 1U << 30 ? 1 << 30 : static_cast<int>(n); }

Socket Prepare(Socket s) {
  if (s == INVALID_SOCKET) return s;
  u_long on = 1;
  BOOL inline_oob = TRUE;
  if (ioctlsocket(s, FIONBIO, &on) != 0 ||
      setsockopt(s, SOL_SOCKET, SO_OOBINLINE, reinterpret_cast<const char*>(&inline_oob),
                 sizeof inline_oob) != 0) {
    const int err = WSAGetLastError();
    closesocket(s);
    WSASetLastError(err);
    return INVALID_SOCKET;
  }
  // An accepted socket is not born non-inheritable as WSASocketW's are. A
  // SOCKET is a kernel handle.
  SetHandleInformation(reinterpret_cast<HANDLE>(s),  // NOLINT(performance-no-int-to-ptr)
                       HANDLE_FLAG_INHERIT, 0);
  return s;
}

}  // namespace

IoResult SocketRead(Socket s, char* buf, size_t n) {
  const int got = recv(s, buf, Clamp(n), 0);
  return got == SOCKET_ERROR ? Failed(-1) : got;
}

IoResult SocketSend(Socket s, const char* buf, size_t n) {
  const int sent = send(s, buf, Clamp(n), 0);  // Winsock raises no SIGPIPE
  return sent == SOCKET_ERROR ? Failed(-1) : sent;
}

Socket OpenStreamSocket(int family) {
  Socket s = Prepare(WSASocketW(family, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                                WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
  return s == INVALID_SOCKET ? Failed(s) : s;
}

int SocketConnect(Socket s, const sockaddr* addr, socklen_t len) {
  if (connect(s, addr, len) == 0) return 0;
  // A non-blocking connect under way is WSAEWOULDBLOCK on Winsock.
  const int wsa = WSAGetLastError();
  errno = wsa == WSAEWOULDBLOCK ? EINPROGRESS : ErrnoFromWsa(wsa);
  return -1;
}

Socket AcceptSocket(Socket listener) {
  Socket s = accept(listener, nullptr, nullptr);
  if (s == INVALID_SOCKET) {
    // A connection reset before it was accepted is Linux's ECONNABORTED:
    // the next one is tried, the listener is not paused.
    const int wsa = WSAGetLastError();
    errno = wsa == WSAECONNRESET ? ECONNABORTED : ErrnoFromWsa(wsa);
    return s;
  }
  s = Prepare(s);
  return s == INVALID_SOCKET ? Failed(s) : s;
}

int PendingSocketError(Socket s) {
  int err = 0;
  int len = sizeof err;
  if (getsockopt(s, SOL_SOCKET, SO_ERROR, reinterpret_cast<char*>(&err), &len) != 0) {
    return ErrnoFromWsa(WSAGetLastError());
  }
  return err == 0 ? 0 : ErrnoFromWsa(err);
}

void SetNoDelay(Socket s) {
  BOOL one = TRUE;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, reinterpret_cast<const char*>(&one), sizeof one);
}

void ShutWrite(Socket s) { shutdown(s, SD_SEND); }

// The Windows C runtime's strerror knows only the classic values; the
// socket ones get their words here.
std::string SocketErrorText(int err) {
  switch (err) {
    case EAGAIN:
      return "Resource temporarily unavailable";
    case EINPROGRESS:
      return "Operation now in progress";
    case ECONNREFUSED:
      return "Connection refused";
    case ECONNRESET:
      return "Connection reset by peer";
    case ECONNABORTED:
      return "Software caused connection abort";
    case ETIMEDOUT:
      return "Connection timed out";
    case ENETUNREACH:
      return "Network is unreachable";
    case EHOSTUNREACH:
      return "No route to host";
    case ENOBUFS:
      return "No buffer space available";
    case EADDRNOTAVAIL:
      return "Cannot assign requested address";
    case EAFNOSUPPORT:
      return "Address family not supported by protocol";
    default:
      return std::strerror(err);
  }
}

// getaddrinfo's failures are Winsock error codes. FormatMessageA rather
// than gai_strerrorA, whose buffer is static: lookups run on many threads.
std::string LookupErrorText(int rc) {
  char text[256] = {};
  DWORD n = FormatMessageA(FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS, nullptr,
                           static_cast<DWORD>(rc), 0, text, sizeof text, nullptr);
  while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == '\r' || text[n - 1] == '.')) --n;
  if (n == 0) return "Winsock error " + std::to_string(rc);
  return std::string(text, n);
}

Status StartSockets() {
  WSADATA data{};
  const int rc = WSAStartup(MAKEWORD(2, 2), &data);
  if (rc != 0) return PlainError("WSAStartup", "proxy", "Winsock error " + std::to_string(rc));
  return {};
}

Status SetNonBlocking(Socket s, const char* what) {
  u_long on = 1;
  if (ioctlsocket(s, FIONBIO, &on) != 0) {
    const int wsa = WSAGetLastError();
    return PlainError("ioctlsocket(FIONBIO)", what, "Winsock error " + std::to_string(wsa));
  }
  return {};
}

}  // namespace cordon::proxy
