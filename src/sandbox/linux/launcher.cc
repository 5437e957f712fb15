// The supervisor side of a run: backend.h's LaunchOnce for Linux. Clones
// the child into its namespaces, serves the proxy, relays signals, enforces
// the timeout, and turns the child's report into an Outcome.
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
#include <optional>
#include <string>
#include <string_view>

#include "common/clock.h"
#include "common/unique_fd.h"
#include "sandbox/backend.h"
#include "sandbox/linux/cgroup.h"
#include "sandbox/linux/child.h"
#include "sandbox/linux/child_report.h"
#include "sandbox/linux/fd_passing.h"
#include "sandbox/linux/limits.h"
#include "sandbox/linux/mediate.h"
#include "sandbox/linux/namespaces.h"
#include "sandbox/linux/nsless.h"
#include "sandbox/linux/placeholders.h"
#include "sandbox/linux/plan.h"
#include "sandbox/linux/private_tmp.h"
#include "sandbox/linux/proxy_listener.h"
#include "sandbox/linux/quarantine.h"
#include "sandbox/linux/shared_spawn.h"
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

// The run's cgroup, when the plan has one. One that cannot be made stops
// the run when a limit the user set needs it; otherwise the run goes on
// without (told as degraded).
Result<cgroup::RunGroup> MakeRunGroup(const Plan& plan, const LaunchOptions& options) {
  if (plan.tier == Tier::kUnconfined || !plan.limits.cgroup) return cgroup::RunGroup();
  auto group = cgroup::RunGroup::Create(plan.limits.host, plan.limits.settings);
  if (group.ok()) return group;
  Error e = group.error();
  if (plan.limits.cgroup_required && !plan.allow_degraded) {
    e.detail += " (making the run's cgroup for its resource limits)";
    if (e.hint.empty()) e.hint = "run with --allow-degraded to go on without the limits";
    return e;
  }
  if (options.on_degraded) {
    options.on_degraded("resource limits (memory, pids, cpus): no cgroup: " + e.Describe());
  }
  return cgroup::RunGroup();
}

// What the unconfined child gets: it shares the supervisor's memory, so it
// closes its copy of the lifeline's write end by number (a UniqueFd reset
// would reset the supervisor's).
struct UnconfinedStart {
  const ChildContext* ctx;
  int lifeline_write;
};

int StartUnconfined(void* arg) {
  const auto* start = static_cast<const UnconfinedStart*>(arg);
  close(start->lifeline_write);
  ExecUnconfined(*start->ctx);
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
  if (r.kind == ChildReport::kExecFailed)
    return Outcome{Outcome::Kind::kExecError, 0, 0, std::move(e)};
  e.hint = SetupHint(r);
  return Outcome::SetupError(std::move(e));
}

// A launch that fails after clone: kills the sandbox's root process and
// waits for it; without a pid namespace, also what it left behind (init's
// orphans come back to the supervisor, a subreaper).
void KillAndReap(int pidfd, const Plan& plan, pid_t keep_child) {
  SendSignal(pidfd, SIGKILL);
  siginfo_t ignored{};
  waitid(static_cast<idtype_t>(P_PIDFD), pidfd, &ignored, WEXITED);
  if (plan.tier == Tier::kNamespaceless) KillAllChildren(keep_child);
}

// Stand-ins for missing protected files, made for this launch. One that
// could not be made leaves its path unprotected: the run stops, unless
// degraded runs were asked for; then the launch runs a copy of the plan
// without that path (`patched`), and on_degraded names it.
Status MakePlaceholders(const Plan& plan, const LaunchOptions& options, Placeholders& placeholders,
                        std::optional<Plan>& patched) {
  if (plan.placeholders.empty()) return {};
  for (Error& e : placeholders.Create(plan.placeholders, plan.workspace)) {
    if (!plan.allow_degraded) {
      e.detail = "cannot keep the missing protected path from being created";
      e.hint =
          "a parent directory may have been replaced by a symlink, or the directory is not "
          "writable by you; check the path, or run with --allow-degraded to go on with it "
          "unprotected";
      return e;
    }
    if (!patched) patched = plan;
    std::erase(patched->mounts.protects, e.object);
    patched->degraded.push_back("could not create a placeholder for missing protected path " +
                                e.object + " (" + e.Describe() + ")");
    if (options.on_degraded) options.on_degraded(patched->degraded.back());
  }
  return {};
}

// The proxy's listener and the relays', in the order the child sends them
// (child.cc); the namespace-less tier's proxy listener is the one Compile
// made on the host.
Result<ProxyListeners> ReceiveListeners(const Plan& plan, int channel) {
  ProxyListeners got;
  if (plan.proxy && channel >= 0) {
    auto fd = proxy_listener::Receive(channel, "proxy listener");
    if (!fd.ok()) return fd.error();
    got.proxy = std::move(fd.value());
  } else if (plan.proxy) {
    int fd = fcntl(plan.host->listener.get(), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) return SysError("fcntl(F_DUPFD_CLOEXEC)", "proxy listener", errno);
    got.proxy = UniqueFd(fd);
  }
  for (const LocalRelay& relay : plan.relays) {
    auto fd = proxy_listener::Receive(channel, relay.what);
    if (!fd.ok()) return fd.error();
    got.relays.push_back({std::move(fd.value()), relay.host, relay.port});
  }
  return got;
}

// Records the plan's missing protected paths in the work tree, and moves
// what the run created under their names out of the tree when the launch
// ends (every process of the run is gone by then), telling on_quarantined.
class QuarantineGuard {
 public:
  explicit QuarantineGuard(const LaunchOptions& options) : options_(options) {}
  QuarantineGuard(const QuarantineGuard&) = delete;
  QuarantineGuard& operator=(const QuarantineGuard&) = delete;
  ~QuarantineGuard() { Tell(quarantine_.Finish()); }

  // The record's locked descriptor, or -1.
  [[nodiscard]] int lock_fd() const { return quarantine_.lock_fd(); }

  // First finishes what runs killed earlier left recorded. Without a place
  // to record, or when recording fails, the paths are unwatched: the run
  // stops unless degraded runs were asked for.
  Status Begin(const Plan& plan) {
    if (plan.watched.empty()) return {};
    if (!options_.quarantine_root.empty()) {
      Tell(RecoverAbandoned(options_.quarantine_root));
      auto q = Quarantine::Begin(plan.watched, options_.quarantine_root);
      if (q.ok()) {
        quarantine_ = std::move(q).value();
        return {};
      }
      Error e = q.error();
      if (!plan.allow_degraded) {
        e.detail += " (recording the missing protected paths, to move out what the run creates)";
        e.hint = "check cordon's state directory, or run with --allow-degraded to go on unwatched";
        return e;
      }
    } else if (!plan.allow_degraded) {
      return PlainError("quarantine", plan.watched.front().path,
                        "no state directory to record missing protected paths in");
    }
    if (options_.on_degraded) {
      for (const WatchedPath& w : plan.watched) {
        options_.on_degraded("missing protected path " + w.path +
                             " is not watched: what the run creates there stays");
      }
    }
    return {};
  }

 private:
  void Tell(const std::vector<QuarantineReport>& reports) const {
    if (!options_.on_quarantined) return;
    for (const QuarantineReport& r : reports) options_.on_quarantined(r);
  }

  const LaunchOptions& options_;
  Quarantine quarantine_;
};

// What a launch makes on the host for the plan's missing protected paths,
// undone when the launch ends: the placeholders, and the quarantine record
// (declared after them: finished before they are removed).
struct Prepared {
  explicit Prepared(const LaunchOptions& options) : quarantine(options) {}
  Placeholders placeholders;
  QuarantineGuard quarantine;
  // The plan without the paths whose placeholder could not be made
  // (degraded runs only).
  std::optional<Plan> patched;
  bool made = false;
};

Status Prepare(const Plan& plan, const LaunchOptions& options, Prepared& prepared) {
  prepared.made = true;
  CORDON_RETURN_IF_ERROR(MakePlaceholders(plan, options, prepared.placeholders, prepared.patched));
  return prepared.quarantine.Begin(plan);
}

// Hands the child the locks of what Prepare made, kMaxPassedFds to a
// message, the last one marked (child.h). EPIPE: the child has ended
// already, and its report says why.
Status SendPrepared(int socket, const Prepared& prepared) {
  std::vector<int> fds = prepared.placeholders.LockFds();
  if (int fd = prepared.quarantine.lock_fd(); fd >= 0) fds.push_back(fd);
  size_t sent = 0;
  do {
    const size_t n = std::min(kMaxPassedFds, fds.size() - sent);
    const char byte = sent + n == fds.size() ? kPreparedLast : kPreparedMore;
    if (SendWithFds(socket, &byte, 1, fds.data() + sent, n) != 1) {
      if (errno == EPIPE) return {};
      return SysError("sendmsg(SCM_RIGHTS)", "placeholders and quarantine record", errno);
    }
    sent += n;
  } while (sent < fds.size());
  return {};
}

// One launch of `given`. Empty when a placeholder could not be made after
// the clone in a degraded run: that child had the plan with the path and
// was ended before it built anything; launch prepared.patched instead.
std::optional<LaunchResult> Launch(const Plan& given, const LaunchOptions& options,
                                   Prepared& prepared) {
  // The placeholders and the record are made once the clone has succeeded,
  // the child waiting for them before it builds its view: where user
  // namespaces are refused, the refused clone costs nothing more. An
  // unconfined child execs at once: made before it.
  const bool prepare_after = !prepared.made && given.tier != Tier::kUnconfined &&
                             (!given.placeholders.empty() || !given.watched.empty());
  if (!prepared.made && !prepare_after) {
    Status made = Prepare(given, options, prepared);
    if (!made.ok()) return Outcome::SetupError(made.error());
  }
  const Plan& plan = prepared.patched ? *prepared.patched : given;
  const bool confine = plan.tier != Tier::kUnconfined;
  const bool nsless = plan.tier == Tier::kNamespaceless;

  std::vector<char*> argv;
  for (const auto& a : plan.argv) argv.push_back(const_cast<char*>(a.c_str()));
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (const auto& e : plan.envp) envp.push_back(const_cast<char*>(e.c_str()));
  envp.push_back(nullptr);
  std::vector<int> scratch(plan.mounts.binds.size() + plan.mounts.overlays.size(), -1);

  // Orphans of the run come back to the supervisor, which kills them.
  if (nsless && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) {
    return Outcome::SetupError(SysError("prctl(PR_SET_CHILD_SUBREAPER)", "", errno));
  }
  auto report = MakePipe("report");
  if (!report.ok()) return Outcome::SetupError(report.error());
  auto lifeline = MakePipe("lifeline");
  if (!lifeline.ok()) return Outcome::SetupError(lifeline.error());

  // The proxy's and the relays' listeners come from the child's network
  // namespace over this channel; without namespaces the proxy's is the
  // host's, made by Compile.
  const bool serve = plan.proxy || !plan.relays.empty();
  Channel proxy_channel;
  if (serve && plan.tier == Tier::kNamespaces) {
    auto channel = MakeChannel("proxy listener");
    if (!channel.ok()) return Outcome::SetupError(channel.error());
    proxy_channel = std::move(channel.value());
  }

  // The namespace-less tier's notifications are handled in the supervisor,
  // which Landlock does not confine (mediate.h); init hands it the listener.
  const bool mediated =
      confine && nsless && plan.use_seccomp && (plan.mediation.metadata || plan.mediation.inet);
  Channel notify_channel;
  std::unique_ptr<mediate::Mediator> mediator;
  if (mediated) {
    auto channel = MakeChannel("seccomp listener");
    if (!channel.ok()) return Outcome::SetupError(channel.error());
    notify_channel = std::move(channel.value());
    mediator = std::make_unique<mediate::Mediator>(plan.mediation, options.on_direct_connect);
  }

  // The run's cgroup is made, and the child moved into it, while the child
  // builds its sandbox (moving a process waits for an RCU grace period);
  // the child starts the command only once it is in.
  // A socket, not a pipe: a child that failed first must not SIGPIPE the
  // supervisor.
  // The placeholders' go-ahead comes over the same socket, first.
  cgroup::RunGroup group;
  const bool await_placed = confine && plan.limits.cgroup;
  Channel go;
  if (prepare_after || await_placed) {
    auto c = MakeChannel(await_placed ? "cgroup placement" : "placeholders and quarantine record");
    if (!c.ok()) return Outcome::SetupError(c.error());
    go = std::move(c.value());
  }

  SignalGuard signals;
  std::unique_ptr<write_watch::Watch> watch =
      confine && (plan.watch_writes || mediated) && plan.use_seccomp
          ? std::make_unique<write_watch::Watch>(write_watch::FromPlan(plan), mediator.get())
          : nullptr;
  ChildContext ctx;
  ctx.plan = &plan;
  ctx.proxy_channel = proxy_channel.child.get();
  ctx.session_fd = options.session_fd;
  ctx.report_fd = report.value().write.get();
  ctx.lifeline_fd = lifeline.value().read.get();
  ctx.exec_mask = signals.old();
  ctx.watch = mediated ? nullptr : watch.get();
  ctx.notify_channel = notify_channel.child.get();
  ctx.go_fd = go.child.get();
  ctx.await_prepared = prepare_after;
  ctx.await_placed = await_placed;
  ctx.argv = argv.data();
  ctx.envp = envp.data();
  ctx.init_mask = signals.set();
  sigaddset(&ctx.init_mask, SIGCHLD);
  if (nsless) sigaddset(&ctx.init_mask, kSweepSignal);

  int pidfd = -1;
  // Unconfined, the child only execs: it shares the supervisor's memory
  // until then (shared_spawn.h); a confined child builds the sandbox, on
  // its own copy, while the supervisor goes on.
  UnconfinedStart unconfined{&ctx, lifeline.value().write.get()};
  pid_t pid = confine ? CloneWithPidfd(plan.clone_flags, &pidfd)
                      : SpawnSharingMemory(&StartUnconfined, &unconfined, plan.argv.size(), &pidfd);
  if (pid < 0 && plan.tier == Tier::kNamespaces && IsNamespaceRefusal(errno)) {
    Error e = SysError("clone(CLONE_NEWUSER|CLONE_NEWNS|CLONE_NEWPID|...)", "", errno);
    e.hint = namespaces::UserNamespaceHint(e.err);
    std::string reason = "clone(CLONE_NEWUSER): " + ErrnoName(e.err);
    return NamespacesRefused{std::move(e), std::move(reason)};
  }
  if (pid < 0) return Outcome::SetupError(SysError("clone", "", errno));
  if (pid == 0) {
    // The child: it inherited the blocked mask, which init keeps.
    ctx.scratch = std::span<int>(scratch);
    lifeline.value().write.Reset();
    go.supervisor.Reset();
    RunChild(ctx);
  }
  UniqueFd child(pidfd);
  if (prepare_after) {
    Status made = Prepare(plan, options, prepared);
    if (made.ok() && prepared.patched) {
      KillAndReap(child.get(), plan, options.keep_child);
      return std::nullopt;
    }
    if (made.ok()) made = SendPrepared(go.supervisor.get(), prepared);
    if (!made.ok()) {
      KillAndReap(child.get(), plan, options.keep_child);
      return Outcome::SetupError(made.error());
    }
  }
  // After the preparation, as when it came before the clone: what it told
  // (degradations, recovered quarantines) precedes session.start.
  if (options.on_started) options.on_started(pid);
  report.value().write.Reset();
  lifeline.value().read.Reset();
  proxy_channel.child.Reset();
  notify_channel.child.Reset();
  go.child.Reset();
  if (await_placed) {
    auto made = MakeRunGroup(plan, options);
    Status in_group = made.ok() ? Status() : made.error();
    if (made.ok()) group = std::move(made).value();
    if (in_group.ok() && group.valid()) in_group = group.Place(pid);
    // ESRCH: the child has ended already (a refused user namespace); its
    // report says why, and no command ran outside the group.
    if (!in_group.ok() && in_group.error().err == ESRCH) in_group = Status();
    if (!in_group.ok()) {
      KillAndReap(child.get(), plan, options.keep_child);
      return Outcome::SetupError(in_group.error());
    }
    // EPIPE: the child has ended already; its report says why.
    char placed = 1;
    if (send(go.supervisor.get(), &placed, 1, MSG_NOSIGNAL) != 1 && errno != EPIPE) {
      Error e = SysError("send", "cgroup placement", errno);
      KillAndReap(child.get(), plan, options.keep_child);
      return Outcome::SetupError(e);
    }
  }
  go.supervisor.Reset();

  // The proxy serves its listeners until the launch ends (then every
  // connection is closed). If the child failed before handing them over,
  // its report says why.
  std::unique_ptr<RunningProxy> proxy;
  Status setup;
  if (serve) {
    // A child that failed before sending them all has ended, and its
    // report (read below) names the step.
    auto listeners = ReceiveListeners(plan, proxy_channel.supervisor.get());
    if (!listeners.ok() && !proxy_channel.supervisor.valid()) setup = listeners.error();
    if (listeners.ok()) {
      auto started = options.start_proxy ? options.start_proxy(std::move(listeners.value()))
                                         : Result<std::unique_ptr<RunningProxy>>(PlainError(
                                               "proxy", "", "no proxy factory was given"));
      if (started.ok()) {
        proxy = std::move(started.value());
      } else {
        setup = started.error();
      }
    }
  }
  // No listener (the child failed first, or a filter above it has one and
  // it installed seccomp_unwatched): nothing to serve.
  if (setup.ok() && mediated) {
    UniqueFd listener = mediate::ReceiveListener(notify_channel.supervisor.get());
    if (listener.valid()) {
      ChildStatus started = watch->Start(listener.get());
      if (started.ok()) {
        (void)listener.Release();
      } else {
        setup = SysError(started.op, "seccomp listener", started.err);
      }
    }
  }
  UniqueFd sigfd;
  if (setup.ok()) {
    sigfd = UniqueFd(signalfd(-1, &signals.set(), SFD_CLOEXEC));
    if (!sigfd.valid()) setup = SysError("signalfd", "", errno);
  }
  if (!setup.ok()) {
    KillAndReap(child.get(), plan, options.keep_child);
    return Outcome::SetupError(setup.error());
  }

  const int64_t deadline =
      options.timeout_seconds ? MonotonicMs() + *options.timeout_seconds * 1000LL : -1;
  bool timed_out = false;
  bool oom_ended = false;
  for (;;) {
    int wait_ms = -1;
    if (deadline >= 0) wait_ms = static_cast<int>(std::max<int64_t>(0, deadline - MonotonicMs()));
    pollfd fds[3] = {
        {child.get(), POLLIN, 0}, {sigfd.get(), POLLIN, 0}, {group.oom_fd(), POLLIN, 0}};
    int n = poll(fds, group.oom_fd() >= 0 ? 3 : 2, wait_ms);
    if (n > 0 && (fds[2].revents & POLLIN) && !oom_ended) {
      // cgroup v1 has no memory.oom.group: the run dies as a whole here.
      oom_ended = true;
      SendSignal(child.get(), SIGKILL);
    }
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
  // Read before the group goes (at the end of the launch).
  const cgroup::Usage usage = group.valid() ? group.Read() : cgroup::Usage{};
  if (nsless) {
    if (!KillAllChildren(options.keep_child) && options.on_notice) {
      options.on_notice(
          "cannot read /proc/self/task/*/children: processes the command left may survive it");
    }
    Status removed = plan.host->tmp.Remove();
    if (!removed.ok() && options.on_notice) {
      options.on_notice("could not remove the private temp dir: " + removed.error().Describe());
    }
  }

  ChildReport r;
  ssize_t got = read(report.value().read.get(), &r, sizeof(r));
  if (options.stats != nullptr && confine) {
    const bool exited = got == sizeof(r) && r.kind == ChildReport::kExited;
    limits::Account(plan.limits, usage, oom_ended, exited ? r.tmp_used : -1,
                    exited ? r.tmp_free : -1, options.stats);
  }
  if (timed_out) return Outcome{Outcome::Kind::kTimeout, 0, SIGKILL, {}};
  if (got == sizeof(r) && r.kind == ChildReport::kNamespaceSetupFailed &&
      plan.tier == Tier::kNamespaces && (r.err == EPERM || r.err == EACCES)) {
    // A user namespace we may create but not configure (AppArmor's
    // unprivileged_userns profile, a masked /proc): the command has not
    // run, so it can run again in the namespace-less tier.
    Error e = SysError(r.op, r.path, r.err);
    e.hint = namespaces::UserNamespaceHint(e.err);
    std::string reason = std::string(r.op) + (r.path[0] != '\0' ? std::string(" ") + r.path : "") +
                         ": " + ErrnoName(r.err);
    return NamespacesRefused{std::move(e), std::move(reason)};
  }
  if (got == sizeof(r) && r.kind == ChildReport::kExited) {
    if (mediated && watch != nullptr) {
      watch->Stop();
      watch->Fill(r);
    }
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

}  // namespace

LaunchResult LaunchOnce(const Plan& plan, const LaunchOptions& options) {
  Prepared prepared(options);
  std::optional<LaunchResult> launched = Launch(plan, options, prepared);
  if (!launched) launched = Launch(*prepared.patched, options, prepared);
  return std::move(*launched);
}

}  // namespace cordon::sandbox
