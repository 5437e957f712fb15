// Listening sockets made inside the sandbox's network namespace and handed
// to the supervisor, which serves them from outside: the proxy's, and one
// per allow_local service (the relay, at the service's own address and
// port). No helper process runs in the sandbox, and a socket keeps the
// namespace it was created in, so connections to 127.0.0.1:PORT inside
// reach the supervisor.
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>

#include "common/result.h"
#include "common/unique_fd.h"
#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::proxy_listener {

// The fixed address inside every sandbox: the namespace is private, so any
// port is free, and a fixed one keeps HTTP_PROXY stable across runs.
inline constexpr uint16_t kPort = 3128;

// Child side (allocation-free): brings up `lo` (127.0.0.1 and, where the
// kernel has IPv6, ::1) in the new network namespace, which starts with it
// down. Every run with its own network namespace does this, so that the
// command's own servers work offline.
[[nodiscard]] ChildStatus BringUpLoopback();

// Child side (allocation-free), after BringUpLoopback: listens on `addr`
// and sends the socket over `channel` (a unix socketpair end) with
// SCM_RIGHTS; the child's own copy is closed. `what` names it in errors
// ("127.0.0.1:3128 (proxy listener)").
[[nodiscard]] ChildStatus Send(int channel, const sockaddr_storage& addr, socklen_t len,
                               const char* what);

// The proxy's address inside the namespace, 127.0.0.1:kPort.
[[nodiscard]] sockaddr_storage ProxyAddress(socklen_t* len);

// The namespace-less tier: a listener on the host's 127.0.0.1 at a free
// port (stored in *port), made by the supervisor itself.
[[nodiscard]] Result<UniqueFd> CreateOnHost(uint16_t* port);

// Supervisor side: receives the next socket, in the order the child sent
// them; fails (naming `what`) when the child ended before sending it.
[[nodiscard]] Result<UniqueFd> Receive(int channel, const std::string& what);

}  // namespace cordon::sandbox::proxy_listener
