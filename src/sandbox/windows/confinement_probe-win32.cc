// The confinement probe (see confinement_probe-win32.h).
//
// The AppContainer and WFP functions are looked up at run time, never
// imported (system_export-win32.h).
#include "sandbox/windows/confinement_probe-win32.h"

#include <windows.h>

#include <string>
#include <vector>

#include "sandbox/windows/system_export-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::confinement_probe {
namespace {

Check Exports(std::string name, const wchar_t* dll, std::initializer_list<const char*> functions) {
  Check check{std::move(name), true, {}};
  for (const char* function : functions) {
    if (Result<FARPROC> found = SystemExport(dll, function); !found.ok()) {
      check.ok = false;
      if (!check.detail.empty()) check.detail += "; ";
      check.detail += found.error().Describe();
    }
  }
  if (check.ok) check.detail = "present";
  return check;
}

// Opens and closes a session with the Windows Filtering Platform engine,
// which the online identity's proxy-only egress is enforced through.
Check FilteringEngine() {
  Check check{kFilteringEngine, false, {}};
  using Open = DWORD(WINAPI*)(const wchar_t*, UINT32, void*, const void*, HANDLE*);
  using Close = DWORD(WINAPI*)(HANDLE);
  auto open = SystemFunction<Open>(L"fwpuclnt.dll", "FwpmEngineOpen0");
  auto close = SystemFunction<Close>(L"fwpuclnt.dll", "FwpmEngineClose0");
  if (!open.ok() || !close.ok()) {
    check.detail = (open.ok() ? close.error() : open.error()).Describe();
    return check;
  }
  HANDLE engine = nullptr;
  constexpr UINT32 kAuthnWinNt = 10;  // RPC_C_AUTHN_WINNT
  const DWORD rc = open.value()(nullptr, kAuthnWinNt, nullptr, nullptr, &engine);
  if (rc != ERROR_SUCCESS) {
    check.detail = WinError("FwpmEngineOpen0", "", rc).Describe();
    return check;
  }
  close.value()(engine);
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
  return checks;
}

std::vector<Check> Missing(bool filtering_engine) {
  std::vector<Check> missing;
  for (Check& check : Probe()) {
    const bool needed = filtering_engine || check.name != kFilteringEngine;
    if (needed && !check.ok) missing.push_back(std::move(check));
  }
  return missing;
}

}  // namespace cordon::sandbox::confinement_probe
