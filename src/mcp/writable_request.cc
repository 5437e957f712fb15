// request_writable: check every entry, then ask for each.
#include "mcp/writable_request.h"

namespace cordon::mcp {

std::optional<std::string> RequestWritable(
    const nlohmann::json& entries, const WritableCheck& check, const std::string& command,
    const std::string& reason, bool may_ask,
    const std::function<approval::Reply(const approval::Question&)>& ask,
    std::vector<std::string>* argv, std::vector<std::string>* refused) {
  if (!entries.is_array()) return "run: request_writable is an array of paths";
  std::vector<std::string> paths;
  for (const auto& e : entries) {
    if (!e.is_string()) return "run: request_writable entries are paths (strings)";
    if (!check) return "run: request_writable is not available";
    auto path = check(e.get<std::string>());
    if (!path.ok()) return "run: " + path.error().Describe();
    paths.push_back(std::move(path).value());
  }
  for (const std::string& path : paths) {
    approval::Question q;
    q.kind = approval::Question::Kind::kWritable;
    q.path = path;
    q.command = command;
    q.reason = reason;
    q.offer_always = false;
    approval::Reply r = may_ask ? ask(q) : approval::Reply::kDeny;
    if (approval::Allows(r)) {
      argv->push_back("--writable");
      argv->push_back(path);
    } else {
      refused->push_back(path + " (" + approval::ReplyName(r) + ")");
    }
  }
  return std::nullopt;
}

}  // namespace cordon::mcp
