// DACLs in SDDL, built from the grant plan and edited without a round trip
// through Windows: the string the Win32 layer hands to
// ConvertStringSecurityDescriptorToSecurityDescriptorW, and the reverse edit
// uninstall makes.
//
// An ACE is "(type;flags;rights;object guid;inherited object guid;SID)" and
// a DACL "D:<P|AI|AR|NO_ACCESS_CONTROL...>(ace)(ace)...". Conditional ACEs
// carry a seventh field with nested parentheses and quoted strings; they are
// kept verbatim. The DACL text comes from GetNamedSecurityInfo on files the
// sandbox could write, so the parser treats it as hostile (fuzzed).
//
// Adding keeps the canonical order Windows requires for a correct access
// check: explicit deny ACEs, then explicit allow ACEs, then inherited ones
// (flag ID). Equality of ACEs is by fields: type, flag set, rights (as a
// mask: hex in any case and the SDDL right letters Windows writes back,
// "FA" or "DCLCRPDTCRSDWDWO", compare by value; cordon writes hex), SID.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/ace_journal.h"

namespace cordon::sandbox::windows {

// "(A;OICI;0x1301bf;;;S-1-15-3-1024-...)".
[[nodiscard]] std::string AceSddl(AceType type, uint8_t inheritance, uint32_t mask,
                                  std::string_view sid);
[[nodiscard]] std::string AceSddl(const AceEntry& entry);

struct Dacl {
  std::string flags;              // "P", "AI", "PAI", ... ("" for none)
  std::vector<std::string> aces;  // each "(...)" as written
};

// Parses "D:..." (only the DACL part: no O:, G: or S:).
[[nodiscard]] Result<Dacl> ParseDacl(std::string_view sddl);
[[nodiscard]] std::string FormatDacl(const Dacl& dacl);

// The DACL with `ace` added in its canonical place, unless an equal explicit
// ACE is there already (adding twice changes nothing).
[[nodiscard]] Result<Dacl> WithAce(const Dacl& dacl, std::string_view ace);

// Removes every explicit ACE equal to `ace`; false when there was none.
[[nodiscard]] Result<bool> RemoveAce(Dacl& dacl, std::string_view ace);

// A whole DACL for a new object granted to `entries` alone, protected from
// inheritance ("D:P(...)(...)"), in canonical order: what a test or the
// smoke script compares a read-back descriptor with.
[[nodiscard]] std::string ProtectedDacl(const std::vector<AceEntry>& entries);

}  // namespace cordon::sandbox::windows
