// The ACEs one workspace needs, planned from the policy before anything is
// touched: the Win32 layer writes each entry to the journal (ace_journal.h),
// then adds it, once per workspace (never per command: the original's
// per-command grants cost 20 s to 2 min a command, openai/codex#34529).
//
// - The workspace and each writable root: Modify (icacls "M"), inherited
//   by files and directories below, for the workspace's capability SID.
// - Each readable root (a toolchain outside Program Files): read and
//   execute, inherited, for the same SID.
// - Each deny-read path inside any granted root: a deny of reading and
//   writing, inherited when it is a directory.
// - Each protected path inside a writable root (.git\hooks, .git\config,
//   .cordon.toml, ...): a deny of every kind of write, rename and ACL
//   change (kDenyWrite), inherited when it is a directory; and a deny of
//   DELETE alone, on the object only, on each directory between the root
//   and it, so that renaming .git away and putting another in its place is
//   refused too. Ordinary git keeps working: .git itself, objects, refs,
//   index and FETCH_HEAD stay writable (the original denied all of .git,
//   which broke git fetch).
// Roots are validated first (root_validator.h): a forbidden root fails the
// whole plan, nothing is half-granted.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/root_validator.h"

namespace cordon::sandbox::windows {

struct ProtectedInput {
  std::string path;        // full path
  bool directory = false;  // what it is, or would be when created
};

struct GrantInputs {
  std::string workspace;
  std::vector<std::string> writable_roots;
  std::vector<std::string> readable_roots;
  std::vector<ProtectedInput> protected_paths;
  // The policy's deny-read paths that exist: each inside a granted root
  // gets a deny of reading and writing (kDenyReadAndWrite), inherited
  // when it is a directory, so no grant above it reaches it. Deny-read
  // beats every grant, as on Linux.
  std::vector<ProtectedInput> deny_read;
  std::string sid;  // the workspace's capability SID (sid_derive.h)
  // A read-only run's grants: the workspace is read and execute for `sid`
  // (WorkspaceReadCapabilityName's), and nothing is writable, so no
  // writable roots are allowed and no protected path needs a deny.
  bool read_only = false;
};

// The entries in the order they are to be added (allows, then denies; the
// DACL order is sddl.h's business). previous_dacl is left empty.
[[nodiscard]] Result<std::vector<AceEntry>> PlanGrants(const GrantInputs& in,
                                                       const ProfileFacts& facts);

}  // namespace cordon::sandbox::windows
