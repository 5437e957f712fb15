#include "http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <utility>

namespace cordon::it {
namespace {

[[noreturn]] void Throw(const std::string& what) {
  throw std::runtime_error(what + ": " + std::to_string(errno));
}

// Reads one request head (through the empty line), waiting at most 5 s.
std::string ReadHead(int fd) {
  std::string head;
  while (head.find("\r\n\r\n") == std::string::npos && head.size() < 65536) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 5000) <= 0) break;
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    head.append(buf, static_cast<size_t>(n));
  }
  return head;
}

void SendAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n <= 0) return;
    off += static_cast<size_t>(n);
  }
}

}  // namespace

HttpServer::HttpServer(const std::string& address, std::string root) : root_(std::move(root)) {
  const bool v6 = address.find(':') != std::string::npos;
  fd_ = socket(v6 ? AF_INET6 : AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd_ < 0) Throw("socket");
  sockaddr_storage ss{};
  socklen_t len = 0;
  if (v6) {
    auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
    a->sin6_family = AF_INET6;
    inet_pton(AF_INET6, address.c_str(), &a->sin6_addr);
    len = sizeof *a;
  } else {
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    inet_pton(AF_INET, address.c_str(), &a->sin_addr);
    len = sizeof *a;
  }
  if (bind(fd_, reinterpret_cast<sockaddr*>(&ss), len) != 0) Throw("bind " + address);
  if (listen(fd_, 64) != 0) Throw("listen");
  len = sizeof ss;
  getsockname(fd_, reinterpret_cast<sockaddr*>(&ss), &len);
  port_ = ntohs(v6 ? reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port
                   : reinterpret_cast<sockaddr_in*>(&ss)->sin_port);
  if (pipe2(stop_, O_CLOEXEC) != 0) Throw("pipe2");
  thread_ = std::thread([this] { Serve(); });
}

HttpServer::~HttpServer() {
  (void)!write(stop_[1], "x", 1);
  thread_.join();
  close(fd_);
  close(stop_[0]);
  close(stop_[1]);
}

std::vector<std::string> HttpServer::requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}

std::string HttpServer::Greeting(const std::string& path) {
  return "hello from the cordon test server: " + path + "\n";
}

void HttpServer::Serve() {
  for (;;) {
    pollfd p[2] = {{fd_, POLLIN, 0}, {stop_[0], POLLIN, 0}};
    if (poll(p, 2, -1) < 0) continue;
    if (p[1].revents) return;
    int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) continue;
    ++connections_;
    Handle(c);
    close(c);
  }
}

void HttpServer::Handle(int fd) {
  std::string head = ReadHead(fd);
  std::string line = head.substr(0, head.find("\r\n"));
  {
    std::lock_guard lock(mu_);
    requests_.push_back(line);
  }
  std::istringstream in(line);
  std::string method;
  std::string path;
  in >> method >> path;
  std::string body = Greeting(path);
  int status = 200;
  if (!root_.empty()) {
    std::ifstream file(root_ + path.substr(0, path.find('?')), std::ios::binary);
    if (file && path.find("..") == std::string::npos) {
      std::ostringstream all;
      all << file.rdbuf();
      body = all.str();
    } else {
      status = 404;
      body = "not found\n";
    }
  }
  std::string response =
      "HTTP/1.1 " + std::to_string(status) + (status == 200 ? " OK" : " Not Found") +
      "\r\nContent-Type: text/plain\r\nContent-Length: " + std::to_string(body.size()) +
      "\r\nConnection: close\r\n\r\n";
  if (method != "HEAD") response += body;
  SendAll(fd, response);
}

int FreePort() {
  int s = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(s, reinterpret_cast<sockaddr*>(&a), len) != 0) Throw("bind");
  getsockname(s, reinterpret_cast<sockaddr*>(&a), &len);
  close(s);
  return ntohs(a.sin_port);
}

}  // namespace cordon::it
