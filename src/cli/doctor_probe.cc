// `cordon __doctor-probe OP ARG [OP ARG...]`: the hostile side of `cordon
// doctor`, run only inside the sandboxes doctor starts (from a copy of the
// cordon binary in doctor's temp workspace).
//
// Each OP is attempted the way a confined command would, with raw syscalls,
// and reported on one line: "OP ARG ok" or "OP ARG ENAME". Doctor reads the
// lines and, above all, checks the effect on the host itself.
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "common/error.h"
#include "common/unique_fd.h"

namespace cordon::cli {

namespace {

std::string Name(int err) { return ErrnoName(err); }

std::string Result(bool ok) { return ok ? "ok" : Name(errno); }

std::string Write(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644));
  if (!fd.valid()) return Name(errno);
  return Result(::write(fd.get(), "cordon-doctor\n", 14) == 14);
}

// "ok" when content came out: a file read without error, or a directory
// that lists at least one entry.
std::string Read(const std::string& path) {
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) return Name(errno);
  struct stat st;
  if (::fstat(fd.get(), &st) != 0) return Name(errno);
  if (S_ISDIR(st.st_mode)) {
    DIR* dir = ::fdopendir(fd.Release());
    if (dir == nullptr) return Name(errno);
    int entries = 0;
    while (struct dirent* e = ::readdir(dir)) {
      if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) ++entries;
    }
    ::closedir(dir);
    return entries > 0 ? "ok" : "empty";
  }
  char c;
  return Result(::read(fd.get(), &c, 1) >= 0);
}

// Every way to change a file's bytes, mode, owner, ACL or xattrs, or to
// remove it. Reports the first that succeeded, else the last errno.
std::string Tamper(const std::string& path) {
  std::string last = "ENOENT";
  auto attempt = [&](const char* what, bool ok) {
    if (ok) return std::string(what);
    last = Name(errno);
    return std::string();
  };
  for (const std::string& done :
       {attempt("chmod", ::chmod(path.c_str(), 0777) == 0),
        attempt("chown", ::lchown(path.c_str(), ::getuid(), ::getgid()) == 0),
        attempt("setxattr", ::lsetxattr(path.c_str(), "user.cordon-doctor", "x", 1, 0) == 0),
        attempt("removexattr", ::lremovexattr(path.c_str(), "system.posix_acl_access") == 0),
        attempt("append",
                [&] {
                  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW));
                  return fd.valid() && ::write(fd.get(), "x", 1) == 1;
                }()),
        attempt("truncate", ::truncate(path.c_str(), 0) == 0),
        attempt("rename", ::rename(path.c_str(), (path + ".cordon-doctor").c_str()) == 0),
        attempt("unlink", ::unlink(path.c_str()) == 0)}) {
    if (!done.empty()) return "changed-by-" + done;
  }
  return last;
}

std::string Connect(const std::string& host, int port, int type) {
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) return "EINVAL";
  UniqueFd fd(::socket(AF_INET, type | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
  if (!fd.valid()) return Name(errno);
  if (type == SOCK_DGRAM) {
    return Result(::sendto(fd.get(), "cordon-doctor", 13, 0, reinterpret_cast<sockaddr*>(&addr),
                           sizeof addr) == 13);
  }
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) return "ok";
  if (errno != EINPROGRESS) return Name(errno);
  pollfd pfd{fd.get(), POLLOUT, 0};
  if (::poll(&pfd, 1, 3000) <= 0) return "ETIMEDOUT";
  int err = 0;
  socklen_t len = sizeof err;
  ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &err, &len);
  return err == 0 ? "ok" : Name(err);
}

// A CONNECT to `target` through the proxy that $HTTP_PROXY names (how the
// sandbox's programs reach the network): "ok" for 200, else "HTTP<code>",
// or the errno of reaching the proxy itself.
std::string Proxy(const std::string& target) {
  const char* url = std::getenv("HTTP_PROXY");
  std::string proxy = url != nullptr ? url : "";
  if (proxy.rfind("http://", 0) != 0) return "NOPROXY";
  proxy = proxy.substr(7);
  size_t colon = proxy.rfind(':');
  if (colon == std::string::npos) return "NOPROXY";
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(std::atoi(proxy.c_str() + colon + 1)));
  if (::inet_pton(AF_INET, proxy.substr(0, colon).c_str(), &addr.sin_addr) != 1) return "NOPROXY";
  UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Name(errno);
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return Name(errno);
  const std::string request = "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n";
  if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) !=
      static_cast<ssize_t>(request.size())) {
    return Name(errno);
  }
  char status[13] = {};
  size_t got = 0;
  while (got < 12) {
    pollfd pfd{fd.get(), POLLIN, 0};
    if (::poll(&pfd, 1, 5000) <= 0) return "ETIMEDOUT";
    ssize_t n = ::recv(fd.get(), status + got, 12 - got, 0);
    if (n <= 0) return n == 0 ? "EOF" : Name(errno);
    got += static_cast<size_t>(n);
  }
  std::string code(status + 9, 3);  // "HTTP/1.1 200"
  return code == "200" ? "ok" : "HTTP" + code;
}

// A DNS query for `name` to the first nameserver of /etc/resolv.conf: "ok"
// when any answer comes back.
std::string Dns(const std::string& name) {
  std::ifstream in("/etc/resolv.conf");
  std::string server;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("nameserver ", 0) == 0) {
      server = line.substr(11);
      server = server.substr(0, server.find_first_of(" \t"));
      break;
    }
  }
  if (server.empty() || server.find(':') != std::string::npos) server = "1.1.1.1";
  std::string q = {'\x12', '\x34', 1, 0, 0, 1, 0, 0, 0, 0, 0, 0};
  size_t start = 0;
  while (start <= name.size()) {
    size_t dot = name.find('.', start);
    if (dot == std::string::npos) dot = name.size();
    q.push_back(static_cast<char>(dot - start));
    q += name.substr(start, dot - start);
    start = dot + 1;
  }
  q += std::string("\0\0\x01\0\x01", 5);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(53);
  if (::inet_pton(AF_INET, server.c_str(), &addr.sin_addr) != 1) return "EINVAL";
  UniqueFd fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return Name(errno);
  if (::sendto(fd.get(), q.data(), q.size(), 0, reinterpret_cast<sockaddr*>(&addr), sizeof addr) <
      0) {
    return Name(errno);
  }
  pollfd pfd{fd.get(), POLLIN, 0};
  if (::poll(&pfd, 1, 2000) <= 0) return "ETIMEDOUT";
  char buf[512];
  return Result(::recv(fd.get(), buf, sizeof buf, 0) > 0);
}

// A daemon that tries to outlive the run: detached, in its own session,
// its argv carrying `marker` so the host can look for it.
std::string Daemon(const std::string& marker) {
  pid_t pid = ::fork();
  if (pid < 0) return Name(errno);
  if (pid == 0) {
    ::setsid();
    if (::fork() != 0) _exit(0);
    ::signal(SIGHUP, SIG_IGN);
    // Off the run's pipes, so that only the sandbox's teardown can end it.
    int devnull = ::open("/dev/null", O_RDWR);
    for (int fd = 0; devnull >= 0 && fd < 3; ++fd) ::dup2(devnull, fd);
    char self[] = "/proc/self/exe";
    std::string arg = marker;
    char sub[] = "__doctor-probe";
    char op[] = "sleep";
    char* argv[] = {self, sub, op, arg.data(), nullptr};
    ::execv(self, argv);
    _exit(127);
  }
  int status = 0;
  ::waitpid(pid, &status, 0);
  return "ok";
}

// Forks `n` children that wait; "<forked>" or "<forked> EAGAIN" when a
// fork was refused. The children go with the run.
std::string Forks(int n) {
  int forked = 0;
  int err = 0;
  for (int i = 0; i < n; ++i) {
    pid_t pid = ::fork();
    if (pid < 0) {
      err = errno;
      break;
    }
    if (pid == 0) {
      // Gone with the probe even when nothing confines the run (a broken
      // sandbox), and off its pipes, which doctor reads to the end.
      ::prctl(PR_SET_PDEATHSIG, SIGKILL);
      if (::getppid() == 1) _exit(0);
      int devnull = ::open("/dev/null", O_RDWR);
      for (int fd = 0; devnull >= 0 && fd < 3; ++fd) ::dup2(devnull, fd);
      ::pause();
      _exit(0);
    }
    ++forked;
  }
  return std::to_string(forked) + (err != 0 ? " " + Name(err) : "");
}

// Allocates and touches `mib` MiB: "ok", or the errno and how far it got.
std::string Alloc(int mib) {
  std::vector<std::unique_ptr<char[]>> held;
  for (int got = 0; got < mib; got += 8) {
    char* p = static_cast<char*>(std::malloc(8 << 20));
    if (p == nullptr) return Name(ENOMEM) + " at " + std::to_string(got) + "MiB";
    std::memset(p, 1, 8 << 20);
    held.emplace_back(p);
  }
  return "ok";
}

// Writes `mib` MiB to `path`: "ok" or the errno.
std::string Fill(const std::string& path, int mib) {
  UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
  if (!fd.valid()) return Name(errno);
  std::string chunk(1 << 20, 'x');
  for (int i = 0; i < mib; ++i) {
    if (::write(fd.get(), chunk.data(), chunk.size()) != static_cast<ssize_t>(chunk.size())) {
      return Name(errno);
    }
  }
  return "ok";
}

}  // namespace

int DoctorProbeCommand(const std::vector<std::string>& a) {
  for (size_t i = 0; i + 1 < a.size(); i += 2) {
    const std::string& op = a[i];
    const std::string& arg = a[i + 1];
    std::string result;
    if (op == "write") {
      result = Write(arg);
    } else if (op == "read") {
      result = Read(arg);
    } else if (op == "lstat") {
      struct stat st;
      result = Result(::lstat(arg.c_str(), &st) == 0);
    } else if (op == "tamper") {
      result = Tamper(arg);
    } else if (op == "tcp" || op == "udp") {
      size_t colon = arg.rfind(':');
      int port = colon == std::string::npos ? 0 : std::atoi(arg.c_str() + colon + 1);
      result = Connect(arg.substr(0, colon), port, op == "tcp" ? SOCK_STREAM : SOCK_DGRAM);
    } else if (op == "proxy") {
      result = Proxy(arg);
    } else if (op == "dns") {
      result = Dns(arg);
    } else if (op == "daemon") {
      result = Daemon(arg);
    } else if (op == "forks") {
      result = Forks(std::atoi(arg.c_str()));
    } else if (op == "alloc") {
      result = Alloc(std::atoi(arg.c_str()));
    } else if (op == "fill") {
      result = Fill(arg, 4);
    } else if (op == "sleep") {
      ::sleep(60);
      return 0;
    } else {
      result = "usage";
    }
    std::printf("%s %s %s\n", op.c_str(), arg.c_str(), result.c_str());
  }
  std::fflush(stdout);
  return 0;
}

}  // namespace cordon::cli
