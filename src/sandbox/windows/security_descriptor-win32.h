// Security descriptors from the SDDL that sddl.h builds, read back ACE by
// ACE, and checked with AccessCheck: the step between "cordon wrote this
// string" and "Windows grants and denies these rights".
//
// The DACL text cordon builds (sddl.h) only matters once Windows has parsed
// it: a misspelt right or flag is rejected, or worse, parsed into something
// else. So the Win32 layer converts it with
// ConvertStringSecurityDescriptorToSecurityDescriptorW, reads the DACL back
// as binary ACEs (type, flags, mask, SID) to compare with the plan, and asks
// AccessCheck what a token is granted, with the NTFS generic mapping.
#pragma once

#include <windows.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cordon::sandbox::security_descriptor {

// A self-relative security descriptor owned through LocalFree (what the
// SDDL conversion and GetNamedSecurityInfoW hand out).
struct LocalFreeDeleter {
  void operator()(void* p) const { LocalFree(p); }
};
using Owned = std::unique_ptr<void, LocalFreeDeleter>;

// ConvertStringSecurityDescriptorToSecurityDescriptorW of `sddl`
// ("O:SYG:SYD:P(A;OICI;0x1301bf;;;S-1-...)"); an Error names the string.
[[nodiscard]] Result<Owned> FromSddl(std::string_view sddl);

// ConvertSecurityDescriptorToStringSecurityDescriptorW of the parts in
// `info` (DACL_SECURITY_INFORMATION: "D:...").
[[nodiscard]] Result<std::string> ToSddl(PSECURITY_DESCRIPTOR sd, SECURITY_INFORMATION info);

// One ACE of a DACL as Windows holds it.
struct AceRead {
  uint8_t type = 0;   // ACCESS_ALLOWED_ACE_TYPE (0), ACCESS_DENIED_ACE_TYPE (1), ...
  uint8_t flags = 0;  // OBJECT_INHERIT_ACE, ..., INHERITED_ACE (0x10)
  uint32_t mask = 0;
  std::string sid;  // "S-1-5-...", empty for an ACE type without a plain SID
  friend bool operator==(const AceRead&, const AceRead&) = default;
};

struct DaclRead {
  bool present = false;     // a DACL at all (none: everyone gets everything)
  bool protected_ = false;  // SE_DACL_PROTECTED: inheritance blocked
  std::vector<AceRead> aces;
};

// The descriptor's DACL, ACE by ACE, in order.
[[nodiscard]] Result<DaclRead> ReadDacl(PSECURITY_DESCRIPTOR sd);

// What AccessCheck says `token` (an impersonation token) gets on `sd` when
// it asks for `desired` (MAXIMUM_ALLOWED for everything it may have), with
// the file rights' generic mapping.
struct AccessResult {
  bool granted = false;  // AccessStatus: all of `desired` granted
  uint32_t granted_mask = 0;
};
[[nodiscard]] Result<AccessResult> CheckAccess(PSECURITY_DESCRIPTOR sd, HANDLE token,
                                               uint32_t desired);

}  // namespace cordon::sandbox::security_descriptor
