// The words for a limit the run reached (limit_report.h).
#include "cli/limit_report.h"

#include "sandbox/linux/limits.h"

namespace cordon::cli {

LimitText DescribeHit(const sandbox::LimitHit& hit, const policy::Policy& policy) {
  using Limit = sandbox::LimitHit::Limit;
  using sandbox::limits::Bytes;
  const policy::Limits& l = policy.limits;
  LimitText t;
  auto bytes = [](int64_t v) { return v >= 0 ? Bytes(v) : std::string(); };
  switch (hit.limit) {
    case Limit::kMemory:
      t = {"memory",         "--memory",      "[limits] memory",
           Bytes(hit.value), bytes(hit.peak), l.memory_origin.Describe()};
      break;
    case Limit::kPids:
      t = {"pids",
           "--pids",
           "[limits] pids",
           std::to_string(hit.value),
           hit.peak >= 0 ? std::to_string(hit.peak) : "",
           l.pids_origin.Describe()};
      break;
    case Limit::kCpus:
      t = {"cpus",
           "--cpus",
           "[limits] cpus",
           sandbox::limits::Cpus(hit.value),
           "",
           l.cpus_origin.Describe()};
      break;
    case Limit::kTmp:
      t = {"tmp",           "--tmp-size",           "[limits] tmp_size", Bytes(hit.value),
           bytes(hit.peak), l.tmp_origin.Describe()};
      break;
  }
  return t;
}

std::string HitMessage(const sandbox::LimitHit& hit, const policy::Policy& policy) {
  using Limit = sandbox::LimitHit::Limit;
  if (hit.limit == Limit::kCpus) return "";
  const LimitText t = DescribeHit(hit, policy);
  const char* what = hit.limit == Limit::kMemory ? "memory limit"
                     : hit.limit == Limit::kPids ? "process limit"
                                                 : "/tmp and /dev/shm size";
  const char* unit = hit.limit == Limit::kPids ? " N" : " SIZE";
  return "the run hit its " + std::string(what) + " (" + t.value + ", " + t.origin +
         (t.peak.empty() ? "" : "; peak " + t.peak) + "): " + hit.effect + ". Raise it with " +
         t.flag + unit + " or " + t.key;
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
