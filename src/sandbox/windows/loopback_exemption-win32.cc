// The online AppContainer's loopback exemption (see
// loopback_exemption-win32.h).
#include "sandbox/windows/loopback_exemption-win32.h"

#include <windows.h>
// (after windows.h)
#include <sddl.h>

#include <algorithm>

#include "sandbox/windows/system_export-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows::loopback {
namespace {

// netfw.h's signatures (Windows 8 and later, firewallapi.dll).
using GetConfigFn = DWORD(WINAPI*)(DWORD* count, PSID_AND_ATTRIBUTES* sids);
using SetConfigFn = DWORD(WINAPI*)(DWORD count, PSID_AND_ATTRIBUTES sids);

constexpr char kGet[] = "NetworkIsolationGetAppContainerConfig";
constexpr char kSet[] = "NetworkIsolationSetAppContainerConfig";

Error WithHint(Error e, const char* hint) {
  e.hint = hint;
  return e;
}

Status Write(const std::vector<std::string>& sids) {
  auto set = SystemFunction<SetConfigFn>(L"firewallapi.dll", kSet);
  if (!set.ok()) return set.error();
  std::vector<PSID> owned;
  std::vector<SID_AND_ATTRIBUTES> list;
  Status status;
  for (const std::string& text : sids) {
    PSID sid = nullptr;
    if (!ConvertStringSidToSidW(Widen(text).c_str(), &sid)) {
      status = WinError("ConvertStringSidToSidW", text, GetLastError());
      break;
    }
    owned.push_back(sid);
    list.push_back(SID_AND_ATTRIBUTES{sid, 0});
  }
  if (status.ok()) {
    const DWORD rc =
        set.value()(static_cast<DWORD>(list.size()), list.empty() ? nullptr : list.data());
    if (rc != ERROR_SUCCESS) {
      status = WithHint(WinError(kSet, std::to_string(list.size()) + " AppContainer SIDs", rc),
                        "changing the loopback exemptions needs an administrator: run `cordon "
                        "setup` or `cordon uninstall` from an elevated prompt");
    }
  }
  for (PSID sid : owned) LocalFree(sid);
  return status;
}

}  // namespace

bool Supported() {
  return SystemExport(L"firewallapi.dll", kGet).ok() && SystemExport(L"firewallapi.dll", kSet).ok();
}

Result<std::vector<std::string>> Exempted() {
  auto get = SystemFunction<GetConfigFn>(L"firewallapi.dll", kGet);
  if (!get.ok()) return get.error();
  DWORD count = 0;
  PSID_AND_ATTRIBUTES sids = nullptr;
  const DWORD rc = get.value()(&count, &sids);
  if (rc != ERROR_SUCCESS) return WinError(kGet, "the loopback exemption list", rc);
  std::vector<std::string> out;
  for (DWORD i = 0; i < count && sids != nullptr; ++i) {
    wchar_t* text = nullptr;
    if (ConvertSidToStringSidW(sids[i].Sid, &text)) {
      out.push_back(Narrow(text));
      LocalFree(text);
    }
    // The list and each SID are the caller's to free from the process heap
    // (the function's documentation).
    HeapFree(GetProcessHeap(), 0, sids[i].Sid);
  }
  if (sids != nullptr) HeapFree(GetProcessHeap(), 0, sids);
  return out;
}

Status CheckExempt(const std::string& package_sid) {
  Result<std::vector<std::string>> list = Exempted();
  if (!list.ok()) {
    return WithHint(list.error(),
                    "cordon cannot tell whether the online identity may reach its proxy on "
                    "loopback, so nothing runs online; `cordon doctor` says what this host "
                    "offers");
  }
  if (std::find(list.value().begin(), list.value().end(), package_sid) != list.value().end()) {
    return {};
  }
  Error e = PlainError("loopback exemption", package_sid,
                       "the online identity (cordon.online) is not exempted from the "
                       "AppContainer loopback block, so it could not reach cordon's proxy");
  e.hint = "run `cordon setup` (as administrator) to set up the online identity";
  return e;
}

Status Add(const std::string& package_sid) {
  Result<std::vector<std::string>> list = Exempted();
  if (!list.ok()) return list.error();
  std::vector<std::string> sids = list.value();
  if (std::find(sids.begin(), sids.end(), package_sid) == sids.end()) {
    sids.push_back(package_sid);
    CORDON_RETURN_IF_ERROR(Write(sids));
  }
  return CheckExempt(package_sid);
}

Status Remove(const std::string& package_sid) {
  Result<std::vector<std::string>> list = Exempted();
  if (!list.ok()) return list.error();
  std::vector<std::string> sids = list.value();
  if (std::erase(sids, package_sid) == 0) return {};
  CORDON_RETURN_IF_ERROR(Write(sids));
  Result<std::vector<std::string>> after = Exempted();
  if (!after.ok()) return after.error();
  if (std::find(after.value().begin(), after.value().end(), package_sid) != after.value().end()) {
    return PlainError("loopback exemption", package_sid,
                      "still on the exemption list after it was written without it");
  }
  return {};
}

}  // namespace cordon::sandbox::windows::loopback
