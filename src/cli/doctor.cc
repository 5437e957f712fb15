// `cordon doctor`: the verification checklist, run live through real
// sandboxes on the user's own machine.
//
// Each check starts `cordon run` (this very binary, /proc/self/exe) in a
// fresh temp workspace with the user's config, runs the hostile probe
// (`cordon __doctor-probe`, a copy of this binary in the workspace) inside,
// and then checks the effect on the host (read through doctor_host.h):
// files that must not exist, a snapshot of ~/.ssh, connections a loopback
// listener did not receive, processes and mounts that must not remain. Doctor changes nothing of
// the user's: the probe's attacks happen inside the sandbox, and the only files doctor creates are
// its temp workspace and uniquely named targets that it removes again (whose presence is itself a
// FAIL).
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "cli/commands.h"
#include "cli/doctor_host.h"
#include "common/unique_fd.h"
#include "policy/loader.h"
#include "policy/paths.h"
#include "sandbox/backend.h"

extern char** environ;

namespace cordon::cli {

namespace {

enum class Verdict { kPass, kFail, kSkip };

struct CheckResult {
  std::string title;
  Verdict verdict = Verdict::kPass;
  std::string detail;
  std::string remedy;
};

CheckResult Titled(std::string title) {
  CheckResult c;
  c.title = std::move(title);
  return c;
}

struct Output {
  int exit_code = -1;
  std::string out, err;

  // The result word the probe printed for (op, arg), or "missing".
  [[nodiscard]] std::string ResultOf(const std::string& op, const std::string& arg) const {
    std::string prefix = op + " " + arg + " ";
    std::istringstream in(out);
    for (std::string line; std::getline(in, line);) {
      if (line.rfind(prefix, 0) == 0) return line.substr(prefix.size());
    }
    return "missing";
  }
  // The probe answered (its exit status is not looked at: a sanitized
  // build's leak checker may fail at exit inside the sandbox).
  [[nodiscard]] bool Answered() const { return out.find('\n') != std::string::npos; }
  [[nodiscard]] std::string Describe() const {
    std::string err_line = err.substr(0, err.find('\n'));
    return "exit " + std::to_string(exit_code) + (err_line.empty() ? "" : ": " + err_line);
  }
};

std::string RandomHex() {
  unsigned char bytes[8];
  randombytes_buf(bytes, sizeof bytes);
  char out[2 * sizeof bytes + 1];
  sodium_bin2hex(out, sizeof out, bytes, sizeof bytes);
  return out;
}

bool Lexists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

// Runs argv with this process's environment; captures stdout and stderr;
// kills it after `timeout_s`.
Output Spawn(const std::vector<std::string>& argv, int timeout_s = 60) {
  Output o;
  int out_pipe[2], err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return o;
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return o;
  }
  std::vector<char*> cargv;
  cargv.reserve(argv.size() + 1);
  for (const std::string& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
  cargv.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out_pipe[1], 1);
    ::dup2(err_pipe[1], 2);
    int devnull = ::open("/dev/null", O_RDONLY);
    if (devnull >= 0) ::dup2(devnull, 0);
    ::execve(cargv[0], cargv.data(), environ);
    _exit(127);
  }
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  UniqueFd out_fd(out_pipe[0]), err_fd(err_pipe[0]);
  if (pid < 0) return o;
  pollfd fds[2] = {{out_fd.get(), POLLIN, 0}, {err_fd.get(), POLLIN, 0}};
  int open_fds = 2;
  int waited_ms = 0;
  while (open_fds > 0 && waited_ms < timeout_s * 1000) {
    int n = ::poll(fds, 2, 100);
    if (n == 0) waited_ms += 100;
    if (n < 0 && errno != EINTR) break;
    for (int i = 0; i < 2; ++i) {
      if (fds[i].fd < 0 || (fds[i].revents & (POLLIN | POLLHUP)) == 0) continue;
      char buf[4096];
      ssize_t r = ::read(fds[i].fd, buf, sizeof buf);
      if (r > 0) {
        (i == 0 ? o.out : o.err).append(buf, static_cast<size_t>(r));
      } else {
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  if (open_fds > 0) ::kill(pid, SIGKILL);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  o.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return o;
}

class Doctor {
 public:
  Doctor(policy::HostFacts host, std::string self)
      : host_(std::move(host)), self_(std::move(self)) {}
  ~Doctor() { (void)Cleanup(); }

  // Removes doctor's temp workspace (once); an error names it.
  Status Cleanup() {
    if (root_.empty()) return {};
    std::error_code ec;
    std::filesystem::remove_all(root_, ec);
    if (ec) return SysError("remove", root_, ec.value());
    root_.clear();
    return {};
  }
  Doctor(const Doctor&) = delete;
  Doctor& operator=(const Doctor&) = delete;

  Status Prepare() {
    // $TMPDIR when set (tests keep doctor's files in their own root), else
    // /var/tmp, which outlives nothing the sandbox makes private.
    const char* tmpdir = std::getenv("TMPDIR");
    std::string base = tmpdir != nullptr && tmpdir[0] == '/' ? tmpdir : "/var/tmp";
    if (::access(base.c_str(), W_OK) != 0) base = "/tmp";
    std::string tmpl = base + "/cordon-doctor-XXXXXX";
    if (::mkdtemp(tmpl.data()) == nullptr) return SysError("mkdtemp", tmpl, errno);
    root_ = tmpl;
    ws_ = root_ + "/ws";
    outside_ = root_ + "/outside";
    probe_ = ws_ + "/doctor-probe";
    for (const std::string& d : {ws_, outside_}) {
      if (::mkdir(d.c_str(), 0755) != 0) return SysError("mkdir", d, errno);
    }
    std::error_code ec;
    std::filesystem::copy_file(self_, probe_, ec);
    if (ec) return SysError("copy", self_ + " -> " + probe_, ec.value());
    if (::chmod(probe_.c_str(), 0755) != 0) return SysError("chmod", probe_, errno);
    marker_ = "cordon-doctor-" + RandomHex();
    // The runs below make their package-cache layers under
    // $XDG_CACHE_HOME/cordon (docs/caches.md): keep them in this scratch
    // root, which goes at the end, so that doctor leaves the home as it was.
    const std::string cache = root_ + "/cache";
    if (::mkdir(cache.c_str(), 0700) != 0) return SysError("mkdir", cache, errno);
    ::setenv("XDG_CACHE_HOME", cache.c_str(), 1);
    mounts_before_ = doctor_host::MountTable();
    return {};
  }

  // `cordon run --workspace WS OPTS -- PROBE __doctor-probe OPS...`
  Output Run(const std::vector<std::string>& opts, const std::vector<std::string>& ops) {
    std::vector<std::string> argv = {self_, "run", "--workspace", ws_};
    argv.insert(argv.end(), opts.begin(), opts.end());
    argv.insert(argv.end(), {"--", probe_, "__doctor-probe"});
    argv.insert(argv.end(), ops.begin(), ops.end());
    return Spawn(argv);
  }

  CheckResult Writes() {
    CheckResult c = Titled("1 writes: denied outside the workspace, allowed inside");
    const std::string inside = ws_ + "/doctor-inside.txt";
    std::vector<std::string> outside = {outside_ + "/doctor-outside.txt",
                                        host_.home + "/." + marker_};
    struct stat st;
    if (::stat("/var/tmp", &st) == 0 && S_ISDIR(st.st_mode))
      outside.push_back("/var/tmp/" + marker_);
    std::vector<std::string> ops = {"write", inside};
    for (const std::string& p : outside) ops.insert(ops.end(), {"write", p});
    Output o = Run({}, ops);
    if (!o.Answered()) return Broken(c, o);
    std::string problems;
    if (o.ResultOf("write", inside) != "ok" || !Lexists(inside)) {
      problems += " the workspace is not writable (" + o.ResultOf("write", inside) + ");";
    }
    for (const std::string& p : outside) {
      if (Lexists(p)) {
        problems += " " + p + " was written on the host;";
        ::unlink(p.c_str());  // doctor's own uniquely named file
      } else if (o.ResultOf("write", p) == "ok") {
        problems += " " + p + " was writable inside (the write went nowhere on the host);";
      }
    }
    if (!problems.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = problems.substr(1, problems.size() - 2);
      c.remedy = "check 'cordon policy show' for mode full-access or writable roots";
      return c;
    }
    c.detail = "1 inside allowed, " + std::to_string(outside.size()) + " outside denied";
    return c;
  }

  CheckResult SecretPaths() {
    CheckResult c = Titled("2 secret paths: every deny-listed path is unreadable inside");
    policy::Overrides ov;
    ov.workspace = ws_;
    auto resolved = policy::Resolve(ov, host_);
    if (!resolved.ok()) {
      c.verdict = Verdict::kFail;
      c.detail = resolved.error().Describe();
      c.remedy = "fix the config error above";
      return c;
    }
    std::vector<std::string> paths;
    for (const policy::PathRule& r : resolved.value().deny_read)
      doctor_host::Walk(r.path, paths.size() + 50, &paths);
    if (paths.empty()) {
      c.verdict = Verdict::kSkip;
      c.detail = "none of the deny-listed paths exists on this machine";
      return c;
    }
    std::vector<std::string> ops;
    for (const std::string& p : paths) ops.insert(ops.end(), {"read", p});
    Output o = Run({}, ops);
    if (!o.Answered()) return Broken(c, o);
    std::vector<std::string> readable;
    for (const std::string& p : paths) {
      std::string r = o.ResultOf("read", p);
      if (r == "ok" || r == "missing")
        readable.push_back(p + (r == "missing" ? " (no answer)" : ""));
    }
    if (!readable.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = "readable inside: " + Join(readable, 5);
      c.remedy = "a config that re-exposes these (mode full-access?): see 'cordon policy show'";
      return c;
    }
    c.detail = std::to_string(paths.size()) + " existing paths checked, none readable";
    return c;
  }

  CheckResult Ssh() {
    CheckResult c = Titled(
        "3 ~/.ssh: bytes, mode, owner and ACLs unchanged by a hostile run; keys pass OpenSSH");
    const std::string ssh = host_.home + "/.ssh";
    doctor_host::SshFiles files = doctor_host::ParseSshConfig(ssh + "/config", host_.home);
    std::vector<std::string> paths;
    doctor_host::Walk(ssh, 2000, &paths);
    for (const std::string& p : files.paths) doctor_host::Walk(p, paths.size() + 200, &paths);
    std::sort(paths.begin(), paths.end());
    paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
    if (paths.empty()) {
      c.verdict = Verdict::kSkip;
      c.detail = "no ~/.ssh on this machine";
      return c;
    }
    for (const std::string& p : paths) {
      std::string base = p.substr(p.rfind('/') + 1);
      if (p.rfind(ssh + "/", 0) == 0 && base.rfind("id_", 0) == 0 &&
          !(base.size() > 4 && base.substr(base.size() - 4) == ".pub")) {
        files.private_keys.insert(p);
      }
    }
    // The hostile probe runs only where it cannot reach the real files: if
    // any of them is visible inside, the sandbox is broken and tampering
    // would damage the user's keys.
    std::vector<std::string> look;
    for (const std::string& p : paths) look.insert(look.end(), {"lstat", p});
    Output seen = Run({}, look);
    if (!seen.Answered()) return Broken(c, seen);
    std::vector<std::string> visible;
    for (const std::string& p : paths) {
      if (seen.ResultOf("lstat", p) != "ENOENT") visible.push_back(p);
    }
    if (!visible.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = "visible inside the sandbox: " + Join(visible, 5) +
                 "; the hostile probe was not run, to keep these files safe";
      c.remedy = "check 'cordon policy show' for mode full-access";
      return c;
    }
    std::map<std::string, std::string> before;
    for (const std::string& p : paths) before[p] = doctor_host::DescribeFile(p);
    std::vector<std::string> ops;
    for (const std::string& p : paths) ops.insert(ops.end(), {"read", p, "tamper", p});
    Output o = Run({}, ops);
    std::vector<std::string> changed;
    for (const std::string& p : paths) {
      std::string now = doctor_host::DescribeFile(p);
      if (now != before[p])
        changed.push_back(std::string(p)
                              .append(" (before: ")
                              .append(before[p])
                              .append("; after: ")
                              .append(now)
                              .append(")"));
    }
    if (!o.Answered() && changed.empty()) return Broken(c, o);
    if (!changed.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = "changed by the probe: " + Join(changed, 3);
      c.remedy = "restore the files from a backup; check 'cordon policy show' for mode full-access";
      return c;
    }
    std::vector<std::string> bad_keys;
    for (const std::string& k : files.private_keys) {
      struct stat st;
      // OpenSSH (sshkey_perm_ok): a key of yours readable by anyone else
      // is refused ("UNPROTECTED PRIVATE KEY FILE").
      if (::stat(k.c_str(), &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == ::getuid() &&
          (st.st_mode & 077) != 0) {
        char mode[8];
        std::snprintf(mode, sizeof mode, "%04o", st.st_mode & 07777);
        bad_keys.push_back(k + " (mode " + mode + ")");
      }
    }
    if (!bad_keys.empty()) {
      c.verdict = Verdict::kFail;
      c.detail =
          "OpenSSH refuses these private keys (it was so before this run; cordon did not "
          "change them): " +
          Join(bad_keys, 5);
      c.remedy = "chmod 600 on each key (and remove ACL entries: setfacl -b KEY)";
      return c;
    }
    c.detail = std::to_string(paths.size()) + " paths unchanged, " +
               std::to_string(files.private_keys.size()) + " private keys with OpenSSH's modes";
    return c;
  }

  CheckResult OfflineNetwork() {
    CheckResult c = Titled("4a offline identity: no loopback listener, DNS or UDP reached");
    UniqueFd tcp(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    UniqueFd udp(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    int tcp_port = Listen(tcp.get(), true), udp_port = Listen(udp.get(), false);
    if (tcp_port <= 0 || udp_port <= 0) {
      c.verdict = Verdict::kFail;
      c.detail = std::string("cannot start the loopback listeners: ") + strerror(errno);
      return c;
    }
    const std::string tcp_target = "127.0.0.1:" + std::to_string(tcp_port);
    const std::string udp_target = "127.0.0.1:" + std::to_string(udp_port);
    Output o = Run({"--net", "off"}, {"tcp", tcp_target, "udp", udp_target, "dns", "example.com",
                                      "tcp", "1.1.1.1:443"});
    if (!o.Answered()) return Broken(c, o);
    std::string problems;
    int accepted = 0;
    while (true) {
      int fd = ::accept4(tcp.get(), nullptr, nullptr, SOCK_CLOEXEC);
      if (fd < 0) break;
      ::close(fd);
      ++accepted;
    }
    char buf[64];
    int received = 0;
    while (::recv(udp.get(), buf, sizeof buf, MSG_DONTWAIT) >= 0) ++received;
    if (accepted > 0) problems += " the host's loopback listener accepted a connection;";
    if (received > 0) problems += " the host's UDP socket received a datagram;";
    if (o.ResultOf("dns", "example.com") == "ok") problems += " a DNS query was answered;";
    if (o.ResultOf("tcp", "1.1.1.1:443") == "ok") problems += " 1.1.1.1:443 was reachable;";
    if (!problems.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = problems.substr(1, problems.size() - 2);
      c.remedy = "check 'cordon policy show --net off' for mode full-access";
      return c;
    }
    c.detail = "loopback TCP " + o.ResultOf("tcp", tcp_target) + ", DNS " +
               o.ResultOf("dns", "example.com") + ", internet " + o.ResultOf("tcp", "1.1.1.1:443") +
               "; the host saw nothing";
    return c;
  }

  CheckResult OnlineNetwork() {
    CheckResult c = Titled("4b online identity: only what the allowlist names");
    Output show = Spawn({self_, "policy", "show", "--workspace", ws_, "--net", "proxy"});
    if (show.exit_code != 0) {
      c.verdict = Verdict::kSkip;
      c.detail = "proxy mode not available in this build";
      return c;
    }
    // Two listeners on the host's loopback: one the allowlist names, one it
    // does not. Through the proxy only the first may be reached; directly,
    // neither.
    UniqueFd named(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    UniqueFd unlisted(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    const std::string named_target = "127.0.0.1:" + std::to_string(Listen(named.get(), true));
    const std::string unlisted_target = "127.0.0.1:" + std::to_string(Listen(unlisted.get(), true));
    Output o = Run({"--net", "proxy", "--allow-local", named_target},
                   {"proxy", named_target, "proxy", unlisted_target, "tcp", unlisted_target});
    if (!o.Answered()) return Broken(c, o);
    auto accepted = [](int fd) {
      int n = 0;
      for (int c; (c = ::accept4(fd, nullptr, nullptr, SOCK_CLOEXEC)) >= 0; ++n) ::close(c);
      return n;
    };
    const int named_hits = accepted(named.get());
    const int unlisted_hits = accepted(unlisted.get());
    std::string problems;
    if (unlisted_hits > 0) problems += " a destination the allowlist does not name was reached;";
    if (o.ResultOf("proxy", named_target) != "ok" || named_hits != 1) {
      problems += " the destination the allowlist names was not reached through the proxy (" +
                  o.ResultOf("proxy", named_target) + ");";
    }
    if (!problems.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = problems.substr(1, problems.size() - 2);
      c.remedy = "check [network] in 'cordon policy show --net proxy'";
      return c;
    }
    c.detail = "allowed destination reached through the proxy; unlisted one refused (proxy " +
               o.ResultOf("proxy", unlisted_target) + ", direct " +
               o.ResultOf("tcp", unlisted_target) + "); the host saw only the allowed one";
    return c;
  }

  // Each limit this host enforces, tried live with a small value; those it
  // does not are named with what would enforce them.
  CheckResult Limits(sandbox::Tier tier) {
    CheckResult c = Titled("5 resource limits: a runaway command fails alone");
    const sandbox::LimitSupport s = sandbox::ProbeLimits(tier);
    using Kind = sandbox::LimitEnforcement::Kind;
    std::string problems;
    std::string held;
    std::string missing;
    if (s.pids.kind != Kind::kNone) {
      Output o = Run({"--pids", "16"}, {"forks", "64"});
      if (!o.Answered()) return Broken(c, o);
      const std::string got = o.ResultOf("forks", "64");
      if (std::atoi(got.c_str()) >= 16 || got.find("EAGAIN") == std::string::npos) {
        problems += " --pids 16 let " + got + " forks through;";
      } else {
        held += ", pids";
      }
    } else {
      missing += " pids (" + s.pids.remedy + ");";
    }
    if (s.tmp.kind != Kind::kNone) {
      Output o = Run({"--tmp-size", "1M"}, {"fill", "/tmp/" + marker_});
      if (!o.Answered()) return Broken(c, o);
      if (o.ResultOf("fill", "/tmp/" + marker_) != "ENOSPC") {
        problems += " --tmp-size 1M let /tmp take 4 MiB;";
      } else {
        held += ", tmp";
      }
    } else {
      missing += " tmp (" + s.tmp.remedy + ");";
    }
    if (s.memory.kind != Kind::kNone) {
      // A cgroup ends the run (OOM); an rlimit fails the allocation.
      Output o = Run({"--memory", "64M"}, {"alloc", "512"});
      const std::string got = o.ResultOf("alloc", "512");
      if (got == "ok") {
        problems += " --memory 64M let a command allocate 512 MiB;";
      } else {
        held += s.memory.kind == Kind::kWholeRun ? ", memory" : ", memory (per process)";
      }
    }
    if (s.cpus.kind == Kind::kNone) missing += " cpus (" + s.cpus.remedy + ");";
    if (!problems.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = problems.substr(1, problems.size() - 2);
      c.remedy = "report it: cordon believes these limits hold here ('cordon policy show')";
      return c;
    }
    c.detail =
        (held.empty() ? std::string("no limit tried") : "held:" + held.substr(1)) +
        (s.cpus.kind != Kind::kNone ? "; cpus enforced (" + s.cpus.how + "), not tried" : "") +
        (missing.empty() ? "" : "; not enforced here:" + missing.substr(0, missing.size() - 1));
    return c;
  }

  CheckResult Leftovers() {
    CheckResult c =
        Titled("6 nothing left behind: no process, mount or file outside cordon's state");
    std::vector<std::string> files = {"/tmp/" + marker_, "/dev/shm/" + marker_,
                                      host_.home + "/" + marker_};
    std::vector<std::string> ops = {"daemon", marker_};
    for (const std::string& f : files) ops.insert(ops.end(), {"write", f});
    Output o = Run({}, ops);
    if (!o.Answered()) return Broken(c, o);
    std::string problems;
    // The daemon must be gone when `cordon run` returns; give a straggler
    // of a broken sandbox a moment to show up.
    ::usleep(200 * 1000);
    std::vector<pid_t> alive = doctor_host::ProcessesWith(marker_);
    for (pid_t pid : alive) ::kill(pid, SIGKILL);  // doctor's own probe
    if (!alive.empty()) problems += " a daemon started inside outlived the run;";
    for (const std::string& f : files) {
      if (Lexists(f)) {
        problems += " " + f + " exists on the host;";
        ::unlink(f.c_str());
      }
    }
    std::vector<std::string> mounts = doctor_host::MountTable();
    if (mounts != mounts_before_) problems += " the host's mount table changed;";
    if (!problems.empty()) {
      c.verdict = Verdict::kFail;
      c.detail = problems.substr(1, problems.size() - 2);
      c.remedy = "check 'cordon policy show' for mode full-access";
      return c;
    }
    c.detail = "no probe process, no file in /tmp, /dev/shm or ~, mount table unchanged";
    return c;
  }

 private:
  static std::string Join(const std::vector<std::string>& items, size_t max) {
    std::string out;
    for (size_t i = 0; i < items.size() && i < max; ++i) out += (i ? ", " : "") + items[i];
    if (items.size() > max) out += " and " + std::to_string(items.size() - max) + " more";
    return out;
  }

  static CheckResult Broken(CheckResult c, const Output& o) {
    c.verdict = Verdict::kFail;
    c.detail = "the sandboxed probe did not run: " + o.Describe();
    c.remedy = "run 'cordon setup' to see what this kernel lacks";
    return c;
  }

  static int Listen(int fd, bool stream) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || ::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
    if (stream && ::listen(fd, 16) != 0) return -1;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return -1;
    return ntohs(addr.sin_port);
  }

  policy::HostFacts host_;
  std::string self_;
  std::string root_, ws_, outside_, probe_, marker_;
  std::vector<std::string> mounts_before_;
};

}  // namespace

int DoctorCommand(const MaintenanceArgs&) {
  if (sodium_init() < 0) {
    std::fprintf(stderr, "cordon: doctor: libsodium cannot initialize\n");
    return 1;
  }
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    std::fprintf(stderr, "cordon: %s\n", host.error().Describe().c_str());
    return 1;
  }
  char exe[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) {
    std::fprintf(stderr, "cordon: %s\n",
                 SysError("readlink", "/proc/self/exe", errno).Describe().c_str());
    return 1;
  }
  Doctor doctor(host.value(), std::string(exe, static_cast<size_t>(n)));
  Status prepared = doctor.Prepare();
  if (!prepared.ok()) {
    std::fprintf(stderr, "cordon: doctor: %s\n", prepared.error().Describe().c_str());
    return 1;
  }
  std::printf("cordon doctor: verifying the sandbox on this machine, live\n");
  // The tier the checks exercise, from the probe setup and policy show use.
  sandbox::TierProbe tier = sandbox::ProbeTier();
  std::printf("tier: %s%s\n\n", sandbox::TierName(tier.tier),
              tier.reason.empty() ? "" : (" (" + tier.reason + ")").c_str());
  std::fflush(stdout);
  int pass = 0, fail = 0, skip = 0;
  for (const auto& check : std::vector<std::function<CheckResult()>>{
           [&] { return doctor.Writes(); }, [&] { return doctor.SecretPaths(); },
           [&] { return doctor.Ssh(); }, [&] { return doctor.OfflineNetwork(); },
           [&] { return doctor.OnlineNetwork(); }, [&] { return doctor.Limits(tier.tier); },
           [&] { return doctor.Leftovers(); }}) {
    CheckResult r = check();
    const char* word = r.verdict == Verdict::kPass   ? "PASS"
                       : r.verdict == Verdict::kFail ? "FAIL"
                                                     : "SKIP";
    (r.verdict == Verdict::kPass ? pass : r.verdict == Verdict::kFail ? fail : skip)++;
    std::printf("%s  %s\n      %s\n", word, r.title.c_str(), r.detail.c_str());
    if (!r.remedy.empty() && r.verdict == Verdict::kFail)
      std::printf("      remedy: %s\n", r.remedy.c_str());
    std::fflush(stdout);
  }
  Status cleaned = doctor.Cleanup();
  if (!cleaned.ok()) {
    std::fprintf(stderr, "cordon: doctor: %s\n", cleaned.error().Describe().c_str());
  }
  std::printf("\n%d passed, %d failed, %d skipped\n", pass, fail, skip);
  return fail > 0 ? 1 : 0;
}

}  // namespace cordon::cli
