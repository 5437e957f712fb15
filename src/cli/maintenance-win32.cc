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
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/confinement_probe-win32.h"
#include "sandbox/windows/profile_facts-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/uninstall-win32.h"
#include "sandbox/windows/wfp-win32.h"
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

}  // namespace

std::string StateDir(const policy::HostFacts& host) { return host.xdg_state_home + "\\cordon"; }

std::string JournalPath(const policy::HostFacts& host) { return StateDir(host) + "\\ace-journal"; }

std::string QuarantineRoot(const policy::HostFacts& host) {
  return StateDir(host) + "\\quarantine";
}

int SetupOnWindows() {
  // The vault first: it needs no identity, so a host that cannot confine
  // still gets a working `cordon secret` (as on Linux, where setup makes
  // the key whatever the kernel offers).
  const std::optional<policy::HostFacts> host = Host();
  if (!host) return kExitSetupError;
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
  Print(
      "the offline identity is ready; the online identity's network filters and proxy are "
      "not built for Windows yet, so --net proxy and --net full are refused");
  return 0;
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
  // The filtering engine's objects under cordon's provider (none unless an
  // elevated setup installed them); a host without the engine has none.
  if (EngineAnswers()) {
    if (Status s = windows::wfp::Remove(); !s.ok()) {
      Say(s.error());
      clean = false;
    } else {
      Print("WFP: no filter, sublayer or provider of cordon's is left");
    }
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
