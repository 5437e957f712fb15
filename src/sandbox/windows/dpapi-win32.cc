// DPAPI round trip (see dpapi-win32.h). The plaintext buffer DPAPI returns
// is wiped before it is freed: it holds the vault's key.
#include "sandbox/windows/dpapi-win32.h"

#include <windows.h>
// (after windows.h, which it needs)
#include <dpapi.h>

#include <string>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::dpapi {
namespace {

DATA_BLOB View(std::string_view bytes) {
  // DPAPI takes non-const pointers but never writes its inputs.
  return DATA_BLOB{static_cast<DWORD>(bytes.size()),
                   reinterpret_cast<BYTE*>(const_cast<char*>(bytes.data()))};
}

DWORD Flags(Scope scope) {
  return CRYPTPROTECT_UI_FORBIDDEN | (scope == Scope::kMachine ? CRYPTPROTECT_LOCAL_MACHINE : 0);
}

const char* Name(Scope scope) {
  return scope == Scope::kMachine ? "CRYPTPROTECT_LOCAL_MACHINE" : "user scope";
}

}  // namespace

Result<std::string> Protect(std::string_view plaintext, std::string_view entropy, Scope scope) {
  DATA_BLOB in = View(plaintext);
  DATA_BLOB salt = View(entropy);
  DATA_BLOB out{};
  if (!CryptProtectData(&in, L"cordon", &salt, nullptr, nullptr, Flags(scope), &out)) {
    return WinError("CryptProtectData", Name(scope), GetLastError());
  }
  std::string blob(reinterpret_cast<const char*>(out.pbData), out.cbData);
  LocalFree(out.pbData);
  return blob;
}

Result<std::string> Unprotect(std::string_view blob, std::string_view entropy, Scope scope) {
  DATA_BLOB in = View(blob);
  DATA_BLOB salt = View(entropy);
  DATA_BLOB out{};
  if (!CryptUnprotectData(&in, nullptr, &salt, nullptr, nullptr, Flags(scope), &out)) {
    return WinError("CryptUnprotectData", Name(scope), GetLastError());
  }
  std::string plaintext(reinterpret_cast<const char*>(out.pbData), out.cbData);
  SecureZeroMemory(out.pbData, out.cbData);
  LocalFree(out.pbData);
  return plaintext;
}

}  // namespace cordon::sandbox::dpapi
