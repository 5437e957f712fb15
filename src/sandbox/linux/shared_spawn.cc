// See shared_spawn.h.
#include "sandbox/linux/shared_spawn.h"

#include <sched.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>

extern char** environ;

#if defined(__SANITIZE_ADDRESS__)
#define CORDON_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CORDON_ASAN 1
#endif
#endif

namespace cordon::sandbox {

pid_t SpawnSharingMemory(int (*fn)(void*), void* arg, size_t argc, int* pidfd) {
#ifdef CORDON_ASAN
  // ASan cannot follow a function run on a stack of its own: it warns, on
  // the command's stderr. The sanitizer build forks instead.
  (void)argc;
  const auto pid = static_cast<pid_t>(syscall(
      SYS_clone, SIGCHLD | (pidfd != nullptr ? CLONE_PIDFD : 0), nullptr, pidfd, nullptr, nullptr));
  if (pid == 0) _exit(fn(arg));
  return pid;
#else
  // execvp needs little (a path buffer the length of PATH, and argv's
  // pointers for the script fallback); only the pages touched are backed.
  constexpr size_t kBase = size_t{256} * 1024;
  const size_t size = (kBase + (argc + 2) * sizeof(char*) + 4095) & ~size_t{4095};
  void* stack = mmap(nullptr, size, PROT_READ | PROT_WRITE,
                     MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_NORESERVE, -1, 0);
  if (stack == MAP_FAILED) return -1;
  char** const saved_environ = environ;
  const int flags = CLONE_VM | CLONE_VFORK | SIGCHLD | (pidfd != nullptr ? CLONE_PIDFD : 0);
  // glibc's clone(2) wrapper uses the clone system call, which the
  // sandbox's seccomp filter allows without namespace flags (clone3 is
  // refused there).
  const pid_t pid = clone(fn, static_cast<char*>(stack) + size, flags, arg, pidfd);
  const int err = errno;
  environ = saved_environ;
  munmap(stack, size);
  errno = err;
  return pid;
#endif
}

}  // namespace cordon::sandbox
