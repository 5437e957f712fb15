// SIDs derived from names, so that every SID cordon puts in an ACE can be
// recomputed from the journal and the profile names at uninstall (the
// original's random capability SIDs could not be: 404 unknown SIDs left on
// users' files, openai/codex#41169).
//
// The rules, as Windows applies them (docs/windows.md, "SIDs"):
// - an AppContainer profile's SID (DeriveAppContainerSidFromAppContainerName)
//   is S-1-15-2- followed by the first 28 bytes of SHA-256 over the
//   lower-cased name in UTF-16LE, read as seven little-endian 32-bit numbers;
// - a named capability's SID (DeriveCapabilitySidsFromName) is
//   S-1-15-3-1024- followed by all 32 bytes of SHA-256 over the upper-cased
//   name in UTF-16LE, as eight little-endian 32-bit numbers.
// Both are checked against SIDs published from real Windows (tests). Names
// are restricted to ASCII so that the case mapping is exact (Windows'
// mapping of other characters is not reproduced here), and a capability
// name must not be one of the legacy names Windows maps to a short
// well-known SID ("internetClient" is S-1-15-3-1, not a hash).
#pragma once

#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::sandbox::windows {

// The AppContainer SID of a profile name: 1 to 64 characters of
// [-_. A-Za-z0-9] (CreateAppContainerProfile's rule); others are an Error.
[[nodiscard]] Result<std::string> AppContainerSidFromName(std::string_view name);

// The capability SID of a capability name: 1 to 256 printable ASCII
// characters, not a legacy well-known capability name.
[[nodiscard]] Result<std::string> CapabilitySidFromName(std::string_view name);

// The name of a workspace's capability: "cordon.ws." and 16 hex digits of
// SHA-256 over the workspace's comparison key (path_match.h, NormalPath::key),
// so the same workspace gets the same SID however its path was spelled.
[[nodiscard]] std::string WorkspaceCapabilityName(std::string_view workspace_key);

// The capability of read-only runs in that workspace: the same name with
// ".read" appended. Its SID is granted read and execute only, so a token
// holding it cannot write the workspace whatever the command does.
[[nodiscard]] std::string WorkspaceReadCapabilityName(std::string_view workspace_key);

// True for "S-1-<authority>-<sub>..." with 1 to 15 sub-authorities, each a
// decimal 32-bit number, and a decimal authority below 2^48: the form the
// journal and SDDL accept (no SDDL aliases such as "BA").
[[nodiscard]] bool IsSidString(std::string_view sid);

}  // namespace cordon::sandbox::windows
