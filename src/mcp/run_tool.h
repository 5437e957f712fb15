// The `run` and `policy` tools as the model sees them: their schemas, the
// `run` tool's arguments checked into a request, and its result (text for
// the model, structuredContent for clients that pass it on). Running the
// request is the server's (server.cc).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "common/result.h"
#include "mcp/runner.h"

namespace cordon::mcp {

inline constexpr int kDefaultTimeoutSeconds = 300;
inline constexpr int kMaxTimeoutSeconds = 3600;

// A tool result of one text block.
[[nodiscard]] nlohmann::json TextResult(const std::string& text, bool is_error);

// tools/list's array.
[[nodiscard]] nlohmann::json ToolList(bool session_sandbox, const std::string& tool_description,
                                      size_t max_output);

// A `run` call's arguments, checked.
struct RunRequest {
  std::vector<std::string> command;  // argv (`command` becomes /bin/sh -c)
  std::string shown;                 // the command as prompts show it
  int timeout_seconds = kDefaultTimeoutSeconds;
  std::string cwd;  // as given (empty: the workspace)
  std::string stdin_data;
  std::string reason;  // why it needs more (request_*)
};

// The request, or the message for the model ("run: ...") when the
// arguments are unusable.
[[nodiscard]] Result<RunRequest> ParseRunRequest(const nlohmann::json& args);

// The result of a finished run: `refused` are the requested destinations
// not approved ("host:port (deny)"), `refused_writable` the paths.
[[nodiscard]] nlohmann::json RunToolResult(const RunResult& res, int timeout,
                                           const std::vector<std::string>& refused,
                                           const std::vector<std::string>& refused_writable);

}  // namespace cordon::mcp
