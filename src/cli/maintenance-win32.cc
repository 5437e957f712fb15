// setup, uninstall and doctor on Windows (see maintenance-win32.h).
#include "cli/maintenance-win32.h"

#include <windows.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "cli/doctor_live-win32.h"
#include "cli/policy-win32.h"
#include "cli/run_online-win32.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/confinement_probe-win32.h"
#include "sandbox/windows/loopback_exemption-win32.h"
#include "sandbox/windows/online_record.h"
#include "sandbox/windows/process_token-win32.h"
#include "sandbox/windows/profile_facts-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/uninstall-win32.h"
#include "sandbox/windows/wfp-win32.h"
#include "sandbox/windows/wfp_plan.h"
#include "sandbox/windows/win_error-win32.h"
#include "vault/store.h"

namespace cordon::cli {
namespace {

namespace appcontainer = sandbox::appcontainer;
namespace windows = sandbox::windows;
using sandbox::confinement_probe::Check;

void Print(const std::string& line) {
  const std::string text = ForTerminal(line) + "\n";
  std::fwrite(text.data(), 1, text.size(), stdout);
}

// The host facts, or nullopt after saying why.
std::optional<policy::HostFacts> Host() {
  Result<policy::HostFacts> host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return std::nullopt;
  }
  return host.value();
}

bool EngineAnswers() {
  for (const Check& c : sandbox::confinement_probe::Missing(true)) {
    if (c.name == sandbox::confinement_probe::kFilteringEngine) return false;
  }
  return true;
}

// The roots the journal granted (its allow entries): the workspace trees
// uninstall scans.
std::vector<std::string> GrantedRoots(const std::vector<windows::AceEntry>& entries) {
  std::set<std::string> seen;
  std::vector<std::string> roots;
  for (const windows::AceEntry& e : entries) {
    if (e.type == windows::AceType::kAllow && seen.insert(e.path).second) roots.push_back(e.path);
  }
  return roots;
}

// The places no grant may touch, read back: no ACE on the profile root,
// ~/.ssh, a file OpenSSH's config names or a hive names a cordon SID (its
// profiles', or any the journal knows). The original's ACEs on ~/.ssh made
// OpenSSH refuse keys; this is that failure, looked for on this machine.
Check ProtectedPlacesAreClean(const std::string& journal) {
  Check check{"no cordon ACE on the profile, ~/.ssh, OpenSSH's files or the hives", false, {}};
  Result<windows::ProfileFacts> facts = windows::GatherProfileFacts();
  if (!facts.ok()) {
    check.detail = facts.error().Describe();
    return check;
  }
  std::vector<std::string> places = {facts.value().profile_dir};
  for (const auto* list : {&facts.value().ssh_paths, &facts.value().hive_files}) {
    places.insert(places.end(), list->begin(), list->end());
  }
  Result<windows::UninstallReport> found = windows::CordonAcesOn(places, journal);
  if (!found.ok()) {
    check.detail = found.error().Describe();
    return check;
  }
  for (const windows::RemainingAce& ace : found.value().remaining) {
    check.detail += (check.detail.empty() ? "" : "; ") + ace.Describe();
  }
  for (const std::string& u : found.value().unreadable) {
    check.detail += (check.detail.empty() ? "not read: " : "; not read: ") + u;
  }
  if (!check.detail.empty()) {
    check.detail += " (`cordon uninstall` removes what cordon journaled)";
    return check;
  }
  check.ok = true;
  check.detail = std::to_string(found.value().scanned) + " of " + std::to_string(places.size()) +
                 " places exist and were read; none names a cordon SID";
  return check;
}

// The online identity's plan for `record` (wfp_plan.h), or an Error.
Result<windows::wfp::Plan> OnlinePlan(const windows::OnlineRecord& record) {
  Result<std::string> sid = windows::AppContainerSidFromName(appcontainer::kOnlineProfile);
  if (!sid.ok()) return sid.error();
  return windows::wfp::PlanOnline(sid.value(), record.address, record.first_port, record.last_port);
}

// The first port of the range setup installs for: --proxy-port, else the
// one recorded by an earlier setup, else the default (an older cordon's
// single-port record does not read: the default). An Error for a bad flag.
Result<uint16_t> ChosenPort(const std::vector<std::string>& args, const std::string& record_path) {
  std::optional<std::string> value;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "--proxy-port" && i + 1 < args.size() && !value) {
      value = args[++i];
    } else if (args[i].starts_with("--proxy-port=") && !value) {
      value = args[i].substr(13);
    } else {
      return PlainError("setup", args[i], "unexpected argument (setup takes --proxy-port PORT)");
    }
  }
  if (value) return windows::ParseProxyPort(*value);
  Result<std::optional<windows::OnlineRecord>> record = ReadOnlineRecord(record_path);
  if (record.ok() && record.value()) return record.value()->first_port;
  return windows::kDefaultProxyPort;
}

// The elevated half of setup: cordon's WFP objects for the port (with read
// access for the user) and the loopback exemption, then the record, last,
// so that a record means both are in place. Each failure names its step.
int SetUpOnline(const policy::HostFacts& host, uint16_t first_port) {
  Result<windows::OnlineRecord> from = windows::RecordFrom(first_port);
  if (!from.ok()) {
    Say(from.error());
    return kExitSetupError;
  }
  const windows::OnlineRecord& record = from.value();
  Result<windows::wfp::Plan> plan = OnlinePlan(record);
  if (!plan.ok()) {
    Say(plan.error());
    return kExitSetupError;
  }
  Result<std::string> user = windows::CurrentUserSid();
  if (!user.ok()) {
    Say(user.error());
    return kExitSetupError;
  }
  Result<std::string> online_sid = windows::AppContainerSidFromName(appcontainer::kOnlineProfile);
  if (!online_sid.ok()) {
    Say(online_sid.error());
    return kExitSetupError;
  }
  if (Status s = windows::wfp::Install(plan.value(), user.value()); !s.ok()) {
    Say("setup: step \"network filters\" (WFP) failed; the online identity is not set up:");
    Say(s.error());
    return kExitSetupError;
  }
  Print("network filters: " + std::to_string(plan.value().filters.size()) + " WFP filters for " +
        appcontainer::kOnlineProfile + " permitting only " + record.RangeText() +
        ", read back; readable by " + user.value());
  if (Status s = windows::loopback::Add(online_sid.value()); !s.ok()) {
    Say("setup: step \"loopback exemption\" failed; the online identity is not set up:");
    Say(s.error());
    return kExitSetupError;
  }
  Print(std::string("loopback exemption: ") + appcontainer::kOnlineProfile + " (" +
        online_sid.value() + ") may reach loopback, where the filters admit only the proxy");
  const std::string path = OnlineRecordPath(host);
  if (!CreateDirectoryW(sandbox::Widen(StateDir(host)).c_str(), nullptr) &&
      GetLastError() != ERROR_ALREADY_EXISTS) {
    Say(sandbox::WinError("CreateDirectoryW", StateDir(host), GetLastError()));
    return kExitSetupError;
  }
  if (Status s = WriteOnlineRecord(path, record); !s.ok()) {
    Say(s.error());
    return kExitSetupError;
  }
  Print("the online identity is ready: --net proxy runs reach cordon's proxy on 127.0.0.1:" +
        std::to_string(record.first_port) + "-" + std::to_string(record.last_port) +
        ", one port per concurrent run (recorded in " + path + ")");
  return 0;
}

// doctor's checks of the online identity: the record, the filters by key
// (what a run reads), the full enumeration where this process may
// enumerate (elevated), the loopback exemption.
std::vector<Check> OnlineChecks(const policy::HostFacts& host) {
  const std::string path = OnlineRecordPath(host);
  Result<std::optional<windows::OnlineRecord>> record = ReadOnlineRecord(path);
  if (!record.ok()) return {{"online identity: record", false, record.error().Describe()}};
  if (!record.value()) {
    return {{"online identity", false,
             "not set up (no " + path +
                 "): --net proxy is refused; `cordon setup` from an elevated prompt sets it up"}};
  }
  const windows::OnlineRecord& r = *record.value();
  std::vector<Check> checks;
  checks.push_back({"online identity: record", true, "cordon's proxy on " + r.RangeText()});
  Result<windows::wfp::Plan> plan = OnlinePlan(r);
  if (!plan.ok()) {
    checks.push_back({"online identity: WFP filters", false, plan.error().Describe()});
    return checks;
  }
  const Status by_key = windows::wfp::VerifyByKey(plan.value());
  checks.push_back({"online identity: WFP filters read by key", by_key.ok(),
                    by_key.ok()
                        ? "provider, sublayer and " + std::to_string(plan.value().filters.size()) +
                              " filters as setup installed them"
                        : by_key.error().Describe()});
  Result<bool> elevated = windows::IsElevated();
  if (elevated.ok() && elevated.value()) {
    const Status all = windows::wfp::Verify(plan.value());
    checks.push_back({"online identity: WFP filters, all of cordon's provider and sublayer",
                      all.ok(),
                      all.ok() ? "exactly the plan, nothing extra" : all.error().Describe()});
  } else {
    checks.push_back({"online identity: WFP filters, all of cordon's provider and sublayer", true,
                      "not enumerated: that needs an elevated prompt (an extra filter in cordon's "
                      "sublayer is seen only there)"});
  }
  Result<std::string> sid = windows::AppContainerSidFromName(appcontainer::kOnlineProfile);
  const Status exempt =
      sid.ok() ? windows::loopback::CheckExempt(sid.value()) : Status(sid.error());
  checks.push_back({"online identity: loopback exemption", exempt.ok(),
                    exempt.ok() ? "cordon.online may reach loopback" : exempt.error().Describe()});
  return checks;
}

}  // namespace

std::string StateDir(const policy::HostFacts& host) { return host.xdg_state_home + "\\cordon"; }

std::string JournalPath(const policy::HostFacts& host) { return StateDir(host) + "\\ace-journal"; }

std::string QuarantineRoot(const policy::HostFacts& host) {
  return StateDir(host) + "\\quarantine";
}

int SetupOnWindows(const std::vector<std::string>& args) {
  // The vault first: it needs no identity, so a host that cannot confine
  // still gets a working `cordon secret` (as on Linux, where setup makes
  // the key whatever the kernel offers).
  const std::optional<policy::HostFacts> host = Host();
  if (!host) return kExitSetupError;
  Result<uint16_t> port = ChosenPort(args, OnlineRecordPath(*host));
  if (!port.ok()) {
    Say(port.error());
    return kExitSetupError;
  }
  auto id = vault::Identity::FromHost();
  auto key = id.ok() ? vault::EnsureKey(vault::Paths::ForState(StateDir(*host)), id.value())
                     : Result<bool>(id.error());
  if (!key.ok()) {
    Say(key.error());
    return kExitSetupError;
  }
  Print(std::string("vault key ") + (key.value() ? "created: " : "exists, kept: ") +
        vault::Paths::ForState(StateDir(*host)).key);
  const std::vector<Check> missing = sandbox::confinement_probe::Missing(true);
  if (!missing.empty()) {
    std::string text = "setup: the Windows identities cannot be made on this host:";
    for (const Check& c : missing) text += "\n  missing: " + c.name + ": " + c.detail;
    Say(text);
    return kExitSetupError;
  }
  for (const char* profile : {appcontainer::kOfflineProfile, appcontainer::kOnlineProfile}) {
    Result<std::string> sid = windows::AppContainerSidFromName(profile);
    if (!sid.ok()) {
      Say(sid.error());
      return kExitSetupError;
    }
    const appcontainer::Identity identity{profile, sid.value(), {}, {}};
    if (Status s = appcontainer::EnsureProfile(identity); !s.ok()) {
      Say(s.error());
      return kExitSetupError;
    }
    Print(std::string("profile ") + profile + ": " + sid.value());
  }
  Print("the offline identity is ready (--net off)");
  // The online identity's two machine-wide steps need an administrator;
  // without one nothing is installed and nothing weaker is offered.
  Result<bool> elevated = windows::IsElevated();
  if (!elevated.ok()) {
    Say(elevated.error());
    return kExitSetupError;
  }
  if (!elevated.value()) {
    Say("setup: the online identity (--net proxy) is not set up: its two steps need an "
        "administrator: \"network filters\" (installing cordon's WFP filters, which admit "
        "cordon.online to cordon's proxy on 127.0.0.1:" +
        std::to_string(port.value()) +
        " only) and \"loopback exemption\" (NetworkIsolationSetAppContainerConfig for "
        "cordon.online). Nothing was installed; --net proxy stays refused.");
    Say("  hint: run `cordon setup` from an elevated prompt (once; runs never need it)");
    return kExitSetupError;
  }
  return SetUpOnline(*host, port.value());
}

int UninstallOnWindows() {
  const std::optional<policy::HostFacts> host = Host();
  if (!host) return kExitSetupError;
  const std::string journal = JournalPath(*host);
  Result<std::vector<windows::AceEntry>> entries = sandbox::acl_apply::ReadJournal(journal);
  if (!entries.ok()) {
    Say(entries.error());
    return kExitSetupError;
  }
  Result<windows::UninstallReport> report =
      windows::UninstallAces(journal, GrantedRoots(entries.value()));
  if (!report.ok()) {
    Say(report.error());
    return kExitSetupError;
  }
  const windows::UninstallReport& r = report.value();
  Print("ACEs: " + std::to_string(r.removed) + " removed, " + std::to_string(r.already_gone) +
        " already gone, " + std::to_string(r.path_gone) + " on paths that no longer exist");
  bool clean = r.clean();
  for (const char* profile : {appcontainer::kOfflineProfile, appcontainer::kOnlineProfile}) {
    if (Status s = appcontainer::RemoveProfile(profile); !s.ok()) {
      Say(s.error());
      clean = false;
    } else {
      Print(std::string("profile ") + profile + ": removed (or there was none)");
    }
  }
  // The loopback exemption (a host without the list has none), then the
  // filtering engine's objects under cordon's provider (none unless an
  // elevated setup installed them; a host without the engine has none),
  // then the record that pointed at them.
  if (windows::loopback::Supported()) {
    Result<std::string> sid = windows::AppContainerSidFromName(appcontainer::kOnlineProfile);
    const Status s = sid.ok() ? windows::loopback::Remove(sid.value()) : Status(sid.error());
    if (!s.ok()) {
      Say(s.error());
      clean = false;
    } else {
      Print("loopback exemption: cordon.online is not on the list");
    }
  }
  if (EngineAnswers()) {
    if (Status s = windows::wfp::Remove(); !s.ok()) {
      Say(s.error());
      clean = false;
    } else {
      Print("WFP: no filter, sublayer or provider of cordon's is left");
    }
  }
  if (Status s = DeleteOnlineRecord(OnlineRecordPath(*host)); !s.ok()) {
    Say(s.error());
    clean = false;
  }
  Print("scanned " + std::to_string(r.scanned) + " paths for " +
        std::to_string(r.cordon_sids.size()) + " cordon SIDs");
  for (const windows::RemainingAce& ace : r.remaining) Print("left: " + ace.Describe());
  for (const std::string& u : r.unreadable) Print("not read: " + u);
  if (r.scan_truncated) Print("the scan stopped at its bound: not everything was read");
  if (!clean) {
    Say("uninstall: something of cordon's is left (listed above)");
    return 1;
  }
  if (!DeleteFileW(sandbox::Widen(journal).c_str()) && GetLastError() != ERROR_FILE_NOT_FOUND) {
    Say(sandbox::WinError("DeleteFileW", journal, GetLastError()));
    return 1;
  }
  Print("nothing of cordon's is left on the scanned paths");
  return 0;
}

int DoctorOnWindows() {
  int failed = 0;
  std::vector<Check> checks = sandbox::confinement_probe::Probe();
  const bool can_confine =
      std::all_of(checks.begin(), checks.end(), [](const Check& c) { return c.ok; });
  if (const std::optional<policy::HostFacts> host = Host()) {
    checks.push_back(ProtectedPlacesAreClean(JournalPath(*host)));
    for (Check& online : OnlineChecks(*host)) checks.push_back(std::move(online));
  }
  if (can_confine) {
    for (Check& live : LiveChecks()) checks.push_back(std::move(live));
  } else {
    checks.push_back({"live checks", false, "not run: this host cannot confine a command (above)"});
  }
  for (const Check& check : checks) {
    std::printf("%-4s %s: %s\n", check.ok ? "ok" : "NO", check.name.c_str(),
                ForTerminal(check.detail).c_str());
    failed += check.ok ? 0 : 1;
  }
  std::printf("%s\n", failed == 0 ? "cordon can confine commands here"
                                  : "cordon cannot confine commands here: `cordon run` refuses");
  return failed == 0 ? 0 : 1;
}

}  // namespace cordon::cli
