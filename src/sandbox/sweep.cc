// KillAllChildren: fixed buffers and raw syscalls only.
#include "sandbox/sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/proc_path.h"

namespace cordon::sandbox {
namespace {

// "/proc/self/task/TID/children".
void ChildrenPath(char* out, size_t size) {
  size_t at = AppendText(out, size, 0, "/proc/self/task/");
  at = AppendDecimal(out, size, at, static_cast<unsigned long>(syscall(SYS_gettid)));
  AppendText(out, size, at, "/children");
}

}  // namespace

bool KillAllChildren(pid_t spare) {
  char path[64];
  ChildrenPath(path, sizeof(path));
  for (;;) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    char buf[4096];
    ssize_t got = read(fd, buf, sizeof(buf));
    close(fd);
    if (got < 0) return false;
    // Whole "PID " tokens only: a read may stop inside one.
    int killed = 0;
    long pid = 0;
    for (ssize_t i = 0; i < got; ++i) {
      char c = buf[i];
      if (c >= '0' && c <= '9') {
        pid = pid * 10 + (c - '0');
      } else {
        if (pid > 0 && pid != spare) {
          kill(static_cast<pid_t>(pid), SIGKILL);
          ++killed;
        }
        pid = 0;
      }
    }
    // Reap whatever is dead; a killed child becomes a zombie shortly, and
    // its own children come back to us in the meantime.
    int status = 0;
    if (killed == 0) {
      // Nothing listed: zombies may remain (the file lists them too, so
      // this is only a race with the last exit).
      while (waitpid(-1, &status, WNOHANG) > 0) {
      }
      return true;
    }
    if (waitpid(-1, &status, 0) < 0 && errno == ECHILD) return true;
  }
}

}  // namespace cordon::sandbox
