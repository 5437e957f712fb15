// The broker: policy checks and memory on the proxy thread, questions on a
// worker thread (the proxy never blocks on a person), events for both.
#include "approval/broker.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

#include "approval/config_edit.h"
#include "approval/events.h"
#include "approval/worker_thread.h"
#include "common/clock.h"
#include "policy/net_rules.h"

namespace cordon::approval {

namespace {

bool IsNetwork(const Question& q) {
  return q.kind == Question::Kind::kNetwork || q.kind == Question::Kind::kNetworkRerun;
}

// Under never and on-failure nothing is asked while a command runs.
bool AsksDuringRun(policy::Approval a) {
  return a != policy::Approval::kNever && a != policy::Approval::kOnFailure;
}

// An answer in words, for the proxy's decision event and its 403.
std::string Why(Reply r) {
  switch (r) {
    case Reply::kDeny:
      return "refused by the person asked";
    case Reply::kTimeout:
      return "no answer within the approval timeout";
    case Reply::kNoChannel:
      return "nobody to ask (not interactive)";
    case Reply::kCancelled:
      return "the question was cancelled";
    default:
      return std::string("approved (") + ReplyName(r) + ")";
  }
}

// "2026-12-06T05:14:43Z", from the civil calendar of <chrono> (no gmtime_r,
// which Windows lacks).
std::string UtcNow() {
  using std::chrono::days;
  using std::chrono::floor;
  using std::chrono::seconds;
  const auto now = floor<seconds>(std::chrono::system_clock::now());
  const auto day = floor<days>(now);
  const std::chrono::year_month_day date{day};
  const std::chrono::hh_mm_ss time{now - day};
  char buf[32];
  std::snprintf(buf, sizeof(buf), "%04d-%02u-%02uT%02d:%02d:%02dZ", static_cast<int>(date.year()),
                static_cast<unsigned>(date.month()), static_cast<unsigned>(date.day()),
                static_cast<int>(time.hours().count()), static_cast<int>(time.minutes().count()),
                static_cast<int>(time.seconds().count()));
  return buf;
}

// The rule an "always" answer saves: exactly what was asked, host and port.
std::string Rule(const Question& q) { return policy::HostPort(q.host, q.port); }

}  // namespace

Broker::Broker(BrokerOptions options) : options_(std::move(options)) {}

// Started with the first question the proxy queues: most runs ask none, and
// a thread (its stack, its malloc arena, the join) is a measurable part of
// a start (bench/README.md, issue 16). Called with mu_ held.
void Broker::StartWorkerLocked() {
  if (worker_.joinable()) return;
  // With every signal blocked on POSIX (worker_thread.h).
  worker_ = StartWorkerThread([this] { Work(); });
}

Broker::~Broker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (options_.channel) options_.channel->Interrupt();
  if (worker_.joinable()) worker_.join();
}

void Broker::NoteDenied(const std::string& host, uint16_t port) {
  std::lock_guard<std::mutex> lock(mu_);
  auto entry = std::make_pair(host, port);
  last_denied_ms_ = MonotonicMs();
  if (std::find(denied_.begin(), denied_.end(), entry) == denied_.end()) {
    denied_.push_back(std::move(entry));
  }
}

std::vector<std::pair<std::string, uint16_t>> Broker::Denied() const {
  std::lock_guard<std::mutex> lock(mu_);
  return denied_;
}

int64_t Broker::LastDeniedMs() const {
  std::lock_guard<std::mutex> lock(mu_);
  return last_denied_ms_;
}

void Broker::Ask(const proxy::DecisionRequest& request, proxy::DecisionDone done) {
  Question q;
  q.kind = Question::Kind::kNetwork;
  q.host = request.host;
  q.port = request.port;
  q.command = options_.command;
  if (options_.per_connection) {
    q.client = request.client;
    q.proxy = request.proxy;
  }
  if (!AsksDuringRun(options_.approval)) {
    NoteDenied(q.host, q.port);
    done(false, std::string("approval policy ") + policy::ApprovalName(options_.approval) +
                    " (nothing is asked while the command runs)");
    return;
  }
  std::string key = q.Key();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (remembered_.count(key) != 0) {
      done(true, "approved for this session");
      return;
    }
    if (!stop_) {
      if (options_.per_connection) key += " from " + q.client;
      auto [it, inserted] = pending_.try_emplace(key, Pending{q, {}});
      it->second.waiters.push_back(std::move(done));
      if (inserted) queue_.push_back(key);
      StartWorkerLocked();
      cv_.notify_one();
      return;
    }
  }
  done(false, "cordon is stopping");
}

void Broker::Work() {
  for (;;) {
    Pending p;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [&] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::string key = queue_.front();
      queue_.pop_front();
      p = std::move(pending_[key]);
      pending_.erase(key);
      if (stop_) {
        lock.unlock();
        for (auto& w : p.waiters) w(false, "cordon is stopping");
        continue;
      }
    }
    Reply r = Decide(p.question, {});
    if (!Allows(r)) NoteDenied(p.question.host, p.question.port);
    const std::string why = Why(r);
    for (auto& w : p.waiters) w(Allows(r), why);
  }
}

Reply Broker::AskNow(const Question& q, const Cancelled& cancelled) {
  // Under never and on-failure a destination is not asked about while a
  // command runs; an earlier "session" answer (to a re-run) still holds.
  Reply r =
      q.kind == Question::Kind::kNetwork && !AsksDuringRun(options_.approval) && !Remembered(q)
          ? Reply::kDeny
          : Decide(q, cancelled);
  if (!Allows(r) && IsNetwork(q)) NoteDenied(q.host, q.port);
  return r;
}

Reply Broker::Relay(const Question& q, const Cancelled& cancelled) {
  if (Remembered(q)) return Reply::kSession;
  Reply r = AskChannel(q, cancelled);
  Remember(q, r);
  return r;
}

std::optional<Reply> Broker::GateCommand(const std::vector<std::string>& argv,
                                         const std::string& shown, const Cancelled& cancelled) {
  if (options_.approval != policy::Approval::kUntrusted ||
      policy::IsTrustedCommand(argv, options_.trusted_commands)) {
    return std::nullopt;
  }
  Question q;
  q.kind = Question::Kind::kCommand;
  q.command = shown;
  q.offer_always = false;
  return AskNow(q, cancelled);
}

bool Broker::AsksLive() const {
  return options_.approval == policy::Approval::kOnRequest ||
         options_.approval == policy::Approval::kUntrusted;
}

bool Broker::OffersReruns() const {
  return options_.approval == policy::Approval::kOnFailure && has_channel();
}

bool Broker::Remembered(const Question& q) const {
  std::lock_guard<std::mutex> lock(mu_);
  return remembered_.count(q.Key()) != 0;
}

void Broker::Remember(const Question& q, Reply r) {
  if (r != Reply::kSession && r != Reply::kAlways) return;
  std::lock_guard<std::mutex> lock(mu_);
  remembered_.insert(q.Key());
  // A re-run approved for the session also lets the destination through.
  if (q.kind == Question::Kind::kNetworkRerun) {
    Question net = q;
    net.kind = Question::Kind::kNetwork;
    remembered_.insert(net.Key());
  }
}

Reply Broker::AskChannel(const Question& q, const Cancelled& cancelled) {
  if (!options_.channel) return Reply::kNoChannel;
  if (options_.channel->concurrent())
    return options_.channel->Ask(q, options_.timeout_ms, cancelled);
  std::lock_guard<std::mutex> lock(channel_mu_);
  return options_.channel->Ask(q, options_.timeout_ms, cancelled);
}

Reply Broker::Decide(const Question& q, const Cancelled& cancelled) {
  if (Remembered(q)) return Reply::kSession;
  const char* channel = options_.channel ? options_.channel->name() : "none";
  if (options_.events != nullptr) {
    options_.events->Emit(
        RequestEvent(q, channel, std::string(policy::ApprovalName(options_.approval))));
  }
  const int64_t started = MonotonicMs();
  Reply r = AskChannel(q, cancelled);
  const int64_t waited = MonotonicMs() - started;

  std::string saved;
  if (r == Reply::kAlways && IsNetwork(q)) {
    if (options_.config_path.empty()) {
      saved = "not saved: no user config file (--no-config); allowed for this session";
    } else {
      std::string comment = "added by cordon " + UtcNow() + ": answered \"always\" (" +
                            std::string(channel) + ") to: " + q.Prompt();
      Status s = PersistNetworkAllow(options_.config_path, Rule(q), comment);
      saved = s.ok() ? "saved to " + options_.config_path
                     : "not saved (" + s.error().Describe() + "); allowed for this session";
    }
    if (options_.on_notice) options_.on_notice(Rule(q) + ": " + saved);
  }
  if (r == Reply::kNoChannel && options_.on_notice) {
    std::string hint = q.kind == Question::Kind::kCommand
                           ? "run it interactively, or trust it with --trust-command"
                       : q.kind == Question::Kind::kWritable
                           ? "allow it with --writable " + q.path
                           : "allow it with --allow-domain " + Rule(q);
    options_.on_notice("denied, nobody to ask (not interactive): " + q.Prompt() + "; " + hint);
  }
  Remember(q, r);

  if (options_.events != nullptr) {
    options_.events->Emit(DecisionEvent(q, r, channel, waited, saved));
  }
  return r;
}

}  // namespace cordon::approval
