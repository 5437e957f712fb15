// Journal, then ACE; the reverse replay (see acl_apply-win32.h).
#include "sandbox/windows/acl_apply-win32.h"

#include <windows.h>
// (after windows.h, which it needs)
#include <aclapi.h>

#include <map>
#include <utility>

#include "sandbox/windows/sddl.h"
#include "sandbox/windows/security_descriptor-win32.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::acl_apply {
namespace {

using windows::AceEntry;
using windows::Dacl;

bool IsNotFound(DWORD code) { return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND; }

// The whole file, or nullopt when it does not exist.
Result<std::optional<std::string>> ReadWholeFile(const std::string& path) {
  UniqueHandle file(CreateFileW(Widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid()) {
    const DWORD code = GetLastError();
    if (IsNotFound(code)) return std::optional<std::string>();
    return WinError("CreateFileW(read journal)", path, code);
  }
  std::string out;
  char buf[16384];
  while (true) {
    DWORD got = 0;
    if (!ReadFile(file.get(), buf, sizeof(buf), &got, nullptr)) {
      return WinError("ReadFile(journal)", path, GetLastError());
    }
    if (got == 0) break;
    out.append(buf, got);
  }
  return std::optional<std::string>(std::move(out));
}

}  // namespace

Result<std::optional<std::string>> ReadDaclSddl(const std::string& path) {
  PSECURITY_DESCRIPTOR raw = nullptr;
  const std::wstring wide = Widen(path);
  const DWORD rc = GetNamedSecurityInfoW(wide.c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION,
                                         nullptr, nullptr, nullptr, nullptr, &raw);
  if (rc != ERROR_SUCCESS) {
    if (IsNotFound(rc)) return std::optional<std::string>();
    return WinError("GetNamedSecurityInfoW(DACL)", path, rc);
  }
  const security_descriptor::Owned sd(raw);
  Result<std::string> text = security_descriptor::ToSddl(sd.get(), DACL_SECURITY_INFORMATION);
  if (!text.ok()) return Error{text.error().op, path, 0, text.error().detail, {}};
  return std::optional<std::string>(std::move(text).value());
}

Status WriteDaclSddl(const std::string& path, const std::string& dacl) {
  Result<Dacl> parsed = windows::ParseDacl(dacl);
  if (!parsed.ok()) return parsed.error();
  Result<security_descriptor::Owned> sd = security_descriptor::FromSddl(dacl);
  if (!sd.ok()) return Error{sd.error().op, path, 0, sd.error().detail, {}};
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL acl = nullptr;
  if (!GetSecurityDescriptorDacl(sd.value().get(), &present, &acl, &defaulted)) {
    return WinError("GetSecurityDescriptorDacl", path, GetLastError());
  }
  const bool protect = parsed.value().flags.find('P') != std::string::npos;
  const SECURITY_INFORMATION info =
      DACL_SECURITY_INFORMATION |
      (protect ? PROTECTED_DACL_SECURITY_INFORMATION : UNPROTECTED_DACL_SECURITY_INFORMATION);
  std::wstring wide = Widen(path);
  const DWORD rc = SetNamedSecurityInfoW(wide.data(), SE_FILE_OBJECT, info, nullptr, nullptr,
                                         present ? acl : nullptr, nullptr);
  if (rc != ERROR_SUCCESS) return WinError("SetNamedSecurityInfoW(DACL)", path, rc);
  return {};
}

Status AppendJournal(const std::string& journal, const AceEntry& entry) {
  UniqueHandle file(CreateFileW(Widen(journal).c_str(), FILE_APPEND_DATA, FILE_SHARE_READ, nullptr,
                                OPEN_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid()) return WinError("CreateFileW(append journal)", journal, GetLastError());
  LARGE_INTEGER size{};
  if (!GetFileSizeEx(file.get(), &size)) {
    return WinError("GetFileSizeEx(journal)", journal, GetLastError());
  }
  // SerializeJournal writes the header and then one line per entry: a new
  // file gets both, an existing one the entry's line alone.
  std::string text = windows::SerializeJournal({entry});
  if (size.QuadPart != 0) text.erase(0, text.find('\n') + 1);
  DWORD written = 0;
  if (!WriteFile(file.get(), text.data(), static_cast<DWORD>(text.size()), &written, nullptr) ||
      written != text.size()) {
    return WinError("WriteFile(journal)", journal, GetLastError());
  }
  // On disk before the ACE is: the point of a journal.
  if (!FlushFileBuffers(file.get())) {
    return WinError("FlushFileBuffers(journal)", journal, GetLastError());
  }
  return {};
}

Result<std::vector<AceEntry>> ReadJournal(const std::string& journal) {
  Result<std::optional<std::string>> text = ReadWholeFile(journal);
  if (!text.ok()) return text.error();
  if (!text.value().has_value()) return std::vector<AceEntry>{};
  Result<std::vector<AceEntry>> entries = windows::ParseJournal(*text.value());
  if (!entries.ok()) {
    Error e = entries.error();
    e.object = journal + ": " + e.object;
    return e;
  }
  return entries;
}

namespace {

// Whether the path's DACL, read back, holds the entry's ACE: a file system
// may accept a DACL and keep less of it (Wine keeps only what POSIX mode
// bits can say), and a grant that did not hold must not pass for one.
Status CheckKept(const AceEntry& entry) {
  Result<std::optional<std::string>> now = ReadDaclSddl(entry.path);
  if (!now.ok()) return now.error();
  if (!now.value().has_value()) return PlainError("grant: read back", entry.path, "gone");
  Result<Dacl> dacl = windows::ParseDacl(*now.value());
  if (!dacl.ok()) return dacl.error();
  const std::string ace = windows::AceSddl(entry);
  Result<Dacl> with = windows::WithAce(dacl.value(), ace);
  if (!with.ok()) return with.error();
  if (with.value().aces == dacl.value().aces) return {};
  Error e = PlainError(
      "grant: read back", entry.path,
      "the DACL was written but does not hold " + ace + "; the file system kept " + *now.value());
  e.hint =
      "the workspace's file system does not store Windows ACLs as written (FAT, some network "
      "shares; Wine keeps only POSIX mode bits): use a workspace on NTFS or ReFS. The entry is "
      "journaled; `cordon uninstall` finds nothing of it to remove";
  return e;
}

}  // namespace

Result<std::vector<AceEntry>> ApplyGrants(const std::vector<AceEntry>& plan,
                                          const std::string& journal) {
  std::vector<AceEntry> journaled;
  for (const AceEntry& planned : plan) {
    Result<std::optional<std::string>> before = ReadDaclSddl(planned.path);
    if (!before.ok()) return before.error();
    if (!before.value().has_value()) {
      return PlainError("grant", planned.path, "the path does not exist");
    }
    Result<Dacl> dacl = windows::ParseDacl(*before.value());
    if (!dacl.ok()) {
      return Error{"grant: the DACL read back", planned.path, 0, dacl.error().detail, {}};
    }
    Result<Dacl> after = windows::WithAce(dacl.value(), windows::AceSddl(planned));
    if (!after.ok()) return after.error();
    if (after.value().aces == dacl.value().aces) continue;  // there already
    AceEntry entry = planned;
    entry.previous_dacl = *before.value();
    CORDON_RETURN_IF_ERROR(AppendJournal(journal, entry));
    CORDON_RETURN_IF_ERROR(WriteDaclSddl(entry.path, windows::FormatDacl(after.value())));
    journaled.push_back(entry);
    CORDON_RETURN_IF_ERROR(CheckKept(entry));
  }
  return journaled;
}

Result<std::vector<windows::UndoStep>> RevertJournal(const std::string& journal) {
  Result<std::vector<AceEntry>> entries = ReadJournal(journal);
  if (!entries.ok()) return entries.error();
  // Read first, all of it: a failed read stops uninstall before it writes.
  std::map<std::string, std::optional<std::string>> current;
  for (const AceEntry& e : entries.value()) {
    if (current.count(e.path) != 0) continue;
    Result<std::optional<std::string>> dacl = ReadDaclSddl(e.path);
    if (!dacl.ok()) return dacl.error();
    current.emplace(e.path, std::move(dacl).value());
  }
  Result<std::vector<windows::UndoStep>> steps = windows::PlanUninstall(
      entries.value(), [&current](const std::string& path) { return current.at(path); });
  if (!steps.ok()) return steps.error();
  for (const windows::UndoStep& step : steps.value()) {
    if (step.kind != windows::UndoStep::Kind::kWriteDacl) continue;
    CORDON_RETURN_IF_ERROR(WriteDaclSddl(step.entry.path, step.new_dacl));
  }
  return steps;
}

}  // namespace cordon::sandbox::acl_apply
