// Resource limits on Linux (limits.h), and ProbeLimits (backend.h).
#include "sandbox/linux/limits.h"

#include <sys/resource.h>
#include <unistd.h>

#include "policy/limits.h"

namespace cordon::sandbox {
namespace limits {
namespace {

using Kind = LimitEnforcement::Kind;

const char* VersionName(const cgroup::Host& host) {
  return host.version == cgroup::Version::kV2 ? "cgroup v2" : "cgroup v1";
}

// "--memory 256 MiB (flag --memory)": a limit and where it came from.
std::string Named(const char* name, const std::string& value, const policy::Origin& origin) {
  return std::string(name) + " " + value + " (" + origin.Describe() + ")";
}

}  // namespace

LimitSupport Support(Tier tier, const cgroup::Host& host) {
  LimitSupport s;
  if (tier == Tier::kUnconfined) {
    LimitEnforcement none{Kind::kNone, "", "full-access runs are not limited"};
    return {none, none, none, none, "", ""};
  }
  const bool v2 = host.version == cgroup::Version::kV2;
  if (host.version == cgroup::Version::kNone) {
    s.cgroup_missing = host.reason;
    s.cgroup_remedy = host.remedy;
  }
  const std::string no_cgroup =
      "no cgroup (" + host.reason + "; `cordon setup` says how to get one)";
  if (!host.memory.empty()) {
    s.memory = {Kind::kWholeRun,
                std::string(VersionName(host)) +
                    (v2 ? " memory.max (the whole run, its /tmp and /dev/shm included)"
                        : " memory.limit_in_bytes (the whole run, its /tmp and /dev/shm included)"),
                ""};
  } else {
    s.memory = {Kind::kPerProcess,
                "RLIMIT_DATA for each process, when a flag or config sets it (not the default: "
                "sanitizer builds reserve terabytes)",
                no_cgroup};
  }
  if (!host.pids.empty()) {
    s.pids = {Kind::kWholeRun, std::string(VersionName(host)) + " pids.max", ""};
  } else if (tier == Tier::kNamespaces && geteuid() != 0) {
    s.pids = {Kind::kWholeRun,
              "RLIMIT_NPROC inside the run's user namespace (it counts the run's processes only)",
              ""};
  } else {
    s.pids = {Kind::kNone, "",
              (tier == Tier::kNamespaceless
                   ? "without a user namespace RLIMIT_NPROC counts all of your processes; "
                   : "RLIMIT_NPROC does not bind root; ") +
                  no_cgroup};
  }
  if (!host.cpu.empty()) {
    s.cpus = {Kind::kWholeRun,
              std::string(VersionName(host)) + (v2 ? " cpu.max" : " cpu.cfs_quota_us"), ""};
  } else {
    s.cpus = {Kind::kNone, "", "only a cgroup caps CPU time: " + no_cgroup};
  }
  if (tier == Tier::kNamespaces) {
    s.tmp = {Kind::kWholeRun, "tmpfs size= (one tmpfs holds /tmp and /dev/shm)", ""};
  } else {
    s.tmp = {Kind::kNone, "",
             "the namespace-less tier has no private tmpfs (its TMPDIR is a directory on the "
             "host): user namespaces would give it one"};
  }
  return s;
}

Status PlanRun(const policy::Policy& policy, Tier tier, Plan* out,
               std::vector<std::string>* degraded, std::vector<std::string>* notes) {
  out->values = policy.limits;
  if (tier == Tier::kUnconfined) return {};
  const policy::Limits& l = policy.limits;
  if (l.memory_bytes <= 0 && l.pids <= 0 && l.cpu_millis <= 0 && l.tmp_bytes <= 0) return {};
  out->host = cgroup::Probe();
  const LimitSupport support = Support(tier, out->host);
  const LimitEnforcement* how[] = {&support.memory, &support.pids, &support.cpus, &support.tmp};
  for (const policy::LimitSpec& spec : policy::kLimitSpecs) {
    const int64_t value = policy::LimitValue(l, spec.kind);
    if (value <= 0) continue;
    const policy::Origin& origin = policy::LimitOrigin(l, spec.kind);
    const LimitEnforcement& e = *how[policy::Index(spec.kind)];
    const bool user_set = origin.kind != policy::Origin::Kind::kBuiltin;
    const std::string named = Named(spec.flag, policy::FormatLimit(spec.kind, value), origin);
    if (e.kind == Kind::kNone) {
      if (!user_set) {
        notes->push_back("limit " + named + " is not enforced here: " + e.remedy);
      } else if (!policy.allow_degraded) {
        Error refused = PlainError("limits", spec.flag, named + " cannot be enforced here");
        refused.hint = e.remedy + "; or run with --allow-degraded to go on without it";
        return refused;
      } else {
        degraded->push_back("limit " + named + ": " + e.remedy);
      }
    } else if (e.kind == Kind::kPerProcess && user_set) {
      notes->push_back("limit " + named + " holds for each process alone (" + e.how +
                       "); for the whole run: " + e.remedy);
    }
  }
  const cgroup::Host& host = out->host;
  if (!host.memory.empty()) out->settings.memory_bytes = l.memory_bytes;
  if (!host.pids.empty()) out->settings.pids = l.pids;
  if (!host.cpu.empty()) out->settings.cpu_millis = l.cpu_millis;
  const cgroup::Settings& s = out->settings;
  out->cgroup = host.version != cgroup::Version::kNone &&
                (s.memory_bytes > 0 || s.pids > 0 || s.cpu_millis > 0);
  auto user_set = [](const policy::Origin& o) { return o.kind != policy::Origin::Kind::kBuiltin; };
  out->cgroup_required = (s.memory_bytes > 0 && user_set(l.memory_origin)) ||
                         (s.pids > 0 && user_set(l.pids_origin)) ||
                         (s.cpu_millis > 0 && user_set(l.cpus_origin));
  if (host.memory.empty() && l.memory_bytes > 0 && user_set(l.memory_origin)) {
    out->rlimit_data = l.memory_bytes;
  }
  if (host.pids.empty() && support.pids.kind == Kind::kWholeRun) out->rlimit_nproc = l.pids;
  if (tier == Tier::kNamespaces) out->tmp_bytes = l.tmp_bytes;
  return {};
}

ChildStatus ApplyRlimits(const Plan& plan) {
  // Lowered only: a lower limit the user already has stays.
  auto lower = [](int resource, int64_t value, const char* what) {
    rlimit cur{};
    if (getrlimit(resource, &cur) != 0) return ChildStatus::Errno("getrlimit", what);
    auto v = static_cast<rlim_t>(value);
    rlimit want{std::min(cur.rlim_cur, v), std::min(cur.rlim_max, v)};
    if (setrlimit(resource, &want) != 0) return ChildStatus::Errno("setrlimit", what);
    return ChildStatus::Ok();
  };
  if (plan.rlimit_data > 0) CORDON_CHILD_TRY(lower(RLIMIT_DATA, plan.rlimit_data, "RLIMIT_DATA"));
  if (plan.rlimit_nproc > 0) {
    CORDON_CHILD_TRY(lower(RLIMIT_NPROC, plan.rlimit_nproc, "RLIMIT_NPROC"));
  }
  return ChildStatus::Ok();
}

void Account(const Plan& plan, const cgroup::Usage& usage, bool oom_ended, int64_t tmp_used,
             int64_t tmp_free, RunStats* stats) {
  using Limit = policy::LimitKind;
  stats->peak_memory_bytes = usage.memory_peak;
  stats->peak_processes = usage.pids_peak;
  stats->cpu_throttled_us = usage.cpu_throttled_us;
  stats->tmp_used_bytes = tmp_used;
  const policy::Limits& v = plan.values;
  if (usage.oom_kills > 0 || oom_ended) {
    std::string effect = usage.oom_kills > 0
                             ? "the kernel's OOM killer ended " + std::to_string(usage.oom_kills) +
                                   " process" + (usage.oom_kills == 1 ? "" : "es")
                             : std::string("it ran out of memory");
    if (oom_ended) effect += "; cordon ended the whole run";
    stats->limit_hits.push_back({Limit::kMemory, v.memory_bytes, usage.memory_peak, effect});
  }
  if (usage.pids_max_events > 0) {
    stats->limit_hits.push_back({Limit::kPids, v.pids, usage.pids_peak,
                                 std::to_string(usage.pids_max_events) + " fork" +
                                     (usage.pids_max_events == 1 ? "" : "s") +
                                     " failed with EAGAIN"});
  }
  if (usage.cpu_throttled_us > 0) {
    stats->limit_hits.push_back(
        {Limit::kCpus, v.cpu_millis, -1,
         "held back for " + std::to_string(usage.cpu_throttled_us / 1000) + " ms in all"});
  }
  // A tmpfs left with less than a MiB free was filled: a write got ENOSPC.
  constexpr int64_t kFull = 1 << 20;
  if (plan.tmp_bytes > 0 && tmp_free >= 0 && tmp_free < kFull) {
    stats->limit_hits.push_back(
        {Limit::kTmp, plan.tmp_bytes, tmp_used, "writes to /tmp or /dev/shm failed with ENOSPC"});
  }
}

}  // namespace limits

LimitSupport ProbeLimits(Tier tier) { return limits::Support(tier, cgroup::Probe()); }

}  // namespace cordon::sandbox
