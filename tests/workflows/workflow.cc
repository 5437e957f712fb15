#include "workflow.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <sstream>
#include <stdexcept>

namespace cordon::wf {

using it::RunResult;

std::string FindTool(const std::string& name) {
  // The test's own PATH (SandboxTest's env_), not the caller's: a tool
  // found only under a user's pyenv or nvm would not be the one a run sees.
  std::stringstream path("/usr/local/bin:/usr/bin:/bin");
  for (std::string dir; std::getline(path, dir, ':');) {
    std::string candidate = dir;
    candidate.append("/").append(name);
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

namespace {

// A listening TCP socket on 127.0.0.1 with a kernel-chosen port.
int ListenLoopback(int* port) {
  int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + strerror(errno));
  sockaddr_in sin{};
  sin.sin_family = AF_INET;
  sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof sin;
  if (bind(fd, reinterpret_cast<sockaddr*>(&sin), len) != 0 || listen(fd, 16) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&sin), &len) != 0) {
    int saved = errno;
    close(fd);
    throw std::runtime_error(std::string("bind/listen 127.0.0.1:0: ") + strerror(saved));
  }
  *port = ntohs(sin.sin_port);
  return fd;
}

}  // namespace

int FreeLoopbackPort() {
  int port = 0;
  close(ListenLoopback(&port));
  return port;
}

PongServer::PongServer() : token_(it::RandomToken()) {
  fd_ = ListenLoopback(&port_);
  thread_ = std::thread([this] { Serve(); });
}

PongServer::~PongServer() {
  stop_ = true;
  thread_.join();
  close(fd_);
}

void PongServer::Serve() {
  while (!stop_) {
    pollfd pfd = {fd_, POLLIN, 0};
    if (poll(&pfd, 1, 50) <= 0) continue;
    int conn = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) continue;
    ++accepted_;
    // One line in, one line out; a client that sends nothing gets the
    // answer after a second anyway.
    pollfd in = {conn, POLLIN, 0};
    if (poll(&in, 1, 1000) > 0) {
      char buf[256];
      (void)!read(conn, buf, sizeof buf);
    }
    std::string reply = "pong-" + token_ + "\n";
    (void)!write(conn, reply.data(), reply.size());
    close(conn);
  }
}

WorkflowTest::WorkflowTest() : host_env_(env_) {
  host_env_["GIT_CEILING_DIRECTORIES"] = root_.path();
}

RunResult WorkflowTest::User(const std::string& cwd, const std::vector<std::string>& opts,
                             const std::vector<std::string>& cmd, double timeout_s) {
  std::vector<std::string> argv = it::TierPrefix();
  argv.insert(argv.end(), {it::CordonBin(), "run"});
  // The namespaces pass tests that tier: a refused user namespace fails the
  // run instead of quietly testing the namespace-less one.
  if (!it::NamespacelessTier()) argv.emplace_back("--require-namespaces");
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.emplace_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  RunResult r = it::RunProcess(argv, env_, cwd, timeout_s);
  EXPECT_FALSE(r.timed_out) << "cordon run did not finish in " << timeout_s << " s\n"
                            << r.Describe();
  const std::string& secret = fake_home_.secret();
  EXPECT_EQ(r.out.find(secret), std::string::npos) << "a secret of the home leaked\n"
                                                   << r.Describe();
  EXPECT_EQ(r.err.find(secret), std::string::npos) << "a secret of the home leaked\n"
                                                   << r.Describe();
  return r;
}

RunResult WorkflowTest::UserSh(const std::string& cwd, const std::string& script,
                               const std::vector<std::string>& opts, double timeout_s) {
  return User(cwd, opts, {"/bin/sh", "-c", script}, timeout_s);
}

std::string WorkflowTest::HostIn(const std::string& cwd, const std::vector<std::string>& argv) {
  RunResult r = it::RunProcess(argv, host_env_, cwd, 120);
  EXPECT_EQ(r.exit_code, 0) << "host command failed\n" << r.Describe();
  return r.exit_code == 0 ? r.out : "";
}

std::string WorkflowTest::Git(const std::string& dir, const std::vector<std::string>& args) {
  std::vector<std::string> argv = {"/usr/bin/git", "-C", dir};
  argv.insert(argv.end(), args.begin(), args.end());
  return HostIn(dir, argv);
}

}  // namespace cordon::wf
