// Taking the journal's ACEs out again, for `cordon uninstall`.
//
// The journal is replayed in reverse. Each entry's ACE is removed from the
// path's current DACL rather than the whole "previous DACL" written back:
// the user may have changed the ACL since (granted a colleague, say), and
// those changes stay. The previous DACL is compared with the result only to
// report whether the path is back to exactly what it was. Entries whose
// path is gone are skipped and reported; an ACE that is no longer there is
// nothing to do, so running the plan twice changes nothing the second time.
// After the plan is applied the Win32 layer scans the journal's paths and
// the workspace trees for any ACE naming a cordon SID (sid_derive.h) and
// reports what remains.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/ace_journal.h"

namespace cordon::sandbox::windows {

struct UndoStep {
  enum class Kind {
    kWriteDacl,    // write new_dacl to entry.path
    kAlreadyGone,  // the ACE is not in the DACL: nothing to do
    kPathGone,     // the path no longer exists: skipped, reported
  };
  Kind kind = Kind::kAlreadyGone;
  AceEntry entry;
  std::string new_dacl;           // kWriteDacl: the DACL with the ACE removed
  bool restored_exactly = false;  // kWriteDacl: new_dacl equals entry.previous_dacl
};

// The current explicit DACL of a path ("D:..."), or nullopt when the path
// does not exist.
using ReadDacl = std::function<std::optional<std::string>(const std::string& path)>;

// One step per journal entry, last entry first. Steps on the same path see
// the DACL as the steps before them left it. A DACL that does not parse is
// an Error (uninstall stops and reports; it never writes a guess).
[[nodiscard]] Result<std::vector<UndoStep>> PlanUninstall(const std::vector<AceEntry>& journal,
                                                          const ReadDacl& read_dacl);

}  // namespace cordon::sandbox::windows
