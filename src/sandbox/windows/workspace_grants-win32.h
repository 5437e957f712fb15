// The workspace's ACEs, put on disk once per workspace: the one entry
// point `cordon run` (first run in a workspace) and `cordon setup` call.
//
// The steps, in order, each refusing the whole request before any ACE:
//  1. the final path of the workspace and each writable and readable root
//     (profile_facts-win32.h FinalPath: a junction into ~/.ssh is judged as
//     ~/.ssh), and of each existing protected path, which must stay inside
//     the root it is protected in (a protected path that is a link out of
//     the workspace would put the deny on whatever it points at);
//  2. the host's facts (GatherProfileFacts) and every root validated
//     against them (ValidateGrantRoot, root_validator.h): a forbidden root
//     is an Error naming the root, its final path and the reason;
//  3. the workspace's capability SID: CapabilitySidFromName(
//     WorkspaceCapabilityName(Normalize(final workspace).key)) (sid_derive.h);
//  4. the plan (PlanGrants, grant_plan.h);
//  5. the journal's folder created, then ApplyGrants (acl_apply-win32.h):
//     each ACE journaled and flushed first, written, read back; an ACE
//     already in a DACL is neither journaled nor added again, so a second
//     call for the same workspace adds nothing.
// A failure in step 5 leaves the ACEs before it in place and journaled
// (`cordon uninstall` removes them); the run must not start (exit 125).
//
// Protected paths that do not exist carry no ACE (an ACE needs an object):
// they are listed in GrantSummary::protected_absent, and the caller must
// cover them another way (quarantine after the run, as on Linux).
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/grant_plan.h"

namespace cordon::sandbox::windows {

// Plain data the caller fills from the resolved policy. Paths are full
// Windows paths (any spelling: they are resolved here).
struct GrantRequest {
  std::string workspace;                        // must exist
  std::vector<std::string> writable_roots;      // each must exist
  std::vector<std::string> readable_roots;      // each must exist
  std::vector<ProtectedInput> protected_paths;  // inside a writable root; may not exist
  // The policy's deny-read paths; those that exist inside a granted root
  // get a deny of reading and writing at their final path (grant_plan.h).
  std::vector<std::string> deny_read;
  // <state>\cordon\ace-journal (cli/maintenance-win32.h JournalPath), or a
  // test's; its folder is created.
  std::string journal;
  // A read-only run: the workspace is granted read and execute to the
  // workspace's read capability (WorkspaceReadCapabilityName); writable
  // roots are refused and protected paths need nothing.
  bool read_only = false;
};

struct GrantSummary {
  std::string workspace;                      // the final path the grants were planned on
  std::string capability_name;                // "cordon.ws.<16 hex>"
  std::string sid;                            // its SID, "S-1-15-3-1024-..."
  size_t planned = 0;                         // ACEs the policy needs
  size_t added = 0;                           // journaled and added by this call
  size_t already_present = 0;                 // planned - added: there from an earlier run
  std::vector<AceEntry> added_entries;        // as journaled
  std::vector<std::string> protected_absent;  // protected paths with no ACE (absent)
  // "first run in this workspace: 7 ACEs added" / "grants in place (7 ACEs)".
  [[nodiscard]] std::string Describe() const;
};

// Steps 1-5 above. An Error names the step, the path and the Win32 error
// or the validator's reason (with its hint).
[[nodiscard]] Result<GrantSummary> EnsureWorkspaceGrants(const GrantRequest& request);

}  // namespace cordon::sandbox::windows
