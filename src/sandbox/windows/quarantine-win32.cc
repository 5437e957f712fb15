// The quarantine of created protected paths (see quarantine-win32.h).
#include "sandbox/windows/quarantine-win32.h"

#include <windows.h>

#include <string>
#include <vector>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows {
namespace {

bool Exists(const std::wstring& path) {
  return GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES;
}

// root\run-<local time>-<pid>, made on first use; empty with `error` set
// when it cannot be made.
std::wstring RunDir(const std::string& root, std::string* error) {
  SYSTEMTIME now{};
  GetLocalTime(&now);
  wchar_t name[64];
  swprintf(name, 64, L"run-%04u%02u%02u-%02u%02u%02u-%lu", now.wYear, now.wMonth, now.wDay,
           now.wHour, now.wMinute, now.wSecond, GetCurrentProcessId());
  const std::wstring wide_root = Widen(root);
  // The parent first (%LOCALAPPDATA%\cordon exists whenever a run did).
  if (!CreateDirectoryW(wide_root.c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS) {
    *error = WinError("CreateDirectoryW", root, GetLastError()).Describe();
    return {};
  }
  std::wstring dir = wide_root + L"\\" + name;
  if (!CreateDirectoryW(dir.c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS) {
    *error = WinError("CreateDirectoryW", Narrow(dir), GetLastError()).Describe();
    return {};
  }
  return dir;
}

}  // namespace

std::vector<Quarantined> QuarantineCreated(const std::vector<std::string>& absent,
                                           const std::string& root) {
  std::vector<Quarantined> out;
  std::wstring dir;
  std::string dir_error;
  int n = 0;
  for (const std::string& path : absent) {
    const std::wstring wide = Widen(path);
    if (!Exists(wide)) continue;
    Quarantined q{path, {}, {}};
    if (dir.empty() && dir_error.empty()) dir = RunDir(root, &dir_error);
    if (dir.empty()) {
      q.error = dir_error;
      out.push_back(std::move(q));
      continue;
    }
    // A numbered folder per path: .git\hooks and another workspace's
    // hooks keep apart.
    const std::wstring slot = dir + L"\\" + std::to_wstring(++n);
    const size_t slash = wide.find_last_of(L"\\/");
    const std::wstring target =
        slot + L"\\" + wide.substr(slash == std::wstring::npos ? 0 : slash + 1);
    if (!CreateDirectoryW(slot.c_str(), nullptr)) {
      q.error = WinError("CreateDirectoryW", Narrow(slot), GetLastError()).Describe();
    } else if (!MoveFileExW(wide.c_str(), target.c_str(), MOVEFILE_COPY_ALLOWED)) {
      q.error = WinError("MoveFileExW", path, GetLastError()).Describe();
    } else {
      q.moved_to = Narrow(target);
    }
    out.push_back(std::move(q));
  }
  return out;
}

}  // namespace cordon::sandbox::windows
