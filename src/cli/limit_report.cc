// The words for a limit the run reached (limit_report.h).
#include "cli/limit_report.h"

#include "policy/limits.h"

namespace cordon::cli {

LimitText DescribeHit(const sandbox::LimitHit& hit, const policy::Policy& policy) {
  const policy::LimitKind kind = hit.limit;
  const policy::LimitSpec& spec = policy::Spec(kind);
  LimitText t;
  t.name = kind == policy::LimitKind::kTmp ? "tmp" : spec.key;
  t.flag = spec.flag;
  t.key = std::string("[limits] ") + spec.key;
  t.value = policy::FormatLimit(kind, hit.value);
  if (hit.peak >= 0) t.peak = policy::FormatLimit(kind, hit.peak);
  t.origin = policy::LimitOrigin(policy.limits, kind).Describe();
  return t;
}

std::string HitMessage(const sandbox::LimitHit& hit, const policy::Policy& policy) {
  using Limit = policy::LimitKind;
  if (hit.limit == Limit::kCpus) return "";
  const LimitText t = DescribeHit(hit, policy);
  const char* what = hit.limit == Limit::kMemory ? "memory limit"
                     : hit.limit == Limit::kPids ? "process limit"
                                                 : "/tmp and /dev/shm size";
  return "the run hit its " + std::string(what) + " (" + t.value + ", " + t.origin +
         (t.peak.empty() ? "" : "; peak " + t.peak) + "): " + hit.effect + ". Raise it with " +
         t.flag + " " + policy::Spec(hit.limit).type_name + " or " + t.key;
}

std::string DescribeEnforcement(const sandbox::LimitEnforcement& e) {
  using Kind = sandbox::LimitEnforcement::Kind;
  switch (e.kind) {
    case Kind::kWholeRun:
      return e.how;
    case Kind::kPerProcess:
      return "per process: " + e.how + "; for the whole run: " + e.remedy;
    case Kind::kNone:
      break;
  }
  return "NOT ENFORCED here: " + e.remedy;
}

}  // namespace cordon::cli
