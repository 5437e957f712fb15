// The tools' schemas, the `run` arguments and the result text.
#include "mcp/run_tool.h"

namespace cordon::mcp {

using nlohmann::json;

json TextResult(const std::string& text, bool is_error) {
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", is_error}};
}

json ToolList(bool session_sandbox, const std::string& tool_description, size_t max_output) {
  json run_schema = {
      {"type", "object"},
      {"properties",
       {{"command",
         {{"type", "string"}, {"description", "A shell command line, run by /bin/sh -c"}}},
        {"argv",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description", "The command as an argument vector (instead of `command`)"}}},
        {"cwd",
         {{"type", "string"},
          {"description",
           "Working directory: relative to the workspace, or an absolute path "
           "inside it (default: the workspace)"}}},
        {"timeout_seconds",
         {{"type", "integer"},
          {"minimum", 1},
          {"maximum", kMaxTimeoutSeconds},
          {"description", "Kill the command and everything it started after this (default " +
                              std::to_string(kDefaultTimeoutSeconds) + ")"}}},
        {"stdin", {{"type", "string"}, {"description", "Text fed to the command's stdin"}}},
        {"request_network",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description",
           "HOST:PORT destinations this command needs beyond the policy; "
           "the user is asked first (approval policy on-request or untrusted)"}}},
        {"request_writable",
         {{"type", "array"},
          {"items", {{"type", "string"}}},
          {"description",
           "Existing paths (absolute, or relative to the workspace) this command must write "
           "besides the workspace and /tmp; the user is asked first (approval policy "
           "on-request or untrusted). Never /, the home directory, system directories, or "
           "protected and hidden paths"}}},
        {"reason",
         {{"type", "string"},
          {"description", "Why the requested destinations or paths are needed"}}}}}};
  return json::array(
      {{{"name", "run"},
        {"title", "Run a command in the cordon sandbox"},
        {"description", std::string("Run a command in ") +
                            (session_sandbox ? "this session's OS-enforced sandbox"
                                             : "a fresh OS-enforced sandbox") +
                            " (cordon) and return its stdout, stderr and exit code. " +
                            tool_description + " Output beyond " + std::to_string(max_output) +
                            " bytes per stream is cut in the middle, and the result says so."},
        {"inputSchema", run_schema}},
       {{"name", "policy"},
        {"title", "Show the sandbox policy"},
        {"description",
         "The resolved sandbox policy as JSON (like `cordon policy show --json`): what runs "
         "may read and write, the network rules, the approval policy."},
        {"inputSchema", {{"type", "object"}, {"properties", json::object()}}}}});
}

Result<RunRequest> ParseRunRequest(const json& args) {
  auto str = [&](const char* k) -> std::string {
    if (!args.contains(k) || !args[k].is_string()) return {};
    return args[k].get<std::string>();
  };
  auto bad = [](const std::string& why) { return PlainError("run", "", why); };
  RunRequest r;
  if (args.contains("command") && args["command"].is_string()) {
    r.command = {"/bin/sh", "-c", args["command"].get<std::string>()};
  } else if (args.contains("argv") && args["argv"].is_array() && !args["argv"].empty()) {
    for (const auto& a : args["argv"]) {
      if (!a.is_string()) return bad("run: argv must be an array of strings");
      r.command.push_back(a.get<std::string>());
    }
  } else {
    return bad("run: give `command` (a shell command line) or `argv`");
  }
  if (args.contains("timeout_seconds")) {
    const json& t = args["timeout_seconds"];
    if (!t.is_number_integer() || t.get<int64_t>() < 1 || t.get<int64_t>() > kMaxTimeoutSeconds) {
      return bad("run: timeout_seconds must be a whole number from 1 to " +
                 std::to_string(kMaxTimeoutSeconds));
    }
    r.timeout_seconds = t.get<int>();
  }
  r.cwd = str("cwd");
  r.stdin_data = str("stdin");
  r.reason = str("reason");
  r.shown = r.command.size() == 3 && r.command[0] == "/bin/sh" ? r.command[2] : r.command[0];
  return r;
}

json RunToolResult(const RunResult& res, int timeout, const std::vector<std::string>& refused,
                   const std::vector<std::string>& refused_writable) {
  // What the model should make of it; also in structuredContent, which
  // some clients pass on instead of the text.
  std::string advice;
  if (res.exit_status == 124)
    advice += "Timed out after " + std::to_string(timeout) + " s; killed. ";
  if (res.exit_status == 125) advice += "cordon could not run the command; see stderr. ";
  if (!res.denied.empty() || !refused.empty()) {
    advice +=
        "Network destinations outside the policy were not approved. If the task needs them, "
        "ask the user to allow them (they can answer an approval prompt, or add \"HOST:PORT\" "
        "to [network] allow in cordon's config), then run the command again. ";
  }
  if (!refused_writable.empty()) {
    advice +=
        "Writable paths were not approved: the command may write only the workspace and "
        "its temp dir unless the user allows more. ";
  }
  if (!advice.empty()) advice.pop_back();
  std::string text = "exit code: " + std::to_string(res.exit_status) + "\n";
  if (!res.denied.empty() || !refused.empty()) {
    text += "network denied by the sandbox:";
    for (const auto& d : res.denied) text += " " + d;
    for (const auto& d : refused) text += " " + d;
    text += "\n";
  }
  if (!refused_writable.empty()) {
    text += "writable paths not approved:";
    for (const auto& w : refused_writable) text += " " + w;
    text += "\n";
  }
  if (!advice.empty()) text += advice + "\n";
  text += "--- stdout";
  if (res.out.truncated()) text += " (truncated: " + std::to_string(res.out.total) + " bytes)";
  text += " ---\n" + res.out.Text();
  text += "\n--- stderr";
  if (res.err.truncated()) text += " (truncated: " + std::to_string(res.err.total) + " bytes)";
  text += " ---\n" + res.err.Text();
  json result = TextResult(text, res.exit_status == 124 || res.exit_status == 125);
  json denied = res.denied;
  for (const auto& d : refused) denied.push_back(d);
  result["structuredContent"] = {{"exit_code", res.exit_status},
                                 {"stdout", res.out.Text()},
                                 {"stderr", res.err.Text()},
                                 {"stdout_truncated", res.out.truncated()},
                                 {"stderr_truncated", res.err.truncated()},
                                 {"stdout_bytes", res.out.total},
                                 {"stderr_bytes", res.err.total},
                                 {"timed_out", res.exit_status == 124},
                                 {"network_denied", denied},
                                 {"writable_refused", refused_writable}};
  if (!advice.empty()) result["structuredContent"]["advice"] = advice;
  return result;
}

}  // namespace cordon::mcp
