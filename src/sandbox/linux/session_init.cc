// Init's request loop and each call's reaper: fixed buffers and raw
// syscalls only (see child.cc: init must not allocate).
#include "sandbox/linux/session_init.h"

#include <fcntl.h>
#include <poll.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iterator>

#include "sandbox/linux/fd_passing.h"
#include "sandbox/linux/landlock.h"
#include "sandbox/linux/shared_spawn.h"
#include "sandbox/linux/sweep.h"
#include "sandbox/session_wire.h"

extern char** environ;

namespace cordon::sandbox {
namespace {

constexpr int kMaxCalls = 64;

// Init's word to a call's reaper, on the reaper's socket: end the call
// (what 0), or relay a signal to the command's group. Not a signal to the
// reaper: below Landlock ABI 6 a command may signal its reaper, and a
// queued signal's sender can be forged; the socket is reachable from init
// only. The call's id, because a reaper serves one call after another: a
// word init sent for its last call is ignored.
struct Word {
  uint32_t magic = 0;
  uint32_t what = 0;
  uint64_t call_id = 0;
};
constexpr uint32_t kWordMagic = 0x636f7264;  // "cord"

// A message on a reaper's socket that is a Word (not a request).
bool IsWord(const void* data, size_t size, size_t nfds) {
  if (size != sizeof(Word) || nfds != 0) return false;
  Word w;
  memcpy(&w, data, sizeof(w));
  return w.magic == kWordMagic;
}

// A reaper's word to init once its call has ended and been answered: it
// waits for another.
constexpr char kFree = 'f';

struct Call {
  uint64_t id = 0;
  pid_t reaper = 0;
  int fd = -1;  // init's end of the reaper's socket, -1 once it is gone
};

struct State {
  Call calls[kMaxCalls];
  pid_t reapers[kMaxCalls + 1];  // the same pids and the spare's, for KillChildrenOnce
  int ncalls = 0;
  int scope_fd = -1;  // landlock::ScopeRuleset, or -1 without Landlock
  // The next call's reaper, waiting for its request on spare_fd: forked
  // ahead, or back from its last call; 0 / -1 when there is none.
  pid_t spare = 0;
  int spare_fd = -1;
  // Reapers told to go (a spare was there when they came back): their exit
  // is expected.
  pid_t retired[kMaxCalls];
  int nretired = 0;
};

void Put(int fd, const char* s) { (void)!write(fd, s, strlen(s)); }

void SendReply(int fd, uint64_t id, session::ReplyKind kind, int wait_status) {
  session::Reply r;
  r.id = id;
  r.wait_status = wait_status;
  r.kind = static_cast<uint32_t>(kind);
  (void)!send(fd, &r, sizeof(r), MSG_NOSIGNAL);
}

// Tells the reaper of `call` what to do (see Word).
void Tell(const Call& call, int what) {
  if (call.fd < 0) return;
  const Word w{kWordMagic, static_cast<uint32_t>(what), call.id};
  (void)send(call.fd, &w, sizeof(w), MSG_NOSIGNAL | MSG_DONTWAIT);
}

// Dies with `parent` (SIGKILL); false when it is already gone.
bool DieWith(pid_t parent) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) return false;
  return getppid() == parent;
}

// What the command's process needs from its reaper's memory, which it
// shares until it execs (shared_spawn.h).
struct CommandStart {
  const ChildContext* ctx;
  int scope_fd;
  pid_t reaper;
  const session::Request* req;
  char** argv;
  char** envp;
  const int* fds;
};

// Set by the sandbox itself (its TMPDIR, policy::SetProxyEnvironment's
// names in either spelling): the length of the name with its '=', or 0.
size_t SessionVariable(const char* entry) {
  static constexpr const char* kNames[] = {
      "TMPDIR=", "HTTP_PROXY=", "HTTPS_PROXY=", "ALL_PROXY=", "NO_PROXY="};
  for (const char* name : kNames) {
    const size_t len = strlen(name);
    if (strncasecmp(entry, name, len) == 0) return len;
  }
  return 0;
}

// True when `envp` has an entry named like `entry`'s first `len` bytes.
bool HasVariable(const char* const* envp, const char* entry, size_t len) {
  for (; *envp != nullptr; ++envp) {
    if (strncasecmp(*envp, entry, len) == 0) return true;
  }
  return false;
}

// The call's environment: the session's, or the one the request carries
// (the `cordon session` daemon built it from its client's, with the
// policy), where the session's own variables replace those of the same
// names when asked. Fixed storage: the reaper must not allocate.
char** CallEnvironment(const ChildContext& ctx, const session::Request& req) {
  if (req.envp == nullptr) return const_cast<char**>(ctx.envp);
  static char* env[session::kMaxArgs + 16];
  const bool replace = (req.flags & session::kSessionVariables) != 0;
  size_t n = 0;
  for (char** e = req.envp; *e != nullptr && n < session::kMaxArgs; ++e) {
    const size_t len = replace ? SessionVariable(*e) : 0;
    if (len == 0 || !HasVariable(ctx.envp, *e, len)) env[n++] = *e;
  }
  for (const char* const* e = ctx.envp; replace && *e != nullptr && n + 1 < std::size(env); ++e) {
    if (SessionVariable(*e) != 0) env[n++] = const_cast<char*>(*e);
  }
  env[n] = nullptr;
  return env;
}

// The call's command: its own Landlock domain, its own session, the fds it
// was sent, the sandbox's environment, then exec. Failures are told on its
// stderr, as cordon run would. Runs on the reaper's memory (the reaper is
// suspended until the exec): system calls only, as in child.cc.
int StartCommand(void* arg) {
  const CommandStart& start = *static_cast<const CommandStart*>(arg);
  const ChildContext& ctx = *start.ctx;
  const int scope_fd = start.scope_fd;
  const session::Request& req = *start.req;
  char** const argv = start.argv;
  const int* const fds = start.fds;
  if (!DieWith(start.reaper)) _exit(125);
  // Before exec, so that nothing of the call runs outside the domain.
  if (scope_fd >= 0 && !landlock::Enter(scope_fd).ok()) {
    Put(fds[2], "cordon: landlock_restrict_self (a call's scope) failed\n");
    _exit(125);
  }
  setsid();
  for (int i = 0; i < session::kFdsPerExec; ++i) {
    if (dup2(fds[i], i) < 0) _exit(125);
  }
  if (chdir(req.cwd) != 0) {
    int err = errno;
    Put(2, "cordon: cannot enter ");
    Put(2, req.cwd);
    Put(2, ": ");
    Put(2, strerror(err));
    Put(2, "\n");
    _exit(125);
  }
  if (sigprocmask(SIG_SETMASK, &ctx.exec_mask, nullptr) != 0) _exit(125);
  environ = start.envp;
  execvp(argv[0], argv);
  int err = errno;
  Put(2, "cordon: ");
  Put(2, argv[0]);
  Put(2, err == ENOENT ? ": command not found\n"
                       : ": cannot execute (permission denied or not a program)\n");
  _exit(err == ENOENT ? 127 : 126);
}

// One call, in its reaper: a child of init that stays in init's Landlock
// domain (so the command, in a domain nested in it, can neither signal nor
// ptrace it) and is a child subreaper: every process the call starts is
// its descendant, and stays one whatever it does (setsid, double fork),
// since orphans come back to the nearest subreaper. When the command ends,
// or init asks, it kills and reaps all of them, then sends the command's
// status: when `cordon mcp` reads it, nothing of the call is left, and the
// reaper is as it was before the call (no child, no call's fd).
// `fd`: the reaper's socket with init; `sigfd`: its SIGCHLD.
void RunCall(const ChildContext& ctx, const State& st, int fd, int sigfd,
             const session::Request& req, char** argv, const int* fds) {
  // Not a fork: the reaper's page tables are not copied for a process that
  // only execs (shared_spawn.h; the exec is most of a `true` call's time).
  CommandStart start{&ctx, st.scope_fd, getpid(), &req, argv, CallEnvironment(ctx, req), fds};
  const pid_t command = SpawnSharingMemory(&StartCommand, &start, req.argc, nullptr);
  for (int i = 0; i < session::kFdsPerExec; ++i) close(fds[i]);
  if (command < 0) {
    SendReply(ctx.session_fd, req.id, session::ReplyKind::kEnded, W_EXITCODE(125, 0));
    return;
  }
  SendReply(ctx.session_fd, req.id, session::ReplyKind::kStarted, 0);
  int status = W_EXITCODE(0, SIGKILL);  // when init ends the call first
  pollfd wait[2] = {{sigfd, POLLIN, 0}, {fd, POLLIN, 0}};
  for (bool running = true; running;) {
    if (poll(wait, 2, -1) < 0) continue;  // EINTR
    if (wait[0].revents != 0) {
      signalfd_siginfo si;
      while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
      }
      int s = 0;
      pid_t pid;
      while ((pid = waitpid(-1, &s, WNOHANG)) > 0) {
        if (pid != command) continue;  // an orphan of the call
        status = s;
        running = false;
      }
    }
    if (running && wait[1].revents != 0) {
      Word w;
      const ssize_t n = recv(fd, &w, sizeof(w), MSG_DONTWAIT);
      if (n == 0 || (n < 0 && errno != EAGAIN && errno != EINTR)) {
        wait[1].fd = -1;  // init is gone: its death signal ends this reaper
      } else if (n == sizeof(w) && w.magic == kWordMagic && w.call_id == req.id) {
        if (w.what == 0) break;
        kill(-command, static_cast<int>(w.what));  // relayed from cordon, to the command's group
      }
    }
  }
  KillAllChildren();
  SendReply(ctx.session_fd, req.id, session::ReplyKind::kEnded, status);
}

// Kills the orphans that reached init: processes of a call whose reaper
// died (only a kernel without Landlock signal scoping lets a command kill
// it). Init's only other children are the reapers (retired ones, on their
// way out, go too).
void KillOrphans(State& st) {
  int nkeep = st.ncalls;
  if (st.spare > 0) st.reapers[nkeep++] = st.spare;
  (void)KillChildrenOnce(st.reapers, nkeep);
}

// Receives the next request init passes on (its bytes and the call's three
// fds), skipping words init sent for an earlier call; false when init closed
// the socket or sent something else. The fds are close-on-exec, so nothing
// else of the call's inherits them.
bool ReceiveRequest(int fd, char* data, size_t size, size_t* got, int* fds) {
  static_assert(session::kFdsPerExec <= kMaxPassedFds);
  for (;;) {
    size_t nfds = 0;
    bool truncated = false;
    const ssize_t n = RecvWithFds(fd, data, size, fds, session::kFdsPerExec, &nfds, &truncated);
    if (n > 0 && IsWord(data, static_cast<size_t>(n), nfds)) continue;
    if (n <= 0 || truncated || nfds != session::kFdsPerExec) {
      for (size_t i = 0; i < nfds; ++i) close(fds[i]);
      return false;
    }
    *got = static_cast<size_t>(n);
    return true;
  }
}

// A reaper: waits for a call, serves it, tells init it is free, and waits
// for the next, until init closes `fd`. It has its own copy of init's
// memory (a fork), so each request comes over `fd`, already checked by
// init. Serving calls one after another instead of a fork each keeps a
// fork of init and an exit off every call (bench/README.md, issue 16).
[[noreturn]] void AwaitCalls(const ChildContext& ctx, const State& st, pid_t init, int fd) {
  static char data[session::kMaxRequestBytes + 1];
  static char* argv[session::kMaxArgs + 2];
  // Every signal is blocked (init blocked them before the fork); the
  // call's processes' ends come through this.
  sigset_t chld;
  sigemptyset(&chld);
  sigaddset(&chld, SIGCHLD);
  const int sigfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
  const bool ready = sigfd >= 0 && DieWith(init) && prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0;
  for (;;) {
    size_t got = 0;
    int fds[session::kFdsPerExec];
    // Told to go, or init is gone (or the handoff failed: init answers).
    if (!ReceiveRequest(fd, data, sizeof(data), &got, fds)) _exit(1);
    session::Request req;
    if (!session::Decode(data, got, &req, argv, session::kMaxArgs)) _exit(1);
    if (!ready) {
      SendReply(ctx.session_fd, req.id, session::ReplyKind::kEnded, W_EXITCODE(125, 0));
      _exit(0);
    }
    RunCall(ctx, st, fd, sigfd, req, argv, fds);
    if (send(fd, &kFree, 1, MSG_NOSIGNAL) != 1) _exit(0);
  }
}

// Forks the spare; false when it cannot (the request is refused then).
// `held`: a call's fds init holds now, which the spare must not keep (it
// would hold that call's pipes open past its end).
bool MakeSpare(const ChildContext& ctx, State& st, const int* held = nullptr, int nheld = 0) {
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) return false;
  const pid_t init = getpid();
  const pid_t pid = fork();
  if (pid == 0) {
    close(sv[0]);
    for (int i = 0; i < nheld; ++i) close(held[i]);
    // Init's ends of the other reapers' sockets: a reaper told to go must
    // see its socket close.
    for (int i = 0; i < st.ncalls; ++i) {
      if (st.calls[i].fd >= 0) close(st.calls[i].fd);
    }
    AwaitCalls(ctx, st, init, sv[1]);
  }
  close(sv[1]);
  if (pid < 0) {
    close(sv[0]);
    return false;
  }
  st.spare = pid;
  st.spare_fd = sv[0];
  return true;
}

// Hands the request to the spare, which becomes the call's reaper; true
// when it took it.
bool HandOff(const ChildContext& ctx, State& st, char* data, size_t size, const int* fds) {
  if (st.spare == 0 && !MakeSpare(ctx, st, fds, session::kFdsPerExec)) return false;
  const ssize_t sent = SendWithFds(st.spare_fd, data, size, fds, session::kFdsPerExec);
  if (sent != static_cast<ssize_t>(size)) {
    close(st.spare_fd);
    st.spare_fd = -1;
    // Gone (killed by a call, on a kernel without Landlock signal
    // scoping): Reap takes its exit; the next request gets a new one.
    kill(st.spare, SIGKILL);
    st.spare = 0;
    return false;
  }
  return true;
}

void HandleRequest(const ChildContext& ctx, State& st, char* data, size_t size, int* fds,
                   int nfds) {
  static char* argv[session::kMaxArgs + 2];
  session::Request req;
  bool ok = session::Decode(data, size, &req, argv, session::kMaxArgs);
  if (ok && (req.op == session::Op::kKill || req.op == session::Op::kSignal)) {
    // cordon's relayed signals reach the command's group; 0 ends the call.
    const int sig = req.op == session::Op::kKill ? 0 : req.signal;
    const bool relayed = sig != SIGCHLD && sigismember(&ctx.init_mask, sig) == 1;
    for (int i = 0; i < st.ncalls; ++i) {
      if (st.calls[i].id == req.id && (sig == 0 || relayed)) Tell(st.calls[i], sig);
    }
  } else if (!ok || nfds != session::kFdsPerExec || st.ncalls == kMaxCalls) {
    if (ok) SendReply(ctx.session_fd, req.id, session::ReplyKind::kEnded, W_EXITCODE(125, 0));
  } else if (!HandOff(ctx, st, data, size, fds) && !HandOff(ctx, st, data, size, fds)) {
    SendReply(ctx.session_fd, req.id, session::ReplyKind::kEnded, W_EXITCODE(125, 0));
  } else {
    st.calls[st.ncalls] = Call{req.id, st.spare, st.spare_fd};
    st.reapers[st.ncalls++] = st.spare;
    st.spare = 0;
    st.spare_fd = -1;
  }
  for (int i = 0; i < nfds; ++i) close(fds[i]);
  // Calls one at a time: the reaper comes back for the next. Calls at once:
  // the next call's reaper, forked while this call's command starts; after
  // the close, so that it holds none of this call's pipes.
  if (st.spare == 0 && st.ncalls > 1) (void)MakeSpare(ctx, st);
}

// The index in st.calls of the call `reaper` serves, or st.ncalls.
int CallOf(const State& st, pid_t reaper) {
  int i = 0;
  while (i < st.ncalls && st.calls[i].reaper != reaper) ++i;
  return i;
}

// Forgets call `i` (the last one takes its place).
void DropCall(State& st, int i) {
  st.calls[i] = st.calls[--st.ncalls];
  st.reapers[i] = st.reapers[st.ncalls];
}

// A reaper's word on its socket: free again (it becomes the spare, or is
// told to go when there is one), or gone (Reap takes its exit).
void ReaperBack(State& st, pid_t reaper) {
  const int i = CallOf(st, reaper);
  if (i == st.ncalls || st.calls[i].fd < 0) return;
  char word = 0;
  const ssize_t n = recv(st.calls[i].fd, &word, 1, MSG_DONTWAIT);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) return;
  if (n != 1 || word != kFree) {
    close(st.calls[i].fd);
    st.calls[i].fd = -1;
    return;
  }
  const int fd = st.calls[i].fd;
  DropCall(st, i);
  if (st.spare == 0) {
    st.spare = reaper;
    st.spare_fd = fd;
    return;
  }
  close(fd);  // its ReceiveRequest ends: it exits
  if (st.nretired < kMaxCalls) {
    st.retired[st.nretired++] = reaper;
  } else {
    kill(reaper, SIGKILL);
  }
}

// Reaps the reapers (each has answered for its call) and orphans.
void Reap(const ChildContext& ctx, State& st) {
  int status = 0;
  pid_t pid;
  bool orphans = false;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    if (pid == st.spare) {  // killed while it waited for a call
      close(st.spare_fd);
      st.spare = 0;
      st.spare_fd = -1;
      continue;
    }
    int r = 0;
    while (r < st.nretired && st.retired[r] != pid) ++r;
    if (r < st.nretired) {  // told to go
      st.retired[r] = st.retired[--st.nretired];
      continue;
    }
    const int i = CallOf(st, pid);
    if (i == st.ncalls) {
      orphans = true;
      continue;
    }
    // A reaper that did not exit 0 was killed before it could answer.
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
      SendReply(ctx.session_fd, st.calls[i].id, session::ReplyKind::kEnded, W_EXITCODE(125, 0));
      orphans = true;
    }
    if (st.calls[i].fd >= 0) close(st.calls[i].fd);
    DropCall(st, i);
  }
  if (orphans) KillOrphans(st);
}

[[noreturn]] void End(const ChildContext& ctx, int code) {
  // In a pid namespace everything dies with init; without one, the
  // reapers' commands die with them and the rest comes back to init.
  if (ctx.plan->tier == Tier::kNamespaceless) KillAllChildren();
  _exit(code);
}

}  // namespace

ChildStatus ServeSession(const ChildContext& ctx) {
  if (fcntl(ctx.session_fd, F_SETFD, FD_CLOEXEC) != 0) {
    return ChildStatus::Errno("fcntl(F_SETFD, FD_CLOEXEC)", "session socket");
  }
  int sigfd = signalfd(-1, &ctx.init_mask, SFD_CLOEXEC);
  if (sigfd < 0) return ChildStatus::Errno("signalfd", nullptr);
  // Everything blocked, so that each reaper starts with its signals
  // blocked too (its SIGCHLD is read from a signalfd).
  sigset_t all;
  sigfillset(&all);
  if (sigprocmask(SIG_BLOCK, &all, nullptr) != 0) return ChildStatus::Errno("sigprocmask", nullptr);
  static State st;
  if (ctx.plan->use_landlock) {
    CORDON_CHILD_TRY(landlock::ScopeRuleset(ctx.plan->landlock.abi, &st.scope_fd));
  }
  static char data[session::kMaxRequestBytes + 1];
  (void)MakeSpare(ctx, st);  // the first call's reaper
  for (;;) {
    // The session's requests, signals, and each busy reaper's socket.
    pollfd fds[2 + kMaxCalls] = {{ctx.session_fd, POLLIN, 0}, {sigfd, POLLIN, 0}};
    pid_t polled[kMaxCalls];
    int nfds = 2;
    for (int i = 0; i < st.ncalls; ++i) {
      if (st.calls[i].fd < 0) continue;
      polled[nfds - 2] = st.calls[i].reaper;
      fds[nfds++] = {st.calls[i].fd, POLLIN, 0};
    }
    if (poll(fds, static_cast<nfds_t>(nfds), -1) < 0) continue;  // EINTR
    // Reapers back first: the request that may be waiting gets one.
    for (int k = 2; k < nfds; ++k) {
      if (fds[k].revents != 0) ReaperBack(st, polled[k - 2]);
    }
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si{};
      while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) {
          Reap(ctx, st);
        } else if (sig == kSweepSignal && ctx.plan->tier == Tier::kNamespaceless) {
          pollfd p{ctx.lifeline_fd, POLLIN, 0};
          if (poll(&p, 1, 0) != 0) End(ctx, 125);
        } else if (static_cast<int>(si.ssi_code) <= 0 &&
                   static_cast<pid_t>(si.ssi_pid) == getppid()) {
          // A signal sent to cordon: every call gets it, and one that asks
          // cordon to stop ends the session.
          for (int i = 0; i < st.ncalls; ++i) Tell(st.calls[i], sig);
          if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) {
            End(ctx, 128 + sig);
          }
        }
        pollfd more{sigfd, POLLIN, 0};
        if (poll(&more, 1, 0) <= 0) break;
      }
      Reap(ctx, st);
    }
    if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
      alignas(cmsghdr) char control[CMSG_SPACE(sizeof(int) * session::kFdsPerExec)];
      iovec iov{data, sizeof(data)};
      msghdr msg{};
      msg.msg_iov = &iov;
      msg.msg_iovlen = 1;
      msg.msg_control = control;
      msg.msg_controllen = sizeof(control);
      ssize_t got = recvmsg(ctx.session_fd, &msg, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) End(ctx, 0);  // cordon mcp is gone
      int passed[session::kFdsPerExec];
      int npassed = 0;
      for (cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        size_t n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        for (size_t i = 0; i < n; ++i) {
          int fd;
          memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof(int));
          if (npassed < session::kFdsPerExec) {
            passed[npassed++] = fd;
          } else {
            close(fd);
          }
        }
      }
      if (msg.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) {
        for (int i = 0; i < npassed; ++i) close(passed[i]);
        continue;
      }
      HandleRequest(ctx, st, data, static_cast<size_t>(got), passed, npassed);
    }
  }
}

}  // namespace cordon::sandbox
