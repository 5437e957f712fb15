// Descriptors sent over a Unix socket (SCM_RIGHTS) without allocating: the
// sandbox's child and its init send this way (the proxy and seccomp
// listeners, a session call's stdin, stdout and stderr), and so does
// `cordon mcp` to a session's init.
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace cordon::sandbox {

inline constexpr size_t kMaxPassedFds = 4;

// sendmsg(2) of the `size` bytes at `data` (at least one: a descriptor
// rides on data) with `nfds` descriptors attached, MSG_NOSIGNAL, retried on
// EINTR. Returns what sendmsg returned; -1 with EINVAL for more than
// kMaxPassedFds descriptors.
ssize_t SendWithFds(int socket, const void* data, size_t size, const int* fds, size_t nfds);

}  // namespace cordon::sandbox
