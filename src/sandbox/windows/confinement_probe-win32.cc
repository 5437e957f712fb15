// The confinement probe (see confinement_probe-win32.h).
//
// The AppContainer and WFP functions are looked up at run time, never
// imported: an import that the host lacks (Wine, older Windows) stops the
// loader before main, and then cordon could not even say what is missing.
#include "sandbox/windows/confinement_probe-win32.h"

#include <windows.h>

#include <string>
#include <vector>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::confinement_probe {
namespace {

// The export `function` of `dll`, or nullptr with `why` set.
FARPROC Lookup(const wchar_t* dll, const char* function, std::string* why) {
  HMODULE module = LoadLibraryExW(dll, nullptr, LOAD_LIBRARY_SEARCH_SYSTEM32);
  if (module == nullptr) {
    *why = WinError("LoadLibraryExW", Narrow(dll), GetLastError()).Describe();
    return nullptr;
  }
  // The module stays loaded: cordon is about to use it.
  FARPROC address = GetProcAddress(module, function);
  if (address == nullptr) *why = std::string(function) + " is not exported by " + Narrow(dll);
  return address;
}

Check Exports(std::string name, const wchar_t* dll, std::initializer_list<const char*> functions) {
  Check check{std::move(name), true, {}};
  for (const char* function : functions) {
    std::string why;
    if (Lookup(dll, function, &why) == nullptr) {
      check.ok = false;
      if (!check.detail.empty()) check.detail += "; ";
      check.detail += why;
    }
  }
  if (check.ok) check.detail = "present";
  return check;
}

// Opens and closes a session with the Windows Filtering Platform engine,
// which the online identity's proxy-only egress is enforced through.
Check FilteringEngine() {
  Check check{"Windows Filtering Platform", false, {}};
  using Open = DWORD(WINAPI*)(const wchar_t*, UINT32, void*, const void*, HANDLE*);
  using Close = DWORD(WINAPI*)(HANDLE);
  std::string why;
  auto open = reinterpret_cast<Open>(
      reinterpret_cast<void*>(Lookup(L"fwpuclnt.dll", "FwpmEngineOpen0", &why)));
  auto close = reinterpret_cast<Close>(
      reinterpret_cast<void*>(Lookup(L"fwpuclnt.dll", "FwpmEngineClose0", &why)));
  if (open == nullptr || close == nullptr) {
    check.detail = why;
    return check;
  }
  HANDLE engine = nullptr;
  constexpr UINT32 kAuthnWinNt = 10;  // RPC_C_AUTHN_WINNT
  const DWORD rc = open(nullptr, kAuthnWinNt, nullptr, nullptr, &engine);
  if (rc != ERROR_SUCCESS) {
    check.detail = WinError("FwpmEngineOpen0", "", rc).Describe();
    return check;
  }
  close(engine);
  check.ok = true;
  check.detail = "the filtering engine answers";
  return check;
}

}  // namespace

std::vector<Check> Probe() {
  std::vector<Check> checks;
  checks.push_back(Exports("AppContainer profiles", L"userenv.dll",
                           {"CreateAppContainerProfile", "DeleteAppContainerProfile",
                            "DeriveAppContainerSidFromAppContainerName"}));
  checks.push_back(Exports("capability SIDs", L"kernelbase.dll", {"DeriveCapabilitySidsFromName"}));
  checks.push_back(FilteringEngine());
  // Until the launcher lands, no host has everything a run needs: say so
  // rather than let a host with every API present run commands unconfined.
  checks.push_back(Check{"cordon's Windows launcher", false,
                         "not built yet: this cordon.exe confines nothing, so it runs nothing "
                         "(issue 17)"});
  return checks;
}

}  // namespace cordon::sandbox::confinement_probe
