// Loopback sockets for the Windows proxy tests (proxy_test.cc serves the
// proxy itself, online_test.cc as an online run starts it): a listener on
// 127.0.0.1, a client, whole sends, reads with a deadline, and the
// destination server that counts the connections it really accepted.
#pragma once

#include <winsock2.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

namespace cordon::wintest {

inline SOCKET Listen(uint16_t* port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  int len = sizeof a;
  if (s == INVALID_SOCKET || bind(s, reinterpret_cast<sockaddr*>(&a), len) != 0 ||
      listen(s, 16) != 0 || getsockname(s, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    std::fprintf(stderr, "cannot listen on 127.0.0.1: Winsock error %d\n", WSAGetLastError());
    if (s != INVALID_SOCKET) closesocket(s);
    return INVALID_SOCKET;
  }
  *port = ntohs(a.sin_port);
  return s;
}

// A port nobody listens on now (the system picked it; closed again).
inline uint16_t FreePort() {
  uint16_t port = 0;
  SOCKET s = Listen(&port);
  if (s != INVALID_SOCKET) closesocket(s);
  return port;
}

inline SOCKET Connect(uint16_t port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    closesocket(s);
    return INVALID_SOCKET;
  }
  return s;
}

inline bool SendAll(SOCKET s, const std::string& data) {
  size_t done = 0;
  while (done < data.size()) {
    int n = send(s, data.data() + done, static_cast<int>(data.size() - done), 0);
    if (n <= 0) return false;
    done += static_cast<size_t>(n);
  }
  return true;
}

inline bool Readable(SOCKET s, int timeout_ms) {
  fd_set set;
  FD_ZERO(&set);
  FD_SET(s, &set);
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  return select(0, &set, nullptr, nullptr, &tv) == 1;
}

// `out` and what arrives after it until `needle` has (empty: until EOF),
// EOF, or 5 s of silence ("TIMEOUT" appended).
inline std::string ReadUntil(SOCKET s, const std::string& needle, std::string out = {}) {
  while (needle.empty() || out.find(needle) == std::string::npos) {
    if (!Readable(s, 5000)) return out + "TIMEOUT";
    char buf[4096];
    int n = recv(s, buf, sizeof buf, 0);
    if (n <= 0) return out;
    out.append(buf, static_cast<size_t>(n));
  }
  return out;
}

// The destination: a loopback server on its own thread that counts the
// connections it accepts and keeps each one's request. A GET gets a small
// HTTP response; anything else is a line, answered "echo:" and the line.
class Destination {
 public:
  Destination() : listener_(Listen(&port_)) {
    thread_ = std::thread([this] { Serve(); });
  }
  ~Destination() {
    stop_ = true;
    thread_.join();
    closesocket(listener_);
  }
  Destination(const Destination&) = delete;
  Destination& operator=(const Destination&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] int connections() const { return connections_; }
  [[nodiscard]] std::vector<std::string> requests() {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void Serve() {
    while (!stop_) {
      if (!Readable(listener_, 100)) continue;
      SOCKET c = accept(listener_, nullptr, nullptr);
      if (c == INVALID_SOCKET) continue;
      ++connections_;
      std::string request = ReadUntil(c, "\n");
      if (request.starts_with("GET ")) {
        request = ReadUntil(c, "\r\n\r\n", std::move(request));
        (void)SendAll(c, "HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nfrom-server");
      } else {
        (void)SendAll(c, "echo:" + request);
      }
      {
        std::lock_guard lock(mu_);
        requests_.push_back(request);
      }
      shutdown(c, SD_SEND);
      (void)ReadUntil(c, "");  // until the proxy closes its side
      closesocket(c);
    }
  }

  uint16_t port_ = 0;
  SOCKET listener_;
  std::atomic<bool> stop_{false};
  std::atomic<int> connections_{0};
  std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

}  // namespace cordon::wintest
