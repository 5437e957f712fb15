// The child pipeline. Everything it needs was computed before clone; it
// only installs, allocates nothing, and reports a failure as a fixed record
// before _exit. The steps are in the one order that works:
//   id maps before mounts (mounting needs the namespace's capabilities),
//   the mount view before Landlock (rules are opened in the final view),
//   no_new_privs before Landlock and seccomp (both require it),
//   capabilities dropped after the last mount, seccomp last (it denies mount
//   and the other setup calls), then init forks the command.
#include "sandbox/linux/child.h"

#include <poll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/linux/child_report.h"
#include "sandbox/linux/fd_passing.h"
#include "sandbox/linux/mediate.h"
#include "sandbox/linux/proxy_listener.h"
#include "sandbox/linux/session_init.h"
#include "sandbox/linux/shared_spawn.h"
#include "sandbox/linux/sweep.h"

extern char** environ;

namespace cordon::sandbox {
namespace {

void WriteReport(int fd, const ChildReport& report) {
  // Nothing to do if the supervisor is gone; the write is atomic otherwise.
  (void)!write(fd, &report, sizeof(report));
}

[[noreturn]] void Fail(const ChildContext& ctx, const ChildStatus& st,
                       ChildReport::Kind kind = ChildReport::kSetupFailed) {
  WriteReport(ctx.report_fd, ChildReport::From(kind, st));
  _exit(125);
}

#define STEP(expr)                               \
  do {                                           \
    ::cordon::sandbox::ChildStatus st_ = (expr); \
    if (!st_.ok()) Fail(ctx, st_);               \
  } while (0)

// A step that configures the namespaces.
#define NS_STEP(expr)                                                  \
  do {                                                                 \
    ::cordon::sandbox::ChildStatus st_ = (expr);                       \
    if (!st_.ok()) Fail(ctx, st_, ChildReport::kNamespaceSetupFailed); \
  } while (0)

ChildStatus Prctl(int option, unsigned long arg, const char* name) {
  if (prctl(option, arg, 0, 0, 0) != 0) return ChildStatus::Errno(name, nullptr);
  return ChildStatus::Ok();
}

// Dies with the supervisor. The parent may already be gone by the time the
// death signal is armed: the lifeline pipe tells.
ChildStatus TieToSupervisor(int lifeline_fd, int death_signal = SIGKILL) {
  CORDON_CHILD_TRY(
      Prctl(PR_SET_PDEATHSIG, static_cast<unsigned long>(death_signal), "prctl(PR_SET_PDEATHSIG)"));
  pollfd p{lifeline_fd, POLLIN, 0};
  if (poll(&p, 1, 0) != 0) _exit(125);
  return ChildStatus::Ok();
}

ChildStatus SendListeners(const ChildContext& ctx) {
  ChildStatus st;
  if (ctx.plan->proxy) {
    socklen_t len = 0;
    sockaddr_storage addr = proxy_listener::ProxyAddress(&len);
    st = proxy_listener::Send(ctx.proxy_channel, addr, len, "127.0.0.1:3128 (proxy listener)");
  }
  for (const LocalRelay& relay : ctx.plan->relays) {
    if (!st.ok()) break;
    st = proxy_listener::Send(ctx.proxy_channel, relay.addr, relay.len, relay.what.c_str());
  }
  close(ctx.proxy_channel);
  return st;
}

ChildStatus Chdir(const char* dir) {
  if (chdir(dir) != 0) return ChildStatus::Errno("chdir", dir);
  return ChildStatus::Ok();
}

[[noreturn]] void Exec(const ChildContext& ctx) {
  // Without a pid namespace the command dies with init, as a first line;
  // init's and the supervisor's sweeps catch what it started.
  if (ctx.plan->tier == Tier::kNamespaceless && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
    _exit(125);
  }
  if (sigprocmask(SIG_SETMASK, &ctx.exec_mask, nullptr) != 0) _exit(125);
  // execvp searches the PATH of `environ`: make it the command's.
  environ = const_cast<char**>(ctx.envp);
  execvp(ctx.argv[0], ctx.argv);
  ChildStatus failed = ChildStatus::Errno("execvp", ctx.argv[0]);  // errno before the write
  WriteReport(ctx.report_fd, ChildReport::From(ChildReport::kExecFailed, failed));
  _exit(failed.err == ENOENT ? 127 : 126);
}

// The shared /tmp + /dev/shm tmpfs as the command left it: full means a
// write hit the tmp size (ENOSPC).
void ReadTmpUse(ChildReport& report) {
  struct statfs fs {};
  if (statfs("/tmp", &fs) != 0) return;
  const auto block = static_cast<int64_t>(fs.f_bsize);
  report.tmp_used = static_cast<int64_t>(fs.f_blocks - fs.f_bfree) * block;
  report.tmp_free = static_cast<int64_t>(fs.f_bavail) * block;
}

// A run with a cgroup: the supervisor has moved this process into it once
// a byte arrives (EOF: it failed, and reports why).
ChildStatus WaitPlaced(int fd) {
  char byte = 0;
  ssize_t n;
  do {
    n = read(fd, &byte, 1);
  } while (n < 0 && errno == EINTR);
  if (n != 1) return ChildStatus::Errno("read", "cgroup placement");
  return ChildStatus::Ok();
}

// The placeholders and the quarantine record exist once kPreparedLast
// arrives (EOF: the supervisor failed, and reports why). The locks that
// come with it stay open in init until the run ends, so a supervisor killed
// with SIGKILL leaves them held until the sandbox is gone: no other run
// removes a placeholder or finishes the record before then.
ChildStatus WaitPrepared(int fd) {
  for (;;) {
    char byte = 0;
    int locks[kMaxPassedFds];
    size_t nlocks = 0;
    bool truncated = false;
    // The locks stay open: init holds them until the run ends.
    if (RecvWithFds(fd, &byte, 1, locks, kMaxPassedFds, &nlocks, &truncated) != 1) {
      return ChildStatus::Errno("recvmsg", "placeholders and quarantine record");
    }
    // A lock that did not arrive (no room in the fd table) is the one
    // thing init would not hold: refuse rather than run without it.
    if (truncated) {
      return ChildStatus{"recvmsg", "placeholders and quarantine record", EMFILE};
    }
    if (byte == kPreparedLast) return ChildStatus::Ok();
  }
}

// The command's process, started by init sharing its memory (shared_spawn.h).
int ExecEntry(void* ctx) { Exec(*static_cast<const ChildContext*>(ctx)); }

// pid 1 of the sandbox: runs the command, reaps orphans, passes on signals
// sent to cordon, and reports the command's status. When it returns, the
// kernel kills everything left in the pid namespace: nothing outlives the
// command.
[[noreturn]] void Init(const ChildContext& ctx, pid_t command, pid_t supervisor) {
  for (;;) {
    siginfo_t info{};
    int sig = sigwaitinfo(&ctx.init_mask, &info);
    if (sig < 0) continue;  // EINTR
    if (sig == kSweepSignal && ctx.plan->tier == Tier::kNamespaceless) {
      // Sent by the kernel when the supervisor died (or by the command to
      // itself, which only ends its own run): nothing may outlive it. The
      // kernel reparents init before it signals, while the lifeline may
      // still be open for a moment (the supervisor's other threads hold
      // its fd table until they are gone too): either says it.
      pollfd p{ctx.lifeline_fd, POLLIN, 0};
      if (getppid() != supervisor || poll(&p, 1, 0) != 0) {
        KillAllChildren();
        _exit(125);
      }
      continue;
    }
    if (sig != SIGCHLD) {
      // Relay only what cordon's supervisor sent (sender outside the
      // namespace shows as pid 0); signals from the terminal reached the
      // command's process group already.
      if (info.si_code <= 0 && info.si_pid == getppid()) kill(command, sig);
      continue;
    }
    int status = 0;
    pid_t pid;
    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
      if (pid != command) continue;
      ChildReport report;
      report.kind = ChildReport::kExited;
      report.wait_status = status;
      if (ctx.plan->limits.tmp_bytes > 0) ReadTmpUse(report);
      if (ctx.watch != nullptr) ctx.watch->Fill(report);
      WriteReport(ctx.report_fd, report);
      // No pid namespace to take the rest down with init: kill it here
      // (the supervisor sweeps again after init).
      if (ctx.plan->tier == Tier::kNamespaceless) KillAllChildren();
      _exit(0);
    }
  }
}

}  // namespace

void RunChild(const ChildContext& ctx) {
  const Plan& plan = *ctx.plan;
  const bool in_userns = (plan.clone_flags & CLONE_NEWUSER) != 0;
  // sigwaitinfo only sees blocked signals; an unblocked SIGCHLD with its
  // default action would be discarded.
  if (sigprocmask(SIG_BLOCK, &ctx.init_mask, nullptr) != 0) {
    Fail(ctx, ChildStatus::Errno("sigprocmask", nullptr));
  }
  const bool nsless = plan.tier == Tier::kNamespaceless;
  // Init's parent while the supervisor lives (Init tells its death by it).
  const pid_t supervisor = getppid();
  STEP(TieToSupervisor(ctx.lifeline_fd, nsless ? kSweepSignal : SIGKILL));
  if (in_userns) NS_STEP(namespaces::WriteIdMaps(plan.id_maps));
  // In the user namespace, so RLIMIT_NPROC counts the run's processes.
  STEP(limits::ApplyRlimits(plan.limits));
  if (plan.clone_flags & CLONE_NEWUTS) NS_STEP(namespaces::SetHostname());
  // The sandbox's own loopback, for the command's own servers and the
  // listeners below; one that cannot be brought up counts as a namespace
  // failure.
  if (plan.clone_flags & CLONE_NEWNET) NS_STEP(proxy_listener::BringUpLoopback());
  // The proxy's and the allow_local relays' listeners, in the order the
  // supervisor receives them (the namespace-less tier makes the proxy's on
  // the host's loopback instead).
  if (ctx.proxy_channel >= 0) STEP(SendListeners(ctx));
  // The view binds the placeholders; the command must not start before
  // the record of what it may not create exists.
  if (ctx.await_prepared) STEP(WaitPrepared(ctx.go_fd));
  int host_pts = -1;
  if (plan.use_mount_view) NS_STEP(mount_view::Build(plan.mounts, ctx.scratch, &host_pts));
  STEP(Chdir(plan.cwd.c_str()));
  STEP(Prctl(PR_SET_NO_NEW_PRIVS, 1, "prctl(PR_SET_NO_NEW_PRIVS)"));
  if (plan.use_landlock) STEP(landlock::Apply(plan.landlock, host_pts));
  if (host_pts >= 0) close(host_pts);
  if (in_userns || geteuid() == 0) STEP(namespaces::DropCapabilities());
  // Not ptraceable by the command, which would otherwise forge the report.
  STEP(Prctl(PR_SET_DUMPABLE, 0, "prctl(PR_SET_DUMPABLE)"));
  if (!in_userns) STEP(Prctl(PR_SET_CHILD_SUBREAPER, 1, "prctl(PR_SET_CHILD_SUBREAPER)"));
  int listener = -1;
  const bool notify = ctx.watch != nullptr || ctx.notify_channel >= 0;
  if (plan.use_seccomp) {
    STEP(seccomp::Install(plan.seccomp, notify ? &listener : nullptr,
                          plan.seccomp_unwatched.empty() ? nullptr : &plan.seccomp_unwatched));
  }
  // Before the fork: the command's notified calls wait for their handler.
  if (ctx.notify_channel >= 0) {
    STEP(mediate::SendListener(ctx.notify_channel, listener));
  } else if (listener >= 0) {
    STEP(ctx.watch->Start(listener));
  }

  // In the run's cgroup before anything of the command runs.
  if (ctx.await_placed) STEP(WaitPlaced(ctx.go_fd));
  if (ctx.go_fd >= 0) close(ctx.go_fd);
  if (ctx.session_fd >= 0) STEP(ServeSession(ctx));
  size_t argc = 0;
  while (ctx.argv[argc] != nullptr) ++argc;
  const pid_t command =
      SpawnSharingMemory(&ExecEntry, const_cast<ChildContext*>(&ctx), argc, nullptr);
  if (command < 0) Fail(ctx, ChildStatus::Errno("clone(CLONE_VM|CLONE_VFORK)", ctx.argv[0]));
  Init(ctx, command, supervisor);
}

void ExecUnconfined(const ChildContext& ctx) {
  STEP(TieToSupervisor(ctx.lifeline_fd));
  STEP(Chdir(ctx.plan->cwd.c_str()));
  Exec(ctx);
}

}  // namespace cordon::sandbox
