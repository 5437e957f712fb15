// cordon-deny-syscall: fake a missing kernel feature for one process tree.
//
//   cordon-deny-syscall [--ns KIND]... [--no-seccomp] [NAME:ERRNO]... -- CMD ARGS...
//
// Installs a seccomp filter (inherited by CMD and everything it starts) under
// which each named syscall fails with ERRNO (a name such as ENOSYS or EPERM),
// then execs CMD. `--ns user` (also: net, mount, pid, ipc, uts, cgroup) makes
// unshare/clone fail with EPERM when asked for that namespace (what
// AppArmor's userns restriction looks like for `user`), and clone3 fail with
// ENOSYS so that callers fall back to clone, whose flags a filter can see.
// `--no-seccomp` answers like a kernel without seccomp filters: seccomp(2)
// ENOSYS, prctl(PR_SET_SECCOMP) EINVAL. The machine itself is never touched.
#include <sched.h>
#include <seccomp.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string>
#include <vector>

namespace {

int ErrnoByName(const std::string& name) {
  for (int e = 1; e < 4096; ++e) {
    const char* n = strerrorname_np(e);
    if (n != nullptr && name == n) return e;
  }
  return -1;
}

unsigned long NamespaceFlag(const std::string& kind) {
  if (kind == "user") return CLONE_NEWUSER;
  if (kind == "net") return CLONE_NEWNET;
  if (kind == "mount") return CLONE_NEWNS;
  if (kind == "pid") return CLONE_NEWPID;
  if (kind == "ipc") return CLONE_NEWIPC;
  if (kind == "uts") return CLONE_NEWUTS;
  if (kind == "cgroup") return CLONE_NEWCGROUP;
  return 0;
}

int Die(const std::string& msg) {
  std::fprintf(stderr, "cordon-deny-syscall: %s\n", msg.c_str());
  return 125;
}

}  // namespace

int main(int argc, char** argv) {
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) return Die("seccomp_init failed");
  bool clone3_denied = false;
  int i = 1;
  for (; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--") {
      ++i;
      break;
    }
    int rc = 0;
    if (arg == "--ns" && i + 1 < argc) {
      unsigned long flag = NamespaceFlag(argv[++i]);
      if (flag == 0) return Die(std::string("unknown namespace kind ") + argv[i]);
      rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(unshare), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
      rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EPERM), SCMP_SYS(clone), 1,
                             SCMP_A0(SCMP_CMP_MASKED_EQ, flag, flag));
      if (!clone3_denied) rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(clone3), 0);
      clone3_denied = true;
      if (rc != 0) return Die("seccomp_rule_add(--ns) failed");
      continue;
    }
    if (arg == "--no-seccomp") {
      rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), SCMP_SYS(seccomp), 0);
      rc |= seccomp_rule_add(ctx, SCMP_ACT_ERRNO(EINVAL), SCMP_SYS(prctl), 1,
                             SCMP_A0(SCMP_CMP_EQ, PR_SET_SECCOMP, 0));
      if (rc != 0) return Die("seccomp_rule_add(--no-seccomp) failed");
      continue;
    }
    size_t colon = arg.find(':');
    if (colon == std::string::npos) return Die("expected NAME:ERRNO, got " + arg);
    std::string name = arg.substr(0, colon);
    int sys = seccomp_syscall_resolve_name(name.c_str());
    if (sys == __NR_SCMP_ERROR) return Die("unknown syscall " + name);
    int err = ErrnoByName(arg.substr(colon + 1));
    if (err < 0) return Die("unknown errno " + arg.substr(colon + 1));
    if (seccomp_rule_add(ctx, SCMP_ACT_ERRNO(err), sys, 0) != 0)
      return Die("seccomp_rule_add(" + name + ") failed");
  }
  if (i >= argc)
    return Die(
        "usage: cordon-deny-syscall [--ns KIND]... [--no-seccomp] [NAME:ERRNO]... -- CMD ARGS...");
  if (int rc = seccomp_load(ctx); rc != 0)
    return Die(std::string("seccomp_load: ") + strerror(-rc));
  seccomp_release(ctx);
  execvp(argv[i], argv + i);
  return Die(std::string("exec ") + argv[i] + ": " + strerror(errno));
}
