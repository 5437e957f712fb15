// The `cordon session` daemon: one session sandbox (mcp/session.h) for a
// workspace, serving `cordon run --session` clients on a Unix socket
// (session_protocol.h).
//
// For each client it resolves the policy the client's options, config and
// environment give, as a fresh `cordon run` of that client would, and runs
// the command in the session only when that policy is the session's, byte
// for byte (policy::RenderJson); else the client runs a fresh sandbox. The
// command gets the client's stdin, stdout and stderr, and the client's
// environment as the policy scrubs it. Its events (cordon.exec.start and
// .end) are spans of the session's trace.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"
#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::cli {

struct DaemonOptions {
  std::string self_exe;                  // this binary, for the session's `cordon run`
  std::vector<std::string> policy_args;  // `cordon session start`'s policy options
  policy::Overrides overrides;           // `cordon session start`'s policy options
  policy::HostFacts host;                // as `cordon session start` saw them
  policy::Policy policy;                 // what they resolved to
  std::string socket_path;
  int idle_timeout_seconds = 3600;  // 0: never
};

// Starts the session, tells `ready` whether it could (once), then serves
// until `cordon session stop`, SIGTERM, the idle timeout or the sandbox's
// end. Removes its socket. Returns the daemon's exit status.
[[nodiscard]] int ServeSessionDaemon(const DaemonOptions& options, UniqueFd listener,
                                     const std::function<void(const Status&)>& ready);

}  // namespace cordon::cli
