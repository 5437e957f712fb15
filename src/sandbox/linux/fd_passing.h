// Descriptors sent over a Unix socket (SCM_RIGHTS) without allocating: the
// sandbox's child and its init send this way (the proxy and seccomp
// listeners, a session call's stdin, stdout and stderr), and so does
// `cordon mcp` to a session's init; the child, a session's reapers and the
// seccomp supervisor receive this way.
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

// recvmsg(2) of up to `size` bytes into `data` with room for `max_fds`
// descriptors (at most kMaxPassedFds), close-on-exec, retried on EINTR.
// The descriptors that arrived are in fds[0..*nfds); *truncated says the
// bytes or the descriptors did not fit (MSG_TRUNC, MSG_CTRUNC). Returns
// what recvmsg returned; -1 with EINVAL for max_fds above kMaxPassedFds.
ssize_t RecvWithFds(int socket, void* data, size_t size, int* fds, size_t max_fds, size_t* nfds,
                    bool* truncated);

}  // namespace cordon::sandbox
