// `cordon policy show [--json] [-v]`: the resolved policy, where each rule
// came from, the variables of this environment that a run would scrub (names
// and reasons, never values), the confinement tier a run gets here, and how
// each resource limit is enforced in that tier (backend.h, ProbeLimits).
#include <unistd.h>

#include <array>
#include <cstdio>
#include <nlohmann/json.hpp>
#include <optional>

#include "cli/commands.h"
#include "cli/limit_report.h"
#include "common/outcome.h"
#include "policy/env.h"
#include "policy/limits.h"
#include "policy/loader.h"
#include "policy/render.h"
#include "sandbox/backend.h"

namespace cordon::cli {
namespace {

struct TierInfo {
  std::optional<sandbox::Tier> tier;  // none: runs are refused
  std::string name;                   // a TierName, or "refused"
  std::string reason;                 // why not namespaces; empty otherwise
  std::vector<std::string> not_enforced;
};

// Probes (backend.h, ProbeTier) what `cordon run` would get here.
TierInfo DetectTier(const policy::Policy& p) {
  if (p.mode == policy::Mode::kFullAccess) {
    return {sandbox::Tier::kUnconfined,
            sandbox::TierName(sandbox::Tier::kUnconfined),
            "mode full-access",
            {"everything: the command runs unconfined"}};
  }
  sandbox::TierProbe probe = sandbox::ProbeTier();
  if (probe.tier == sandbox::Tier::kNamespaces) {
    return {probe.tier, sandbox::TierName(probe.tier), "", {}};
  }
  if (p.require_namespaces) {
    return {std::nullopt,
            "refused",
            probe.reason + "; require_namespaces is set, so runs are refused",
            {}};
  }
  return {probe.tier, sandbox::TierName(probe.tier), probe.reason, sandbox::NamespacelessLimits()};
}

// How one limit is enforced, as a JSON kind.
const char* EnforcementKind(const sandbox::LimitEnforcement& e) {
  using Kind = sandbox::LimitEnforcement::Kind;
  switch (e.kind) {
    case Kind::kWholeRun:
      return "whole-run";
    case Kind::kPerProcess:
      return "per-process";
    case Kind::kNone:
      break;
  }
  return "none";
}

// The backend's answer for each limit, in LimitKind order; none when runs
// are refused here.
std::optional<std::array<sandbox::LimitEnforcement, 4>> Enforcement(const TierInfo& tier) {
  if (!tier.tier) return std::nullopt;
  sandbox::LimitSupport s = sandbox::ProbeLimits(*tier.tier);
  std::array<sandbox::LimitEnforcement, 4> out;
  out[policy::Index(policy::LimitKind::kMemory)] = s.memory;
  out[policy::Index(policy::LimitKind::kPids)] = s.pids;
  out[policy::Index(policy::LimitKind::kCpus)] = s.cpus;
  out[policy::Index(policy::LimitKind::kTmp)] = s.tmp;
  return out;
}

}  // namespace

int PolicyShowCommand(const PolicyShowArgs& command) {
  std::optional<Resolved> resolved = ResolveOrReport(command.overrides);
  if (!resolved) return kExitSetupError;
  const policy::Policy& policy = resolved->policy;
  TierInfo tier = DetectTier(policy);
  const auto enforcement = Enforcement(tier);
  std::vector<policy::ScrubbedVariable> scrubbed = policy::ScrubbedVariables(policy, environ);
  std::string out;
  if (command.json) {
    auto j = nlohmann::ordered_json::parse(policy::RenderJson(policy));
    auto& list = j["env"]["scrubbed"] = nlohmann::ordered_json::array();
    for (const auto& v : scrubbed) list.push_back({{"name", v.name}, {"reason", v.reason}});
    if (enforcement) {
      for (const policy::LimitSpec& spec : policy::kLimitSpecs) {
        const sandbox::LimitEnforcement& e = (*enforcement)[policy::Index(spec.kind)];
        j["limits"][spec.key]["enforced"] = {
            {"kind", EnforcementKind(e)}, {"how", e.how}, {"remedy", e.remedy}};
      }
    }
    j["tier"] = {{"name", tier.name}, {"reason", tier.reason}, {"not_enforced", tier.not_enforced}};
    out = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  } else {
    policy::LimitEnforcementText how;
    if (enforcement) {
      for (size_t i = 0; i < how.size(); ++i) how[i] = DescribeEnforcement((*enforcement)[i]);
    }
    out = policy::RenderText(policy, command.verbose, enforcement ? &how : nullptr);
    out += "\nScrubbed from this environment: " + std::to_string(scrubbed.size()) + " variable" +
           (scrubbed.size() == 1 ? "" : "s");
    out += command.verbose || scrubbed.empty() ? "\n" : " (-v lists them)\n";
    if (command.verbose) {
      for (const auto& v : scrubbed) {
        std::string name = "  " + v.name;
        if (name.size() < 44) name.resize(44, ' ');
        out += name + "  " + v.reason + "\n";
      }
    }
    out += "\ntier       " + tier.name;
    if (!tier.reason.empty()) out += " (" + tier.reason + ")";
    out += "\n";
    if (!tier.not_enforced.empty()) out += "           not enforced in this tier:\n";
    for (const auto& line : tier.not_enforced) out += "           - " + line + "\n";
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace cordon::cli
