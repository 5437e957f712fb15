// The seccomp filter's program, looked up among the ones pre-built at build
// time (seccomp_prebuilt.h), and its installation in the child.
#include "sandbox/linux/seccomp.h"

#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#ifdef CORDON_SECCOMP_PREBUILT
#include "sandbox/linux/seccomp_prebuilt.h"
#else
#include "sandbox/linux/seccomp_rules.h"
#endif

namespace cordon::sandbox::seccomp {

#ifdef CORDON_SECCOMP_PREBUILT
namespace {

// What libseccomp checked as it compiled, so that a kernel that cannot take
// the program fails the plan (which names --allow-degraded), not the child:
// seccomp(2) with the action the program returns for a foreign
// architecture, and user notifications for a program that sends them.
Status CheckKernel(const Options& options) {
  uint32_t action = SECCOMP_RET_KILL_PROCESS;
  if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
    return SysError("seccomp(SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_KILL_PROCESS)", "", errno);
  }
  if (options.notify_writes || options.mediate_metadata || options.mediate_inet) {
    action = SECCOMP_RET_USER_NOTIF;
    if (syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action) != 0) {
      return SysError("seccomp(SECCOMP_GET_ACTION_AVAIL, SECCOMP_RET_USER_NOTIF)", "", errno);
    }
  }
  return {};
}

}  // namespace
#endif

Result<Program> Compile(const Options& options) {
#ifdef CORDON_SECCOMP_PREBUILT
  CORDON_RETURN_IF_ERROR(CheckKernel(options));
  const uint32_t key = VariantKey(options);
  for (size_t i = 0; i < kPrebuiltCount; ++i) {
    if (kPrebuilt[i].key == key) {
      return Program(kPrebuilt[i].program.begin(), kPrebuilt[i].program.end());
    }
  }
  // Fail closed: a plan asked for a filter the build did not make.
  return PlainError("seccomp", "variant " + std::to_string(key),
                    "no pre-built seccomp filter for these options (a cordon bug: add them to "
                    "kVariants in src/sandbox/linux/seccomp_prebuilt.h)");
#else
  return CompileRules(options);
#endif
}

ChildStatus Install(const Program& program, int* listener, const Program* fallback) {
  sock_fprog prog{};
  prog.len = static_cast<unsigned short>(program.size());
  prog.filter = const_cast<sock_filter*>(program.data());
  // Without a listener, a USER_NOTIF action would fail its calls with
  // ENOSYS: an unwatched install turns those actions into ALLOW, in a copy
  // on the stack (the child allocates nothing; BPF_MAXINSNS bounds it).
  sock_filter unwatched[BPF_MAXINSNS];
  if (listener != nullptr) {
    *listener = -1;
    long fd =
        syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    if (fd >= 0) {
      *listener = static_cast<int>(fd);
      return ChildStatus::Ok();
    }
    // EBUSY: a filter above us has a listener (cordon inside a watching
    // sandbox); EINVAL/ENOSYS: a kernel without listeners (or without
    // seccomp(2), which prctl below reports). The run goes unwatched.
    if (errno != EBUSY && errno != EINVAL && errno != ENOSYS) {
      return ChildStatus::Errno("seccomp(SECCOMP_SET_MODE_FILTER, NEW_LISTENER)", nullptr);
    }
    if (fallback != nullptr) {
      prog.len = static_cast<unsigned short>(fallback->size());
      prog.filter = const_cast<sock_filter*>(fallback->data());
      if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
        return ChildStatus::Errno("prctl(PR_SET_SECCOMP)", nullptr);
      }
      return ChildStatus::Ok();
    }
    if (program.size() > BPF_MAXINSNS) {
      errno = E2BIG;
      return ChildStatus::Errno("seccomp(SECCOMP_SET_MODE_FILTER)", nullptr);
    }
    for (size_t i = 0; i < program.size(); ++i) {
      unwatched[i] = program[i];
      if (unwatched[i].code == (BPF_RET | BPF_K) && unwatched[i].k == SECCOMP_RET_USER_NOTIF) {
        unwatched[i].k = SECCOMP_RET_ALLOW;
      }
    }
    prog.filter = unwatched;
  }
  if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) != 0) {
    return ChildStatus::Errno("prctl(PR_SET_SECCOMP)", nullptr);
  }
  return ChildStatus::Ok();
}

}  // namespace cordon::sandbox::seccomp
