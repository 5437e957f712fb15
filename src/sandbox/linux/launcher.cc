// The supervisor side of a run.
#include "sandbox/launcher.h"

#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/unique_fd.h"
#include "proxy/server.h"
#include "sandbox/linux/child.h"
#include "sandbox/linux/nsless.h"
#include "sandbox/linux/placeholders.h"
#include "sandbox/linux/private_tmp.h"
#include "sandbox/linux/proxy_listener.h"
#include "sandbox/linux/child_report.h"
#include "sandbox/linux/sweep.h"
#include "sandbox/linux/write_watch.h"

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

struct Channel {
  UniqueFd supervisor;
  UniqueFd child;
};

Result<Channel> MakeChannel(const char* what) {
  int fds[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) != 0) {
    return SysError("socketpair", what, errno);
  }
  return Channel{UniqueFd(fds[0]), UniqueFd(fds[1])};
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

// Hints for the errno values whose meaning is not obvious from the call.
std::string SetupHint(const ChildReport& r) {
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

Outcome FromReport(const ChildReport& r) {
  Error e = SysError(r.op, r.path, r.err);
  if (r.kind == ChildReport::kExecFailed) return Outcome{Outcome::Kind::kExecError, 0, 0, std::move(e)};
  e.hint = SetupHint(r);
  return Outcome::SetupError(std::move(e));
}

}  // namespace

Outcome Launch(const policy::Policy& policy, Plan& plan, const LaunchOptions& options) {
  // argv and envp as C arrays; rebuilt when the plan changes tier.
  std::vector<char*> argv;
  std::vector<char*> envp;
  auto c_arrays = [&] {
    argv.clear();
    for (auto& a : plan.argv) argv.push_back(a.data());
    argv.push_back(nullptr);
    envp.clear();
    for (auto& e : plan.envp) envp.push_back(e.data());
    envp.push_back(nullptr);
  };
  c_arrays();
  std::vector<int> scratch(plan.mounts.binds.size(), -1);

  // Stand-ins for missing protected files. One that could not be made
  // leaves its path unprotected: the run stops, unless degraded runs were
  // asked for (then the path is named as not enforced).
  Placeholders placeholders;
  if (!plan.placeholders.empty()) {
    for (Error& e : placeholders.Create(plan.placeholders, policy.workspace)) {
      std::erase(plan.mounts.protects, e.object);
      if (!policy.allow_degraded) {
        e.detail = "cannot keep the missing protected path from being created";
        e.hint =
            "a parent directory may have been replaced by a symlink, or the directory is not "
            "writable by you; check the path, or run with --allow-degraded to go on with it "
            "unprotected";
        return Outcome::SetupError(std::move(e));
      }
      plan.degraded.push_back("could not create a placeholder for missing protected path " +
                              e.object + " (" + e.Describe() + ")");
      if (options.on_degraded) options.on_degraded(plan.degraded.back());
    }
  }

  // The namespace-less tier's private TMPDIR; removed after every process
  // of the run is gone (declared first: destroyed last).
  PrivateTmp private_tmp;
  // --net proxy without namespaces: the proxy listens on the host's
  // loopback, and Landlock lets the command connect to that port only.
  UniqueFd host_listener;
  auto to_namespaceless = [&](const std::string& reason) -> Status {
    auto tmp = PrivateTmp::Create();
    if (!tmp.ok()) return tmp.error();
    private_tmp = std::move(tmp).value();
    CORDON_RETURN_IF_ERROR(PlanNamespaceless(policy, private_tmp.path(), reason, plan));
    if (plan.proxy) {
      uint16_t port = 0;
      auto listener = proxy_listener::CreateOnHost(&port);
      if (!listener.ok()) return listener.error();
      host_listener = std::move(listener).value();
      plan.landlock.allow_connect_port = port;
      SetProxyEnvironment(plan.envp, port);
    }
    // Orphans of the run come back to the supervisor, which kills them.
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
      return SysError("prctl(PR_SET_CHILD_SUBREAPER)", "", errno);
    }
    c_arrays();
    scratch.clear();
    if (options.on_notice) {
      options.on_notice("user namespaces are refused here (" + reason +
                        "): running in the namespace-less tier, Landlock and seccomp only (what "
                        "it cannot enforce: cordon policy show; --require-namespaces refuses "
                        "instead)");
    }
    for (const auto& d : plan.degraded) {
      if (options.on_degraded) options.on_degraded(d);
    }
    return {};
  };
  auto refusal = [&](Error e) {
    e.hint = namespaces::UserNamespaceHint(e.err);
    return Outcome::SetupError(std::move(e));
  };

  for (;;) {
    auto report = MakePipe("report");
    if (!report.ok()) return Outcome::SetupError(report.error());
    auto lifeline = MakePipe("lifeline");
    if (!lifeline.ok()) return Outcome::SetupError(lifeline.error());

    // The proxy's listener comes from the child's network namespace over
    // this channel.
    Channel proxy_channel;
    if (plan.proxy && plan.tier == Tier::kNamespaces) {
      auto channel = MakeChannel("proxy listener");
      if (!channel.ok()) return Outcome::SetupError(channel.error());
      proxy_channel = std::move(channel.value());
    }

    SignalGuard signals;
    ChildContext ctx;
    ctx.plan = &plan;
    ctx.proxy_channel = proxy_channel.child.get();
    ctx.session_fd = options.session_fd;
    ctx.report_fd = report.value().write.get();
    ctx.lifeline_fd = lifeline.value().read.get();
    ctx.exec_mask = signals.old();
    std::unique_ptr<write_watch::Watch> watch;  // per tier: its roots are the plan's
    auto set_ctx = [&] {
      watch = plan.confine && plan.watch_writes && plan.use_seccomp
                  ? std::make_unique<write_watch::Watch>(write_watch::FromPlan(plan))
                  : nullptr;
      ctx.watch = watch.get();
      ctx.argv = argv.data();
      ctx.envp = envp.data();
      ctx.init_mask = signals.set();
      sigaddset(&ctx.init_mask, SIGCHLD);
      if (plan.tier == Tier::kNamespaceless) sigaddset(&ctx.init_mask, kSweepSignal);
    };
    set_ctx();

    int pidfd = -1;
    pid_t pid = CloneWithPidfd(plan.confine ? plan.clone_flags : 0, &pidfd);
    if (pid < 0 && plan.confine && plan.tier == Tier::kNamespaces && IsNamespaceRefusal(errno)) {
      Error e = SysError("clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|...)", "", errno);
      if (policy.require_namespaces) return refusal(std::move(e));
      Status switched = to_namespaceless("clone(CLONE_NEWUSER): " + ErrnoName(e.err));
      if (!switched.ok()) return Outcome::SetupError(switched.error());
      set_ctx();
      proxy_channel = Channel{};  // the listener is the host's now
      ctx.proxy_channel = -1;
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
    proxy_channel.child.Reset();

    // The proxy serves its listener until this iteration ends (then every
    // connection is closed). If the child failed before handing over the
    // listener, its report says why.
    std::unique_ptr<proxy::Server> proxy_server;
    if (plan.proxy) {
      Result<UniqueFd> listener = proxy_channel.supervisor.valid()
                                      ? proxy_listener::Receive(proxy_channel.supervisor.get())
                                      : Result<UniqueFd>(std::exchange(host_listener, UniqueFd()));
      if (listener.ok()) {
        proxy::Config config;
        config.rules = policy.net_rules;
        config.resolve = policy.net_resolve;
        config.events = options.events;
        config.decider = options.decider;
        if (options.decide_timeout_ms > 0)
          config.limits.decide_timeout_ms = options.decide_timeout_ms;
        auto server = proxy::Server::Start(std::move(listener.value()), std::move(config));
        if (!server.ok()) {
          SendSignal(child.get(), SIGKILL);
          siginfo_t ignored{};
          waitid(static_cast<idtype_t>(P_PIDFD), child.get(), &ignored, WEXITED);
          if (plan.tier == Tier::kNamespaceless) KillAllChildren(options.keep_child);
          return Outcome::SetupError(server.error());
        }
        proxy_server = std::move(server.value());
      }
    }

    UniqueFd sigfd(signalfd(-1, &signals.set(), SFD_CLOEXEC));
    if (!sigfd.valid()) {
      SendSignal(child.get(), SIGKILL);
      siginfo_t ignored{};
      waitid(static_cast<idtype_t>(P_PIDFD), child.get(), &ignored, WEXITED);
      if (plan.tier == Tier::kNamespaceless) KillAllChildren(options.keep_child);
      return Outcome::SetupError(SysError("signalfd", "", errno));
    }

    const int64_t deadline =
        options.timeout_seconds ? MonotonicMs() + *options.timeout_seconds * 1000LL : -1;
    bool timed_out = false;
    for (;;) {
      int wait_ms = -1;
      if (deadline >= 0) wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - MonotonicMs()));
      pollfd fds[2] = {{child.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}};
      int n = poll(fds, 2, wait_ms);
      if (n < 0 && errno != EINTR) break;
      if (n == 0 && deadline >= 0 && MonotonicMs() >= deadline) {
        // Killing init kills the whole pid namespace; without one, the
        // sweep below kills what init leaves to the supervisor.
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
      // init reaps every process of the run, so this covers the whole tree.
      rusage ru{};
      if (getrusage(RUSAGE_CHILDREN, &ru) == 0) {
        options.stats->peak_rss_bytes = static_cast<int64_t>(ru.ru_maxrss) * 1024;
        options.stats->cpu_us = (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000LL +
                                ru.ru_utime.tv_usec + ru.ru_stime.tv_usec;
      }
    }
    if (plan.tier == Tier::kNamespaceless) {
      if (!KillAllChildren(options.keep_child) && options.on_notice) {
        options.on_notice(
            "cannot read /proc/self/task/*/children: processes the command left may survive it");
      }
      Status removed = private_tmp.Remove();
      if (!removed.ok() && options.on_notice) {
        options.on_notice("could not remove the private temp dir: " + removed.error().Describe());
      }
    }

    if (timed_out) return Outcome{Outcome::Kind::kTimeout, 0, SIGKILL, {}};
    ChildReport r;
    ssize_t got = read(report.value().read.get(), &r, sizeof(r));
    if (got == sizeof(r) && r.kind == ChildReport::kNamespaceSetupFailed &&
        plan.tier == Tier::kNamespaces && (r.err == EPERM || r.err == EACCES)) {
      // A user namespace we may create but not configure (AppArmor's
      // unprivileged_userns profile, a masked /proc): the command has not
      // run, so it can run again in the namespace-less tier.
      Error e = SysError(r.op, r.path, r.err);
      if (policy.require_namespaces) return refusal(std::move(e));
      std::string reason = std::string(r.op) +
                           (r.path[0] != '\0' ? std::string(" ") + r.path : "") + ": " +
                           ErrnoName(r.err);
      Status switched = to_namespaceless(reason);
      if (!switched.ok()) return Outcome::SetupError(switched.error());
      continue;
    }
    if (got == sizeof(r) && r.kind == ChildReport::kExited) {
      if (options.stats != nullptr && r.denied_writes > 0) {
        r.denied_write[sizeof(r.denied_write) - 1] = '\0';
        options.stats->denied_writes = r.denied_writes;
        options.stats->denied_write = r.denied_write;
        options.stats->denied_write_ms = r.denied_write_ms;
      }
      if (WIFSIGNALED(r.wait_status))
        return Outcome{Outcome::Kind::kSignaled, 0, WTERMSIG(r.wait_status), {}};
      return Outcome{Outcome::Kind::kExited, WEXITSTATUS(r.wait_status), 0, {}};
    }
    if (got == sizeof(r) && r.kind != ChildReport::kNone) return FromReport(r);
    // No report: init (or the unconfined command itself) ended on its own.
    if (info.si_code == CLD_EXITED) return Outcome{Outcome::Kind::kExited, info.si_status, 0, {}};
    return Outcome{Outcome::Kind::kSignaled, 0, info.si_status, {}};
  }
}

}  // namespace cordon::sandbox
