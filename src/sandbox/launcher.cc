// The supervisor side of a run.
#include "sandbox/launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <string>
#include <string_view>

#include "common/unique_fd.h"
#include "sandbox/child.h"
#include "sandbox/placeholders.h"
#include "sandbox/report.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace cordon::sandbox {
namespace {

constexpr int kRelayed[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2};

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Result<Pipe> MakePipe(const char* what) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return SysError("pipe2", what, errno);
  return Pipe{UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Blocks the relayed signals for the supervisor's lifetime and restores the
// previous mask on destruction.
class SignalGuard {
 public:
  SignalGuard() {
    sigemptyset(&set_);
    for (int sig : kRelayed) sigaddset(&set_, sig);
    sigprocmask(SIG_BLOCK, &set_, &old_);
  }
  ~SignalGuard() { sigprocmask(SIG_SETMASK, &old_, nullptr); }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
  [[nodiscard]] const sigset_t& set() const { return set_; }
  [[nodiscard]] const sigset_t& old() const { return old_; }

 private:
  sigset_t set_{};
  sigset_t old_{};
};

// clone(2) with fork semantics (no new stack) and a pidfd for the child.
pid_t CloneWithPidfd(unsigned long flags, int* pidfd) {
  return static_cast<pid_t>(
      syscall(SYS_clone, flags | CLONE_PIDFD | SIGCHLD, nullptr, pidfd, nullptr, nullptr));
}

int SendSignal(int pidfd, int sig) {
  return static_cast<int>(syscall(SYS_pidfd_send_signal, pidfd, sig, nullptr, 0));
}

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Hints for the errno values whose meaning is not obvious from the call.
std::string SetupHint(const Report& r) {
  struct Hint {
    const char* op_prefix;
    int err;  // 0: any
    const char* text;
    const char* path_prefix = "";
  };
  static constexpr Hint kHints[] = {
      {"mount(proc)", EPERM,
       "the host's /proc has parts covered by other mounts, so a user namespace may not mount a "
       "new one (common inside containers: run cordon on the host, or give the container an "
       "unmasked /proc)"},
      {"mount(", ENOSPC, "too many mounts: raise the sysctl fs.mount-max"},
      {"move_mount", ENOSPC, "too many mounts: raise the sysctl fs.mount-max"},
      {"write", EPERM,
       "the kernel refused the user namespace's id map (restricted by an LSM, or /proc mounted "
       "with restrictions?)",
       "/proc/self/"},
      {"landlock", 0,
       "the kernel's Landlock refused the ruleset; `cordon run --allow-degraded` "
       "runs without it"},
      {"open_tree", ENOSYS, "the new mount API (Linux 5.12+) is required for the mount view"},
      {"mount_setattr", ENOSYS, "the new mount API (Linux 5.12+) is required for the mount view"},
      {"prctl(PR_SET_SECCOMP)", EINVAL, "the kernel lacks seccomp filters (CONFIG_SECCOMP_FILTER)"},
  };
  std::string_view op = r.op;
  for (const Hint& h : kHints) {
    if (op.starts_with(h.op_prefix) && (h.err == 0 || h.err == r.err) &&
        std::string_view(r.path).starts_with(h.path_prefix)) {
      return h.text;
    }
  }
  return "";
}

Outcome FromReport(const Report& r) {
  Error e = SysError(r.op, r.path, r.err);
  if (r.kind == Report::kExecFailed) return Outcome{Outcome::Kind::kExecError, 0, 0, std::move(e)};
  e.hint = SetupHint(r);
  return Outcome::SetupError(std::move(e));
}

}  // namespace

Outcome Launch(const policy::Policy& policy, Plan& plan, const LaunchOptions& options) {
  // argv and envp as C arrays; built after the plan has its final address.
  std::vector<char*> argv;
  for (auto& a : plan.argv) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (auto& e : plan.envp) envp.push_back(e.data());
  envp.push_back(nullptr);
  std::vector<int> scratch(plan.mounts.binds.size(), -1);

  // Stand-ins for missing protected files; one that could not be made is
  // not protected, and says so.
  Placeholders placeholders;
  if (!plan.placeholders.empty()) {
    auto ready = placeholders.Create(plan.placeholders);
    for (const auto& p : plan.placeholders) {
      if (std::find(ready.begin(), ready.end(), p.path) != ready.end()) continue;
      std::erase(plan.mounts.protects, p.path);
      plan.degraded.push_back("could not create a placeholder for missing protected path " +
                              p.path);
      if (options.on_degraded) options.on_degraded(plan.degraded.back());
    }
  }

  auto report = MakePipe("report");
  if (!report.ok()) return Outcome::SetupError(report.error());
  auto lifeline = MakePipe("lifeline");
  if (!lifeline.ok()) return Outcome::SetupError(lifeline.error());

  SignalGuard signals;
  ChildContext ctx;
  ctx.plan = &plan;
  ctx.report_fd = report.value().write.get();
  ctx.lifeline_fd = lifeline.value().read.get();
  ctx.argv = argv.data();
  ctx.envp = envp.data();
  ctx.exec_mask = signals.old();
  ctx.init_mask = signals.set();
  sigaddset(&ctx.init_mask, SIGCHLD);

  int pidfd = -1;
  pid_t pid = CloneWithPidfd(plan.confine ? plan.clone_flags : 0, &pidfd);
  if (pid < 0 && plan.confine &&
      (errno == EPERM || errno == EACCES || errno == ENOSPC || errno == EINVAL ||
       errno == EUSERS)) {
    int err = errno;
    if (!plan.allow_degraded) {
      Error e = SysError("clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|...)", "", err);
      e.hint = namespaces::UserNamespaceHint(err);
      return Outcome::SetupError(std::move(e));
    }
    ReplanWithoutNamespaces(policy, plan);
    if (options.on_degraded) options.on_degraded(plan.degraded.back());
    scratch.clear();
    pid = CloneWithPidfd(0, &pidfd);
  }
  if (pid < 0) return Outcome::SetupError(SysError("clone", "", errno));
  if (pid == 0) {
    // The child: it inherited the blocked mask, which init keeps.
    ctx.scratch = std::span<int>(scratch);
    lifeline.value().write.Reset();
    if (plan.confine) RunChild(ctx);
    ExecUnconfined(ctx);
  }
  UniqueFd child(pidfd);
  if (options.on_started) options.on_started(pid);
  report.value().write.Reset();
  lifeline.value().read.Reset();

  UniqueFd sigfd(signalfd(-1, &signals.set(), SFD_CLOEXEC));
  if (!sigfd.valid()) {
    SendSignal(child.get(), SIGKILL);
    siginfo_t ignored{};
    waitid(static_cast<idtype_t>(P_PIDFD), child.get(), &ignored, WEXITED);
    return Outcome::SetupError(SysError("signalfd", "", errno));
  }

  const int64_t deadline =
      options.timeout_seconds ? NowMs() + *options.timeout_seconds * 1000LL : -1;
  bool timed_out = false;
  for (;;) {
    int wait_ms = -1;
    if (deadline >= 0) wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - NowMs()));
    pollfd fds[2] = {{child.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
    int n = poll(fds, 2, wait_ms);
    if (n < 0 && errno != EINTR) break;
    if (n == 0 && deadline >= 0 && NowMs() >= deadline) {
      // Killing init kills the whole pid namespace.
      timed_out = true;
      SendSignal(child.get(), SIGKILL);
    }
    if (n > 0 && (fds[1].revents & POLLIN)) {
      signalfd_siginfo si{};
      if (read(sigfd.get(), &si, sizeof(si)) == sizeof(si)) {
        // Terminal-generated signals (SI_KERNEL) already reached the
        // command's process group; relay only those sent to cordon.
        if (static_cast<int>(si.ssi_code) <= 0)
          SendSignal(child.get(), static_cast<int>(si.ssi_signo));
      }
    }
    if (n > 0 && (fds[0].revents & POLLIN)) break;
  }
  siginfo_t info{};
  if (waitid(static_cast<idtype_t>(P_PIDFD), child.get(), &info, WEXITED) != 0) {
    return Outcome::SetupError(SysError("waitid", "", errno));
  }
  if (options.stats != nullptr) {
    rusage ru{};
    if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
      options.stats->peak_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;
      options.stats->cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
                              ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
    }
  }

  if (timed_out) return Outcome{Outcome::Kind::kTimeout, 0, SIGKILL, {}};
  Report r;
  ssize_t got = read(report.value().read.get(), &r, sizeof(r));
  if (got == sizeof(r) && r.kind == Report::kExited) {
    if (WIFSIGNALED(r.wait_status))
      return Outcome{Outcome::Kind::kSignaled, 0, WTERMSIG(r.wait_status), {}};
    return Outcome{Outcome::Kind::kExited, WEXITSTATUS(r.wait_status), 0, {}};
  }
  if (got == sizeof(r) && r.kind != Report::kNone) return FromReport(r);
  // No report: init (or the unconfined command itself) ended on its own.
  if (info.si_code == CLD_EXITED) return Outcome{Outcome::Kind::kExited, info.si_status, 0, {}};
  return Outcome{Outcome::Kind::kSignaled, 0, info.si_status, {}};
}

}  // namespace cordon::sandbox
