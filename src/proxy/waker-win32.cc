// The Windows half of waker.h: a non-blocking UDP socket bound to an
// ephemeral port of 127.0.0.1 and connected to that same address, so a
// byte it sends itself makes it readable. Nothing else can reach it: a
// connected UDP socket takes datagrams only from its peer, itself.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <string>

#include "common/error.h"
#include "proxy/waker.h"

namespace cordon::proxy {
namespace {

Error WsaError(const char* op, const char* what) {
  return PlainError(op, what, "Winsock error " + std::to_string(WSAGetLastError()));
}

}  // namespace

Status Waker::Open(const char* what) {
  UniqueSocket s(WSASocketW(AF_INET, SOCK_DGRAM, IPPROTO_UDP, nullptr, 0,
                            WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
  if (!s.valid()) return WsaError("WSASocketW(UDP)", what);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof addr;
  if (bind(s.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    return WsaError("bind(127.0.0.1:0)", what);
  }
  if (getsockname(s.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    return WsaError("getsockname", what);
  }
  if (connect(s.get(), reinterpret_cast<const sockaddr*>(&addr), len) != 0) {
    return WsaError("connect(itself)", what);
  }
  u_long on = 1;
  if (ioctlsocket(s.get(), FIONBIO, &on) != 0) return WsaError("ioctlsocket(FIONBIO)", what);
  handle_ = std::move(s);
  return {};
}

void Waker::Signal() {
  // A full buffer already holds a wake-up: a failed send loses nothing.
  const char one = 1;
  (void)send(handle_.get(), &one, 1, 0);
}

void Waker::Clear() {
  char sink[64];
  while (recv(handle_.get(), sink, sizeof sink, 0) > 0) {
  }
}

}  // namespace cordon::proxy
