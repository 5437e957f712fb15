// Run-time lookup of system functions (see system_export-win32.h).
#include "sandbox/windows/system_export-win32.h"

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox {

Result<FARPROC> SystemExport(const wchar_t* dll, const char* function) {
  HMODULE module = LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module == nullptr) return WinError("LoadLibraryExW", Narrow(dll), GetLastError());
  FARPROC address = GetProcAddress(module, function);
  if (address == nullptr) {
    return Error{function, "", 0, "not exported by " + Narrow(dll), {}};
  }
  return address;
}

}  // namespace cordon::sandbox
