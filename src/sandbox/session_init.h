// The sandbox's init in a session (`cordon mcp --session-sandbox`): instead
// of one command, it serves `cordon mcp`'s requests on ctx.session_fd, so
// every call of an MCP session runs in the same sandbox (one /tmp, one
// proxy) without paying for a new one.
#pragma once

#include "sandbox/child.h"
#include "sandbox/child_status.h"

namespace cordon::sandbox {

// Serves until `cordon mcp` closes its end, then kills what is left and
// exits. Returns only when it cannot start (the failed step).
//
// Each call runs in its own session (setsid), with the fds it was sent as
// stdin, stdout and stderr. When its first process ends, or when it is
// killed, everything in its session or process group, and their
// descendants, is killed too, so no call leaves a process behind for the
// next; then its wait status goes back. A process that leaves its session
// (setsid after a double fork) lives until the session sandbox ends.
[[nodiscard]] ChildStatus ServeSession(const ChildContext& ctx);

}  // namespace cordon::sandbox
