// cordon's own token (see process_token-win32.h).
#include "sandbox/windows/process_token-win32.h"

#include <windows.h>
// (after windows.h)
#include <sddl.h>

#include <vector>

#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows {
namespace {

Result<UniqueHandle> OwnToken() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
    return WinError("OpenProcessToken", "cordon's own process", GetLastError());
  }
  return UniqueHandle(raw);
}

}  // namespace

Result<std::string> CurrentUserSid() {
  Result<UniqueHandle> token = OwnToken();
  if (!token.ok()) return token.error();
  DWORD size = 0;
  GetTokenInformation(token.value().get(), TokenUser, nullptr, 0, &size);
  std::vector<char> buffer(size > 0 ? size : sizeof(TOKEN_USER));
  if (!GetTokenInformation(token.value().get(), TokenUser, buffer.data(),
                           static_cast<DWORD>(buffer.size()), &size)) {
    return WinError("GetTokenInformation", "TokenUser", GetLastError());
  }
  const auto* user = reinterpret_cast<const TOKEN_USER*>(buffer.data());
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(user->User.Sid, &text)) {
    return WinError("ConvertSidToStringSidW", "the token's user", GetLastError());
  }
  std::string out = Narrow(text);
  LocalFree(text);
  return out;
}

Result<bool> IsElevated() {
  Result<UniqueHandle> token = OwnToken();
  if (!token.ok()) return token.error();
  TOKEN_ELEVATION elevation{};
  DWORD size = 0;
  if (!GetTokenInformation(token.value().get(), TokenElevation, &elevation, sizeof(elevation),
                           &size)) {
    return WinError("GetTokenInformation", "TokenElevation", GetLastError());
  }
  return elevation.TokenIsElevated != 0;
}

}  // namespace cordon::sandbox::windows
