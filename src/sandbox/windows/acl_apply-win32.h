// The grant plan (grant_plan.h) put on disk, and taken off again: each ACE
// is written to the journal (ace_journal.h) with the path's DACL as read
// just before, flushed, and only then added to the path's DACL; the
// reverse replay (uninstall_plan.h) takes exactly those ACEs out again.
//
// Journal first, so that a crash between the two steps leaves a journal
// entry for an ACE that is not there (uninstall finds nothing to remove:
// harmless), never an ACE the journal does not know (an orphan ACE, the
// original's #24256 and #41169). DACLs travel as SDDL ("D:..."), the form
// sddl.h edits and the journal stores; they are read and written with
// GetNamedSecurityInfoW / SetNamedSecurityInfoW, so Windows recomputes the
// inherited ACEs of the path and its children from the explicit ones.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/uninstall_plan.h"

namespace cordon::sandbox::acl_apply {

// The path's DACL as SDDL, explicit and inherited ACEs and the P/AI flags
// ("D:PAI(A;OICI;FA;;;SY)..."); nullopt when the path does not exist.
[[nodiscard]] Result<std::optional<std::string>> ReadDaclSddl(const std::string& path);

// Writes the DACL `dacl` ("D:...") to `path`. A DACL with the P flag is
// written protected, any other unprotected: then the ACEs `dacl` marks as
// inherited (ID) are replaced by what the parent passes down, and the
// path's explicit inheritable ACEs are passed on to its children.
[[nodiscard]] Status WriteDaclSddl(const std::string& path, const std::string& dacl);

// Appends `entry` to the journal file (created with its header when it
// does not exist) and flushes it to disk before returning.
[[nodiscard]] Status AppendJournal(const std::string& journal, const windows::AceEntry& entry);

// The journal's entries; none when the file does not exist. A journal
// that does not parse is an Error naming the line (nothing is guessed).
[[nodiscard]] Result<std::vector<windows::AceEntry>> ReadJournal(const std::string& journal);

// For each plan entry in order: reads the path's DACL, journals the entry
// with it as previous_dacl, then writes the DACL with the ACE added in its
// canonical place (sddl.h), and reads it back: a DACL the file system
// accepted but did not keep the ACE of is an Error (fail closed; Wine keeps
// only what POSIX mode bits say, see docs/windows.md). An ACE already in
// the DACL is neither journaled nor written again. Stops at the first
// failure, naming the step and path; what was journaled stays journaled
// (and reversible). Returns the entries as journaled.
[[nodiscard]] Result<std::vector<windows::AceEntry>> ApplyGrants(
    const std::vector<windows::AceEntry>& plan, const std::string& journal);

// Replays the journal in reverse (PlanUninstall) and writes each step's
// DACL. Every path's DACL is read before anything is written, and a read
// that fails for another reason than "no such path" stops it with nothing
// written. Returns the steps (what was removed, already gone, or skipped).
// The journal file is left as it is: uninstall scans its paths afterwards.
[[nodiscard]] Result<std::vector<windows::UndoStep>> RevertJournal(const std::string& journal);

}  // namespace cordon::sandbox::acl_apply
