// The user-namespace probe (see userns_probe.h).
#include "sandbox/linux/userns_probe.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"
#include "common/unique_fd.h"
#include "sandbox/backend.h"
#include "sandbox/linux/namespaces.h"

namespace cordon::sandbox {
namespace {

// The child's failure, written whole (far below PIPE_BUF) on the pipe.
struct Record {
  int err = 0;
  char op[64] = {};
  char path[64] = {};
};

// "clone(CLONE_NEWUSER|CLONE_NEWNS)": the call as error messages name it.
std::string CloneText(unsigned long flags) {
  static constexpr struct {
    unsigned long flag;
    const char* name;
  } kNames[] = {{CLONE_NEWUSER, "CLONE_NEWUSER"}, {CLONE_NEWNS, "CLONE_NEWNS"},
                {CLONE_NEWPID, "CLONE_NEWPID"},   {CLONE_NEWIPC, "CLONE_NEWIPC"},
                {CLONE_NEWUTS, "CLONE_NEWUTS"},   {CLONE_NEWCGROUP, "CLONE_NEWCGROUP"},
                {CLONE_NEWNET, "CLONE_NEWNET"}};
  std::string names;
  for (const auto& n : kNames) {
    if ((flags & n.flag) != 0) names += (names.empty() ? "" : "|") + std::string(n.name);
  }
  return "clone(" + names + ")";
}

// The child's steps: those of a real run's child before its mount view.
ChildStatus ChildSteps(const namespaces::IdMaps& maps, bool private_root) {
  CORDON_CHILD_TRY(namespaces::WriteIdMaps(maps));
  if (private_root && mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    return ChildStatus::Errno("mount(MS_REC|MS_PRIVATE)", "/");
  }
  return ChildStatus::Ok();
}

}  // namespace

NamespaceProbe ProbeNamespaces(unsigned long flags) {
  namespaces::IdMaps maps = namespaces::CurrentIdMaps();
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    int err = errno;
    return {SysError("pipe2", "", err).Describe(), err};
  }
  UniqueFd read_end(fds[0]);
  UniqueFd write_end(fds[1]);
  pid_t pid =
      static_cast<pid_t>(syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid < 0) {
    int err = errno;
    return {SysError(CloneText(flags), "", err).Describe(), err};
  }
  if (pid == 0) {
    // The child allocates nothing: a fixed record reports the failing step.
    ChildStatus st = ChildSteps(maps, (flags & CLONE_NEWNS) != 0);
    if (!st.ok()) {
      Record rec;
      rec.err = st.err;
      strncpy(rec.op, st.op, sizeof(rec.op) - 1);
      if (st.path != nullptr) strncpy(rec.path, st.path, sizeof(rec.path) - 1);
      (void)!write(write_end.get(), &rec, sizeof(rec));
    }
    _exit(st.ok() ? 0 : 1);
  }
  write_end.Reset();
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  Record rec;
  if (read(read_end.get(), &rec, sizeof(rec)) == static_cast<ssize_t>(sizeof(rec))) {
    return {SysError(rec.op, rec.path, rec.err).Describe(), rec.err};
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    return {"the probe child (" + CloneText(flags) + ") failed without a report", ECHILD};
  }
  return {};
}

TierProbe ProbeTier() {
  NamespaceProbe probe = ProbeNamespaces();
  if (probe.ok()) return {Tier::kNamespaces, ""};
  return {Tier::kNamespaceless, probe.failure};
}

}  // namespace cordon::sandbox
