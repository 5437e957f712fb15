// seccomp: shrinks the kernel surface the sandbox can reach.
//
// The filter is made in the parent (Compile) and only installed in the
// child (Install), which allocates nothing. Its rules are compiled with
// libseccomp when cordon is built, not at every start (seccomp_prebuilt.h). Denied calls
// fail with EPERM (never a kill), so the agent sees a clear error; clone3
// fails with ENOSYS so libc falls back to clone, whose flags we can inspect.
// Sockets: in every tier and network mode only AF_UNIX, AF_INET, AF_INET6
// and AF_NETLINK (NETLINK_ROUTE) can be created; other families fail with
// EAFNOSUPPORT and other netlink protocols with EPROTONOSUPPORT, what a
// kernel without them answers, so programs fall back.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "common/result.h"
#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::seccomp {

struct Options {
  // The namespace-less tier, where Landlock's TCP rules are the network
  // boundary: refuse every AF_INET/AF_INET6 socket that is not plain TCP
  // (UDP, ICMP, SCTP, MPTCP), and TCP Fast Open, which connects from
  // sendto/sendmsg without the connect(2) that Landlock checks.
  bool inet_tcp_only = false;
  // Refuse AF_INET/AF_INET6 sockets altogether (offline without Landlock's
  // TCP rules, ABI < 4).
  bool deny_inet = false;
  // Refuse socket(AF_UNIX) and datagram socketpairs: without a mount view
  // and below Landlock ABI 8, a pathname socket (ssh-agent, docker, D-Bus,
  // journald) cannot be filtered by its path, and a datagram socket may
  // sendto() any path. Stream and seqpacket socketpairs stay (they cannot
  // be pointed at a path).
  bool deny_unix_sockets = false;
  // Refuse SysV IPC and POSIX message queues: without an IPC namespace they
  // are the host's, keyed by number or name, guarded by file modes alone.
  bool deny_sysv_ipc = false;
  // Refuse metadata changes by path (chmod, chown, utimes, xattrs and ACLs):
  // Landlock does not control them, and without a read-only mount view they
  // would reach every file of the user (chmod 777 ~/.ssh/id_ed25519, an ACL
  // granting another user read). The fd-based calls stay: they need a file
  // the command could open.
  bool deny_path_metadata = false;
  // The namespace-less tier: chmod, fchmod, fchmodat(2), utimensat, utimes,
  // utime and futimesat go to the user-notification listener instead, whose
  // handler in the supervisor performs them itself on files beneath a
  // writable root (mediate.h). chown and xattrs stay refused.
  bool mediate_metadata = false;
  // The namespace-less tier offline or with the proxy: bind and connect go
  // to the listener, whose handler binds TCP sockets to loopback and
  // connects only to what the sandbox bound, the proxy and allow_local
  // services (mediate.h); Landlock still denies the command's own calls.
  bool mediate_inet = false;
  // Approval policy on-failure: write-intent path calls (open and openat
  // with a write flag, creat, openat2, mkdir, mknod, unlink, rmdir, rename,
  // link, symlink, truncate and their *at forms) go to a user-notification
  // listener (write_watch.h), which only observes them: they always
  // continue, and Landlock and the mount view decide as before. The EPERM
  // and ENOSYS rules above are for other calls, and a stacked filter's
  // ERRNO beats USER_NOTIF, so nothing denied becomes observable-only.
  bool notify_writes = false;
};

using Program = std::vector<sock_filter>;

// The program for `options`: a copy of the pre-built one (an error, failing
// closed, when the build made none for them), or compiled by libseccomp
// where the build could not pre-build (CORDON_SECCOMP_PREBUILT off).
[[nodiscard]] Result<Program> Compile(const Options& options);

// Installs the program on the calling thread. no_new_privs must be set.
// With `listener` (a program compiled with notify_writes), it is installed
// by seccomp(2) with SECCOMP_FILTER_FLAG_NEW_LISTENER and *listener gets the
// notification fd (O_CLOEXEC, owned by the caller); when a filter with a
// listener is already stacked above us (EBUSY: cordon inside a sandbox that
// watches), the program is installed without one and *listener is -1:
// `fallback` if given (a program without notifications, for a program whose
// notified calls must not simply run), else the program with its
// notifications turned into ALLOW.
[[nodiscard]] ChildStatus Install(const Program& program, int* listener = nullptr,
                                  const Program* fallback = nullptr);

}  // namespace cordon::sandbox::seccomp
