// Questions as elicitation requests, answers routed back by request id.
#include "mcp/elicitation_channel.h"

#include <chrono>

#include "mcp/jsonrpc.h"

namespace cordon::mcp {

using nlohmann::json;

approval::Reply ElicitationChannel::Ask(const approval::Question& q, int timeout_ms,
                                        const approval::Cancelled& cancelled) {
  if (!enabled_) return approval::Reply::kNoChannel;
  const std::string id = "cordon-approval-" + std::to_string(++next_id_);
  auto waiter = std::make_shared<Waiter>();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) return approval::Reply::kCancelled;
    waiters_[id] = waiter;
  }
  json answers = q.offer_always ? json::array({"once", "session", "always", "deny"})
                                : json::array({"once", "session", "deny"});
  json names = q.offer_always ? json::array({"Allow once", "Allow for this session",
                                             "Always allow (saved in cordon's config)", "Deny"})
                              : json::array({"Allow once", "Allow for this session", "Deny"});
  write_(EncodeRequest(id, "elicitation/create",
                       {{"message", "cordon: " + q.Prompt()},
                        {"requestedSchema",
                         {{"type", "object"},
                          {"properties",
                           {{"answer",
                             {{"type", "string"},
                              {"title", "Answer"},
                              {"description", q.Prompt()},
                              {"enum", answers},
                              {"enumNames", names}}}}},
                          {"required", json::array({"answer"})}}}}));
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  const auto is_cancelled = [&] { return cancelled && cancelled(); };
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_until(lock, deadline, [&] { return waiter->answered || stopped_ || is_cancelled(); });
  waiters_.erase(id);
  if (!waiter->answered) {
    return is_cancelled() || stopped_ ? approval::Reply::kCancelled : approval::Reply::kTimeout;
  }
  const json& res = waiter->result;
  if (!res.is_object() || !res.contains("action") || res["action"] != "accept" ||
      !res.contains("content") || !res["content"].is_object() ||
      !res["content"].contains("answer") || !res["content"]["answer"].is_string()) {
    return approval::Reply::kDeny;
  }
  auto reply = approval::ParseReply(res["content"]["answer"].get<std::string>());
  // Only the answers offered count; anything else is a refusal.
  if (!reply || (*reply == approval::Reply::kAlways && !q.offer_always) ||
      !(approval::Allows(*reply) || *reply == approval::Reply::kDeny)) {
    return approval::Reply::kDeny;
  }
  return *reply;
}

bool ElicitationChannel::Answered(const json& id, const json& result) {
  if (!id.is_string()) return false;
  std::lock_guard<std::mutex> lock(mu_);
  auto it = waiters_.find(id.get<std::string>());
  if (it == waiters_.end()) return false;
  it->second->answered = true;
  it->second->result = result;
  cv_.notify_all();
  return true;
}

void ElicitationChannel::Wake() {
  std::lock_guard<std::mutex> lock(mu_);
  cv_.notify_all();
}

void ElicitationChannel::Interrupt() {
  std::lock_guard<std::mutex> lock(mu_);
  stopped_ = true;
  cv_.notify_all();
}

}  // namespace cordon::mcp
