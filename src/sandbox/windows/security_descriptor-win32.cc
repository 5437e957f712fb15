// SDDL to security descriptor, the DACL read back, AccessCheck (see
// security_descriptor-win32.h).
#include "sandbox/windows/security_descriptor-win32.h"

#include <windows.h>
// (after windows.h, which they need)
#include <aclapi.h>
#include <sddl.h>

#include <utility>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::security_descriptor {
namespace {

// The NTFS file rights (winnt.h FILE_GENERIC_*, FILE_ALL_ACCESS): what
// GENERIC_READ and the rest in an ACE stand for on a file.
GENERIC_MAPPING FileMapping() {
  return GENERIC_MAPPING{FILE_GENERIC_READ, FILE_GENERIC_WRITE, FILE_GENERIC_EXECUTE,
                         FILE_ALL_ACCESS};
}

}  // namespace

Result<Owned> FromSddl(std::string_view sddl) {
  const std::wstring wide = Widen(sddl);
  PSECURITY_DESCRIPTOR sd = nullptr;
  if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(wide.c_str(), SDDL_REVISION_1, &sd,
                                                            nullptr)) {
    return WinError("ConvertStringSecurityDescriptorToSecurityDescriptorW",
                    std::string(sddl.substr(0, 300)), GetLastError());
  }
  return Owned(sd);
}

Result<std::string> ToSddl(PSECURITY_DESCRIPTOR sd, SECURITY_INFORMATION info) {
  wchar_t* text = nullptr;
  if (!ConvertSecurityDescriptorToStringSecurityDescriptorW(sd, SDDL_REVISION_1, info, &text,
                                                            nullptr)) {
    return WinError("ConvertSecurityDescriptorToStringSecurityDescriptorW", "", GetLastError());
  }
  std::string out = Narrow(text);
  LocalFree(text);
  return out;
}

Result<DaclRead> ReadDacl(PSECURITY_DESCRIPTOR sd) {
  DaclRead out;
  BOOL present = FALSE;
  BOOL defaulted = FALSE;
  PACL acl = nullptr;
  if (!GetSecurityDescriptorDacl(sd, &present, &acl, &defaulted)) {
    return WinError("GetSecurityDescriptorDacl", "", GetLastError());
  }
  SECURITY_DESCRIPTOR_CONTROL control = 0;
  DWORD revision = 0;
  if (!GetSecurityDescriptorControl(sd, &control, &revision)) {
    return WinError("GetSecurityDescriptorControl", "", GetLastError());
  }
  out.present = present != FALSE && acl != nullptr;
  out.protected_ = (control & SE_DACL_PROTECTED) != 0;
  if (!out.present) return out;
  for (DWORD i = 0; i < acl->AceCount; ++i) {
    void* raw = nullptr;
    if (!GetAce(acl, i, &raw)) {
      return WinError("GetAce", "ACE " + std::to_string(i), GetLastError());
    }
    const auto* header = static_cast<const ACE_HEADER*>(raw);
    AceRead ace;
    ace.type = header->AceType;
    ace.flags = header->AceFlags;
    // Allowed and denied ACEs share one layout: header, mask, SID.
    if (header->AceType == ACCESS_ALLOWED_ACE_TYPE || header->AceType == ACCESS_DENIED_ACE_TYPE) {
      const auto* body = static_cast<const ACCESS_ALLOWED_ACE*>(raw);
      ace.mask = body->Mask;
      wchar_t* sid = nullptr;
      // SidStart is the first DWORD of the SID that follows the mask.
      PSID psid = const_cast<DWORD*>(&body->SidStart);
      if (!ConvertSidToStringSidW(psid, &sid)) {
        return WinError("ConvertSidToStringSidW", "ACE " + std::to_string(i), GetLastError());
      }
      ace.sid = Narrow(sid);
      LocalFree(sid);
    }
    out.aces.push_back(std::move(ace));
  }
  return out;
}

Result<AccessResult> CheckAccess(PSECURITY_DESCRIPTOR sd, HANDLE token, uint32_t desired) {
  GENERIC_MAPPING mapping = FileMapping();
  DWORD want = desired;
  MapGenericMask(&want, &mapping);
  // AccessCheck writes the privileges it used here; none are asked for, so
  // one entry's room is enough.
  PRIVILEGE_SET privileges{};
  DWORD privileges_size = sizeof(privileges);
  DWORD granted = 0;
  BOOL status = FALSE;
  if (!AccessCheck(sd, token, want, &mapping, &privileges, &privileges_size, &granted, &status)) {
    return WinError("AccessCheck", "", GetLastError());
  }
  return AccessResult{status != FALSE, granted};
}

}  // namespace cordon::sandbox::security_descriptor
