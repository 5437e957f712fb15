// The approval broker: the one place that applies the approval policy. One
// serves each `cordon run` (the proxy's Decider, and the supervisor's own
// questions: untrusted commands, re-runs) and one serves `cordon mcp` (the
// agent's requests, the session sandbox's questions, and the questions
// runs relay to it). It remembers "for this session" answers, saves
// "always" answers in the user config, asks on its channel (the terminal,
// the pipe to `cordon mcp`, MCP elicitation), and makes every question and
// answer a telemetry event.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "approval/channel.h"
#include "approval/question.h"
#include "common/event.h"
#include "policy/approval.h"
#include "proxy/decider.h"

namespace cordon::approval {

struct BrokerOptions {
  policy::Approval approval = policy::Approval::kNever;
  int timeout_ms = policy::kDefaultApprovalTimeoutSeconds * 1000;
  std::string command;               // DescribeCommand(argv), for prompts and events
  std::string config_path;           // where "always" is saved; empty: it acts as "session"
  std::unique_ptr<Channel> channel;  // null: nobody to ask (every question is denied)
  // Command prefixes that pass the `untrusted` gate without a question.
  std::vector<std::string> trusted_commands;
  EventSink* events = nullptr;  // may be null
  // Told what the user must know (a denial for want of a channel, a save
  // that failed); may be null. Any thread.
  std::function<void(const std::string&)> on_notice;
  // A session sandbox's: each held connection is its own question, which
  // names the connection (Question::client, proxy), since connections to
  // one destination may come from different calls. Session answers still
  // apply to all.
  bool per_connection = false;
};

class Broker : public proxy::Decider {
 public:
  explicit Broker(BrokerOptions options);
  // Interrupts a pending question (it is answered "cancelled", i.e. denied)
  // and joins the worker thread.
  ~Broker() override;
  Broker(const Broker&) = delete;
  Broker& operator=(const Broker&) = delete;

  // Decider: under never and on-failure the destination is denied (and
  // remembered for a re-run offer); else a session answer or the person
  // decides. Questions about one destination are asked once.
  void Ask(const proxy::DecisionRequest& request, proxy::DecisionDone done) override;

  // Asks now, on the caller's thread (the supervisor's gates, cordon mcp's
  // questions); honors and records session answers. A kNetwork question is
  // denied unasked under never and on-failure, as the proxy's are.
  [[nodiscard]] Reply AskNow(const Question& q, const Cancelled& cancelled = {});

  // A question a run relays to `cordon mcp` (its own broker applied the
  // policy and records the events): remembered answers, else the channel.
  [[nodiscard]] Reply Relay(const Question& q, const Cancelled& cancelled = {});

  // The `untrusted` gate: nullopt when `argv` needs no approval (another
  // policy, or a trusted prefix), else the person's answer. `shown` is the
  // command as the question shows it.
  [[nodiscard]] std::optional<Reply> GateCommand(const std::vector<std::string>& argv,
                                                 const std::string& shown,
                                                 const Cancelled& cancelled = {});

  // The agent may ask for more (MCP request_network, request_writable):
  // approval on-request or untrusted.
  [[nodiscard]] bool AsksLive() const;
  // A failed run may be offered a re-run (reruns.h): on-failure, with
  // someone to ask.
  [[nodiscard]] bool OffersReruns() const;
  // An answer "session" or "always" was given to this question (or, for a
  // destination, to its re-run).
  [[nodiscard]] bool Remembered(const Question& q) const;

  // Destinations denied for want of a rule or an answer, in order, unique.
  [[nodiscard]] std::vector<std::pair<std::string, uint16_t>> Denied() const;
  // When the last destination was denied (MonotonicMs), 0 if none was.
  [[nodiscard]] int64_t LastDeniedMs() const;
  [[nodiscard]] bool has_channel() const { return options_.channel != nullptr; }

 private:
  struct Pending {
    Question question;
    std::vector<proxy::DecisionDone> waiters;
  };
  void StartWorkerLocked();  // the worker, once: with the first queued question
  void Work();
  Reply Decide(const Question& q, const Cancelled& cancelled);  // asks (or remembers), logs
  Reply AskChannel(const Question& q, const Cancelled& cancelled);
  void Remember(const Question& q, Reply r);
  void NoteDenied(const std::string& host, uint16_t port);

  BrokerOptions options_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;  // keys of pending_, in order
  std::map<std::string, Pending> pending_;
  std::set<std::string> remembered_;  // keys answered "session" or "always"
  std::vector<std::pair<std::string, uint16_t>> denied_;
  int64_t last_denied_ms_ = 0;
  bool stop_ = false;
  std::mutex channel_mu_;  // one question at a time
  std::thread worker_;
};

}  // namespace cordon::approval
