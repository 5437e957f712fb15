// Functions of a system DLL looked up at run time instead of imported.
//
// An import the host lacks (Wine, an older Windows) stops the loader
// before main, and then cordon.exe could not even say what is missing. The
// confinement functions (AppContainer profiles, the filtering engine) are
// therefore found here, and their absence is an Error the caller reports.
#pragma once

#include <windows.h>

#include <string>

#include "common/result.h"

namespace cordon::sandbox {

// The export `function` of the System32 DLL `dll`. The DLL stays loaded:
// the caller is about to use it. Errors: the DLL does not load (with its
// Win32 error), or "FUNCTION: not exported by DLL".
[[nodiscard]] Result<FARPROC> SystemExport(const wchar_t* dll, const char* function);

// SystemExport cast to the function's type, spelled at the call site:
// `auto open = SystemFunction<decltype(&FwpmEngineOpen0)>(L"fwpuclnt.dll", "FwpmEngineOpen0")`.
template <typename Fn>
[[nodiscard]] Result<Fn> SystemFunction(const wchar_t* dll, const char* function) {
  Result<FARPROC> address = SystemExport(dll, function);
  if (!address.ok()) return address.error();
  // FARPROC to the real signature: what GetProcAddress is for.
  return reinterpret_cast<Fn>(reinterpret_cast<void*>(address.value()));
}

}  // namespace cordon::sandbox
