// The ACE journal: every ACE the Windows backend adds, written down before
// it is added, so that `cordon uninstall` can take each one out again
// (uninstall_plan.h) and then prove no cordon SID is left on disk.
//
// The file is text, one entry per line after a header line:
//   cordon-ace-journal 1
//   ace <TAB> A|D <TAB> OICI|OI|CI|-... <TAB> 0x<mask> <TAB> <SID> <TAB> <path> <TAB> <DACL
//   before>|-
// TAB separates fields because no Windows file name, SID or SDDL string can
// hold one (names exclude characters 1-31). The file is read back from disk
// by an elevated uninstall, so the parser treats it as hostile: every error
// names the line and the field, nothing it reads can crash it (fuzzed in
// tests/fuzz/ace_journal_fuzz.cc).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cordon::sandbox::windows {

enum class AceType { kAllow, kDeny };

// ACE inheritance flags, as in the ACE header (winnt.h).
inline constexpr uint8_t kObjectInherit = 0x1;     // OI: files below inherit it
inline constexpr uint8_t kContainerInherit = 0x2;  // CI: directories below inherit it
inline constexpr uint8_t kNoPropagate = 0x4;       // NP: children only, not grandchildren
inline constexpr uint8_t kInheritOnly = 0x8;       // IO: not on the object itself
inline constexpr uint8_t kInheritanceMask = 0xf;

// Access masks (winnt.h, the NTFS file rights).
inline constexpr uint32_t kFileReadExecute = 0x1200a9;  // FILE_GENERIC_READ | FILE_GENERIC_EXECUTE
inline constexpr uint32_t kFileModify = 0x1301bf;       // icacls "M": read, write, execute, delete
inline constexpr uint32_t kDelete = 0x10000;            // DELETE: rename or remove the object
// What a protected path denies: writing data, appending, extended
// attributes, attributes, deleting children, the object itself (rename),
// its DACL and owner.
inline constexpr uint32_t kDenyWrite =
    0x2 | 0x4 | 0x10 | 0x40 | 0x100 | kDelete | 0x40000 | 0x80000;
// What a deny-read path denies besides: reading data or listing, extended
// attributes, executing or traversing. Its attributes stay readable (the
// name is visible in its folder anyway, as on Linux).
inline constexpr uint32_t kDenyReadAndWrite = kDenyWrite | 0x1 | 0x8 | 0x20;

struct AceEntry {
  std::string path;  // full path, NormalPath::Display() form
  AceType type = AceType::kAllow;
  uint8_t inheritance = 0;
  uint32_t mask = 0;
  std::string sid;            // "S-1-15-3-1024-..."
  std::string previous_dacl;  // "D:..." read just before the ACE was added; empty until then
  friend bool operator==(const AceEntry&, const AceEntry&) = default;
};

// "OICI", "OI", "CI", "OICINP", ... in SDDL's letters; "" for none.
[[nodiscard]] std::string InheritanceLetters(uint8_t inheritance);

// The journal's text, header included.
[[nodiscard]] std::string SerializeJournal(const std::vector<AceEntry>& entries);

// Parses a journal; an Error names "line N" and what is wrong with it.
[[nodiscard]] Result<std::vector<AceEntry>> ParseJournal(std::string_view text);

}  // namespace cordon::sandbox::windows
