// run_events.h's platform part on Linux: the host's facts from uname(2),
// gethostname(2) and getuid(2).
#include <sys/utsname.h>
#include <unistd.h>

#include "cli/run_events.h"

namespace cordon::cli {

std::string HostName() {
  char buf[256] = {};
  if (gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

int64_t CurrentProcessId() { return getpid(); }

void AddHostAttributes(Event* event) {
  utsname u{};
  if (uname(&u) == 0) event->Add("os.version", std::string(u.release));
  event->Add("process.owner.id", static_cast<int64_t>(getuid()));
}

// Landlock (ABI 7) reports denials only to the kernel's audit subsystem,
// which only a process with CAP_AUDIT_READ in the initial user namespace
// may read; cordon does not read it.
std::string FsDenialsNote() {
  return "filesystem denials are not recorded: Landlock reports them only to the kernel audit "
         "log (readable with CAP_AUDIT_READ, i.e. root); the command sees EACCES/EPERM/ENOENT";
}

}  // namespace cordon::cli
