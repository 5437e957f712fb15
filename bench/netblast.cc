// Loopback traffic for bench/proxy.sh: a server, and clients that go to it
// directly or through cordon's proxy (HTTP CONNECT, or plain HTTP
// forwarding), measuring themselves so sandbox start-up never enters the
// figures.
//
//   netblast serve PORT_FILE [RATE]      answers "GET /N" with N zero bytes,
//                                        paced to RATE bytes/s if given (a
//                                        link slower than loopback); a
//                                        request line with a version gets
//                                        an HTTP/1.1 head with
//                                        Content-Length first
//   netblast fetch PROXY|- PORT BYTES    one transfer; prints MiB/s
//   netblast get PROXY|env|- PORT BYTES  one transfer as an HTTP/1.1 GET,
//                                        absolute-form through the proxy
//                                        ("env": the one $http_proxy or
//                                        $HTTP_PROXY names, as HTTP clients
//                                        find it); prints MiB/s of body
//   netblast latency PROXY|- PORT N      N short requests; prints the median
//                                        and p90 setup-to-first-byte in us
//   netblast hold PROXY PORT N FILE      opens N tunnels, writes FILE, waits
//                                        for stdin to close
// PROXY is "127.0.0.1:3128"; "-" connects directly. The server is always
// 127.0.0.1.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

namespace {

using Clock = std::chrono::steady_clock;

[[noreturn]] void Die(const char* what) {
  std::perror(what);
  std::exit(1);
}

int Connect(int port) {
  int s = socket(AF_INET, SOCK_STREAM, 0);
  if (s < 0) Die("socket");
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) Die("connect");
  int one = 1;
  setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return s;
}

void SendAll(int s, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(s, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) Die("send");
    off += static_cast<size_t>(n);
  }
}

std::string ReadHead(int s) {
  std::string head;
  char c;
  while (head.find("\r\n\r\n") == std::string::npos) {
    if (recv(s, &c, 1, 0) != 1) Die("recv head");
    head += c;
  }
  return head;
}

// Opens a connection to 127.0.0.1:port, through the proxy when given.
int Open(const std::string& proxy, int port) {
  if (proxy == "-") return Connect(port);
  int s = Connect(std::atoi(proxy.substr(proxy.find(':') + 1).c_str()));
  SendAll(s, "CONNECT 127.0.0.1:" + std::to_string(port) + " HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  std::string head = ReadHead(s);
  if (head.compare(0, 12, "HTTP/1.1 200") != 0) {
    std::fprintf(stderr, "proxy refused: %s\n", head.c_str());
    std::exit(1);
  }
  return s;
}

void Serve(const char* port_file, unsigned rate) {
  int l = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(l, reinterpret_cast<sockaddr*>(&a), len) != 0 || listen(l, 4096) != 0) Die("listen");
  getsockname(l, reinterpret_cast<sockaddr*>(&a), &len);
  std::ofstream(port_file) << ntohs(a.sin_port) << "\n";
  for (;;) {
    int c = accept(l, nullptr, nullptr);
    if (c < 0) continue;
    if (rate > 0) setsockopt(c, SOL_SOCKET, SO_MAX_PACING_RATE, &rate, sizeof rate);
    std::thread([c] {
      std::string head;
      char buf[256];
      while (head.find("\r\n\r\n") == std::string::npos) {
        ssize_t n = recv(c, buf, sizeof buf, 0);
        if (n <= 0) {
          close(c);
          return;
        }
        head.append(buf, static_cast<size_t>(n));
      }
      long long left = std::atoll(head.c_str() + 5);  // "GET /N"
      const size_t line_end = head.find("\r\n");
      if (head.substr(0, line_end).find(" HTTP/1.") != std::string::npos) {
        SendAll(c, "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(left) + "\r\n\r\n");
      }
      static char zeros[1 << 16];
      while (left > 0) {
        ssize_t n = send(c, zeros, static_cast<size_t>(std::min<long long>(left, sizeof zeros)),
                         MSG_NOSIGNAL);
        if (n <= 0) break;
        left -= n;
      }
      close(c);
    }).detach();
  }
}

void Fetch(const std::string& proxy, int port, long long bytes) {
  int s = Open(proxy, port);
  auto t0 = Clock::now();
  SendAll(s, "GET /" + std::to_string(bytes) + "\r\n\r\n");
  static char buf[1 << 16];
  long long got = 0;
  ssize_t n;
  while ((n = recv(s, buf, sizeof buf, 0)) > 0) got += n;
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (got != bytes) {
    std::fprintf(stderr, "short transfer: %lld of %lld\n", got, bytes);
    std::exit(1);
  }
  std::printf("%.1f\n", static_cast<double>(got) / (1 << 20) / secs);
}

// "127.0.0.1:3128" from $http_proxy or $HTTP_PROXY ("http://127.0.0.1:3128/").
std::string ProxyFromEnv() {
  const char* v = std::getenv("http_proxy");
  if (v == nullptr || *v == '\0') v = std::getenv("HTTP_PROXY");
  if (v == nullptr || *v == '\0') {
    std::fprintf(stderr, "get env: neither http_proxy nor HTTP_PROXY is set\n");
    std::exit(1);
  }
  std::string p = v;
  if (p.starts_with("http://")) p.erase(0, 7);
  if (p.ends_with("/")) p.pop_back();
  return p;
}

void Get(std::string proxy, int port, long long bytes) {
  if (proxy == "env") proxy = ProxyFromEnv();
  const std::string path = "/" + std::to_string(bytes);
  const std::string authority = "127.0.0.1:" + std::to_string(port);
  int s =
      proxy == "-" ? Connect(port) : Connect(std::atoi(proxy.substr(proxy.find(':') + 1).c_str()));
  auto t0 = Clock::now();
  SendAll(s, "GET " + (proxy == "-" ? path : "http://" + authority + path) +
                 " HTTP/1.1\r\nHost: " + authority + "\r\nConnection: close\r\n\r\n");
  std::string head = ReadHead(s);
  if (head.compare(0, 12, "HTTP/1.1 200") != 0) {
    std::fprintf(stderr, "refused: %s\n", head.c_str());
    std::exit(1);
  }
  static char buf[1 << 16];
  long long got = 0;
  ssize_t n;
  while ((n = recv(s, buf, sizeof buf, 0)) > 0) got += n;
  double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  if (got != bytes) {
    std::fprintf(stderr, "short transfer: %lld of %lld\n", got, bytes);
    std::exit(1);
  }
  std::printf("%.1f\n", static_cast<double>(got) / (1 << 20) / secs);
}

void Latency(const std::string& proxy, int port, int count) {
  std::vector<double> us;
  for (int i = 0; i < count; ++i) {
    auto t0 = Clock::now();
    int s = Open(proxy, port);
    SendAll(s, "GET /1\r\n\r\n");
    char c;
    if (recv(s, &c, 1, 0) != 1) Die("recv");
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
    close(s);
  }
  std::sort(us.begin(), us.end());
  std::printf("%.0f %.0f\n", us[us.size() / 2], us[us.size() * 9 / 10]);
}

void Hold(const std::string& proxy, int port, int count, const char* file) {
  std::vector<int> fds;
  for (int i = 0; i < count; ++i) fds.push_back(Open(proxy, port));
  std::ofstream(file) << fds.size() << "\n";
  char c;
  while (read(0, &c, 1) > 0) {
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string mode = argc > 1 ? argv[1] : "";
  if (mode == "serve" && (argc == 3 || argc == 4)) {
    Serve(argv[2], argc == 4 ? static_cast<unsigned>(std::strtoul(argv[3], nullptr, 10)) : 0);
  }
  if (mode == "fetch" && argc == 5)
    Fetch(argv[2], std::atoi(argv[3]), std::atoll(argv[4]));
  else if (mode == "get" && argc == 5)
    Get(argv[2], std::atoi(argv[3]), std::atoll(argv[4]));
  else if (mode == "latency" && argc == 5)
    Latency(argv[2], std::atoi(argv[3]), std::atoi(argv[4]));
  else if (mode == "hold" && argc == 6)
    Hold(argv[2], std::atoi(argv[3]), std::atoi(argv[4]), argv[5]);
  else {
    std::fprintf(stderr, "usage: see the comment at the top of bench/netblast.cc\n");
    return 2;
  }
  return 0;
}
