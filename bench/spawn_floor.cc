// The floor under any supervisor that outlives its command, as `cordon run
// --mode full-access` does (it records the command's end): a static
// binary, like cordon, that starts the command with posix_spawn (vfork and
// exec, as cordon's unconfined start), waits for it and exits with its
// status. Nothing else: no policy, no events. `env true` execs in place and
// never waits, so what this costs over `env true` is what being a
// supervisor costs here; what cordon's full-access run costs above this is
// its own work (bench/startup.sh prints both).
//
// Usage: spawn_floor COMMAND [ARG...]
#include <spawn.h>
#include <sys/wait.h>

#include <cerrno>
#include <cstdio>

extern char** environ;

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: spawn_floor COMMAND [ARG...]\n");
    return 2;
  }
  pid_t pid = 0;
  if (int err = posix_spawnp(&pid, argv[1], nullptr, nullptr, argv + 1, environ); err != 0) {
    errno = err;
    std::perror("spawn_floor: posix_spawnp");
    return 127;
  }
  int status = 0;
  if (waitpid(pid, &status, 0) < 0) {
    std::perror("spawn_floor: waitpid");
    return 125;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
