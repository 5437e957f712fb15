// The approval broker, the one place the approval policy is applied: the
// untrusted gate, what is asked while a command runs, remembered answers,
// and the on-failure re-run loop. The channel is scripted: these tests are
// about the decisions, not about how a person is reached.
#include "approval/broker.h"

#include <gtest/gtest.h>

#include <deque>
#include <memory>

#include "approval/reruns.h"

namespace cordon::approval {
namespace {

struct Script {
  std::deque<Reply> replies;
  std::vector<Question> asked;
};

class ScriptedChannel : public Channel {
 public:
  explicit ScriptedChannel(Script* script) : script_(script) {}
  const char* name() const override { return "scripted"; }
  Reply Ask(const Question& q, int, const Cancelled&) override {
    script_->asked.push_back(q);
    if (script_->replies.empty()) return Reply::kDeny;
    Reply r = script_->replies.front();
    script_->replies.pop_front();
    return r;
  }
  void Interrupt() override {}

 private:
  Script* script_;
};

std::unique_ptr<Broker> MakeBroker(policy::Approval approval, Script* script,
                                   std::vector<std::string> trusted = {}) {
  BrokerOptions o;
  o.approval = approval;
  o.channel = std::make_unique<ScriptedChannel>(script);
  o.trusted_commands = std::move(trusted);
  return std::make_unique<Broker>(std::move(o));
}

Question Rerun(const std::string& host, uint16_t port);

Question Network(const std::string& host, uint16_t port) {
  Question q;
  q.kind = Question::Kind::kNetwork;
  q.host = host;
  q.port = port;
  return q;
}

Question Rerun(const std::string& host, uint16_t port) {
  Question q = Network(host, port);
  q.kind = Question::Kind::kNetworkRerun;
  return q;
}

TEST(Broker, UntrustedGateAsksForCommandsNotOnTheTrustedList) {
  Script s;
  s.replies = {Reply::kDeny};
  auto b = MakeBroker(policy::Approval::kUntrusted, &s, {"git status"});
  EXPECT_EQ(b->GateCommand({"git", "status", "-s"}, "git status -s"), std::nullopt);
  EXPECT_TRUE(s.asked.empty());
  EXPECT_EQ(b->GateCommand({"rm", "-rf", "x"}, "rm -rf x"), Reply::kDeny);
  ASSERT_EQ(s.asked.size(), 1u);
  EXPECT_EQ(s.asked[0].kind, Question::Kind::kCommand);
  EXPECT_EQ(s.asked[0].command, "rm -rf x");
  EXPECT_FALSE(s.asked[0].offer_always);
}

TEST(Broker, OtherPoliciesHaveNoCommandGate) {
  for (auto a :
       {policy::Approval::kNever, policy::Approval::kOnFailure, policy::Approval::kOnRequest}) {
    Script s;
    auto b = MakeBroker(a, &s);
    EXPECT_EQ(b->GateCommand({"rm", "-rf", "x"}, "rm -rf x"), std::nullopt);
    EXPECT_TRUE(s.asked.empty());
  }
}

TEST(Broker, NothingIsAskedAboutADestinationUnderNeverAndOnFailure) {
  for (auto a : {policy::Approval::kNever, policy::Approval::kOnFailure}) {
    Script s;
    s.replies = {Reply::kOnce};
    auto b = MakeBroker(a, &s);
    EXPECT_EQ(b->AskNow(Network("a.example", 443)), Reply::kDeny);
    EXPECT_TRUE(s.asked.empty());
    ASSERT_EQ(b->Denied().size(), 1u);
    EXPECT_EQ(b->Denied()[0].first, "a.example");
    EXPECT_FALSE(b->AsksLive());
  }
}

TEST(Broker, SessionAnswersAreRememberedOnceAnswersAreNot) {
  Script s;
  s.replies = {Reply::kOnce, Reply::kSession};
  auto b = MakeBroker(policy::Approval::kOnRequest, &s);
  EXPECT_TRUE(b->AsksLive());
  EXPECT_EQ(b->AskNow(Network("a.example", 443)), Reply::kOnce);
  EXPECT_EQ(b->AskNow(Network("a.example", 443)), Reply::kSession);
  EXPECT_EQ(b->AskNow(Network("a.example", 443)), Reply::kSession);
  EXPECT_EQ(s.asked.size(), 2u);  // the third came from memory
  EXPECT_TRUE(b->Remembered(Network("a.example", 443)));
  EXPECT_FALSE(b->Remembered(Network("a.example", 80)));
}

TEST(Broker, AReRunApprovedForTheSessionLetsTheDestinationThroughLater) {
  Script s;
  s.replies = {Reply::kSession};
  auto b = MakeBroker(policy::Approval::kOnFailure, &s);
  Question rerun = Network("a.example", 443);
  rerun.kind = Question::Kind::kNetworkRerun;
  EXPECT_EQ(b->AskNow(rerun), Reply::kSession);
  // Under on-failure nothing is asked while a command runs, but the
  // session answer holds.
  EXPECT_EQ(b->AskNow(Network("a.example", 443)), Reply::kSession);
  EXPECT_EQ(s.asked.size(), 1u);
}

TEST(Broker, RelayedQuestionsUseAndFeedTheMemory) {
  Script s;
  s.replies = {Reply::kSession};
  auto b = MakeBroker(policy::Approval::kOnRequest, &s);
  EXPECT_EQ(b->Relay(Network("a.example", 443)), Reply::kSession);
  EXPECT_EQ(b->Relay(Network("a.example", 443)), Reply::kSession);
  EXPECT_EQ(s.asked.size(), 1u);
}

TEST(Reruns, OnFailureReRunsAtMostKMaxRerunsTimes) {
  Script s;
  for (int i = 0; i < 10; ++i) s.replies.push_back(Reply::kOnce);
  auto b = MakeBroker(policy::Approval::kOnFailure, &s);
  int runs = 0, widened = 0;
  int status = RunWithReruns(
      *b,
      [&] {
        ++runs;
        return 1;
      },
      [&](int) -> std::optional<Question> { return Rerun("a.example", 443); },
      [&](const Question&, Reply) {
        ++widened;
        return true;
      });
  EXPECT_EQ(status, 1);
  EXPECT_EQ(runs, 1 + kMaxReruns);
  EXPECT_EQ(widened, kMaxReruns);
  EXPECT_EQ(static_cast<int>(s.asked.size()), kMaxReruns);
}

TEST(Reruns, StopsOnSuccessTimeoutCordonFailureRefusalOrNoOffer) {
  struct Case {
    int status;
    Reply reply;
    bool offer;
    int runs;
  };
  for (const Case& c : {Case{0, Reply::kOnce, true, 1}, Case{124, Reply::kOnce, true, 1},
                        Case{125, Reply::kOnce, true, 1}, Case{1, Reply::kDeny, true, 1},
                        Case{1, Reply::kOnce, false, 1}}) {
    Script s;
    s.replies = {c.reply};
    auto b = MakeBroker(policy::Approval::kOnFailure, &s);
    int runs = 0;
    (void)RunWithReruns(
        *b,
        [&] {
          ++runs;
          return c.status;
        },
        [&](int) -> std::optional<Question> {
          if (!c.offer) return std::nullopt;
          return Rerun("a.example", 443);
        },
        [](const Question&, Reply) { return true; });
    EXPECT_EQ(runs, c.runs) << "status " << c.status;
  }
}

TEST(Reruns, OnlyOnFailureOffersReruns) {
  for (auto a :
       {policy::Approval::kNever, policy::Approval::kOnRequest, policy::Approval::kUntrusted}) {
    Script s;
    s.replies = {Reply::kOnce};
    auto b = MakeBroker(a, &s);
    int runs = 0;
    (void)RunWithReruns(
        *b,
        [&] {
          ++runs;
          return 1;
        },
        [](int) -> std::optional<Question> { return Rerun("a.example", 443); },
        [](const Question&, Reply) { return true; });
    EXPECT_EQ(runs, 1);
    EXPECT_TRUE(s.asked.empty());
  }
}

}  // namespace
}  // namespace cordon::approval
