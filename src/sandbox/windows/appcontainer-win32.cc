// AppContainer profiles and tokens (see appcontainer-win32.h).
#include "sandbox/windows/appcontainer-win32.h"

// (after windows.h)
#include <sddl.h>
#include <userenv.h>

#include <algorithm>
#include <memory>
#include <string>
#include <vector>

#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/system_export-win32.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::appcontainer {
namespace {

struct FreeSidDeleter {
  void operator()(void* sid) const { FreeSid(sid); }
};
using OwnedSid = std::unique_ptr<void, FreeSidDeleter>;

// "S-1-..." for a SID; empty when it does not convert.
std::string SidText(PSID sid) {
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(sid, &text)) return {};
  std::string out = Narrow(text);
  LocalFree(text);
  return out;
}

// The HRESULT CreateAppContainerProfile returns for a profile that exists.
constexpr HRESULT kProfileExists = HRESULT_FROM_WIN32(ERROR_ALREADY_EXISTS);

// A token's information of class `what`, in a buffer sized by asking first.
Result<std::vector<char>> TokenInformation(HANDLE token, TOKEN_INFORMATION_CLASS what,
                                           const char* name) {
  DWORD size = 0;
  GetTokenInformation(token, what, nullptr, 0, &size);
  std::vector<char> buffer(std::max<DWORD>(size, sizeof(DWORD)));
  if (!GetTokenInformation(token, what, buffer.data(), static_cast<DWORD>(buffer.size()), &size)) {
    return WinError("GetTokenInformation", name, GetLastError());
  }
  return buffer;
}

Error TokenIsNot(const std::string& what, const Identity& identity) {
  return Error{"the command's token", "", 0,
               what + ", not the AppContainer token of " + identity.profile +
                   " cordon asked for: the host accepted the confinement and did not apply it",
               "this host cannot confine commands (`cordon doctor`); nothing ran"};
}

// Windows' own derivation of each capability name against cordon's.
Status VerifyCapabilityNames(const Identity& identity) {
  auto derive = SystemFunction<decltype(&DeriveCapabilitySidsFromName)>(
      L"kernelbase.dll", "DeriveCapabilitySidsFromName");
  if (!derive.ok()) return derive.error();
  for (size_t i = 0; i < identity.capability_names.size(); ++i) {
    PSID* groups = nullptr;
    DWORD group_count = 0;
    PSID* sids = nullptr;
    DWORD sid_count = 0;
    if (!derive.value()(Widen(identity.capability_names[i]).c_str(), &groups, &group_count, &sids,
                        &sid_count)) {
      return WinError("DeriveCapabilitySidsFromName", identity.capability_names[i], GetLastError());
    }
    const std::string reported = sid_count > 0 ? SidText(sids[0]) : "";
    for (DWORD k = 0; k < group_count; ++k) LocalFree(groups[k]);
    for (DWORD k = 0; k < sid_count; ++k) LocalFree(sids[k]);
    LocalFree(reinterpret_cast<HLOCAL>(groups));
    LocalFree(reinterpret_cast<HLOCAL>(sids));
    if (reported != identity.capability_sids[i]) {
      return Error{"DeriveCapabilitySidsFromName", identity.capability_names[i], 0,
                   "Windows derives " + reported + ", cordon " + identity.capability_sids[i],
                   "cordon grants nothing to a SID it cannot recompute at uninstall; please "
                   "report this host's version"};
    }
  }
  return {};
}

}  // namespace

Result<Identity> IdentityFor(const std::string& profile, const std::string& capability_name) {
  Result<std::string> package = windows::AppContainerSidFromName(profile);
  if (!package.ok()) return package.error();
  Result<std::string> capability = windows::CapabilitySidFromName(capability_name);
  if (!capability.ok()) return capability.error();
  return Identity{
      profile, std::move(package).value(), {capability_name}, {std::move(capability).value()}};
}

Result<Identity> OnlineIdentityFor(const std::string& capability_name) {
  Result<Identity> identity = IdentityFor(kOnlineProfile, capability_name);
  if (!identity.ok()) return identity.error();
  identity.value().capability_sids.emplace_back(kPrivateNetworkClientServerSid);
  return identity;
}

Status EnsureProfile(const Identity& identity) {
  auto create = SystemFunction<decltype(&CreateAppContainerProfile)>(L"userenv.dll",
                                                                     "CreateAppContainerProfile");
  auto derive = SystemFunction<decltype(&DeriveAppContainerSidFromAppContainerName)>(
      L"userenv.dll", "DeriveAppContainerSidFromAppContainerName");
  if (!create.ok()) return create.error();
  if (!derive.ok()) return derive.error();
  const std::wstring name = Widen(identity.profile);
  const std::wstring display = L"cordon sandbox (" + name + L")";
  PSID made = nullptr;
  HRESULT hr = create.value()(name.c_str(), display.c_str(), display.c_str(), nullptr, 0, &made);
  if (hr == kProfileExists) hr = derive.value()(name.c_str(), &made);
  if (FAILED(hr)) {
    return WinError("CreateAppContainerProfile", identity.profile, static_cast<DWORD>(hr));
  }
  OwnedSid sid(made);
  const std::string reported = SidText(sid.get());
  if (reported != identity.package_sid) {
    return Error{"CreateAppContainerProfile", identity.profile, 0,
                 "Windows gives the profile the SID " + reported + ", not " + identity.package_sid +
                     " as derived from its name",
                 "cordon recomputes its SIDs from names to find its ACEs at uninstall, so it "
                 "grants nothing to a SID it cannot recompute; please report this host's version"};
  }
  return VerifyCapabilityNames(identity);
}

Status RemoveProfile(const std::string& name) {
  auto remove = SystemFunction<decltype(&DeleteAppContainerProfile)>(L"userenv.dll",
                                                                     "DeleteAppContainerProfile");
  // A host without AppContainer support has no profile to remove.
  if (!remove.ok()) return {};
  const HRESULT hr = remove.value()(Widen(name).c_str());
  // Deleting a profile that does not exist succeeds (documented), but a
  // host may say "not found": that is the state uninstall wants too.
  if (FAILED(hr) && hr != HRESULT_FROM_WIN32(ERROR_NOT_FOUND) &&
      hr != HRESULT_FROM_WIN32(ERROR_FILE_NOT_FOUND)) {
    return WinError("DeleteAppContainerProfile", name, static_cast<DWORD>(hr));
  }
  return {};
}

Result<std::string> ProfileFolder(const Identity& identity) {
  auto folder = SystemFunction<decltype(&GetAppContainerFolderPath)>(L"userenv.dll",
                                                                     "GetAppContainerFolderPath");
  if (!folder.ok()) return folder.error();
  wchar_t* path = nullptr;
  const HRESULT hr = folder.value()(Widen(identity.package_sid).c_str(), &path);
  if (FAILED(hr)) {
    return WinError("GetAppContainerFolderPath", identity.profile, static_cast<DWORD>(hr));
  }
  std::string out = Narrow(path);
  CoTaskMemFree(path);
  return out;
}

Capabilities::~Capabilities() {
  for (PSID sid : sids_) LocalFree(sid);
}

Status Capabilities::Init(const Identity& identity) {
  std::vector<std::string> texts = {identity.package_sid};
  texts.insert(texts.end(), identity.capability_sids.begin(), identity.capability_sids.end());
  for (const std::string& text : texts) {
    PSID sid = nullptr;
    if (!ConvertStringSidToSidW(Widen(text).c_str(), &sid)) {
      return WinError("ConvertStringSidToSidW", text, GetLastError());
    }
    sids_.push_back(sid);
  }
  for (size_t i = 1; i < sids_.size(); ++i) {
    attributes_.push_back(SID_AND_ATTRIBUTES{sids_[i], SE_GROUP_ENABLED});
  }
  capabilities_.AppContainerSid = sids_[0];
  capabilities_.Capabilities = attributes_.empty() ? nullptr : attributes_.data();
  capabilities_.CapabilityCount = static_cast<DWORD>(attributes_.size());
  return {};
}

Status VerifyToken(HANDLE process, const Identity& identity) {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(process, TOKEN_QUERY, &raw)) {
    return WinError("OpenProcessToken", "the command's process", GetLastError());
  }
  UniqueHandle token(raw);
  auto is_container = TokenInformation(token.get(), TokenIsAppContainer, "TokenIsAppContainer");
  if (!is_container.ok()) return is_container.error();
  DWORD flag = 0;
  std::copy_n(is_container.value().data(), sizeof(flag), reinterpret_cast<char*>(&flag));
  if (flag == 0) return TokenIsNot("an ordinary token (TokenIsAppContainer is 0)", identity);

  auto package = TokenInformation(token.get(), TokenAppContainerSid, "TokenAppContainerSid");
  if (!package.ok()) return package.error();
  const auto* info =
      reinterpret_cast<const TOKEN_APPCONTAINER_INFORMATION*>(package.value().data());
  const std::string sid = SidText(info->TokenAppContainer);
  if (sid != identity.package_sid) {
    return TokenIsNot("an AppContainer token of package " + sid, identity);
  }

  auto groups = TokenInformation(token.get(), TokenCapabilities, "TokenCapabilities");
  if (!groups.ok()) return groups.error();
  const auto* caps = reinterpret_cast<const TOKEN_GROUPS*>(groups.value().data());
  std::vector<std::string> held;
  for (DWORD i = 0; i < caps->GroupCount; ++i) held.push_back(SidText(caps->Groups[i].Sid));
  std::vector<std::string> wanted = identity.capability_sids;
  std::sort(held.begin(), held.end());
  std::sort(wanted.begin(), wanted.end());
  if (held != wanted) {
    std::string list;
    for (const std::string& h : held) list += (list.empty() ? "" : ", ") + h;
    return TokenIsNot("a token holding the capabilities [" + list + "]", identity);
  }
  return {};
}

}  // namespace cordon::sandbox::appcontainer
