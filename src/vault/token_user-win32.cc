// TokenUser of the process token as a string SID (see token_user-win32.h).
#include "vault/token_user-win32.h"

#include <windows.h>
// (after windows.h, which it needs)
#include <sddl.h>

#include <vector>

#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::vault {

Result<std::string> CurrentUserSid() {
  HANDLE raw = nullptr;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw) == 0) {
    return sandbox::WinError("OpenProcessToken", "TOKEN_QUERY", GetLastError());
  }
  const sandbox::UniqueHandle token(raw);
  DWORD size = 0;
  GetTokenInformation(token.get(), TokenUser, nullptr, 0, &size);
  std::vector<unsigned char> buf(size);
  if (size == 0 || GetTokenInformation(token.get(), TokenUser, buf.data(), size, &size) == 0) {
    return sandbox::WinError("GetTokenInformation", "TokenUser", GetLastError());
  }
  wchar_t* text = nullptr;
  if (ConvertSidToStringSidW(reinterpret_cast<TOKEN_USER*>(buf.data())->User.Sid, &text) == 0) {
    return sandbox::WinError("ConvertSidToStringSidW", "TokenUser", GetLastError());
  }
  std::string sid = sandbox::Narrow(text);
  LocalFree(text);
  return sid;
}

}  // namespace cordon::vault
