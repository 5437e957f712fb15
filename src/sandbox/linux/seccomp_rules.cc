// The seccomp rules, compiled to raw BPF with libseccomp: the one source of
// truth for what the filter denies. Only the build-time generator
// (tools/seccomp_gen.cc), the unit test that checks its output
// (tests/unit/seccomp_prebuilt_test.cc) and, where a filter cannot be
// pre-built (a cross build), seccomp.cc at run time call it.
#include "sandbox/linux/seccomp_rules.h"

#include <fcntl.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <iterator>
#include <memory>

#include "common/unique_fd.h"

namespace cordon::sandbox::seccomp {
namespace {

// Calls that only widen the attack surface or escape the view; EPERM.
constexpr const char* kDenied[] = {
    // namespaces and the mount view (set up before seccomp is installed)
    "unshare", "setns", "mount", "umount2", "pivot_root", "chroot", "move_mount", "open_tree",
    "fsopen", "fsconfig", "fsmount", "fspick", "mount_setattr",
    // kernel keyrings (a shared session keyring leaks keys both ways)
    "keyctl", "add_key", "request_key",
    // wide kernel attack surface
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter",
    "io_uring_register",
    // host-wide operations
    "kexec_load", "kexec_file_load", "init_module", "finit_module", "delete_module", "reboot",
    "swapon", "swapoff", "acct", "quotactl", "syslog", "open_by_handle_at", "name_to_handle_at",
    "lookup_dcookie", "vhangup", "settimeofday", "clock_settime", "clock_adjtime", "adjtimex",
    "iopl", "ioperm", "nfsservctl", "uselib"};

// The host's IPC objects, where there is no IPC namespace.
constexpr const char* kIpc[] = {
    "shmget",    "shmat",        "shmctl",          "msgget",    "msgsnd",       "msgrcv",
    "msgctl",    "semget",       "semop",           "semctl",    "semtimedop",   "mq_open",
    "mq_unlink", "mq_timedsend", "mq_timedreceive", "mq_notify", "mq_getsetattr"};

// Metadata changes by path (libseccomp skips names this arch or version lacks).
constexpr const char* kPathMetadata[] = {
    "chmod",     "fchmodat",    "fchmodat2",    "chown",      "lchown",
    "fchownat",  "utime",       "utimes",       "futimesat",  "setxattr",
    "lsetxattr", "removexattr", "lremovexattr", "setxattrat", "removexattrat"};

// Mediated metadata calls for mediate_metadata (chown and xattrs stay in
// kPathMetadata's EPERM).
constexpr const char* kMediatedMetadata[] = {"chmod",     "fchmod", "fchmodat", "fchmodat2",
                                             "utimensat", "utime",  "utimes",   "futimesat"};

constexpr uint64_t kNamespaceFlags[] = {CLONE_NEWUSER,   CLONE_NEWNS,  CLONE_NEWPID,
                                        CLONE_NEWNET,    CLONE_NEWIPC, CLONE_NEWUTS,
                                        CLONE_NEWCGROUP, 0x00000080 /* CLONE_NEWTIME */};

// Write-intent path calls for notify_writes: every call of these...
constexpr const char* kWriteAlways[] = {"creat",     "openat2",   "mkdir",    "mkdirat", "mknod",
                                        "mknodat",   "unlink",    "unlinkat", "rmdir",   "rename",
                                        "renameat",  "renameat2", "link",     "linkat",  "symlink",
                                        "symlinkat", "truncate"};
// ...and open/openat with one of these flags (one masked-eq rule each).
constexpr uint64_t kWriteOpenFlags[] = {O_WRONLY, O_RDWR, O_CREAT, O_TRUNC};

struct CtxDeleter {
  void operator()(scmp_filter_ctx ctx) const { seccomp_release(ctx); }
};
using Ctx = std::unique_ptr<void, CtxDeleter>;

Error LibError(const char* op, const char* what, int rc) { return SysError(op, what, -rc); }

// The socket families the policy needs: TCP/IP, unix sockets, and netlink
// for name resolution and `ip` (glibc's getaddrinfo with AI_ADDRCONFIG and
// getifaddrs, iproute2). Sorted; the largest bounds the GT rule.
constexpr int kAllowedFamilies[] = {AF_UNIX, AF_INET, AF_INET6, AF_NETLINK};

// Every other family fails with EAFNOSUPPORT, the answer of a kernel built
// without it, which programs already take as "not here" and fall back
// from (EPERM would read as a broken system). A network namespace
// separates none of them: AF_VSOCK binds and connects in the host's (a
// VM's) port space; bluetooth, CAN and qipcrtr reach devices; packet
// sockets see traffic; AF_ALG, AF_TIPC, AF_RDS, AF_XDP and AF_SMC are
// kernel surface that nothing the sandbox runs needs.
Status RefuseOtherFamilies(scmp_filter_ctx ctx, int syscall_nr, const char* name) {
  const uint32_t refuse = SCMP_ACT_ERRNO(EAFNOSUPPORT);
  constexpr int kLargest = kAllowedFamilies[std::size(kAllowedFamilies) - 1];
  // Compared as 64 bits: a family with high bits set (the kernel reads the
  // low 32) is greater than kLargest and refused.
  int rc = seccomp_rule_add(ctx, refuse, syscall_nr, 1,
                            SCMP_A0(SCMP_CMP_GT, static_cast<scmp_datum_t>(kLargest), 0));
  if (rc != 0) return LibError("seccomp_rule_add", name, rc);
  for (int family = 0; family < kLargest; ++family) {
    if (std::find(std::begin(kAllowedFamilies), std::end(kAllowedFamilies), family) !=
        std::end(kAllowedFamilies)) {
      continue;
    }
    rc = seccomp_rule_add(ctx, refuse, syscall_nr, 1,
                          SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family), 0));
    if (rc != 0) return LibError("seccomp_rule_add", name, rc);
  }
  return {};
}

// The socket rules of every tier and network mode. No two of them (nor of
// the tier-specific ones in Compile) match the same call with different
// actions (the tier rules refuse inet types with EPERM too): libseccomp
// does not promise which one wins.
Status AddSocketRules(scmp_filter_ctx ctx) {
  CORDON_RETURN_IF_ERROR(RefuseOtherFamilies(ctx, SCMP_SYS(socket), "socket"));
  CORDON_RETURN_IF_ERROR(RefuseOtherFamilies(ctx, SCMP_SYS(socketpair), "socketpair"));
  // Netlink for NETLINK_ROUTE only: sock_diag (every socket of the
  // namespace), uevents, audit, netfilter, xfrm and generic netlink are
  // refused as a kernel without them would answer.
  int rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPROTONOSUPPORT), SCMP_SYS(socket), 2,
                            SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(AF_NETLINK), 0),
                            SCMP_A2(SCMP_CMP_NE, static_cast<scmp_datum_t>(NETLINK_ROUTE), 0));
  if (rc != 0) return LibError("seccomp_rule_add", "socket(AF_NETLINK)", rc);
  // Raw IP sockets see and forge traffic, and socket(AF_INET, SOCK_PACKET)
  // is an AF_PACKET socket by another name (__sock_create rewrites the
  // family). EPERM, as the tier rules below answer for these types too.
  // (The unused second datum of SCMP_CMP_EQ is spelled out: clang warns on
  // the macro's missing field.)
  for (int family : {AF_INET, AF_INET6}) {
    for (scmp_datum_t type : {SOCK_RAW, SOCK_PACKET}) {
      rc = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(socket), 2,
                            SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(family), 0),
                            SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfULL, type));
      if (rc != 0)
        return LibError("seccomp_rule_add", "socket(AF_INET*, SOCK_RAW|SOCK_PACKET)", rc);
    }
  }
  return {};
}

}  // namespace

Result<Program> CompileRules(const Options& options) {
  Ctx ctx(seccomp_init(SCMP_ACT_ALLOW));
  if (!ctx) return PlainError("seccomp_init", "", "libseccomp could not allocate a filter");
  // A 32-bit or x32 syscall would bypass the native-arch rules: kill it.
  int rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
  if (rc != 0) return LibError("seccomp_attr_set", "ACT_BADARCH", rc);
  // Every syscall of the command runs this filter: a binary search over the
  // syscall numbers instead of a linear scan of the deny list.
  rc = seccomp_attr_set(ctx.get(), SCMP_FLTATR_CTL_OPTIMIZE, 2);
  if (rc != 0) return LibError("seccomp_attr_set", "CTL_OPTIMIZE", rc);
  const uint32_t eperm = SCMP_ACT_ERRNO(EPERM);

  for (const char* name : kDenied) {
    int nr = seccomp_syscall_resolve_name(name);
    if (nr == __NR_SCMP_ERROR) continue;  // not on this arch
    rc = seccomp_rule_add(ctx.get(), eperm, nr, 0);
    if (rc != 0) return LibError("seccomp_rule_add", name, rc);
  }
  for (uint64_t flag : kNamespaceFlags) {
    rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(clone), 1,
                          SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
    if (rc != 0) return LibError("seccomp_rule_add", "clone", rc);
  }
  // clone3 passes its flags in memory that BPF cannot read.
  rc = seccomp_rule_add(ctx.get(), SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
  if (rc != 0) return LibError("seccomp_rule_add", "clone3", rc);
  // Typing into the user's terminal.
  for (uint64_t req : {static_cast<uint64_t>(TIOCSTI), static_cast<uint64_t>(TIOCLINUX)}) {
    rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(ioctl), 1,
                          SCMP_A1(SCMP_CMP_MASKED_EQ, 0xffffffffULL, req));
    if (rc != 0) return LibError("seccomp_rule_add", "ioctl", rc);
  }
  CORDON_RETURN_IF_ERROR(AddSocketRules(ctx.get()));
  for (int family : {AF_INET, AF_INET6}) {
    const auto fam = static_cast<scmp_datum_t>(family);
    if (options.deny_inet) {
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socket), 1, SCMP_A0(SCMP_CMP_EQ, fam, 0));
      if (rc != 0) return LibError("seccomp_rule_add", "socket(AF_INET*)", rc);
      continue;
    }
    if (!options.inet_tcp_only) continue;
    for (scmp_datum_t type = 0; type < 16; ++type) {
      if (type == SOCK_STREAM) continue;
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, fam, 0),
                            SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfULL, type));
      if (rc != 0) return LibError("seccomp_rule_add", "socket(AF_INET*, type)", rc);
    }
    // Protocol 0 or IPPROTO_TCP only (IPPROTO_MPTCP is a stream too).
    rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, fam, 0),
                          SCMP_A2(SCMP_CMP_GT, static_cast<scmp_datum_t>(IPPROTO_TCP), 0));
    if (rc != 0) return LibError("seccomp_rule_add", "socket(AF_INET*, protocol)", rc);
    for (scmp_datum_t proto = 1; proto < IPPROTO_TCP; ++proto) {
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socket), 2, SCMP_A0(SCMP_CMP_EQ, fam, 0),
                            SCMP_A2(SCMP_CMP_EQ, proto, 0));
      if (rc != 0) return LibError("seccomp_rule_add", "socket(AF_INET*, protocol)", rc);
    }
  }
  if (options.inet_tcp_only || options.deny_inet) {
    const scmp_datum_t fastopen = MSG_FASTOPEN;
    rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(sendto), 1,
                          SCMP_A3(SCMP_CMP_MASKED_EQ, fastopen, fastopen));
    if (rc == 0) {
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(sendmsg), 1,
                            SCMP_A2(SCMP_CMP_MASKED_EQ, fastopen, fastopen));
    }
    if (rc == 0) {
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(sendmmsg), 1,
                            SCMP_A3(SCMP_CMP_MASKED_EQ, fastopen, fastopen));
    }
    if (rc == 0) {
      rc = seccomp_rule_add(
          ctx.get(), eperm, SCMP_SYS(setsockopt), 2,
          SCMP_A1(SCMP_CMP_EQ, static_cast<scmp_datum_t>(IPPROTO_TCP), 0),
          SCMP_A2(SCMP_CMP_EQ, static_cast<scmp_datum_t>(TCP_FASTOPEN_CONNECT), 0));
    }
    if (rc != 0) return LibError("seccomp_rule_add", "TCP Fast Open", rc);
  }
  if (options.deny_sysv_ipc) {
    for (const char* name : kIpc) {
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      rc = seccomp_rule_add(ctx.get(), eperm, nr, 0);
      if (rc != 0) return LibError("seccomp_rule_add", name, rc);
    }
  }
  if (options.mediate_metadata) {
    for (const char* name : kMediatedMetadata) {
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 0);
      if (rc != 0) return LibError("seccomp_rule_add(SCMP_ACT_NOTIFY)", name, rc);
    }
  }
  if (options.mediate_inet) {
    for (const char* name : {"bind", "connect"}) {
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 0);
      if (rc != 0) return LibError("seccomp_rule_add(SCMP_ACT_NOTIFY)", name, rc);
    }
  }
  if (options.deny_path_metadata) {
    for (const char* name : kPathMetadata) {
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      // Mediated ones go to the listener instead.
      if (options.mediate_metadata && std::find_if(std::begin(kMediatedMetadata),
                                                   std::end(kMediatedMetadata), [&](const char* m) {
                                                     return std::strcmp(m, name) == 0;
                                                   }) != std::end(kMediatedMetadata)) {
        continue;
      }
      rc = seccomp_rule_add(ctx.get(), eperm, nr, 0);
      if (rc != 0) return LibError("seccomp_rule_add", name, rc);
    }
    // utimensat(fd, NULL, ...) is futimens: by fd.
    if (!options.mediate_metadata) {
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(utimensat), 1, SCMP_A1(SCMP_CMP_NE, 0, 0));
      if (rc != 0) return LibError("seccomp_rule_add", "utimensat", rc);
    }
  }
  if (options.deny_unix_sockets) {
    rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socket), 1,
                          SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(AF_UNIX), 0));
    if (rc == 0) {
      rc = seccomp_rule_add(ctx.get(), eperm, SCMP_SYS(socketpair), 2,
                            SCMP_A0(SCMP_CMP_EQ, static_cast<scmp_datum_t>(AF_UNIX), 0),
                            SCMP_A1(SCMP_CMP_MASKED_EQ, 0xfULL, SOCK_DGRAM));
    }
    if (rc != 0) return LibError("seccomp_rule_add", "AF_UNIX", rc);
  }

  if (options.notify_writes) {
    for (const char* name : kWriteAlways) {
      int nr = seccomp_syscall_resolve_name(name);
      if (nr == __NR_SCMP_ERROR) continue;
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 0);
      if (rc != 0) return LibError("seccomp_rule_add(SCMP_ACT_NOTIFY)", name, rc);
    }
    for (uint64_t flag : kWriteOpenFlags) {
      int nr = seccomp_syscall_resolve_name("open");
      if (nr != __NR_SCMP_ERROR) {
        rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, nr, 1,
                              SCMP_A1(SCMP_CMP_MASKED_EQ, flag, flag));
        if (rc != 0) return LibError("seccomp_rule_add(SCMP_ACT_NOTIFY)", "open", rc);
      }
      rc = seccomp_rule_add(ctx.get(), SCMP_ACT_NOTIFY, SCMP_SYS(openat), 1,
                            SCMP_A2(SCMP_CMP_MASKED_EQ, flag, flag));
      if (rc != 0) return LibError("seccomp_rule_add(SCMP_ACT_NOTIFY)", "openat", rc);
    }
  }

  // libseccomp 2.5 exports only to an fd: go through a memfd.
  UniqueFd mem(memfd_create("cordon-seccomp", MFD_CLOEXEC));
  if (!mem.valid()) return SysError("memfd_create", "cordon-seccomp", errno);
  rc = seccomp_export_bpf(ctx.get(), mem.get());
  if (rc != 0) return LibError("seccomp_export_bpf", "", rc);
  off_t size = lseek(mem.get(), 0, SEEK_END);
  if (size <= 0 || size % sizeof(sock_filter) != 0) {
    return PlainError("seccomp_export_bpf", "", "unexpected program size");
  }
  Program program(static_cast<size_t>(size) / sizeof(sock_filter));
  if (pread(mem.get(), program.data(), static_cast<size_t>(size), 0) != size) {
    return SysError("pread", "seccomp program", errno);
  }
  return program;
}

}  // namespace cordon::sandbox::seccomp
