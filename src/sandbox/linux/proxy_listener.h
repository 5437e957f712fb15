// The proxy's listening socket, made inside the sandbox's network namespace
// and handed to the supervisor, which serves it from outside: no helper
// process runs in the sandbox, and a socket keeps the namespace it was
// created in, so connections to 127.0.0.1:PORT inside reach the supervisor.
#pragma once

#include <cstdint>

#include "common/result.h"
#include "common/unique_fd.h"
#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::proxy_listener {

// The fixed address inside every sandbox: the namespace is private, so any
// port is free, and a fixed one keeps HTTP_PROXY stable across runs.
inline constexpr uint16_t kPort = 3128;

// Child side (allocation-free): brings up `lo` in the new network namespace,
// listens on 127.0.0.1:kPort and sends the socket over `channel` (a unix
// socketpair end) with SCM_RIGHTS; the child's own copy is closed.
[[nodiscard]] ChildStatus Create(int channel);

// The namespace-less tier: a listener on the host's 127.0.0.1 at a free
// port (stored in *port), made by the supervisor itself.
[[nodiscard]] Result<UniqueFd> CreateOnHost(uint16_t* port);

// Supervisor side: receives the socket; fails (naming the step) when the
// child ended before sending it.
[[nodiscard]] Result<UniqueFd> Receive(int channel);

}  // namespace cordon::sandbox::proxy_listener
