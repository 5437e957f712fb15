// The sandbox's init in a session (`cordon mcp --session-sandbox`): instead
// of one command, it serves `cordon mcp`'s requests on ctx.session_fd, so
// every call of an MCP session runs in the same sandbox (one /tmp, one
// proxy) without paying for a new one.
#pragma once

#include "sandbox/linux/child.h"
#include "sandbox/linux/child_status.h"

namespace cordon::sandbox {

// Serves until `cordon mcp` closes its end, then kills what is left and
// exits. Returns only when it cannot start (the failed step).
//
// Each call has a reaper to itself, a child of init and a child subreaper,
// which starts the command in its own session (setsid) and in a Landlock
// domain of its own, with the fds it was sent as stdin, stdout and stderr.
// Every process of the call stays a descendant of the reaper (orphans come
// back to it, whatever they do: setsid, double fork), and when the command
// ends, or the call is killed, the reaper kills and reaps them all before
// the command's wait status goes back: no call leaves a process behind.
// Processes of two calls are in sibling Landlock domains: neither can
// ptrace the other or open its /proc/PID/fd, mem or environ, and from
// Landlock ABI 6 on neither can signal the other or the reapers.
//
// A call's path is kept short (issue 16): its reaper is waiting for it
// (the spare, which init passes the request and fds to); a reaper whose
// call has ended, and which has killed and reaped everything of it, tells
// init so and waits for the next call, so calls one after another need no
// fork of init (a fork is made ahead only while calls run side by side);
// and the reaper starts the command sharing its memory until the exec
// (shared_spawn.h) instead of forking it. Init's words to a reaper (end
// the call, relay a signal) go on the reaper's socket with the call's id,
// so that one meant for a reaper's last call cannot reach its next, and a
// command cannot forge one.
[[nodiscard]] ChildStatus ServeSession(const ChildContext& ctx);

}  // namespace cordon::sandbox
