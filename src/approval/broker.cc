// The broker: policy checks and memory on the proxy thread, questions on a
// worker thread (the proxy never blocks on a person), events for both.
#include "approval/broker.h"

#include <pthread.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <cstdio>

#include "approval/config_edit.h"
#include "approval/events.h"
#include "common/clock.h"
#include "policy/net_rules.h"

namespace cordon::approval {

namespace {

bool IsNetwork(const Question& q) {
  return q.kind == Question::Kind::kNetwork || q.kind == Question::Kind::kRerun;
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

std::string Key(const Question& q) { return std::string(KindName(q.kind)) + " " + q.Subject(); }

std::string UtcNow() {
  time_t t = time(nullptr);
  tm parts{};
  gmtime_r(&t, &parts);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buf;
}

// The rule an "always" answer saves: exactly what was asked, host and port.
std::string Rule(const Question& q) { return policy::HostPort(q.host, q.port); }

}  // namespace

Broker::Broker(BrokerOptions options) : options_(std::move(options)) {
  // The worker starts with every signal blocked: the supervisor receives
  // the signals it relays through a signalfd, which works only while no
  // thread leaves them unblocked (one that did would die of a SIGTERM).
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  worker_ = std::thread([this] { Work(); });
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
}

Broker::~Broker() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (options_.channel) options_.channel->Interrupt();
  worker_.join();
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
  // Under never and on-failure nothing is asked during the run.
  if (options_.approval == policy::Approval::kNever ||
      options_.approval == policy::Approval::kOnFailure) {
    NoteDenied(q.host, q.port);
    done(false, std::string("approval policy ") + policy::ApprovalName(options_.approval) +
                    " (nothing is asked while the command runs)");
    return;
  }
  std::string key = Key(q);
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_.count(key) != 0) {
      done(true, "approved for this session");
      return;
    }
    if (!stop_) {
      if (options_.per_connection) key += " from " + q.client;
      auto [it, inserted] = pending_.try_emplace(key, Pending{q, {}});
      it->second.waiters.push_back(std::move(done));
      if (inserted) queue_.push_back(key);
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
    Reply r = Decide(p.question);
    if (!Allows(r)) NoteDenied(p.question.host, p.question.port);
    const std::string why = Why(r);
    for (auto& w : p.waiters) w(Allows(r), why);
  }
}

Reply Broker::AskNow(const Question& q) {
  Reply r = Decide(q);
  if (!Allows(r) && IsNetwork(q)) NoteDenied(q.host, q.port);
  return r;
}

void Broker::Remember(const Question& q, Reply r) {
  if (r != Reply::kSession && r != Reply::kAlways) return;
  std::lock_guard<std::mutex> lock(mu_);
  session_.insert(Key(q));
  // A re-run approved for the session also lets the destination through.
  if (q.kind == Question::Kind::kRerun) {
    Question net = q;
    net.kind = Question::Kind::kNetwork;
    session_.insert(Key(net));
  }
}

Reply Broker::Decide(const Question& q) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (session_.count(Key(q)) != 0) return Reply::kSession;
  }
  const char* channel = options_.channel ? options_.channel->name() : "none";
  if (options_.events != nullptr) {
    options_.events->Emit(
        RequestEvent(q, channel, std::string(policy::ApprovalName(options_.approval))));
  }
  const int64_t started = MonotonicMs();
  Reply r = Reply::kNoChannel;
  if (options_.channel) {
    std::lock_guard<std::mutex> lock(channel_mu_);
    r = options_.channel->Ask(q, options_.timeout_ms);
  }
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
