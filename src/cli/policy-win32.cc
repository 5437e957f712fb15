// The policy half of cordon.exe (see policy-win32.h). The flags are parsed
// by hand over policy::PolicyFlags() rather than by cli/flags.cc, which
// also parses `cordon log` and needs src/telemetry (not in the Windows build
// yet); every value still goes through policy::AddFlag, so a flag means and
// checks the same on both platforms. The text and JSON are policy/render.h's,
// as `cordon policy show` prints them on Linux (src/cli/policy_show.cc);
// only the tier differs: no limit is enforced and runs are refused.
#include "cli/policy-win32.h"

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <string_view>

#include "cli/run_broker.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "policy/env.h"
#include "policy/render.h"

namespace cordon::cli {
namespace {

const policy::PolicyFlag* FindFlag(std::string_view name) {
  for (const policy::PolicyFlag& flag : policy::PolicyFlags()) {
    if (name == flag.name) return &flag;
  }
  return nullptr;
}

void WarnSkipped(const policy::Policy& policy) {
  for (const policy::SkippedPath& sk : policy.skipped) {
    Say("warning: " + sk.origin.Describe() + ": " + sk.key + ": " + sk.path + " " + sk.reason +
        "; skipped (cordon policy show lists what is skipped)");
  }
}

}  // namespace

void Say(const std::string& text) {
  const std::string line = "cordon: " + ForTerminal(text) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void Say(const Error& e) {
  const std::string text = ErrorForTerminal(e);
  std::fwrite(text.data(), 1, text.size(), stderr);
}

Status ParsePolicyFlags(const std::vector<std::string>& args, size_t* next,
                        policy::Overrides* overrides) {
  while (*next < args.size()) {
    const std::string& arg = args[*next];
    if (arg == "--") {
      ++*next;
      return {};
    }
    if (!arg.starts_with("--")) return {};
    const size_t eq = arg.find('=');
    const std::string name = arg.substr(0, eq);
    const policy::PolicyFlag* flag = FindFlag(name);
    if (flag == nullptr) {
      Error e = PlainError(name, "", "unknown option");
      e.hint = "`cordon --help` lists the options";
      return e;
    }
    std::string value;
    if (flag->arity == policy::PolicyFlag::Arity::kSwitch) {
      if (eq != std::string::npos) return PlainError(name, "", "takes no value");
    } else if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (*next + 1 < args.size()) {
      value = args[++*next];
    } else {
      return PlainError(name, "", std::string("expects a value: ") + flag->type_name);
    }
    ++*next;
    CORDON_RETURN_IF_ERROR(policy::AddFlag(overrides, name, value));
  }
  return {};
}

std::optional<ResolvedPolicy> ResolveOrReport(const policy::Overrides& overrides) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return std::nullopt;
  }
  auto resolved = policy::Resolve(overrides, host.value());
  if (!resolved.ok()) {
    Say(resolved.error());
    return std::nullopt;
  }
  WarnSkipped(resolved.value());
  std::string always = AlwaysConfigPath(overrides, host.value());
  return ResolvedPolicy{std::move(host).value(), std::move(resolved).value(), std::move(always)};
}

int PolicyShow(const std::vector<std::string>& args, const std::string& tier_name,
               const std::string& tier_reason) {
  bool json = false;
  bool verbose = false;
  policy::Overrides overrides;
  size_t next = 0;
  while (next < args.size()) {
    if (args[next] == "--json") {
      json = true;
      ++next;
    } else if (args[next] == "-v" || args[next] == "--verbose") {
      verbose = true;
      ++next;
    } else {
      const size_t before = next;
      if (Status s = ParsePolicyFlags(args, &next, &overrides); !s.ok()) {
        Say(s.error());
        return kExitSetupError;
      }
      if (next == before) {
        Say("policy show: unexpected argument `" + args[next] + "`");
        return kExitSetupError;
      }
    }
  }
  std::optional<ResolvedPolicy> resolved = ResolveOrReport(overrides);
  if (!resolved) return kExitSetupError;
  const policy::Policy& policy = resolved->policy;
  const std::vector<policy::ScrubbedVariable> scrubbed =
      policy::ScrubbedVariables(policy, _environ);
  std::string out;
  if (json) {
    auto j = nlohmann::ordered_json::parse(policy::RenderJson(policy));
    auto& list = j["env"]["scrubbed"] = nlohmann::ordered_json::array();
    for (const auto& v : scrubbed) list.push_back({{"name", v.name}, {"reason", v.reason}});
    j["tier"] = {{"name", tier_name},
                 {"reason", tier_reason},
                 {"not_enforced", nlohmann::ordered_json::array()}};
    out = j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n";
  } else {
    out = policy::RenderText(policy, verbose, nullptr);
    out += "\nScrubbed from this environment: " + std::to_string(scrubbed.size()) + " variable" +
           (scrubbed.size() == 1 ? "" : "s");
    out += verbose || scrubbed.empty() ? "\n" : " (-v lists them)\n";
    if (verbose) {
      for (const auto& v : scrubbed) {
        std::string name = "  " + v.name;
        if (name.size() < 44) name.resize(44, ' ');
        out += name + "  " + v.reason + "\n";
      }
    }
    out += "\ntier       " + tier_name + " (" + tier_reason + ")\n";
  }
  std::fputs(out.c_str(), stdout);
  return 0;
}

}  // namespace cordon::cli
