// `cordon setup [--json]`: probe the kernel, print what cordon can enforce
// here with remedies, create cordon's state directories and the vault key.
// Idempotent; writes nothing outside $XDG_STATE_HOME/cordon (and its missing
// parents).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "cli/commands.h"
#include "cli/limit_report.h"
#include "cli/state_dirs.h"
#include "sandbox/backend.h"
#include "sandbox/linux/kernel_probe.h"
#include "vault/store.h"

namespace cordon::cli {

namespace kernel_probe = sandbox::kernel_probe;

namespace {

void PrintTable(const kernel_probe::Report& report) {
  std::printf("cordon setup: what this kernel lets cordon enforce\n\n");
  std::printf("  %-50s %-8s %s\n", "FEATURE", "STATUS", "DETAIL");
  for (const auto& c : report.checks) {
    std::printf("  %-50s %-8s %s\n", c.name.c_str(), kernel_probe::StatusName(c.status),
                c.detail.c_str());
    if (!c.remedy.empty()) std::printf("  %-50s %-8s remedy: %s\n", "", "", c.remedy.c_str());
  }
  std::printf("\nLandlock ABI levels (this kernel: %d):\n", report.landlock_abi);
  int level = 1;
  for (const std::string& f : kernel_probe::LandlockAbiFeatures()) {
    std::printf("  %s %s\n", level <= report.landlock_abi ? "[x]" : "[ ]", f.c_str());
    ++level;
  }
}

// Each limit and how this host enforces it for the tier runs get.
std::vector<std::pair<const char*, sandbox::LimitEnforcement>> LimitRows(
    const sandbox::LimitSupport& s) {
  return {{"memory", s.memory}, {"pids", s.pids}, {"cpus", s.cpus}, {"tmp", s.tmp}};
}

}  // namespace

int SetupCommand(const MaintenanceArgs& command) {
  kernel_probe::Report report = kernel_probe::ProbeKernel();
  const sandbox::LimitSupport support = sandbox::ProbeLimits(report.tier);

  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    std::fprintf(stderr, "cordon: %s\n", host.error().Describe().c_str());
    return 1;
  }
  StateDirs dirs = StateDirs::For(host.value());
  std::vector<std::string> created;
  Status made = CreateStateDirs(dirs, &created);
  bool key_created = false;
  if (made.ok()) {
    auto id = vault::Identity::FromHost();
    auto key = id.ok() ? vault::EnsureKey(vault::Paths::ForState(dirs.state), id.value())
                       : Result<bool>(id.error());
    if (!key.ok()) {
      made = key.error();
    } else if (key.value()) {
      key_created = true;
      created.push_back(vault::Paths::ForState(dirs.state).key);
    }
  }

  if (command.json) {
    nlohmann::ordered_json j;
    j["can_confine"] = report.CanConfine();
    j["landlock_abi"] = report.landlock_abi;
    j["tier"] = sandbox::TierName(report.tier);
    nlohmann::ordered_json checks = nlohmann::ordered_json::array();
    for (const auto& c : report.checks) {
      checks.push_back({{"name", c.name},
                        {"status", kernel_probe::StatusName(c.status)},
                        {"required", c.required},
                        {"detail", c.detail},
                        {"remedy", c.remedy}});
    }
    j["checks"] = std::move(checks);
    nlohmann::ordered_json limits;
    for (const auto& [name, e] : LimitRows(support)) {
      limits[name] = {{"enforced", e.kind != sandbox::LimitEnforcement::Kind::kNone},
                      {"whole_run", e.kind == sandbox::LimitEnforcement::Kind::kWholeRun},
                      {"how", e.how},
                      {"remedy", e.remedy}};
    }
    limits["cgroup_missing"] = support.cgroup_missing;
    limits["cgroup_remedy"] = support.cgroup_remedy;
    j["limits"] = std::move(limits);
    j["state_dir"] = dirs.state;
    j["vault_key"] = vault::Paths::ForState(dirs.state).key;
    j["created"] = created;
    j["error"] = made.ok() ? std::string() : made.error().Describe();
    std::fputs(
        (j.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) + "\n").c_str(),
        stdout);
  } else {
    PrintTable(report);
    std::printf("\nResource limits (docs/limits.md):\n");
    for (const auto& [name, e] : LimitRows(support)) {
      const char* mark = e.kind == sandbox::LimitEnforcement::Kind::kWholeRun     ? "[x]"
                         : e.kind == sandbox::LimitEnforcement::Kind::kPerProcess ? "[~]"
                                                                                  : "[ ]";
      std::printf("  %s %-7s %s\n", mark, name, DescribeEnforcement(e).c_str());
    }
    if (!support.cgroup_remedy.empty()) {
      std::printf("  For limits on the whole run: %s\n", support.cgroup_remedy.c_str());
    }
    std::printf("\nState: %s (%s)\n", dirs.state.c_str(),
                created.empty() ? "already set up" : "created");
    for (const std::string& c : created) std::printf("  created %s\n", c.c_str());
    if (made.ok() && !key_created) std::printf("  vault key exists, kept\n");
    std::printf("\n%s\n", report.CanConfine()
                              ? ("cordon can confine commands here, in the " +
                                 std::string(sandbox::TierName(report.tier)) +
                                 " tier. 'cordon doctor' verifies it live.")
                                    .c_str()
                              : "cordon run will refuse here until the missing features above are "
                                "available (or runs with --allow-degraded, which says what it "
                                "does not enforce).");
  }
  if (!made.ok()) {
    std::fprintf(stderr, "cordon: %s\n", made.error().Describe().c_str());
    return 1;
  }
  return report.CanConfine() ? 0 : 1;
}

}  // namespace cordon::cli
