// KillAllChildren: fixed buffers and raw syscalls only.
#include "sandbox/linux/sweep.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>

#include "sandbox/linux/proc_path.h"

namespace cordon::sandbox {
namespace {

// "/proc/self/task/TID/children".
void ChildrenPath(char* out, size_t size) {
  size_t at = AppendText(out, size, 0, "/proc/self/task/");
  at = AppendDecimal(out, size, at, static_cast<unsigned long>(syscall(SYS_gettid)));
  AppendText(out, size, at, "/children");
}

}  // namespace

int KillChildrenOnce(const pid_t* keep, int nkeep) {
  char path[64];
  ChildrenPath(path, sizeof(path));
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  char buf[4096];
  ssize_t got = read(fd, buf, sizeof(buf));
  close(fd);
  if (got < 0) return -1;
  // Whole "PID " tokens only: a read may stop inside one.
  int killed = 0;
  long pid = 0;
  for (ssize_t i = 0; i < got; ++i) {
    char c = buf[i];
    if (c >= '0' && c <= '9') {
      pid = pid * 10 + (c - '0');
      continue;
    }
    bool kept = pid <= 0;
    for (int k = 0; k < nkeep && !kept; ++k) kept = keep[k] == pid;
    if (!kept) {
      kill(static_cast<pid_t>(pid), SIGKILL);
      ++killed;
    }
    pid = 0;
  }
  return killed;
}

bool KillAllChildren(pid_t spare) {
  for (;;) {
    int killed = KillChildrenOnce(&spare, 1);
    if (killed < 0) return false;
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
