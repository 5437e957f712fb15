// `cordon policy show [--json] [-v]`: the resolved policy, where each rule
// came from, the variables of this environment that a run would scrub (names
// and reasons, never values), and the confinement tier a run gets here.
#include <unistd.h>

#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli/commands.h"
#include "common/outcome.h"
#include "policy/env.h"
#include "policy/loader.h"
#include "policy/render.h"
#include "sandbox/backend.h"

namespace cordon::cli {
namespace {

struct TierInfo {
  std::string name;    // a TierName, or "refused"
  std::string reason;  // why not namespaces; empty otherwise
  std::vector<std::string> not_enforced;
};

// Probes (backend.h, ProbeTier) what `cordon run` would get here.
TierInfo DetectTier(const policy::Policy& p) {
  if (p.mode == policy::Mode::kFullAccess) {
    return {sandbox::TierName(sandbox::Tier::kUnconfined),
            "mode full-access",
            {"everything: the command runs unconfined"}};
  }
  sandbox::TierProbe probe = sandbox::ProbeTier();
  if (probe.tier == sandbox::Tier::kNamespaces) return {sandbox::TierName(probe.tier), "", {}};
  if (p.require_namespaces) {
    return {"refused", probe.reason + "; require_namespaces is set, so runs are refused", {}};
  }
  return {sandbox::TierName(probe.tier), probe.reason, sandbox::NamespacelessLimits()};
}

}  // namespace

int PolicyShowCommand(const PolicyShowArgs& command) {
  std::optional<Resolved> resolved = ResolveOrReport(command.overrides);
  if (!resolved) return kExitSetupError;
  const policy::Policy& policy = resolved->policy;
  TierInfo tier = DetectTier(policy);
  std::vector<policy::ScrubbedVariable> scrubbed = policy::ScrubbedVariables(policy, environ);
  std::string out;
  if (command.json) {
    auto j = nlohmann::ordered_json::parse(policy::RenderJson(policy));
    auto& list = j["env"]["scrubbed"] = nlohmann::ordered_json::array();
    for (const auto& v : scrubbed) list.push_back({{"name", v.name}, {"reason", v.reason}});
    j["tier"] = {{"name", tier.name}, {"reason", tier.reason}, {"not_enforced", tier.not_enforced}};
    out = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  } else {
    out = policy::RenderText(policy, command.verbose);
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
