// The file system half of uninstall (see uninstall-win32.h).
#include "sandbox/windows/uninstall-win32.h"

#include <windows.h>
// (after windows.h, which it needs)
#include <aclapi.h>

#include <algorithm>
#include <set>
#include <utility>

#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/profile_facts-win32.h"
#include "sandbox/windows/security_descriptor-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows {
namespace {

namespace sd = security_descriptor;

struct Scan {
  std::set<std::string> sids;
  std::set<std::string> seen;  // comparison keys of the paths read
  UninstallReport* report;
};

// Reads one path's DACL and records each ACE naming a cordon SID.
void ScanPath(Scan& scan, const std::string& path) {
  Result<NormalPath> key = Normalize(path);
  if (!scan.seen.insert(key.ok() ? key.value().key : path).second) return;
  PSECURITY_DESCRIPTOR raw = nullptr;
  const DWORD rc =
      GetNamedSecurityInfoW(Widen(path).c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                            nullptr, nullptr, nullptr, &raw);
  if (rc == ERROR_FILE_NOT_FOUND || rc == ERROR_PATH_NOT_FOUND) return;
  if (rc != ERROR_SUCCESS) {
    scan.report->unreadable.push_back(path + ": " +
                                      WinError("GetNamedSecurityInfoW(DACL)", path, rc).Describe());
    return;
  }
  const sd::Owned owned(raw);
  ++scan.report->scanned;
  Result<sd::DaclRead> dacl = sd::ReadDacl(owned.get());
  if (!dacl.ok()) {
    scan.report->unreadable.push_back(path + ": " + dacl.error().Describe());
    return;
  }
  for (const sd::AceRead& a : dacl.value().aces) {
    if (scan.sids.count(a.sid) == 0) continue;
    scan.report->remaining.push_back(RemainingAce{path, a.sid, a.type, a.flags, a.mask});
  }
}

// The tree below `root`, breadth first, within the bounds; reparse points
// are read (their own DACL) but not entered: what they lead to is another
// tree, scanned when it is a root of its own.
void ScanTree(Scan& scan, const std::string& root) {
  std::vector<std::pair<std::string, int>> queue = {{root, 0}};
  ScanPath(scan, root);
  for (size_t i = 0; i < queue.size(); ++i) {
    const auto [dir, depth] = queue[i];
    if (depth >= kMaxScanDepth) {
      scan.report->scan_truncated = true;
      continue;
    }
    const std::string query = dir + "\\*";
    WIN32_FIND_DATAW data{};
    HANDLE h = FindFirstFileW(Widen(query).c_str(), &data);
    if (h == INVALID_HANDLE_VALUE) {
      const DWORD code = GetLastError();
      if (code != ERROR_FILE_NOT_FOUND && code != ERROR_PATH_NOT_FOUND && code != ERROR_DIRECTORY) {
        scan.report->unreadable.push_back(dir + ": " +
                                          WinError("FindFirstFileW", query, code).Describe());
      }
      continue;
    }
    do {
      const std::wstring_view name(data.cFileName);
      if (name == L"." || name == L"..") continue;
      if (scan.report->scanned >= kMaxScanEntries) {
        scan.report->scan_truncated = true;
        break;
      }
      const std::string child = dir + "\\" + Narrow(name);
      ScanPath(scan, child);
      const DWORD attrs = data.dwFileAttributes;
      if ((attrs & FILE_ATTRIBUTE_DIRECTORY) != 0 && (attrs & FILE_ATTRIBUTE_REPARSE_POINT) == 0) {
        queue.emplace_back(child, depth + 1);
      }
    } while (FindNextFileW(h, &data));
    FindClose(h);
  }
}

const char* TypeName(uint8_t type) {
  switch (type) {
    case 0:
      return "allow";
    case 1:
      return "deny";
    default:
      return "ACE";
  }
}

// The profiles' SIDs and every SID the journal names.
Status AddKnownSids(const std::vector<AceEntry>& entries, Scan* scan) {
  for (const char* profile : {"cordon.offline", "cordon.online"}) {
    Result<std::string> sid = AppContainerSidFromName(profile);
    if (!sid.ok()) return sid.error();
    scan->sids.insert(sid.value());
  }
  for (const AceEntry& e : entries) scan->sids.insert(e.sid);
  return {};
}

}  // namespace

std::string RemainingAce::Describe() const {
  char mask_hex[16];
  snprintf(mask_hex, sizeof(mask_hex), "0x%lx", static_cast<unsigned long>(mask));
  return path + ": " + TypeName(type) + " " + mask_hex +
         ((flags & INHERITED_ACE) != 0 ? " (inherited)" : "") + " for " + sid;
}

Result<UninstallReport> UninstallAces(const std::string& journal,
                                      const std::vector<std::string>& workspace_roots) {
  UninstallReport report;
  Result<std::vector<AceEntry>> entries = acl_apply::ReadJournal(journal);
  if (!entries.ok()) return entries.error();

  Scan scan{{}, {}, &report};
  CORDON_RETURN_IF_ERROR(AddKnownSids(entries.value(), &scan));
  std::vector<std::string> roots;
  for (const std::string& w : workspace_roots) {
    // The capability of the workspace as it really is (the name grants
    // were made under), and as spelled: more SIDs, never fewer.
    Result<std::string> real = FinalPath(w);
    for (const std::string& spelling : {w, real.ok() ? real.value() : w}) {
      Result<NormalPath> n = Normalize(spelling);
      if (!n.ok()) continue;
      for (const std::string& name :
           {WorkspaceCapabilityName(n.value().key), WorkspaceReadCapabilityName(n.value().key)}) {
        Result<std::string> sid = CapabilitySidFromName(name);
        if (sid.ok()) scan.sids.insert(sid.value());
      }
    }
    if (real.ok()) roots.push_back(real.value());
  }
  report.cordon_sids.assign(scan.sids.begin(), scan.sids.end());

  Result<std::vector<UndoStep>> steps = acl_apply::RevertJournal(journal);
  if (!steps.ok()) return steps.error();
  report.steps = std::move(steps).value();
  for (const UndoStep& s : report.steps) {
    switch (s.kind) {
      case UndoStep::Kind::kWriteDacl:
        ++report.removed;
        break;
      case UndoStep::Kind::kAlreadyGone:
        ++report.already_gone;
        break;
      case UndoStep::Kind::kPathGone:
        ++report.path_gone;
        break;
    }
  }

  for (const AceEntry& e : entries.value()) ScanPath(scan, e.path);
  for (const std::string& r : roots) ScanTree(scan, r);
  return report;
}

Result<UninstallReport> CordonAcesOn(const std::vector<std::string>& paths,
                                     const std::string& journal) {
  UninstallReport report;
  Result<std::vector<AceEntry>> entries = acl_apply::ReadJournal(journal);
  if (!entries.ok()) return entries.error();
  Scan scan{{}, {}, &report};
  CORDON_RETURN_IF_ERROR(AddKnownSids(entries.value(), &scan));
  report.cordon_sids.assign(scan.sids.begin(), scan.sids.end());
  for (const std::string& p : paths) ScanPath(scan, p);
  return report;
}

}  // namespace cordon::sandbox::windows
