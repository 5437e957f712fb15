// cordon-probe: the hostile side of the integration tests.
//
// Each subcommand attempts ONE operation, the way a confined command would,
// and reports the outcome on the first line of stdout: `ok` (exit 0) or the
// errno name, e.g. `EACCES` (exit 1). Some subcommands print data after the
// first line (`read`, `ls`, `env`, `pids`, `getifaddrs`). A usage error prints `usage: ...`
// and exits 2, so a test can never mistake a typo for a denial.
//
// The probe deliberately uses raw syscalls, not libraries that might retry or
// fall back, so the errno it prints is the kernel's (or seccomp's) answer.
#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <linux/if_ether.h>
#include <linux/perf_event.h>
#include <linux/userfaultfd.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace {

using Args = std::vector<std::string>;

// Prints the errno of the failed call as its name and returns exit status 1.
int Fail(int err) {
  const char* name = strerrorname_np(err);
  std::printf("%s\n", name != nullptr ? name : std::to_string(err).c_str());
  return 1;
}
int FailErrno() { return Fail(errno); }
int Ok() {
  std::printf("ok\n");
  return 0;
}
int Check(int rc) { return rc == 0 ? Ok() : FailErrno(); }

[[noreturn]] void Usage(const char* msg) {
  std::printf("usage: %s\n", msg);
  std::fflush(stdout);
  _exit(2);
}

void Need(const Args& a, size_t n, const char* usage) {
  if (a.size() < n) Usage(usage);
}

long ParseLong(const std::string& s) {
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 0);
  if (end == s.c_str() || *end != '\0') Usage(("not a number: " + s).c_str());
  return v;
}

bool WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      return false;
    }
    off += static_cast<size_t>(n);
  }
  return true;
}

int WriteFile(const std::string& path, const std::string& data, int flags) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC | flags, 0644);
  if (fd < 0) return FailErrno();
  if (!WriteAll(fd, data)) {
    int err = errno;
    close(fd);
    return Fail(err);
  }
  if (close(fd) != 0) return FailErrno();
  return Ok();
}

int Read(const Args& a) {
  Need(a, 1, "read PATH");
  int fd = open(a[0].c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return FailErrno();
  std::string data;
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0) {
      int err = errno;
      close(fd);
      return Fail(err);
    }
    if (n == 0) break;
    data.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  // Printing the bytes is the point: a test that sees them has found a leak.
  // All of them: /proc/PID/cmdline and environ separate fields with NULs.
  std::printf("ok\n");
  std::fwrite(data.data(), 1, data.size(), stdout);
  return 0;
}

int Ls(const Args& a) {
  Need(a, 1, "ls DIR");
  DIR* d = opendir(a[0].c_str());
  if (d == nullptr) return FailErrno();
  std::vector<std::string> names;
  errno = 0;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  std::printf("ok\n");
  for (const auto& n : names) std::printf("%s\n", n.c_str());
  return 0;
}

int Stat(const Args& a) {
  Need(a, 1, "stat PATH");
  struct stat st {};
  if (lstat(a[0].c_str(), &st) != 0) return FailErrno();
  std::printf("ok\nmode=%o uid=%u gid=%u size=%lld nlink=%lu\n", st.st_mode, st.st_uid, st.st_gid,
              static_cast<long long>(st.st_size), static_cast<unsigned long>(st.st_nlink));
  return 0;
}

int Chown(const Args& a) {
  Need(a, 1, "chown PATH [UID GID]");
  // Default: chown to the probe's own ids, a change DAC alone would allow.
  uid_t uid = a.size() >= 3 ? static_cast<uid_t>(ParseLong(a[1])) : getuid();
  gid_t gid = a.size() >= 3 ? static_cast<gid_t>(ParseLong(a[2])) : getgid();
  return Check(lchown(a[0].c_str(), uid, gid));
}

int Utimes(const Args& a) {
  Need(a, 1, "utimes PATH");
  timespec ts[2] = {{12345, 0}, {12345, 0}};
  return Check(utimensat(AT_FDCWD, a[0].c_str(), ts, AT_SYMLINK_NOFOLLOW));
}

// A POSIX access ACL in the kernel's xattr format (what setfacl writes):
// user::rw- group::r-- other::rwx. Granting "other" write to a private key is
// exactly the kind of change that breaks ssh.
int SetAcl(const Args& a) {
  Need(a, 1, "setacl PATH");
  struct Entry {
    uint16_t tag;
    uint16_t perm;
    uint32_t id;
  };
  constexpr uint32_t kVersion = 2;
  constexpr uint32_t kUndefinedId = 0xffffffff;
  const Entry entries[] = {
      {0x01, 6, kUndefinedId}, {0x04, 4, kUndefinedId}, {0x20, 7, kUndefinedId}};
  std::string blob(reinterpret_cast<const char*>(&kVersion), sizeof kVersion);
  blob.append(reinterpret_cast<const char*>(entries), sizeof entries);
  return Check(setxattr(a[0].c_str(), "system.posix_acl_access", blob.data(), blob.size(), 0));
}

int ConnectInet(const Args& a, int type) {
  Need(a, 2, "connect-tcp|send-udp HOST PORT");
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto port = static_cast<uint16_t>(ParseLong(a[1]));
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, a[0].c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, a[0].c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    len = sizeof *v6;
  } else {
    Usage("HOST must be a numeric address");
  }
  int fd = socket(ss.ss_family, type | SOCK_CLOEXEC | (type == SOCK_STREAM ? SOCK_NONBLOCK : 0), 0);
  if (fd < 0) return FailErrno();
  if (type == SOCK_DGRAM) {
    const char msg[] = "cordon-probe";
    if (sendto(fd, msg, sizeof msg, 0, reinterpret_cast<sockaddr*>(&ss), len) < 0)
      return FailErrno();
    return Ok();
  }
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) == 0) return Ok();
  if (errno != EINPROGRESS) return FailErrno();
  pollfd p{fd, POLLOUT, 0};
  int n = poll(&p, 1, 2000);
  if (n == 0) return Fail(ETIMEDOUT);
  int err = 0;
  socklen_t elen = sizeof err;
  getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen);
  return err == 0 ? Ok() : Fail(err);
}

int Dns(const Args& a) {
  Need(a, 1, "dns NAME");
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* res = nullptr;
  int rc = getaddrinfo(a[0].c_str(), "80", &hints, &res);
  if (rc != 0) {
    std::printf("EAI %s\n", gai_strerror(rc));
    return 1;
  }
  freeaddrinfo(res);
  return Ok();
}

// socket FAMILY TYPE PROTOCOL / socketpair ...: the raw system call with
// 64-bit arguments (numbers, 0x allowed), so a family with high bits set
// reaches the filter as given; the kernel reads the low 32 bits.
int Socket(const Args& a, bool pair) {
  Need(a, 3, pair ? "socketpair FAMILY TYPE PROTOCOL" : "socket FAMILY TYPE PROTOCOL");
  long family = ParseLong(a[0]);
  long type = ParseLong(a[1]) | SOCK_CLOEXEC;
  long protocol = ParseLong(a[2]);
  int fds[2] = {-1, -1};
  long rc = pair ? syscall(SYS_socketpair, family, type, protocol, fds)
                 : syscall(SYS_socket, family, type, protocol);
  return rc >= 0 ? Ok() : FailErrno();
}

// getifaddrs: glibc asks netlink (NETLINK_ROUTE) for the interfaces; prints
// their names after `ok`.
int GetIfaddrs() {
  ifaddrs* list = nullptr;
  if (getifaddrs(&list) != 0) return FailErrno();
  std::printf("ok\n");
  for (ifaddrs* i = list; i != nullptr; i = i->ifa_next) std::printf("%s\n", i->ifa_name);
  freeifaddrs(list);
  return 0;
}

sockaddr_un UnixAddr(const std::string& name, bool abstract, socklen_t* len) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (name.size() + 2 > sizeof sun.sun_path) Usage("unix socket name too long");
  size_t off = abstract ? 1 : 0;  // abstract: leading NUL, no terminator
  memcpy(sun.sun_path + off, name.data(), name.size());
  *len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + off + name.size() +
                                (abstract ? 0 : 1));
  return sun;
}

int ConnectUnix(const Args& a, bool abstract) {
  Need(a, 1, "connect-unix PATH | connect-abstract NAME");
  socklen_t len = 0;
  sockaddr_un sun = UnixAddr(a[0], abstract, &len);
  int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return FailErrno();
  return Check(connect(fd, reinterpret_cast<sockaddr*>(&sun), len));
}

// Binds a unix socket inside the sandbox and connects to it from the same
// sandbox: the "can" twin of connect-unix/connect-abstract.
int UnixSelfTest(const Args& a, bool abstract) {
  Need(a, 1, "unix-selftest PATH | abstract-selftest NAME");
  socklen_t len = 0;
  sockaddr_un sun = UnixAddr(a[0], abstract, &len);
  int server = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server < 0) return FailErrno();
  if (bind(server, reinterpret_cast<sockaddr*>(&sun), len) != 0) return FailErrno();
  if (listen(server, 1) != 0) return FailErrno();
  int client = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) return FailErrno();
  return Check(connect(client, reinterpret_cast<sockaddr*>(&sun), len));
}

// HOST (numeric) and PORT as a socket address; a usage error otherwise.
socklen_t InetAddr(const std::string& host, uint16_t port, sockaddr_storage* ss) {
  *ss = {};
  auto* v4 = reinterpret_cast<sockaddr_in*>(ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(ss);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    return sizeof *v4;
  }
  if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    return sizeof *v6;
  }
  Usage("HOST must be a numeric address");
}

// A TCP server of the probe's own on ADDR (a free port) and a client that
// connects to it: "ping" goes one way, "pong" back. Prints ok, then the
// address and port the server was bound to (the namespace-less tier binds
// wildcards on loopback) and the two messages as each side received them.
int TcpSelfTest(const Args& a) {
  Need(a, 1, "tcp-selftest ADDR");
  sockaddr_storage ss{};
  socklen_t len = InetAddr(a[0], 0, &ss);
  int server = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (server < 0) return FailErrno();
  if (bind(server, reinterpret_cast<sockaddr*>(&ss), len) != 0) return FailErrno();
  if (listen(server, 1) != 0) return FailErrno();
  if (getsockname(server, reinterpret_cast<sockaddr*>(&ss), &len) != 0) return FailErrno();
  int client = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (client < 0) return FailErrno();
  if (connect(client, reinterpret_cast<sockaddr*>(&ss), len) != 0) return FailErrno();
  int conn = accept4(server, nullptr, nullptr, SOCK_CLOEXEC);
  if (conn < 0) return FailErrno();
  char got_server[5] = {};
  char got_client[5] = {};
  if (write(client, "ping", 4) != 4 || recv(conn, got_server, 4, MSG_WAITALL) != 4) {
    return FailErrno();
  }
  if (write(conn, "pong", 4) != 4 || recv(client, got_client, 4, MSG_WAITALL) != 4) {
    return FailErrno();
  }
  const bool v4 = ss.ss_family == AF_INET;
  const uint16_t port = ntohs(v4 ? reinterpret_cast<sockaddr_in*>(&ss)->sin_port
                                 : reinterpret_cast<sockaddr_in6*>(&ss)->sin6_port);
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(ss.ss_family,
            v4 ? static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(&ss)->sin_addr)
               : static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(&ss)->sin6_addr),
            text, sizeof text);
  std::printf("ok\n%s\n%u\n%s\n%s\n", text, port, got_server, got_client);
  return 0;
}

// A raw TCP client (no proxy, no HTTP library): connects to HOST:PORT,
// sends "GET PATH HTTP/1.0", prints ok and everything the server sent.
int HttpRaw(const Args& a) {
  Need(a, 3, "http-raw HOST PORT PATH");
  sockaddr_storage ss{};
  socklen_t len = InetAddr(a[0], static_cast<uint16_t>(ParseLong(a[1])), &ss);
  int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return FailErrno();
  if (connect(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) return FailErrno();
  std::string request = "GET " + a[2] + " HTTP/1.0\r\nHost: service\r\n\r\n";
  if (write(fd, request.data(), request.size()) != static_cast<ssize_t>(request.size())) {
    return FailErrno();
  }
  std::string response;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) response.append(buf, static_cast<size_t>(n));
  if (n < 0) return FailErrno();
  // A relay that refused closes at once: nothing came back.
  if (response.empty()) return Fail(ECONNRESET);
  std::printf("ok\n%s", response.c_str());
  return 0;
}

// An fd on a terminal: stdin if it is one, else /dev/tty, else a fresh pty
// pair (TIOCSTI on a pty the probe itself owns: only seccomp can refuse it).
int OpenTerminal() {
  if (isatty(0)) return 0;
  int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
  if (fd >= 0) return fd;
  int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master < 0) return -1;
  if (grantpt(master) != 0 || unlockpt(master) != 0) return -1;
  const char* name = ptsname(master);
  if (name == nullptr) return -1;
  return open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

int IoctlTiocsti() {
  int fd = OpenTerminal();
  if (fd < 0) return FailErrno();
  char c = '#';
  return Check(ioctl(fd, TIOCSTI, &c));
}

int IoctlTioclinux() {
  int fd = OpenTerminal();
  if (fd < 0) return FailErrno();
  char subcode = 2;  // TIOCL_SETSEL: the selection paste attack's first half
  return Check(ioctl(fd, TIOCLINUX, &subcode));
}

int Sleep(const Args& a) {
  // sleep SECONDS [READY_FILE] [MARKER...]: the marker is only there so the
  // host can find this process by its argv.
  Need(a, 1, "sleep SECONDS [READY_FILE] [MARKER]");
  if (a.size() >= 2 && a[1] != "-") {
    int fd = open(a[1].c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) return FailErrno();
    WriteAll(fd, std::to_string(getpid()) + "\n");
    close(fd);
  }
  long s = ParseLong(a[0]);
  for (long i = 0; i < s * 10; ++i) usleep(100000);
  return Ok();
}

// daemonize FILE MARKER: setsid + double fork; the grandchild execs
// `cordon-probe heartbeat FILE MARKER`, which keeps rewriting FILE. The
// original process returns once the first heartbeat is on disk.
int Daemonize(const Args& a, const char* self) {
  Need(a, 2, "daemonize FILE MARKER");
  unlink(a[0].c_str());
  pid_t child = fork();
  if (child < 0) return FailErrno();
  if (child == 0) {
    setsid();
    pid_t grandchild = fork();
    if (grandchild != 0) _exit(0);
    int devnull = open("/dev/null", O_RDWR);
    dup2(devnull, 0);
    dup2(devnull, 1);
    dup2(devnull, 2);
    signal(SIGHUP, SIG_IGN);
    execl(self, self, "heartbeat", a[0].c_str(), a[1].c_str(), static_cast<char*>(nullptr));
    _exit(127);
  }
  waitpid(child, nullptr, 0);
  for (int i = 0; i < 200; ++i) {
    if (access(a[0].c_str(), F_OK) == 0) return Ok();
    usleep(10000);
  }
  return Fail(ETIMEDOUT);
}

int Heartbeat(const Args& a) {
  Need(a, 1, "heartbeat FILE [MARKER]");
  signal(SIGHUP, SIG_IGN);
  signal(SIGTERM, SIG_IGN);
  for (long beat = 0;; ++beat) {
    std::string tmp = a[0] + ".tmp";
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd >= 0) {
      WriteAll(fd, std::to_string(beat) + "\n");
      close(fd);
      rename(tmp.c_str(), a[0].c_str());
    }
    usleep(20000);
  }
}

// trap FILE: on SIGTERM/SIGINT/SIGHUP write the signal's name to FILE and exit
// 100+N. FILE.ready appears once the handlers are installed.
volatile sig_atomic_t g_signal = 0;
void OnSignal(int sig) { g_signal = sig; }

int Trap(const Args& a) {
  Need(a, 1, "trap FILE");
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  for (int sig : {SIGTERM, SIGINT, SIGHUP}) sigaction(sig, &sa, nullptr);
  std::string ready = a[0] + ".ready";
  int rfd = open(ready.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (rfd < 0) return FailErrno();
  close(rfd);
  for (int i = 0; i < 3000 && g_signal == 0; ++i) usleep(10000);
  if (g_signal == 0) return Fail(ETIMEDOUT);
  int fd = open(a[0].c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd >= 0) {
    WriteAll(fd, std::string(sigabbrev_np(g_signal)) + "\n");
    close(fd);
  }
  return 100 + g_signal;
}

int Env(const Args& a) {
  Need(a, 1, "env NAME");
  const char* v = getenv(a[0].c_str());
  if (v == nullptr) {
    std::printf("unset\n");
    return 1;
  }
  std::printf("ok\n%s\n", v);
  return 0;
}

int EnvAll() {
  std::printf("ok\n");
  for (char** e = environ; *e != nullptr; ++e) std::printf("%s\n", *e);
  return 0;
}

// pids: the numeric entries of /proc, i.e. every process this pid namespace
// shows.
int Pids() {
  DIR* d = opendir("/proc");
  if (d == nullptr) return FailErrno();
  std::vector<long> pids;
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long p = std::strtol(e->d_name, &end, 10);
    if (*end == '\0' && p > 0) pids.push_back(p);
  }
  closedir(d);
  std::sort(pids.begin(), pids.end());
  std::printf("ok\n");
  for (long p : pids) std::printf("%ld\n", p);
  return 0;
}

// alloc MIB: allocates MIB MiB in 16 MiB chunks, touching every page.
// "ok" when it all fit; else "fail", ENOMEM and how many MiB it got. (The
// OOM killer may end it first: no output then.)
int Alloc(const Args& a) {
  Need(a, 1, "alloc MIB");
  const long want = ParseLong(a[0]);
  constexpr long kChunk = 16;
  std::vector<char*> held;
  for (long got = 0; got < want; got += kChunk) {
    auto* p = static_cast<char*>(malloc(kChunk << 20));
    if (p == nullptr) {
      std::printf("fail\nENOMEM\n%ld\n", got);
      return 1;
    }
    memset(p, 1, kChunk << 20);
    held.push_back(p);
  }
  std::printf("ok\n%ld\n", want);
  return 0;
}

// fork-hold N NAME MS: forks up to N children named NAME (comm) that wait to
// be killed, waits MS ms, then prints how many forks worked, how many
// failed and how many children are alive. The children outlive it: the run
// must end them.
int ForkHold(const Args& a) {
  Need(a, 3, "fork-hold N NAME MS");
  const long n = ParseLong(a[0]);
  long forked = 0;
  long failed = 0;
  std::vector<pid_t> kids;
  for (long i = 0; i < n; ++i) {
    pid_t c = fork();
    if (c < 0) {
      ++failed;
      continue;
    }
    if (c == 0) {
      prctl(PR_SET_NAME, a[1].c_str(), 0, 0, 0);
      for (;;) pause();
    }
    ++forked;
    kids.push_back(c);
  }
  usleep(static_cast<useconds_t>(ParseLong(a[2]) * 1000));
  long live = 0;
  for (pid_t k : kids) live += kill(k, 0) == 0 ? 1 : 0;
  std::printf("ok\nforked %ld\nfailed %ld\nlive %ld\n", forked, failed, live);
  return 0;
}

// spin PROCS SECONDS: PROCS processes each burn CPU for SECONDS of wall
// time; prints the CPU seconds they used in all.
int Spin(const Args& a) {
  Need(a, 2, "spin PROCS SECONDS");
  const long procs = ParseLong(a[0]);
  const double seconds = static_cast<double>(ParseLong(a[1]));
  auto burn = [seconds] {
    timespec start{};
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &start);
    volatile uint64_t x = 0;
    do {
      for (int i = 0; i < 100000; ++i) x = x + static_cast<uint64_t>(i);
      clock_gettime(CLOCK_MONOTONIC, &now);
    } while (static_cast<double>(now.tv_sec - start.tv_sec) +
                 static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9 <
             seconds);
  };
  for (long i = 1; i < procs; ++i) {
    pid_t c = fork();
    if (c < 0) return FailErrno();
    if (c == 0) {
      burn();
      _exit(0);
    }
  }
  burn();
  while (wait(nullptr) > 0) {
  }
  rusage self{};
  rusage kids{};
  getrusage(RUSAGE_SELF, &self);
  getrusage(RUSAGE_CHILDREN, &kids);
  auto secs = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  std::printf("ok\n%.3f\n", secs(self.ru_utime) + secs(self.ru_stime) + secs(kids.ru_utime) +
                                secs(kids.ru_stime));
  return 0;
}

// kill-own-child: fork a child and SIGKILL it; the twin of `kill HOSTPID`.
int KillOwnChild() {
  pid_t c = fork();
  if (c < 0) return FailErrno();
  if (c == 0) {
    pause();
    _exit(0);
  }
  if (kill(c, SIGKILL) != 0) return FailErrno();
  int st = 0;
  waitpid(c, &st, 0);
  return WIFSIGNALED(st) ? Ok() : Fail(ECHILD);
}

// hostile ROOT...: walks every ROOT (and tries the ROOT path itself even if
// it can't be listed), and on every entry tries to write, truncate, chmod,
// chown, utimes, setxattr, set an ACL, rename and unlink; in every directory
// it tries to create a file. Prints `ok attempts=N succeeded=M` followed by
// each success. Exit 0 always: the test judges the host afterwards.
int Hostile(const Args& roots) {
  int attempts = 0;
  std::vector<std::string> wins;
  auto attempt = [&](const std::string& what, const std::string& path, int rc) {
    ++attempts;
    if (rc == 0) wins.push_back(what + " " + path);
  };
  std::function<void(const std::string&, int)> visit = [&](const std::string& path, int depth) {
    struct stat st {};
    bool exists = lstat(path.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode) && depth < 8) {
      if (DIR* d = opendir(path.c_str())) {
        std::vector<std::string> kids;
        while (dirent* e = readdir(d)) {
          std::string n = e->d_name;
          if (n == "." || n == "..") continue;
          kids.push_back(path);
          kids.back().append("/").append(n);
        }
        closedir(d);
        for (const auto& k : kids) visit(k, depth + 1);
      }
      std::string planted = path + "/.cordon-hostile";
      int fd = open(planted.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
      attempt("create", planted, fd >= 0 ? 0 : -1);
      if (fd >= 0) close(fd);
      attempt("mkdir", planted + "-dir", mkdir((planted + "-dir").c_str(), 0777));
    }
    if (!exists || !S_ISDIR(st.st_mode)) {
      int fd = open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC | O_NOFOLLOW);
      attempt("append", path, fd >= 0 && write(fd, "x", 1) == 1 ? 0 : -1);
      if (fd >= 0) close(fd);
      attempt("truncate", path, truncate(path.c_str(), 0));
    }
    attempt("chmod", path, chmod(path.c_str(), 0777));
    attempt("chown", path, lchown(path.c_str(), getuid(), getgid()));
    timespec ts[2] = {{1, 0}, {1, 0}};
    attempt("utimes", path, utimensat(AT_FDCWD, path.c_str(), ts, AT_SYMLINK_NOFOLLOW));
    attempt("setxattr", path, lsetxattr(path.c_str(), "user.cordon-hostile", "1", 1, 0));
    attempt("removexattr", path, lremovexattr(path.c_str(), "user.cordon-test"));
    const uint32_t acl[] = {2,          0x00060001, 0xffffffff, 0x00070004,
                            0xffffffff, 0x00070020, 0xffffffff};
    attempt("setacl", path, lsetxattr(path.c_str(), "system.posix_acl_access", acl, sizeof acl, 0));
    attempt("rename", path, rename(path.c_str(), (path + ".moved").c_str()));
    if (!exists || !S_ISDIR(st.st_mode)) attempt("unlink", path, unlink(path.c_str()));
  };
  for (const auto& r : roots) {
    visit(r, 0);
    visit("/proc/self/root" + r, 0);
  }
  std::printf("ok attempts=%d succeeded=%zu\n", attempts, wins.size());
  for (const auto& w : wins) std::printf("%s\n", w.c_str());
  return 0;
}

// Syscalls that seccomp must refuse with EPERM (never kill). Arguments are
// harmless: each call would fail anyway in an unconfined unprivileged
// process only for some of them, so a test expects EPERM specifically.
int Unshare(int flags) { return Check(unshare(flags)); }

int MountTmpfs(const Args& a) {
  std::string target = a.empty() ? "/tmp/cordon-probe-mnt" : a[0];
  mkdir(target.c_str(), 0755);
  // Where unshare works (the probe run unconfined: a broken sandbox), mount
  // in a private namespace of the probe's own, so the host is never touched;
  // the "ok" still fails the test.
  if (unshare(CLONE_NEWNS) == 0 &&
      mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return FailErrno();
  }
  return Check(mount("none", target.c_str(), "tmpfs", 0, nullptr));
}

int Keyctl() {
  constexpr long kKeyctlGetKeyringId = 0;
  constexpr long kKeySpecSessionKeyring = -3;
  long rc = syscall(SYS_keyctl, kKeyctlGetKeyringId, kKeySpecSessionKeyring, 1);
  return rc >= 0 ? Ok() : FailErrno();
}

int AddKey() {
  constexpr long kKeySpecProcessKeyring = -2;
  long rc = syscall(SYS_add_key, "user", "cordon-probe", "x", 1, kKeySpecProcessKeyring);
  return rc >= 0 ? Ok() : FailErrno();
}

int RequestKey() {
  long rc = syscall(SYS_request_key, "user", "cordon-probe", nullptr, 0);
  return rc >= 0 ? Ok() : FailErrno();
}

int Bpf() {
  // BPF_MAP_CREATE of a tiny array map: allowed unprivileged on some
  // kernels, so only seccomp makes the answer EPERM everywhere.
  union {
    struct {
      uint32_t map_type, key_size, value_size, max_entries;
    } m;
    char pad[128];
  } attr{};
  attr.m.map_type = 2;  // BPF_MAP_TYPE_ARRAY
  attr.m.key_size = 4;
  attr.m.value_size = 4;
  attr.m.max_entries = 1;
  long rc = syscall(SYS_bpf, 0 /* BPF_MAP_CREATE */, &attr, sizeof attr);
  return rc >= 0 ? Ok() : FailErrno();
}

int PerfEventOpen() {
  // A user-space-only software counter on itself: allowed by
  // perf_event_paranoid=2, so EPERM here is seccomp's.
  perf_event_attr attr{};
  attr.type = PERF_TYPE_SOFTWARE;
  attr.size = sizeof attr;
  attr.config = PERF_COUNT_SW_TASK_CLOCK;
  attr.exclude_kernel = 1;
  attr.exclude_hv = 1;
  long rc = syscall(SYS_perf_event_open, &attr, 0, -1, -1, 0);
  return rc >= 0 ? Ok() : FailErrno();
}

int Userfaultfd() {
  // UFFD_USER_MODE_ONLY is allowed unprivileged even with
  // vm.unprivileged_userfaultfd=0.
  long rc = syscall(SYS_userfaultfd, O_CLOEXEC | UFFD_USER_MODE_ONLY);
  return rc >= 0 ? Ok() : FailErrno();
}

int Kexec() {
  long rc = syscall(SYS_kexec_load, 0, 0, nullptr, 0);
  return rc >= 0 ? Ok() : FailErrno();
}

int InitModule() {
  long rc = syscall(SYS_init_module, nullptr, 0, "");
  return rc >= 0 ? Ok() : FailErrno();
}

int FinitModule() {
  long rc = syscall(SYS_finit_module, -1, "", 0);
  return rc >= 0 ? Ok() : FailErrno();
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  if (argc < 2) Usage("cordon-probe SUBCOMMAND ARGS...");
  std::string cmd = argv[1];
  Args a(argv + 2, argv + argc);
  const std::string content = a.size() >= 2 ? a[1] : "cordon-probe was here\n";

  if (cmd == "write")
    return Need(a, 1, "write PATH [CONTENT]"), WriteFile(a[0], content, O_CREAT | O_TRUNC);
  if (cmd == "append")
    return Need(a, 1, "append PATH [CONTENT]"), WriteFile(a[0], content, O_APPEND);
  if (cmd == "create-excl")
    return Need(a, 1, "create-excl PATH"), WriteFile(a[0], content, O_CREAT | O_EXCL);
  if (cmd == "truncate") return Need(a, 1, "truncate PATH"), Check(truncate(a[0].c_str(), 0));
  if (cmd == "read") return Read(a);
  if (cmd == "ls") return Ls(a);
  if (cmd == "stat") return Stat(a);
  if (cmd == "exists") {
    Need(a, 1, "exists PATH");
    struct stat st {};
    return Check(lstat(a[0].c_str(), &st));
  }
  if (cmd == "mkdir") return Need(a, 1, "mkdir PATH"), Check(mkdir(a[0].c_str(), 0755));
  if (cmd == "rmdir") return Need(a, 1, "rmdir PATH"), Check(rmdir(a[0].c_str()));
  if (cmd == "unlink") return Need(a, 1, "unlink PATH"), Check(unlink(a[0].c_str()));
  if (cmd == "rename")
    return Need(a, 2, "rename OLD NEW"), Check(rename(a[0].c_str(), a[1].c_str()));
  if (cmd == "link") return Need(a, 2, "link OLD NEW"), Check(link(a[0].c_str(), a[1].c_str()));
  if (cmd == "symlink")
    return Need(a, 2, "symlink TARGET LINK"), Check(symlink(a[0].c_str(), a[1].c_str()));
  if (cmd == "chmod") {
    Need(a, 2, "chmod PATH OCTAL");
    return Check(chmod(a[0].c_str(), static_cast<mode_t>(std::strtol(a[1].c_str(), nullptr, 8))));
  }
  if (cmd == "chown") return Chown(a);
  if (cmd == "utimes") return Utimes(a);
  if (cmd == "setxattr") {
    Need(a, 3, "setxattr PATH NAME VALUE");
    return Check(lsetxattr(a[0].c_str(), a[1].c_str(), a[2].data(), a[2].size(), 0));
  }
  if (cmd == "setacl") return SetAcl(a);
  if (cmd == "connect-tcp") return ConnectInet(a, SOCK_STREAM);
  if (cmd == "send-udp") return ConnectInet(a, SOCK_DGRAM);
  if (cmd == "dns") return Dns(a);
  if (cmd == "raw-socket") {
    int fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_ICMP);
    return fd >= 0 ? Ok() : FailErrno();
  }
  if (cmd == "packet-socket") {
    int fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
    return fd >= 0 ? Ok() : FailErrno();
  }
  if (cmd == "socket") return Socket(a, false);
  if (cmd == "socketpair") return Socket(a, true);
  if (cmd == "getifaddrs") return GetIfaddrs();
  if (cmd == "connect-unix") return ConnectUnix(a, false);
  if (cmd == "connect-abstract") return ConnectUnix(a, true);
  if (cmd == "unix-selftest") return UnixSelfTest(a, false);
  if (cmd == "abstract-selftest") return UnixSelfTest(a, true);
  if (cmd == "tcp-selftest") return TcpSelfTest(a);
  if (cmd == "http-raw") return HttpRaw(a);
  if (cmd == "kill") {
    Need(a, 2, "kill PID SIG");
    return Check(kill(static_cast<pid_t>(ParseLong(a[0])), static_cast<int>(ParseLong(a[1]))));
  }
  if (cmd == "kill-own-child") return KillOwnChild();
  if (cmd == "ptrace-attach") {
    Need(a, 1, "ptrace-attach PID");
    return Check(static_cast<int>(
        ptrace(PTRACE_ATTACH, static_cast<pid_t>(ParseLong(a[0])), nullptr, nullptr)));
  }
  if (cmd == "read-proc") {
    Need(a, 2, "read-proc PID FIELD");
    return Read({"/proc/" + a[0] + "/" + a[1]});
  }
  if (cmd == "pids") return Pids();
  if (cmd == "getpid") return std::printf("ok\n%d\n", getpid()), 0;
  if (cmd == "ioctl-tiocsti") return IoctlTiocsti();
  if (cmd == "ioctl-tioclinux") return IoctlTioclinux();
  if (cmd == "unshare-user") return Unshare(CLONE_NEWUSER);
  if (cmd == "unshare-mount") return Unshare(CLONE_NEWNS);
  if (cmd == "mount-tmpfs") return MountTmpfs(a);
  if (cmd == "keyctl") return Keyctl();
  if (cmd == "add-key") return AddKey();
  if (cmd == "request-key") return RequestKey();
  if (cmd == "bpf") return Bpf();
  if (cmd == "perf-event-open") return PerfEventOpen();
  if (cmd == "userfaultfd") return Userfaultfd();
  if (cmd == "kexec") return Kexec();
  if (cmd == "init-module") return InitModule();
  if (cmd == "finit-module") return FinitModule();
  if (cmd == "sleep") return Sleep(a);
  if (cmd == "alloc") return Alloc(a);
  if (cmd == "fork-hold") return ForkHold(a);
  if (cmd == "spin") return Spin(a);
  if (cmd == "daemonize") return Daemonize(a, "/proc/self/exe");
  if (cmd == "heartbeat") return Heartbeat(a);
  if (cmd == "trap") return Trap(a);
  if (cmd == "env") return Env(a);
  if (cmd == "env-all") return EnvAll();
  if (cmd == "hostile") return Hostile(a);
  Usage(("unknown subcommand " + cmd).c_str());
}
