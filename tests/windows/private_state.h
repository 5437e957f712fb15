// A fresh %LOCALAPPDATA% for the cordon.exe a test starts (set in the test's
// process, inherited by the child), removed with everything under it: the
// test reads its own events, never another's or the account's.
#pragma once

#include <windows.h>

#include <string>

namespace cordon::wintest {

class PrivateLocalAppData {
 public:
  explicit PrivateLocalAppData(const std::wstring& prefix) {
    wchar_t temp[MAX_PATH + 1] = {};
    const DWORD n = GetTempPathW(MAX_PATH + 1, temp);
    for (int i = 0; i < 100 && path_.empty(); ++i) {
      std::wstring candidate = std::wstring(temp, n) + prefix + L"-" +
                               std::to_wstring(GetCurrentProcessId()) + L"-" + std::to_wstring(i);
      if (CreateDirectoryW(candidate.c_str(), nullptr) != 0) path_ = candidate;
    }
    SetEnvironmentVariableW(L"LOCALAPPDATA", path_.c_str());
    // Either would move the events elsewhere (host_facts-win32.cc).
    SetEnvironmentVariableW(L"XDG_STATE_HOME", nullptr);
    SetEnvironmentVariableW(L"OTEL_EXPORTER_OTLP_ENDPOINT", nullptr);
    SetEnvironmentVariableW(L"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", nullptr);
  }
  PrivateLocalAppData(const PrivateLocalAppData&) = delete;
  PrivateLocalAppData& operator=(const PrivateLocalAppData&) = delete;
  ~PrivateLocalAppData() {
    if (!path_.empty()) RemoveTree(path_);
  }

  [[nodiscard]] const std::wstring& path() const { return path_; }
  [[nodiscard]] std::wstring EventsDir() const { return path_ + L"\\cordon\\events"; }

 private:
  static void RemoveTree(const std::wstring& dir) {
    WIN32_FIND_DATAW found{};
    HANDLE h = FindFirstFileW((dir + L"\\*").c_str(), &found);
    if (h != INVALID_HANDLE_VALUE) {
      do {
        const std::wstring name = found.cFileName;
        if (name == L"." || name == L"..") continue;
        const std::wstring full = dir + L"\\" + name;
        if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
          RemoveTree(full);
        } else {
          DeleteFileW(full.c_str());
        }
      } while (FindNextFileW(h, &found));
      FindClose(h);
    }
    RemoveDirectoryW(dir.c_str());
  }

  std::wstring path_;
};

}  // namespace cordon::wintest
