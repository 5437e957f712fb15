// The kernel's floor under any sandbox that makes bubblewrap's namespaces:
// one clone(2) into a new user, mount, pid, network, ipc, uts and cgroup
// namespace, the child execs the command, the parent waits. Nothing else:
// no id maps, no mounts, no Landlock, no seccomp, no policy. What this
// costs over the bare command is what no such tool can get under; what
// bubblewrap or cordon costs above it is their own work (bench/startup.sh
// prints both side by side).
//
// Usage: ns_floor COMMAND [ARG...]
#include <sched.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: ns_floor COMMAND [ARG...]\n");
    return 2;
  }
  const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                              CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
  const long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) {
    std::perror("ns_floor: clone");
    return 125;
  }
  if (pid == 0) {
    execvp(argv[1], argv + 1);
    std::perror("ns_floor: exec");
    _exit(127);
  }
  int status = 0;
  if (waitpid(static_cast<pid_t>(pid), &status, 0) < 0) {
    std::perror("ns_floor: waitpid");
    return 125;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
