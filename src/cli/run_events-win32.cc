// run_events.h's platform part on Windows: the host's facts from
// GetComputerNameExW, RtlGetVersion (GetVersionExW reports 6.2 to a
// program without a compatibility manifest) and GetUserNameW. Windows has
// no uid: the user is process.owner, the account name.
#include <windows.h>

#include <cstdio>

#include "cli/run_events.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::cli {

std::string HostName() {
  wchar_t name[256] = {};
  DWORD size = 256;
  if (!GetComputerNameExW(ComputerNameDnsHostname, name, &size)) return "";
  return sandbox::Narrow(std::wstring_view(name, size));
}

int64_t CurrentProcessId() { return GetCurrentProcessId(); }

void AddHostAttributes(Event* event) {
  using RtlGetVersionFn = LONG(WINAPI*)(OSVERSIONINFOW*);
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  auto get_version = ntdll == nullptr ? nullptr
                                      : reinterpret_cast<RtlGetVersionFn>(reinterpret_cast<void*>(
                                            GetProcAddress(ntdll, "RtlGetVersion")));
  OSVERSIONINFOW info{};
  info.dwOSVersionInfoSize = sizeof info;
  if (get_version != nullptr && get_version(&info) == 0) {
    char text[64];
    std::snprintf(text, sizeof text, "%lu.%lu.%lu", info.dwMajorVersion, info.dwMinorVersion,
                  info.dwBuildNumber);
    event->Add("os.version", std::string(text));
  }
  wchar_t user[257] = {};
  DWORD size = 257;
  if (GetUserNameW(user, &size) && size > 0) {
    event->Add("process.owner", sandbox::Narrow(std::wstring_view(user, size - 1)));
  }
}

// An AppContainer's denied access is an ERROR_ACCESS_DENIED to the command
// and nothing to anyone else, unless an administrator's audit policy turns
// on object access auditing (and then it goes to the Security log).
std::string FsDenialsNote() {
  return "filesystem denials are not recorded: Windows reports an AppContainer's denied access "
         "only to the Security event log, and only when an administrator's audit policy enables "
         "object access auditing; the command sees ERROR_ACCESS_DENIED";
}

}  // namespace cordon::cli
