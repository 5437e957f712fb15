// Taking cordon's ACEs off the disk, and proving none is left: the file
// system half of `cordon uninstall` (the caller deletes the AppContainer
// profiles and the WFP objects around it).
//
// The steps, in order:
//  1. the journal is read (a journal that does not parse stops here, with
//     its line named, nothing written);
//  2. RevertJournal (acl_apply-win32.h): the journal replayed in reverse,
//     every journaled path's DACL read before any is written, each of
//     cordon's ACEs taken out of the current DACL (the user's own changes
//     stay);
//  3. the scan: each journaled path, and each workspace tree walked (at
//     most kMaxScanDepth deep and kMaxScanEntries paths; reparse points are
//     read but not entered), every ACE of every DACL, inherited or not,
//     compared with the cordon SIDs: both profile SIDs
//     (AppContainerSidFromName("cordon.offline"/"cordon.online")), every
//     SID the journal names, and the capability SIDs (write and read) of each workspace root
//     given (sid_derive.h, recomputed from the name: nothing random).
// The journal file is left in place: the caller deletes it once the report
// is clean and the rest of uninstall succeeded.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/uninstall_plan.h"

namespace cordon::sandbox::windows {

inline constexpr int kMaxScanDepth = 64;
inline constexpr size_t kMaxScanEntries = 200000;

struct RemainingAce {
  std::string path;
  std::string sid;
  uint8_t type = 0;   // 0 allow, 1 deny, ...
  uint8_t flags = 0;  // inheritance; 0x10 (INHERITED_ACE) when inherited
  uint32_t mask = 0;
  // "C:\w\src: allow 0x1301bf (inherited) for S-1-15-3-1024-..."
  [[nodiscard]] std::string Describe() const;
};

struct UninstallReport {
  std::vector<UndoStep> steps;  // RevertJournal's, last entry first
  size_t removed = 0;           // steps that wrote a DACL
  size_t already_gone = 0;
  size_t path_gone = 0;
  std::vector<std::string> cordon_sids;  // what the scan looked for
  size_t scanned = 0;                    // paths whose DACL was read
  bool scan_truncated = false;           // a bound was reached: not everything was read
  std::vector<std::string> unreadable;   // "path: why" for DACLs that could not be read
  std::vector<RemainingAce> remaining;   // must be empty
  // Nothing remains and everything in scope was read.
  [[nodiscard]] bool clean() const {
    return remaining.empty() && unreadable.empty() && !scan_truncated;
  }
};

// Steps 1-3. `journal` may not exist (nothing to revert; the scan still
// runs). `workspace_roots` are full paths; those that do not exist are
// skipped. An Error means uninstall could not run (the journal does not
// parse, a DACL could not be read before the replay, a write failed); a
// report that is not clean() means it ran and something is left, listed.
[[nodiscard]] Result<UninstallReport> UninstallAces(
    const std::string& journal, const std::vector<std::string>& workspace_roots);

// The scan alone, on `paths` themselves (no tree): the ACEs naming a cordon
// SID (the profiles', every SID `journal` names; a missing journal names
// none). Nothing is written. For `cordon doctor`: the places no grant may
// touch (the profile, ~/.ssh, OpenSSH's files, the hives) read back.
[[nodiscard]] Result<UninstallReport> CordonAcesOn(const std::vector<std::string>& paths,
                                                   const std::string& journal);

}  // namespace cordon::sandbox::windows
