// `cordon mcp`: a Model Context Protocol server over stdio (JSON-RPC 2.0,
// protocol revision 2025-06-18, also 2025-03-26 and 2024-11-05 when the
// client asks for them). Tools: `run` (a command in a fresh sandbox) and
// `policy` (the resolved policy). Approvals reach the person through the
// client's elicitation when it declares the capability.
#pragma once

#include <string>
#include <vector>

#include "common/event.h"
#include "mcp/writable_request.h"
#include "policy/approval.h"

namespace cordon::mcp {

struct ServerOptions {
  std::string self_exe;                  // this binary, re-executed as `cordon run`
  std::vector<std::string> policy_args;  // `cordon mcp`'s policy options, for every run
  std::string workspace;                 // the resolved workspace (cwd arguments stay inside)
  std::string tool_description;          // what the sandbox allows, for the model
  policy::Approval approval = policy::Approval::kOnRequest;
  int approval_timeout_seconds = 60;
  size_t max_output = size_t{64} * 1024;      // per stream and call
  bool session_sandbox = false;               // every call in one sandbox (session.h)
  std::vector<std::string> trusted_commands;  // `untrusted`: the policy's trusted prefixes
  // Where the approvals this server asks itself are recorded (may be null).
  EventSink* events = nullptr;
  std::string version;
  // Checks the run tool's request_writable entries (null: refused).
  WritableCheck check_writable;
  // Non-empty: cordon cannot run anything here (the policy does not
  // resolve, e.g. the workspace is the home). The server still starts and
  // answers initialize and tools/list, and every tool call gets this text
  // (the reason and the fix) as an error result, so the agent can tell the
  // person instead of seeing a dead server.
  std::string unavailable;
};

// Serves until the client closes `in_fd` (or writing `out_fd` fails), then
// kills every run still going and returns 0. Malformed, oversized and
// unknown messages are answered with JSON-RPC errors.
[[nodiscard]] int Serve(int in_fd, int out_fd, const ServerOptions& options);

}  // namespace cordon::mcp
