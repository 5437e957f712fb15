// The integration tests' helper layer: temp dirs, a fake home full of
// real-looking secrets, running cordon with a controlled environment, loopback
// servers that count what reached them, and host snapshots.
//
// Everything here runs on the host side, as the test's own user (root or the
// unprivileged `cordon-test`), and touches only the test's temp dirs: no
// machine-wide setting is read or changed. Helpers throw std::runtime_error
// on host-side failures, which GoogleTest reports as a test failure.
#pragma once

#include <gtest/gtest.h>
#include <sys/types.h>

#include <functional>
#include <initializer_list>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace cordon::it {

// Binaries under test: $CORDON_BIN / $CORDON_PROBE / $CORDON_DENY_SYSCALL, or
// the build tree's paths.
std::string CordonBin();
std::string ProbeBin();
std::string DenySyscallBin();
// Where test roots are created: $CORDON_TEST_TMPDIR, else /var/tmp (outside
// /tmp on purpose, so the sandbox's private /tmp is expected to be empty),
// else /tmp.
std::string TestTmpBase();

// True when the suite runs against the namespace-less tier
// (CORDON_TEST_TIER=nsless): every cordon the fixture starts runs under
// cordon-deny-syscall --ns user, which makes clone/unshare with
// CLONE_NEWUSER fail with EPERM, as AppArmor's restriction does.
bool NamespacelessTier();
// The argv prefix that forces the tier ({} in the namespace tier).
std::vector<std::string> TierPrefix();

// Skips a test that checks what the namespace-less tier does not enforce
// (listed in docs/mechanisms.md); the reason names the limit.
#define CORDON_SKIP_IN_NAMESPACELESS_TIER(reason)                                               \
  do {                                                                                          \
    if (::cordon::it::NamespacelessTier()) GTEST_SKIP() << "namespace-less tier: " << (reason); \
  } while (0)

// ---- host filesystem helpers (throw on failure) ----
void WriteFile(const std::string& path, const std::string& data, mode_t mode = 0644);
std::string ReadFile(const std::string& path);
bool Exists(const std::string& path);  // lstat: a dangling symlink exists
void MakeDirs(const std::string& path, mode_t mode = 0755);
void RemoveAll(const std::string& path);  // also makes read-only dirs writable first
std::vector<std::string> ListDir(const std::string& path);  // sorted, no . and ..
void CopyFile(const std::string& from, const std::string& to, mode_t mode);
std::string RandomToken();  // 16 hex digits
std::string Basename(const std::string& path);
std::string Dirname(const std::string& path);

class TempDir {
 public:
  explicit TempDir(const std::string& prefix = "cordon-it-",
                   const std::string& base = TestTmpBase());
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }

 private:
  std::string path_;
};

// ---- processes ----
struct RunResult {
  int exit_code = -1;  // shell convention: 128+N when killed by signal N
  std::string out;
  std::string err;
  double seconds = 0;
  bool timed_out = false;  // the harness had to kill it

  [[nodiscard]] std::string FirstLine() const;          // of stdout
  [[nodiscard]] std::vector<std::string> Data() const;  // stdout lines after the first
  [[nodiscard]] std::string Describe() const;           // for failure messages
};

using Env = std::map<std::string, std::string>;

// A running child with captured stdout/stderr; stdin is /dev/null unless a
// terminal fd is given.
class Process {
 public:
  Process(const std::vector<std::string>& argv, const Env& env, const std::string& cwd,
          int tty_fd = -1);
  ~Process();  // SIGKILLs and reaps a child still running
  Process(const Process&) = delete;
  Process& operator=(const Process&) = delete;
  [[nodiscard]] pid_t pid() const { return pid_; }
  // Collects output until exit; SIGKILLs the child after timeout_s.
  RunResult Wait(double timeout_s = 30);

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  double start_ = 0;
};

RunResult RunProcess(const std::vector<std::string>& argv, const Env& env, const std::string& cwd,
                     double timeout_s = 30);

// Polls until pred() is true; false on timeout.
bool WaitFor(const std::function<bool()>& pred, double timeout_s = 5);
double Now();

// Host processes whose argv contains marker (scans /proc/*/cmdline).
std::vector<pid_t> ProcessesWithArg(const std::string& marker);
// The host's mount table as seen by this process, one normalized line per
// mount (mount id and parent id dropped).
std::vector<std::string> HostMounts();

// ---- result predicates ----
// ok / exit 0 from the probe.
::testing::AssertionResult Allowed(const RunResult& r);
// The probe failed (exit 1) with one of these errno names.
::testing::AssertionResult Denied(const RunResult& r,
                                  std::initializer_list<const char*> errnos = {"EACCES", "EROFS"});

// ---- the fake home ----
// A home with real-looking secrets (every deny-listed file holds secret()),
// the default toolchain allowlist, and some ordinary private files (holding
// private_token()).
class FakeHome {
 public:
  explicit FakeHome(const std::string& path);
  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] std::string operator/(const std::string& rel) const { return path_ + "/" + rel; }
  [[nodiscard]] const std::string& secret() const { return secret_; }
  [[nodiscard]] const std::string& private_token() const { return private_; }
  // Every file that holds secret(), relative to the home.
  [[nodiscard]] const std::vector<std::string>& secret_files() const { return secret_files_; }
  // Top-level entries the sandbox must show: the allowlist entries created.
  [[nodiscard]] static std::vector<std::string> VisibleTopLevel();

 private:
  std::string path_;
  std::string secret_;
  std::string private_;
  std::vector<std::string> secret_files_;
};

// ---- loopback servers (host side) ----
class TcpServer {
 public:
  explicit TcpServer(const std::string& address);  // "127.0.0.1" or "::1"
  ~TcpServer();
  [[nodiscard]] int port() const { return port_; }
  // Accepts every queued connection (non-blocking) and returns how many.
  // Loopback handshakes complete synchronously, so after the client has
  // returned, the queue holds every connection that got through.
  int TakeAccepted();

 private:
  int fd_ = -1;
  int port_ = 0;
};

class UdpServer {
 public:
  explicit UdpServer(const std::string& address);
  ~UdpServer();
  [[nodiscard]] int port() const { return port_; }
  int TakeReceived();  // datagrams queued so far

 private:
  int fd_ = -1;
  int port_ = 0;
};

// A listening unix stream socket at a path, or in the abstract namespace.
class UnixServer {
 public:
  UnixServer(const std::string& name, bool abstract);
  ~UnixServer();
  int TakeAccepted();

 private:
  int fd_ = -1;
  std::string path_;
};

// ---- snapshots ----
// path (relative to root) → "type mode uid:gid size mtime ctime content-hash
// link-target xattrs(name=hex...)", for root and everything under it
// (lstat, never following symlinks). skip: relative paths left out, with
// everything under them.
using Snapshot = std::map<std::string, std::string>;
// Relative to the fake home: where runs keep their package-cache layers
// (docs/caches.md), left out of snapshots of the home.
inline constexpr const char* kCacheLayers = ".cache/cordon";
Snapshot TakeSnapshot(const std::string& root, const std::vector<std::string>& skip = {});
// Human-readable differences; empty when equal.
std::string DiffSnapshots(const Snapshot& before, const Snapshot& after);

// ---- the per-test sandbox fixture ----
// Layout, under a fresh root (0700) in TestTmpBase():
//   home/     the fake home; cordon's $HOME
//   ws/       the workspace (cordon's cwd and --workspace)
//   tools/    a copy of cordon-probe, passed with --read
//   outside/  a directory the sandbox never gets (outside/target.txt)
//   runtime/  $XDG_RUNTIME_DIR (0700)
//   state/    $XDG_STATE_HOME
//   tmp/      $TMPDIR (0700; the namespace-less tier's private dir goes here)
class SandboxTest : public ::testing::Test {
 protected:
  SandboxTest();

  // cordon run --workspace WS --no-config --read TOOLS OPTS... -- CMD...
  // (with --require-namespaces in the namespaces pass).
  [[nodiscard]] std::vector<std::string> RunArgv(const std::vector<std::string>& opts,
                                                 const std::vector<std::string>& cmd) const;
  // The same without --require-namespaces: for tests that make the tier
  // switch on purpose (a faked refusal of user namespaces).
  [[nodiscard]] std::vector<std::string> RunArgvAnyTier(const std::vector<std::string>& opts,
                                                        const std::vector<std::string>& cmd) const;
  // Runs cordon and checks that no byte of the home's secret came out.
  RunResult Run(const std::vector<std::string>& opts, const std::vector<std::string>& cmd,
                double timeout_s = 30);
  // Run(opts, {probe, probe_args...}).
  RunResult Probe(const std::vector<std::string>& opts, const std::vector<std::string>& probe_args);
  RunResult Probe(const std::vector<std::string>& probe_args) { return Probe({}, probe_args); }
  // Any cordon subcommand, e.g. {"policy", "show"}, with the test's env/cwd.
  RunResult Cordon(const std::vector<std::string>& args);
  // Host-side command (e.g. git) with the test's environment, cwd = WS.
  RunResult Host(const std::vector<std::string>& argv);

  // Runs argv (e.g. RunArgv(...)) on a new pseudo-terminal, its controlling
  // terminal; once an approval prompt containing `expect` is shown, types
  // `answer`. Returns the exit status and everything the terminal showed.
  std::pair<int, std::string> OnTerminal(const std::vector<std::string>& argv,
                                         const std::string& expect, const std::string& answer);

  // `git init` of dir on the host, with one commit.
  void InitRepo(const std::string& dir);
  // --env flags that make git commits work inside.
  static std::vector<std::string> GitEnvFlags();

  TempDir root_;
  std::string home_;
  std::string ws_;
  std::string tools_;
  std::string outside_;
  std::string runtime_;
  std::string state_;
  FakeHome fake_home_;
  std::string probe_;  // the probe's path, visible in the sandbox
  Env env_;            // cordon's whole environment
};

}  // namespace cordon::it
