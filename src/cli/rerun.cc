// The on-failure re-run offer: which denial came last, what may be offered.
#include "cli/rerun.h"

#include "approval/writable_offer.h"
#include "policy/net_rules.h"

namespace cordon::cli {

std::optional<approval::Question> ChooseRerun(int status, const sandbox::RunStats& stats,
                                              const approval::Broker& broker,
                                              const policy::Policy& policy,
                                              const std::string& command, std::string* notice) {
  const auto denied = broker.Denied();
  approval::Question q;
  q.command = command;
  // The latest denial is the one that most likely failed the run.
  const bool write_latest =
      stats.denied_writes > 0 && (denied.empty() || stats.denied_write_ms >= broker.LastDeniedMs());
  if (write_latest) {
    approval::WritableOffer offer =
        approval::ChooseWritable(stats.denied_write, approval::FactsFrom(policy));
    if (offer.path.empty()) {
      *notice = "the run failed after a write to " + stats.denied_write +
                " was denied; not offered: " + offer.why_not;
      if (offer.flag_would_work) *notice += "; add it with --writable if you mean it";
      return std::nullopt;
    }
    q.kind = approval::Question::Kind::kWritable;
    q.path = offer.path;
    q.rerun = true;
    q.offer_always = false;
    q.reason = "it failed with exit status " + std::to_string(status) + " after a write to " +
               stats.denied_write + " was denied";
    return q;
  }
  if (denied.empty()) return std::nullopt;
  q.kind = approval::Question::Kind::kNetworkRerun;
  q.host = denied.back().first;
  q.port = denied.back().second;
  q.reason = "it failed with exit status " + std::to_string(status) + " after " + q.Subject() +
             " was denied";
  return q;
}

std::string ApplyRerun(const approval::Question& q, policy::Overrides* overrides) {
  constexpr const char* kSource = "approval (re-run)";
  if (q.kind == approval::Question::Kind::kWritable) {
    policy::Grant(overrides, policy::GrantKind::kWritable, q.path, kSource);
    return q.path + " writable";
  }
  policy::Grant(overrides, policy::GrantKind::kNetwork, q.Subject(), kSource);
  return q.Subject() + " allowed";
}

}  // namespace cordon::cli
