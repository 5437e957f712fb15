// The MCP client as an approval channel: a question becomes an
// `elicitation/create` request, the person's choice comes back as its
// response. `cordon mcp`'s broker asks through it; questions of different
// calls may be pending side by side (each request has its own id).
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>

#include "approval/channel.h"

namespace cordon::mcp {

class ElicitationChannel : public approval::Channel {
 public:
  // `write` sends one encoded line to the client (any thread).
  explicit ElicitationChannel(std::function<void(const std::string&)> write)
      : write_(std::move(write)) {}

  // The client declared the elicitation capability (initialize); until
  // then, and without it, every question is kNoChannel.
  void Enable(bool enabled) { enabled_ = enabled; }

  [[nodiscard]] const char* name() const override { return enabled_ ? "mcp" : "none"; }
  [[nodiscard]] approval::Reply Ask(const approval::Question& q, int timeout_ms,
                                    const approval::Cancelled& cancelled) override;
  // The client went away or the server stops: pending questions end.
  void Interrupt() override;
  [[nodiscard]] bool concurrent() const override { return true; }

  // A response from the client: true when it answered one of our requests.
  bool Answered(const nlohmann::json& id, const nlohmann::json& result);
  // A call was cancelled: pending questions check their `cancelled`.
  void Wake();

 private:
  // NOLINTNEXTLINE(bugprone-exception-escape): json members, whose destructor asserts
  struct Waiter {
    bool answered = false;
    nlohmann::json result;
  };

  std::function<void(const std::string&)> write_;
  std::atomic<bool> enabled_{false};
  std::atomic<int> next_id_{0};
  std::mutex mu_;
  std::condition_variable cv_;
  bool stopped_ = false;
  std::map<std::string, std::shared_ptr<Waiter>> waiters_;
};

}  // namespace cordon::mcp
