// Host-side helpers of the integration tests (see harness.h).
#include "harness.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <pty.h>
#include <pwd.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <thread>

#ifndef CORDON_DEFAULT_BIN
#define CORDON_DEFAULT_BIN "cordon"
#endif
#ifndef CORDON_DEFAULT_PROBE
#define CORDON_DEFAULT_PROBE "cordon-probe"
#endif
#ifndef CORDON_DEFAULT_DENY_SYSCALL
#define CORDON_DEFAULT_DENY_SYSCALL "cordon-deny-syscall"
#endif

namespace cordon::it {
namespace {

[[noreturn]] void Throw(const std::string& what) {
  throw std::runtime_error(what + ": " + strerror(errno));
}

std::string EnvOr(const char* name, const char* fallback) {
  const char* v = getenv(name);
  return v != nullptr && *v != '\0' ? v : fallback;
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out += kDigits[c >> 4];
    out += kDigits[c & 15];
  }
  return out;
}

std::string Fnv1a(const std::string& data) {
  uint64_t h = 1469598103934665603ULL;
  for (unsigned char c : data) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

std::vector<std::string> SplitLines(const std::string& s) {
  std::vector<std::string> lines;
  std::istringstream in(s);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

}  // namespace

std::string CordonBin() { return EnvOr("CORDON_BIN", CORDON_DEFAULT_BIN); }
std::string ProbeBin() { return EnvOr("CORDON_PROBE", CORDON_DEFAULT_PROBE); }
std::string DenySyscallBin() { return EnvOr("CORDON_DENY_SYSCALL", CORDON_DEFAULT_DENY_SYSCALL); }

bool NamespacelessTier() {
  const char* v = getenv("CORDON_TEST_TIER");
  return v != nullptr && std::string(v) == "nsless";
}

std::vector<std::string> TierPrefix() {
  if (!NamespacelessTier()) return {};
  return {DenySyscallBin(), "--ns", "user", "--"};
}

std::string TestTmpBase() {
  if (const char* v = getenv("CORDON_TEST_TMPDIR"); v != nullptr && *v != '\0') return v;
  if (access("/var/tmp", W_OK | X_OK) == 0) return "/var/tmp";
  return "/tmp";
}

// ---------------------------------------------------------------- files

void WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) Throw("open " + path);
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n < 0) {
      close(fd);
      Throw("write " + path);
    }
    off += static_cast<size_t>(n);
  }
  if (fchmod(fd, mode) != 0) Throw("fchmod " + path);
  close(fd);
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Throw("read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

bool Exists(const std::string& path) {
  struct stat st {};
  return lstat(path.c_str(), &st) == 0;
}

void MakeDirs(const std::string& path, mode_t mode) {
  for (size_t pos = 1; pos != std::string::npos;) {
    pos = path.find('/', pos + 1);
    std::string prefix = path.substr(0, pos);
    if (mkdir(prefix.c_str(), mode) != 0 && errno != EEXIST) Throw("mkdir " + prefix);
  }
  if (chmod(path.c_str(), mode) != 0) Throw("chmod " + path);
}

void RemoveAll(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return;
  if (S_ISDIR(st.st_mode)) {
    chmod(path.c_str(), 0700);
    for (const auto& name : ListDir(path)) RemoveAll(path + "/" + name);
    rmdir(path.c_str());
  } else {
    unlink(path.c_str());
  }
}

std::vector<std::string> ListDir(const std::string& path) {
  DIR* d = opendir(path.c_str());
  if (d == nullptr) Throw("opendir " + path);
  std::vector<std::string> names;
  while (dirent* e = readdir(d)) {
    std::string n = e->d_name;
    if (n != "." && n != "..") names.push_back(n);
  }
  closedir(d);
  std::sort(names.begin(), names.end());
  return names;
}

void CopyFile(const std::string& from, const std::string& to, mode_t mode) {
  WriteFile(to, ReadFile(from), mode);
}

std::string RandomToken() {
  static std::mt19937_64 rng{std::random_device{}()};
  char buf[20];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(rng()));
  return buf;
}

std::string Basename(const std::string& path) { return path.substr(path.rfind('/') + 1); }
std::string Dirname(const std::string& path) { return path.substr(0, path.rfind('/')); }

TempDir::TempDir(const std::string& prefix, const std::string& base) {
  std::string tmpl = base + "/" + prefix + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) Throw("mkdtemp " + tmpl);
  char* real = realpath(tmpl.c_str(), nullptr);
  if (real == nullptr) Throw("realpath " + tmpl);
  path_ = real;
  free(real);
}

TempDir::~TempDir() { RemoveAll(path_); }

// ---------------------------------------------------------------- processes

double Now() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) / 1e9;
}

bool WaitFor(const std::function<bool()>& pred, double timeout_s) {
  double deadline = Now() + timeout_s;
  while (Now() < deadline) {
    if (pred()) return true;
    usleep(5000);
  }
  return pred();
}

std::string RunResult::FirstLine() const {
  size_t nl = out.find('\n');
  return out.substr(0, nl);
}

std::vector<std::string> RunResult::Data() const {
  auto lines = SplitLines(out);
  if (!lines.empty()) lines.erase(lines.begin());
  return lines;
}

std::string RunResult::Describe() const {
  std::ostringstream s;
  s << "exit=" << exit_code << (timed_out ? " (TIMED OUT, killed by the harness)" : "") << " after "
    << seconds << "s\n--- stdout ---\n"
    << out << "--- stderr ---\n"
    << err << "--------------";
  return s.str();
}

Process::Process(const std::vector<std::string>& argv, const Env& env, const std::string& cwd,
                 int tty_fd) {
  int out[2];
  int err[2];
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) Throw("pipe2");
  std::vector<char*> cargv;
  for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  std::vector<std::string> envs;
  for (const auto& [k, v] : env) envs.push_back(k + "=" + v);
  std::vector<char*> cenv;
  for (auto& e : envs) cenv.push_back(e.data());
  cenv.push_back(nullptr);

  start_ = Now();
  pid_ = fork();
  if (pid_ < 0) Throw("fork");
  if (pid_ == 0) {
    if (tty_fd >= 0) {
      // Like a login shell: own session, the pty as controlling terminal.
      setsid();
      ioctl(tty_fd, TIOCSCTTY, 0);
      dup2(tty_fd, 0);
      dup2(tty_fd, 1);
      dup2(tty_fd, 2);
    } else {
      int devnull = open("/dev/null", O_RDONLY);
      dup2(devnull, 0);
      dup2(out[1], 1);
      dup2(err[1], 2);
    }
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    if (chdir(cwd.c_str()) != 0) _exit(120);
    execve(cargv[0], cargv.data(), cenv.data());
    _exit(errno == ENOENT ? 127 : 126);
  }
  close(out[1]);
  close(err[1]);
  out_fd_ = out[0];
  err_fd_ = err[0];
}

Process::~Process() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (out_fd_ >= 0) close(out_fd_);
  if (err_fd_ >= 0) close(err_fd_);
}

RunResult Process::Wait(double timeout_s) {
  RunResult r;
  double deadline = start_ + timeout_s;
  int status = 0;
  bool exited = false;
  double exited_at = 0;
  int fds[2] = {out_fd_, err_fd_};
  std::string* sinks[2] = {&r.out, &r.err};
  for (;;) {
    pollfd p[2];
    int n = 0;
    int idx[2];
    for (int i = 0; i < 2; ++i) {
      if (fds[i] >= 0) {
        p[n] = {fds[i], POLLIN, 0};
        idx[n++] = i;
      }
    }
    if (n > 0) poll(p, static_cast<nfds_t>(n), 10);
    for (int j = 0; j < n; ++j) {
      if (p[j].revents == 0) continue;
      char buf[8192];
      ssize_t got = read(p[j].fd, buf, sizeof buf);
      if (got > 0) {
        sinks[idx[j]]->append(buf, static_cast<size_t>(got));
      } else if (got == 0 || errno != EINTR) {
        close(p[j].fd);
        fds[idx[j]] = -1;
      }
    }
    if (n == 0) usleep(5000);
    if (!exited && waitpid(pid_, &status, WNOHANG) == pid_) {
      exited = true;
      exited_at = Now();
      r.seconds = exited_at - start_;
    }
    bool drained = fds[0] < 0 && fds[1] < 0;
    // A pipe still open 0.5 s after the exit means something of the run
    // survived it and holds the pipe: stop reading, the test will see it.
    if (exited && (drained || Now() - exited_at > 0.5)) break;
    if (!exited && Now() > deadline) {
      r.timed_out = true;
      kill(pid_, SIGKILL);
      waitpid(pid_, &status, 0);
      exited = true;
      exited_at = Now();
      r.seconds = exited_at - start_;
    }
  }
  for (int fd : fds) {
    if (fd >= 0) close(fd);
  }
  out_fd_ = err_fd_ = -1;
  pid_ = -1;
  if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
  if (WIFSIGNALED(status)) r.exit_code = 128 + WTERMSIG(status);
  return r;
}

RunResult RunProcess(const std::vector<std::string>& argv, const Env& env, const std::string& cwd,
                     double timeout_s) {
  Process p(argv, env, cwd);
  return p.Wait(timeout_s);
}

std::vector<pid_t> ProcessesWithArg(const std::string& marker) {
  std::vector<pid_t> found;
  DIR* d = opendir("/proc");
  if (d == nullptr) Throw("opendir /proc");
  while (dirent* e = readdir(d)) {
    char* end = nullptr;
    long pid = std::strtol(e->d_name, &end, 10);
    if (*end != '\0' || pid <= 0 || pid == getpid()) continue;
    // Raw reads: a process may exit mid-read (ESRCH), which std::ifstream
    // turns into an exception.
    int fd = open((std::string("/proc/") + e->d_name + "/cmdline").c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    std::string cmdline;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd, buf, sizeof buf)) > 0) cmdline.append(buf, static_cast<size_t>(n));
    close(fd);
    if (cmdline.find(marker) != std::string::npos) found.push_back(static_cast<pid_t>(pid));
  }
  closedir(d);
  return found;
}

std::vector<std::string> HostMounts() {
  std::vector<std::string> mounts;
  for (const auto& line : SplitLines(ReadFile("/proc/self/mountinfo"))) {
    // "36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw": drop
    // the two ids, which renumbering alone would change.
    size_t first = line.find(' ');
    size_t second = line.find(' ', first + 1);
    mounts.push_back(line.substr(second + 1));
  }
  std::sort(mounts.begin(), mounts.end());
  return mounts;
}

// ---------------------------------------------------------------- predicates

::testing::AssertionResult Allowed(const RunResult& r) {
  if (r.exit_code == 0 && r.FirstLine() == "ok") return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "expected the operation to succeed (ok, exit 0), got\n"
                                       << r.Describe();
}

::testing::AssertionResult Denied(const RunResult& r, std::initializer_list<const char*> errnos) {
  std::string line = r.FirstLine();
  if (r.exit_code == 1) {
    for (const char* e : errnos) {
      if (line == e) return ::testing::AssertionSuccess();
    }
  }
  auto failure = ::testing::AssertionFailure()
                 << "expected the probe to fail (exit 1) with one of {";
  for (const char* e : errnos) failure << " " << e;
  return failure << " }, got\n" << r.Describe();
}

// ---------------------------------------------------------------- fake home

FakeHome::FakeHome(const std::string& path)
    : path_(path),
      secret_("CORDON-SECRET-" + RandomToken()),
      private_("CORDON-PRIVATE-" + RandomToken()) {
  MakeDirs(path_, 0755);
  auto dir = [&](const std::string& rel, mode_t mode = 0755) { MakeDirs(path_ + "/" + rel, mode); };
  auto secret = [&](const std::string& rel, const std::string& prefix, mode_t mode = 0600) {
    WriteFile(path_ + "/" + rel, prefix + secret_ + "\n", mode);
    secret_files_.push_back(rel);
  };
  auto plain = [&](const std::string& rel, const std::string& body, mode_t mode = 0644) {
    WriteFile(path_ + "/" + rel, body, mode);
  };

  // Deny-listed secrets, each holding secret_.
  dir(".ssh", 0700);
  secret(".ssh/id_ed25519", "-----BEGIN OPENSSH PRIVATE KEY-----\n");
  secret(".ssh/id_ed25519.pub", "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5 user@host ", 0644);
  secret(".ssh/config", "Host *\n  IdentityFile ~/.ssh/id_ed25519\n# ", 0644);
  secret(".ssh/known_hosts", "github.com ssh-ed25519 AAAA ", 0644);
  dir(".gnupg/private-keys-v1.d", 0700);
  secret(".gnupg/private-keys-v1.d/0123.key", "Key: ");
  dir(".aws");
  secret(".aws/credentials", "[default]\naws_secret_access_key = ");
  dir(".azure");
  secret(".azure/accessTokens.json", "{\"token\": \"");
  dir(".config/gcloud");
  secret(".config/gcloud/credentials.db", "gcloud ");
  dir(".config/gh");
  secret(".config/gh/hosts.yml", "github.com:\n  oauth_token: ");
  dir(".kube");
  secret(".kube/config", "token: ");
  dir(".docker");
  secret(".docker/config.json", "{\"auths\": \"");
  secret(".netrc", "machine example.com login u password ");
  secret(".git-credentials", "https://u:");
  secret(".npmrc", "//registry.npmjs.org/:_authToken=");
  secret(".pypirc", "[pypi]\npassword = ");
  dir(".cargo/bin");
  secret(".cargo/credentials.toml", "[registry]\ntoken = ");
  dir(".password-store");
  secret(".password-store/bank.gpg", "gpg ");
  dir(".local/share/keyrings", 0700);
  secret(".local/share/keyrings/login.keyring", "keyring ");
  secret(".bash_history", "export GITHUB_TOKEN=");
  secret(".zsh_history", ": 1700000000:0;export NPM_TOKEN=");
  dir(".mozilla/firefox/abc.default");
  secret(".mozilla/firefox/abc.default/logins.json", "{\"logins\": \"");
  dir(".config/google-chrome/Default");
  secret(".config/google-chrome/Default/Login Data", "chrome ");

  // The default toolchain allowlist: visible, read-only.
  plain(".cargo/bin/cargo-fake", "#!/bin/sh\necho cargo-fake\n", 0755);
  dir(".rustup/toolchains/stable/bin");
  plain(".rustup/settings.toml", "default_toolchain = \"stable\"\n");
  dir(".local/bin");
  plain(".local/bin/tool", "#!/bin/sh\necho tool\n", 0755);
  dir("go/bin");
  plain("go/bin/gofake", "#!/bin/sh\necho gofake\n", 0755);
  plain(".gitconfig", "[user]\n  name = Fake User\n  email = fake@example.com\n");
  // cordon's package-cache layers (docs/caches.md), as after a first run:
  // snapshots of the home leave this out (kCacheLayers).
  dir(".cache/cordon", 0700);
  dir(".config/git");
  plain(".config/git/ignore", "*.swp\n");

  // Ordinary private files: hidden by default, readable with --read.
  dir("projects/notes");
  plain("projects/notes/readme.txt", "notes " + private_ + "\n");
  dir("Documents");
  plain("Documents/private.txt", "private " + private_ + "\n", 0600);
  dir(".config/app");
  plain(".config/app/settings.ini", "theme = dark\n");
  plain(".bashrc", "# bashrc\n");
}

std::vector<std::string> FakeHome::VisibleTopLevel() {
  // .cache, .gradle, .m2, .npm and .yarn hold the mountpoints of the
  // package caches' layers (docs/caches.md).
  return {".cache", ".cargo", ".config", ".gitconfig", ".gradle", ".local",
          ".m2",    ".npm",   ".rustup", ".yarn",      "go"};
}

// ---------------------------------------------------------------- servers

namespace {

int BindInet(const std::string& address, int type, int* port) {
  sockaddr_storage ss{};
  socklen_t len = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&ss);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&ss);
  if (inet_pton(AF_INET, address.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    len = sizeof *v4;
  } else if (inet_pton(AF_INET6, address.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    len = sizeof *v6;
  } else {
    throw std::runtime_error("bad address " + address);
  }
  int fd = socket(ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) Throw("socket " + address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&ss), len) != 0) Throw("bind " + address);
  if (type == SOCK_STREAM && listen(fd, 64) != 0) Throw("listen " + address);
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&ss), &len) != 0) Throw("getsockname");
  *port = ntohs(ss.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
  return fd;
}

int AcceptAll(int fd) {
  int n = 0;
  for (;;) {
    int c = accept4(fd, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return n;
    close(c);
    ++n;
  }
}

}  // namespace

TcpServer::TcpServer(const std::string& address) { fd_ = BindInet(address, SOCK_STREAM, &port_); }
TcpServer::~TcpServer() { close(fd_); }
int TcpServer::TakeAccepted() { return AcceptAll(fd_); }

UdpServer::UdpServer(const std::string& address) { fd_ = BindInet(address, SOCK_DGRAM, &port_); }
UdpServer::~UdpServer() { close(fd_); }
int UdpServer::TakeReceived() {
  int n = 0;
  char buf[512];
  while (recv(fd_, buf, sizeof buf, MSG_DONTWAIT) >= 0) ++n;
  return n;
}

UnixServer::UnixServer(const std::string& name, bool abstract) {
  sockaddr_un sun{};
  sun.sun_family = AF_UNIX;
  if (name.size() + 2 > sizeof sun.sun_path)
    throw std::runtime_error("unix socket name too long: " + name);
  size_t off = abstract ? 1 : 0;
  memcpy(sun.sun_path + off, name.data(), name.size());
  auto len = static_cast<socklen_t>(offsetof(sockaddr_un, sun_path) + off + name.size() +
                                    (abstract ? 0 : 1));
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) Throw("socket AF_UNIX");
  if (!abstract) {
    unlink(name.c_str());
    path_ = name;
  }
  if (bind(fd_, reinterpret_cast<sockaddr*>(&sun), len) != 0) Throw("bind unix " + name);
  if (listen(fd_, 16) != 0) Throw("listen unix " + name);
}

UnixServer::~UnixServer() {
  close(fd_);
  if (!path_.empty()) unlink(path_.c_str());
}

int UnixServer::TakeAccepted() { return AcceptAll(fd_); }

// ---------------------------------------------------------------- snapshots

namespace {

std::string Xattrs(const std::string& path) {
  ssize_t size = llistxattr(path.c_str(), nullptr, 0);
  if (size <= 0) return size == 0 ? "" : std::string("listxattr:") + strerrorname_np(errno);
  std::string names(static_cast<size_t>(size), '\0');
  size = llistxattr(path.c_str(), names.data(), names.size());
  if (size < 0) return std::string("listxattr:") + strerrorname_np(errno);
  names.resize(static_cast<size_t>(size));
  std::vector<std::string> parts;
  for (size_t pos = 0; pos < names.size();) {
    std::string name = names.c_str() + pos;
    pos += name.size() + 1;
    std::string value(4096, '\0');
    ssize_t n = lgetxattr(path.c_str(), name.c_str(), value.data(), value.size());
    value.resize(n > 0 ? static_cast<size_t>(n) : 0);
    parts.push_back(name + "=" + Hex(value));
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += " " + p;
  return out;
}

void SnapshotInto(const std::string& root, const std::string& rel,
                  const std::vector<std::string>& skip, Snapshot* snap) {
  if (std::find(skip.begin(), skip.end(), rel) != skip.end()) return;
  std::string path = rel.empty() ? root : root + "/" + rel;
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) {
    (*snap)[rel] = std::string("lstat:") + strerrorname_np(errno);
    return;
  }
  std::ostringstream s;
  char type = S_ISDIR(st.st_mode)   ? 'd'
              : S_ISLNK(st.st_mode) ? 'l'
              : S_ISREG(st.st_mode) ? 'f'
                                    : 'o';
  char mode[8];
  std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
  s << type << " mode=" << mode << " owner=" << st.st_uid << ":" << st.st_gid
    << " size=" << st.st_size << " nlink=" << st.st_nlink << " mtime=" << st.st_mtim.tv_sec << "."
    << st.st_mtim.tv_nsec << " ctime=" << st.st_ctim.tv_sec << "." << st.st_ctim.tv_nsec;
  if (S_ISREG(st.st_mode)) {
    std::ifstream in(path, std::ios::binary);
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    s << " fnv=" << (in ? Fnv1a(data) : "unreadable");
  }
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlink(path.c_str(), target, sizeof target);
    s << " -> " << std::string(target, n > 0 ? static_cast<size_t>(n) : 0);
  }
  s << Xattrs(path);
  (*snap)[rel] = s.str();
  if (S_ISDIR(st.st_mode)) {
    for (const auto& name : ListDir(path))
      SnapshotInto(root, rel.empty() ? name : rel + "/" + name, skip, snap);
  }
}

}  // namespace

Snapshot TakeSnapshot(const std::string& root, const std::vector<std::string>& skip) {
  Snapshot snap;
  SnapshotInto(root, "", skip, &snap);
  return snap;
}

std::string DiffSnapshots(const Snapshot& before, const Snapshot& after) {
  std::ostringstream d;
  for (const auto& [path, desc] : before) {
    auto it = after.find(path);
    if (it == after.end()) {
      d << "removed: " << path << "\n";
    } else if (it->second != desc) {
      d << "changed: " << path << "\n  before: " << desc << "\n  after:  " << it->second << "\n";
    }
  }
  for (const auto& [path, desc] : after) {
    if (before.count(path) == 0) d << "added:   " << path << "  " << desc << "\n";
  }
  return d.str();
}

// ---------------------------------------------------------------- fixture

SandboxTest::SandboxTest()
    : home_(root_ / "home"),
      ws_(root_ / "ws"),
      tools_(root_ / "tools"),
      outside_(root_ / "outside"),
      runtime_(root_ / "runtime"),
      state_(root_ / "state"),
      fake_home_(home_),
      probe_(tools_ + "/cordon-probe") {
  MakeDirs(ws_, 0755);
  MakeDirs(tools_, 0755);
  MakeDirs(outside_, 0755);
  MakeDirs(runtime_, 0700);
  MakeDirs(state_, 0755);
  CopyFile(ProbeBin(), probe_, 0755);
  WriteFile(outside_ + "/target.txt", "original outside\n");

  const passwd* pw = getpwuid(getuid());
  std::string user = pw != nullptr ? pw->pw_name : "nobody";
  env_ = {
      {"PATH", "/usr/local/bin:/usr/bin:/bin"},
      {"HOME", home_},
      {"USER", user},
      {"LOGNAME", user},
      {"LANG", "C.UTF-8"},
      {"TERM", "dumb"},
      {"XDG_CONFIG_HOME", home_ + "/.config"},
      {"XDG_CACHE_HOME", home_ + "/.cache"},
      {"XDG_DATA_HOME", home_ + "/.local/share"},
      {"XDG_STATE_HOME", state_},
      {"XDG_RUNTIME_DIR", runtime_},
      // The namespace-less tier makes its private TMPDIR here, not in the
      // host's /tmp that other tests compare before and after.
      {"TMPDIR", root_ / "tmp"},
  };
  MakeDirs(root_ / "tmp", 0700);
}

std::vector<std::string> SandboxTest::RunArgv(const std::vector<std::string>& opts,
                                              const std::vector<std::string>& cmd) const {
  // The namespaces pass tests that tier: a refused user namespace fails the
  // run instead of quietly testing the namespace-less one.
  std::vector<std::string> all = opts;
  if (!NamespacelessTier()) all.insert(all.begin(), "--require-namespaces");
  return RunArgvAnyTier(all, cmd);
}

std::vector<std::string> SandboxTest::RunArgvAnyTier(const std::vector<std::string>& opts,
                                                     const std::vector<std::string>& cmd) const {
  std::vector<std::string> argv = TierPrefix();
  argv.insert(argv.end(),
              {CordonBin(), "run", "--workspace", ws_, "--no-config", "--read", tools_});
  argv.insert(argv.end(), opts.begin(), opts.end());
  argv.push_back("--");
  argv.insert(argv.end(), cmd.begin(), cmd.end());
  return argv;
}

RunResult SandboxTest::Run(const std::vector<std::string>& opts,
                           const std::vector<std::string>& cmd, double timeout_s) {
  RunResult r = RunProcess(RunArgv(opts, cmd), env_, ws_, timeout_s);
  EXPECT_FALSE(r.timed_out) << "cordon run did not finish in " << timeout_s << "s\n"
                            << r.Describe();
  EXPECT_EQ(r.out.find(fake_home_.secret()), std::string::npos) << "a secret of the home leaked\n"
                                                                << r.Describe();
  EXPECT_EQ(r.err.find(fake_home_.secret()), std::string::npos) << "a secret of the home leaked\n"
                                                                << r.Describe();
  return r;
}

RunResult SandboxTest::Probe(const std::vector<std::string>& opts,
                             const std::vector<std::string>& probe_args) {
  std::vector<std::string> cmd = {probe_};
  cmd.insert(cmd.end(), probe_args.begin(), probe_args.end());
  return Run(opts, cmd);
}

RunResult SandboxTest::Cordon(const std::vector<std::string>& args) {
  std::vector<std::string> argv = TierPrefix();
  argv.push_back(CordonBin());
  argv.insert(argv.end(), args.begin(), args.end());
  return RunProcess(argv, env_, ws_);
}

RunResult SandboxTest::Host(const std::vector<std::string>& argv) {
  return RunProcess(argv, env_, ws_);
}

std::pair<int, std::string> SandboxTest::OnTerminal(const std::vector<std::string>& argv,
                                                    const std::string& expect,
                                                    const std::string& answer) {
  int master = -1, slave = -1;
  if (openpty(&master, &slave, nullptr, nullptr, nullptr) != 0) {
    ADD_FAILURE() << "openpty failed";
    return {-1, ""};
  }
  std::string shown;
  int status = -1;
  {
    Process p(argv, env_, ws_, slave);
    close(slave);
    bool answered = expect.empty();
    double deadline = Now() + 30;
    for (;;) {
      pollfd pfd = {master, POLLIN, 0};
      if (poll(&pfd, 1, 100) > 0) {
        char buf[4096];
        ssize_t n = read(master, buf, sizeof(buf));
        if (n <= 0) break;  // EIO: every slave fd closed, the run is over
        shown.append(buf, static_cast<size_t>(n));
      }
      // The prompt ends with its deadline ("denied in N s").
      if (!answered && shown.find(expect) != std::string::npos &&
          shown.find("denied in") != std::string::npos) {
        answered = true;
        EXPECT_EQ(write(master, answer.data(), answer.size()), static_cast<ssize_t>(answer.size()));
      }
      if (Now() > deadline) break;
    }
    status = p.Wait(10).exit_code;
  }
  close(master);
  return {status, shown};
}

void SandboxTest::InitRepo(const std::string& dir) {
  auto git = [&](std::vector<std::string> args) {
    args.insert(args.begin(), {"/usr/bin/git", "-c", "init.defaultBranch=main", "-C", dir});
    RunResult r = Host(args);
    if (r.exit_code != 0) throw std::runtime_error("host git failed: " + r.Describe());
  };
  MakeDirs(dir, 0755);
  git({"init", "-q"});
  WriteFile(dir + "/README.md", "hello\n");
  git({"add", "README.md"});
  git({"commit", "-q", "-m", "init"});
}

std::vector<std::string> SandboxTest::GitEnvFlags() {
  return {
      "--env", "GIT_AUTHOR_NAME=Cordon Test",    "--env", "GIT_AUTHOR_EMAIL=test@example.com",
      "--env", "GIT_COMMITTER_NAME=Cordon Test", "--env", "GIT_COMMITTER_EMAIL=test@example.com"};
}

}  // namespace cordon::it
