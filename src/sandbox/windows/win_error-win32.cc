// Win32 error text and string conversions (see win_error-win32.h).
#include "sandbox/windows/win_error-win32.h"

#include <utility>

namespace cordon::sandbox {

std::string WinErrorText(DWORD code) {
  wchar_t* buffer = nullptr;
  const DWORD n = FormatMessageW(
      FORMAT_MESSAGE_ALLOCATE_BUFFER | FORMAT_MESSAGE_FROM_SYSTEM | FORMAT_MESSAGE_IGNORE_INSERTS,
      nullptr, code, 0, reinterpret_cast<wchar_t*>(&buffer), 0, nullptr);
  if (n == 0 || buffer == nullptr) return {};
  std::wstring text(buffer, n);
  LocalFree(buffer);
  while (!text.empty() && (text.back() == L'\n' || text.back() == L'\r' || text.back() == L' ')) {
    text.pop_back();
  }
  return Narrow(text);
}

Error WinError(std::string op, std::string object, DWORD code) {
  std::string text = WinErrorText(code);
  char number[48];
  // HRESULTs and NTSTATUS values read best in hex, small Win32 codes in
  // decimal: give both where they differ.
  if (code > 0xffff) {
    snprintf(number, sizeof(number), "(Win32 error 0x%08lx)", code);
  } else {
    snprintf(number, sizeof(number), "(Win32 error %lu)", code);
  }
  std::string detail = text.empty() ? std::string(number) : text + " " + number;
  return Error{std::move(op), std::move(object), 0, std::move(detail), {}};
}

std::wstring Widen(std::string_view utf8) {
  if (utf8.empty()) return {};
  const int n =
      MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), nullptr, 0);
  std::wstring out(static_cast<size_t>(n), L'\0');
  MultiByteToWideChar(CP_UTF8, 0, utf8.data(), static_cast<int>(utf8.size()), out.data(), n);
  return out;
}

std::string Narrow(std::wstring_view utf16) {
  if (utf16.empty()) return {};
  const int n = WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()),
                                    nullptr, 0, nullptr, nullptr);
  std::string out(static_cast<size_t>(n), '\0');
  WideCharToMultiByte(CP_UTF8, 0, utf16.data(), static_cast<int>(utf16.size()), out.data(), n,
                      nullptr, nullptr);
  return out;
}

}  // namespace cordon::sandbox
