// A loopback HTTP/1.1 origin server for the proxy tests: it answers every
// request (files from a directory for git's dumb HTTP, else a greeting that
// names the path) and records what reached it, so a test can prove that a
// request did, or did not, get through.
#pragma once

#include <atomic>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace cordon::it {

class HttpServer {
 public:
  // Listens on `address` (127.0.0.1 or ::1) at an ephemeral port. With
  // `root`, GET /PATH serves ROOT/PATH when that file exists.
  explicit HttpServer(const std::string& address = "127.0.0.1", std::string root = "");
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] int connections() const { return connections_; }
  // Request lines received, e.g. "GET /hello HTTP/1.1".
  [[nodiscard]] std::vector<std::string> requests() const;
  // The greeting body for `path`.
  static std::string Greeting(const std::string& path);

 private:
  void Serve();
  void Handle(int fd);

  int fd_ = -1;
  int stop_[2] = {-1, -1};
  int port_ = 0;
  std::string root_;
  std::atomic<int> connections_{0};
  mutable std::mutex mu_;
  std::vector<std::string> requests_;
  std::thread thread_;
};

// A free TCP port on 127.0.0.1 (bound and released; for servers started as
// separate programs, such as openssl s_server).
int FreePort();

}  // namespace cordon::it
