// The run tool's request_writable: the agent names paths the command must
// write besides the workspace, with a reason; each is checked
// (approval/writable_offer.h), then asked, and an approved one is passed to
// `cordon run` as --writable PATH.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "approval/question.h"
#include "common/result.h"

namespace cordon::mcp {

// Resolves and checks one requested path (null: nothing may be requested).
using WritableCheck = std::function<Result<std::string>(const std::string&)>;

// `entries`: the request_writable argument. Every entry is checked before
// anyone is asked; a bad one (not a string, missing, protected...) returns
// the tool error text. Then each path is asked through `ask` when `may_ask`
// (approval policy on-request or untrusted; otherwise refused as "deny"):
// approved paths are appended to `argv` as --writable PATH, the others to
// `refused` as "PATH (ANSWER)".
[[nodiscard]] std::optional<std::string> RequestWritable(
    const nlohmann::json& entries, const WritableCheck& check, const std::string& command,
    const std::string& reason, bool may_ask,
    const std::function<approval::Reply(const approval::Question&)>& ask,
    std::vector<std::string>* argv, std::vector<std::string>* refused);

}  // namespace cordon::mcp
