// seccomp: shrinks the kernel surface the sandbox can reach.
//
// The filter is compiled in the parent with libseccomp (Compile) and only
// installed in the child (Install), which allocates nothing. Denied calls
// fail with EPERM (never a kill), so the agent sees a clear error; clone3
// fails with ENOSYS so libc falls back to clone, whose flags we can inspect.
#pragma once

#include <linux/filter.h>

#include <vector>

#include "common/result.h"
#include "sandbox/child_status.h"

namespace cordon::seccomp {

struct Options {
  // Also refuse socket families that reach outside a network namespace
  // (used when there is none): everything but AF_UNIX, AF_INET, AF_INET6.
  bool restrict_socket_families = false;
};

using Program = std::vector<sock_filter>;

[[nodiscard]] Result<Program> Compile(const Options& options);

// Installs the program on the calling thread. no_new_privs must be set.
[[nodiscard]] ChildStatus Install(const Program& program);

}  // namespace cordon::seccomp
