// Init's request loop: fixed buffers and raw syscalls only (see child.cc:
// init must not allocate).
#include "sandbox/session_init.h"

#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "sandbox/proc_path.h"
#include "sandbox/session_wire.h"
#include "sandbox/sweep.h"

extern char** environ;

namespace cordon::sandbox {
namespace {

constexpr int kMaxCalls = 64;
constexpr int kMaxTracked = 8192;  // processes of one call found in one scan

struct Call {
  uint64_t id = 0;
  pid_t pid = 0;  // its first process, which leads its session
};

struct State {
  Call calls[kMaxCalls];
  int ncalls = 0;
};

void Put(int fd, const char* s) { (void)!write(fd, s, strlen(s)); }

// "ppid pgrp session" of /proc/PID/stat; false when it is gone.
bool ReadStat(long pid, long* ppid, long* pgrp, long* sid) {
  char path[64];
  ProcPath(path, sizeof(path), static_cast<unsigned long>(pid), "stat");
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[512];
  ssize_t got = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  if (got <= 0) return false;
  buf[got] = '\0';
  // The name may hold spaces and parentheses: the fields start after the
  // last ')'. Then: state ppid pgrp session.
  char* p = strrchr(buf, ')');
  if (p == nullptr) return false;
  long fields[3] = {0, 0, 0};
  int field = -2;  // " S" comes first
  for (++p; *p != '\0' && field < 3; ++p) {
    if (*p == ' ') {
      ++field;
      continue;
    }
    if (field >= 0 && *p >= '0' && *p <= '9') fields[field] = fields[field] * 10 + (*p - '0');
  }
  *ppid = fields[0];
  *pgrp = fields[1];
  *sid = fields[2];
  return true;
}

// SIGKILL for everything of the call led by `leader`: its session, its
// process group, and the descendants of those, found by scanning /proc
// until a scan finds nothing new.
void KillCall(pid_t leader) {
  kill(-leader, SIGKILL);
  static long found[kMaxTracked];
  int nfound = 0;
  auto known = [&](long pid) {
    for (int i = 0; i < nfound; ++i)
      if (found[i] == pid) return true;
    return pid == leader;
  };
  for (int round = 0; round < 16; ++round) {
    int fd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return;
    bool added = false;
    char buf[8192];
    for (;;) {
      long got = syscall(SYS_getdents64, fd, buf, sizeof(buf));
      if (got <= 0) break;
      for (long off = 0; off < got;) {
        auto* d = reinterpret_cast<struct dirent64*>(buf + off);
        off += d->d_reclen;
        long pid = 0;
        const char* c = d->d_name;
        for (; *c >= '0' && *c <= '9'; ++c) pid = pid * 10 + (*c - '0');
        if (*c != '\0' || pid <= 1 || pid == getpid() || known(pid)) continue;
        long ppid = 0, pgrp = 0, sid = 0;
        if (!ReadStat(pid, &ppid, &pgrp, &sid)) continue;
        if (sid == leader || pgrp == leader || ppid == leader || known(ppid)) {
          kill(static_cast<pid_t>(pid), SIGKILL);
          if (nfound < kMaxTracked) found[nfound++] = pid;
          added = true;
        }
      }
    }
    close(fd);
    if (!added) return;
  }
}

void SendReply(int fd, uint64_t id, int wait_status) {
  session::Reply r;
  r.id = id;
  r.wait_status = wait_status;
  (void)!send(fd, &r, sizeof(r), MSG_NOSIGNAL);
}

// The call's process: its own session, the fds it was sent, the sandbox's
// environment, then exec. Failures are told on its stderr, as cordon run
// would.
[[noreturn]] void StartCall(const ChildContext& ctx, const session::Request& req, char** argv,
                            const int* fds) {
  if (ctx.plan->tier == Tier::kNamespaceless && prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) {
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
  environ = const_cast<char**>(ctx.envp);
  execvp(argv[0], argv);
  int err = errno;
  Put(2, "cordon: ");
  Put(2, argv[0]);
  Put(2, err == ENOENT ? ": command not found\n"
                       : ": cannot execute (permission denied or not a program)\n");
  _exit(err == ENOENT ? 127 : 126);
}

void HandleRequest(const ChildContext& ctx, State& st, char* data, size_t size, int* fds,
                   int nfds) {
  static char* argv[session::kMaxArgs + 1];
  session::Request req;
  bool ok = session::Decode(data, size, &req, argv, session::kMaxArgs);
  if (ok && req.op == session::Op::kKill) {
    for (int i = 0; i < st.ncalls; ++i) {
      if (st.calls[i].id == req.id) KillCall(st.calls[i].pid);
    }
  } else if (!ok || nfds != session::kFdsPerExec || st.ncalls == kMaxCalls) {
    if (ok) SendReply(ctx.session_fd, req.id, W_EXITCODE(125, 0));
  } else {
    pid_t pid = fork();
    if (pid == 0) StartCall(ctx, req, argv, fds);
    if (pid < 0) {
      SendReply(ctx.session_fd, req.id, W_EXITCODE(125, 0));
    } else {
      st.calls[st.ncalls++] = Call{req.id, pid};
    }
  }
  for (int i = 0; i < nfds; ++i) close(fds[i]);
}

// Reaps; a call whose first process ended has the rest of it killed, then
// its status goes back.
void Reap(const ChildContext& ctx, State& st) {
  int status = 0;
  pid_t pid;
  while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
    for (int i = 0; i < st.ncalls; ++i) {
      if (st.calls[i].pid != pid) continue;
      KillCall(pid);
      SendReply(ctx.session_fd, st.calls[i].id, status);
      st.calls[i] = st.calls[--st.ncalls];
      break;
    }
  }
}

[[noreturn]] void End(const ChildContext& ctx, State& st, int code) {
  for (int i = 0; i < st.ncalls; ++i) KillCall(st.calls[i].pid);
  // In a pid namespace everything dies with init anyway.
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
  static State st;
  static char data[session::kMaxRequestBytes + 1];
  for (;;) {
    pollfd fds[2] = {{ctx.session_fd, POLLIN, 0}, {sigfd, POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) continue;  // EINTR
    if (fds[1].revents & POLLIN) {
      signalfd_siginfo si{};
      while (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
        int sig = static_cast<int>(si.ssi_signo);
        if (sig == SIGCHLD) {
          Reap(ctx, st);
        } else if (sig == kSweepSignal && ctx.plan->tier == Tier::kNamespaceless) {
          pollfd p{ctx.lifeline_fd, POLLIN, 0};
          if (poll(&p, 1, 0) != 0) End(ctx, st, 125);
        } else if (static_cast<int>(si.ssi_code) <= 0 &&
                   static_cast<pid_t>(si.ssi_pid) == getppid()) {
          // A signal sent to cordon: every call gets it, and one that asks
          // cordon to stop ends the session.
          for (int i = 0; i < st.ncalls; ++i) kill(-st.calls[i].pid, sig);
          if (sig == SIGTERM || sig == SIGINT || sig == SIGHUP || sig == SIGQUIT) {
            End(ctx, st, 128 + sig);
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
      if (got <= 0) End(ctx, st, 0);  // cordon mcp is gone
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
