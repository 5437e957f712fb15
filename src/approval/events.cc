#include "approval/events.h"

namespace cordon::approval {
namespace {

void AddSubject(Event& e, const Question& q) {
  e.Add("process.command_line", q.command);
  if (q.kind == Question::Kind::kNetwork || q.kind == Question::Kind::kNetworkRerun) {
    e.Add("server.address", q.host).Add("server.port", static_cast<int64_t>(q.port));
  }
  if (q.kind == Question::Kind::kWritable) e.Add("file.path", q.path);
}

}  // namespace

Event RequestEvent(const Question& q, const std::string& channel, const std::string& policy) {
  Event e;
  e.name = "cordon.approval.request";
  e.time_unix_nano = NowUnixNano();
  e.body = "asked (" + channel + "): " + q.Prompt();
  e.Add("cordon.approval.kind", std::string(KindName(q.kind)))
      .Add("cordon.approval.question", q.Prompt())
      .Add("cordon.approval.channel", channel)
      .Add("cordon.approval.policy", policy);
  AddSubject(e, q);
  if (!q.reason.empty()) e.Add("cordon.approval.reason", q.reason);
  return e;
}

Event DecisionEvent(const Question& q, Reply r, const std::string& channel, int64_t waited_ms,
                    const std::string& saved) {
  Event e;
  e.name = "cordon.approval.decision";
  e.time_unix_nano = NowUnixNano();
  e.severity = Allows(r) ? Severity::kInfo : Severity::kWarn;
  e.body = std::string(Allows(r) ? "approved (" : "not approved (") + ReplyName(r) + ", " +
           channel + "): " + q.Prompt();
  e.Add("cordon.decision", std::string(Allows(r) ? "allow" : "deny"))
      .Add("cordon.approval.kind", std::string(KindName(q.kind)))
      .Add("cordon.approval.answer", std::string(ReplyName(r)))
      .Add("cordon.approval.scope", std::string(Allows(r) ? ReplyName(r) : "none"))
      .Add("cordon.approval.channel", channel)
      .Add("cordon.approval.wait_ms", waited_ms);
  AddSubject(e, q);
  if (!saved.empty()) e.Add("cordon.approval.saved", saved);
  return e;
}

}  // namespace cordon::approval
