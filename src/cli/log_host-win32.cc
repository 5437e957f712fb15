// `cordon log`'s Win32 calls (see log_host.h). Day file paths are UTF-8
// with '/' (telemetry::ListDayFiles); they are opened through the wide API,
// so a profile path outside the ANSI code page reads as well.
#include <windows.h>

#include "cli/log_host.h"
#include "cli/policy-win32.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::cli::log_host {

std::tm LocalTime(int64_t unix_seconds) {
  const auto secs = static_cast<time_t>(unix_seconds);
  std::tm t{};
  localtime_s(&t, &secs);
  return t;
}

bool StdoutTakesColor() {
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  DWORD mode = 0;
  if (out == nullptr || out == INVALID_HANDLE_VALUE || !GetConsoleMode(out, &mode)) return false;
  // Left on: the console shows the escapes cordon prints, and programs
  // that print after it expect VT processing on Windows 10 anyway.
  return (mode & ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0 ||
         SetConsoleMode(out, mode | ENABLE_VIRTUAL_TERMINAL_PROCESSING) != 0;
}

bool ReadFrom(const std::string& path, uint64_t offset, std::string* data) {
  std::wstring wide = sandbox::Widen(path);
  for (wchar_t& c : wide) {
    if (c == L'/') c = L'\\';
  }
  // Shared for writing and deleting: runs append while `log --follow`
  // reads, and a prune may delete an old day.
  sandbox::UniqueHandle file(CreateFileW(wide.c_str(), GENERIC_READ,
                                         FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                         nullptr, OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid()) return false;
  LARGE_INTEGER at{};
  at.QuadPart = static_cast<LONGLONG>(offset);
  if (!SetFilePointerEx(file.get(), at, nullptr, FILE_BEGIN)) return false;
  data->clear();
  char buffer[65536];
  DWORD n = 0;
  while (ReadFile(file.get(), buffer, sizeof(buffer), &n, nullptr) && n > 0)
    data->append(buffer, n);
  return true;
}

void PauseBeforePoll() { Sleep(250); }

void Say(const std::string& text) { cli::Say(text); }
void Say(const Error& e) { cli::Say(e); }

}  // namespace cordon::cli::log_host
