// The kernel's floor under a sandbox with cordon's view: what ns_floor does
// (one clone into bubblewrap's seven namespaces), plus the least a sandbox
// does to give cordon's guarantees, in the calls cordon makes, with every
// argument fixed here instead of resolved from a policy:
//   - the identity maps;
//   - the host's tree made private and read-only in one call, the working
//     directory cloned before it and put back writable;
//   - tmpfs covers on /home, /root, /tmp and /dev, six device nodes and a
//     devpts in the new /dev, a fresh /proc with its global parts
//     read-only;
//   - a Landlock ruleset (read and execute everywhere, write in the working
//     directory, /tmp and the device nodes) and a seccomp filter (every
//     syscall allowed, after as many instructions as cordon's filter runs);
//   - pid 1 spawns the command (vfork and exec), waits for it and exits
//     with its status.
// No policy, no audit trail, no placeholders, no supervisor work: what a
// fresh cordon sandbox costs above this is cordon's own, and what this
// costs above the bare command is what no sandbox with this view can get
// under (bench/startup.sh prints it beside bubblewrap).
//
// Usage: view_floor COMMAND [ARG...]   (run it in the workspace)
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/landlock.h>
#include <linux/seccomp.h>
#include <sched.h>
#include <spawn.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <initializer_list>
#include <iterator>

// Debian 12's kernel headers predate Landlock ABI 3.
#ifndef LANDLOCK_ACCESS_FS_TRUNCATE
#define LANDLOCK_ACCESS_FS_TRUNCATE (1ULL << 14)
#endif

namespace {

// The device nodes of the sandbox's /dev, as cordon's (dev_nodes.h).
constexpr const char* kDevNodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                     "/dev/random", "/dev/urandom", "/dev/tty"};

[[noreturn]] void Die(const char* step, const char* path) {
  std::fprintf(stderr, "view_floor: %s %s: %s\n", step, path, std::strerror(errno));
  _exit(125);
}

void WriteFile(const char* path, const char* text) {
  const int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0 || write(fd, text, std::strlen(text)) < 0) Die("write", path);
  close(fd);
}

int Clone(const char* path) {
  const int fd = static_cast<int>(
      syscall(SYS_open_tree, AT_FDCWD, path, OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE));
  if (fd < 0) Die("open_tree", path);
  return fd;
}

void Attach(int fd, const char* path) {
  if (syscall(SYS_move_mount, fd, "", AT_FDCWD, path, MOVE_MOUNT_F_EMPTY_PATH) != 0) {
    Die("move_mount", path);
  }
  close(fd);
}

void ReadOnly(int dfd, const char* path, unsigned flags) {
  mount_attr attr{};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  if (syscall(SYS_mount_setattr, dfd, path, flags, &attr, sizeof(attr)) != 0) {
    Die("mount_setattr", path);
  }
}

void Tmpfs(const char* path, const char* options) {
  if (mount("tmpfs", path, "tmpfs", MS_NOSUID | MS_NODEV, options) != 0) Die("mount", path);
}

void AllowPath(int ruleset, const char* path, __u64 access) {
  landlock_path_beneath_attr rule{};
  rule.allowed_access = access;
  rule.parent_fd = open(path, O_PATH | O_CLOEXEC);
  if (rule.parent_fd < 0) Die("open", path);
  if (syscall(SYS_landlock_add_rule, ruleset, LANDLOCK_RULE_PATH_BENEATH, &rule, 0) != 0) {
    Die("landlock_add_rule", path);
  }
  close(rule.parent_fd);
}

void Landlock(const char* workspace) {
  constexpr __u64 kRead =
      LANDLOCK_ACCESS_FS_EXECUTE | LANDLOCK_ACCESS_FS_READ_FILE | LANDLOCK_ACCESS_FS_READ_DIR;
  constexpr __u64 kFile = LANDLOCK_ACCESS_FS_WRITE_FILE | LANDLOCK_ACCESS_FS_TRUNCATE;
  constexpr __u64 kWrite = kFile | LANDLOCK_ACCESS_FS_REMOVE_DIR | LANDLOCK_ACCESS_FS_REMOVE_FILE |
                           LANDLOCK_ACCESS_FS_MAKE_DIR | LANDLOCK_ACCESS_FS_MAKE_REG |
                           LANDLOCK_ACCESS_FS_MAKE_SYM | LANDLOCK_ACCESS_FS_REFER;
  landlock_ruleset_attr attr{};
  attr.handled_access_fs = kRead | kWrite | LANDLOCK_ACCESS_FS_MAKE_CHAR |
                           LANDLOCK_ACCESS_FS_MAKE_SOCK | LANDLOCK_ACCESS_FS_MAKE_FIFO |
                           LANDLOCK_ACCESS_FS_MAKE_BLOCK;
  const int ruleset =
      static_cast<int>(syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0));
  if (ruleset < 0) Die("landlock_create_ruleset", "");
  AllowPath(ruleset, "/", kRead);
  AllowPath(ruleset, workspace, kWrite);
  AllowPath(ruleset, "/tmp", kWrite);
  for (const char* dev : kDevNodes) AllowPath(ruleset, dev, kFile);
  if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) Die("prctl", "PR_SET_NO_NEW_PRIVS");
  if (syscall(SYS_landlock_restrict_self, ruleset, 0) != 0) Die("landlock_restrict_self", "");
  close(ruleset);
}

// As many compares as cordon's filter makes before it allows a common
// syscall (its deny list, checked one by one), then allow.
void Seccomp() {
  constexpr unsigned kCompares = 60;
  sock_filter prog[kCompares + 2];
  prog[0] = BPF_STMT(BPF_LD | BPF_W | BPF_ABS, 0);  // the syscall number
  for (unsigned i = 0; i < kCompares; ++i) {
    prog[i + 1] = BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 100000U + i, 0, 0);  // never true
  }
  prog[kCompares + 1] = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
  sock_fprog fprog{static_cast<unsigned short>(kCompares + 2), prog};
  if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) != 0) Die("seccomp", "");
}

void BuildView(const char* workspace, uid_t uid, gid_t gid) {
  char map[64];
  std::snprintf(map, sizeof(map), "%u %u 1\n", uid, uid);
  WriteFile("/proc/self/uid_map", map);
  WriteFile("/proc/self/setgroups", "deny");
  std::snprintf(map, sizeof(map), "%u %u 1\n", gid, gid);
  WriteFile("/proc/self/gid_map", map);

  if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) Die("mount", "/");
  const int work = Clone(workspace);
  constexpr size_t kDevCount = std::size(kDevNodes);
  int dev[kDevCount];
  for (size_t i = 0; i < kDevCount; ++i) dev[i] = Clone(kDevNodes[i]);
  ReadOnly(AT_FDCWD, "/", AT_RECURSIVE);

  Tmpfs("/home", "mode=0755");
  Tmpfs("/root", "mode=0700");
  Tmpfs("/tmp", "mode=1777");
  Tmpfs("/dev", "mode=0755");
  for (size_t i = 0; i < kDevCount; ++i) {
    const int fd = open(kDevNodes[i], O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) Die("create", kDevNodes[i]);
    close(fd);
    Attach(dev[i], kDevNodes[i]);
  }
  if (mkdir("/dev/pts", 0755) != 0) Die("mkdir", "/dev/pts");
  if (mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
            "newinstance,ptmxmode=0666,mode=0620") != 0) {
    Die("mount", "/dev/pts");
  }
  if (symlink("pts/ptmx", "/dev/ptmx") != 0) Die("symlink", "/dev/ptmx");
  if (symlink("/proc/self/fd", "/dev/fd") != 0) Die("symlink", "/dev/fd");

  // The workspace's parents, inside the /home or /tmp cover.
  char parents[4096];
  std::snprintf(parents, sizeof(parents), "%s", workspace);
  for (char* p = parents + 1; *p != '\0'; ++p) {
    if (*p != '/') continue;
    *p = '\0';
    if (mkdir(parents, 0755) != 0 && errno != EEXIST) Die("mkdir", parents);
    *p = '/';
  }
  if (mkdir(workspace, 0755) != 0 && errno != EEXIST) Die("mkdir", workspace);
  Attach(work, workspace);

  if (mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
    Die("mount", "/proc");
  }
  for (const char* p : {"/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus"}) {
    if (access(p, F_OK) != 0) continue;
    const int fd = Clone(p);
    ReadOnly(fd, "", AT_EMPTY_PATH | AT_RECURSIVE);
    Attach(fd, p);
  }
  ReadOnly(AT_FDCWD, "/home", 0);
  ReadOnly(AT_FDCWD, "/dev", 0);
  if (chdir(workspace) != 0) Die("chdir", workspace);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: view_floor COMMAND [ARG...]   (run it in the workspace)\n");
    return 2;
  }
  static char workspace[4096];
  if (getcwd(workspace, sizeof(workspace)) == nullptr) Die("getcwd", "");
  const uid_t uid = geteuid();
  const gid_t gid = getegid();
  const unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET |
                              CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWCGROUP | SIGCHLD;
  const long pid = syscall(SYS_clone, flags, nullptr, nullptr, nullptr, nullptr);
  if (pid < 0) Die("clone", "");
  if (pid == 0) {
    BuildView(workspace, uid, gid);
    Landlock(workspace);
    Seccomp();
    // vfork and exec, as cordon's init starts the command: fork(2) costs
    // 0.3 ms more here.
    pid_t command = 0;
    errno = posix_spawnp(&command, argv[1], nullptr, nullptr, argv + 1, environ);
    if (errno != 0) Die("posix_spawnp", argv[1]);
    int status = 0;
    while (waitpid(command, &status, 0) < 0) {
      if (errno != EINTR) Die("waitpid", "");
    }
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
  }
  int status = 0;
  if (waitpid(static_cast<pid_t>(pid), &status, 0) < 0) Die("waitpid", "");
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}
