// The host's facts for the grant-root validator (root_validator.h), read
// from Windows, and the final path of a root, so that a root is judged as
// the place it really is.
//
// What is gathered: the profile directory (GetUserProfileDirectoryW) and
// %USERPROFILE%, the profiles folder (FOLDERID_UserProfiles), every drive
// root (GetLogicalDriveStringsW), the system directories (FOLDERID_Windows,
// ProgramFiles, ProgramFilesX86, ProgramData), the hive files (NTUSER.DAT,
// UsrClass.dat), ~/.ssh and every path OpenSSH's client configuration
// names: %USERPROFILE%\.ssh\config and the system
// %ProgramData%\ssh\ssh_config, parsed by ssh_config_paths.h, with each Include pattern
// expanded (FindFirstFileW) and the included files read in turn, at most 16
// levels deep. Each place is listed as Windows returned it and, where it
// exists, as its final path (a profile or ~/.ssh reached through a junction
// is refused under either name); a path that does not exist yet is listed
// with its longest existing ancestor resolved.
//
// Fail closed: a config that exists but cannot be read is an Error (its
// paths are unknown, so no root can be judged against them); a config that
// does not exist names nothing. Every failure names the call, the path and
// the Win32 error.
#pragma once

#include <string>

#include "common/result.h"
#include "sandbox/windows/root_validator.h"

namespace cordon::sandbox::windows {

// The facts of the current user's session (the token of this process).
[[nodiscard]] Result<ProfileFacts> GatherProfileFacts();

// The path as the file system resolves it: CreateFileW (no access asked,
// FILE_FLAG_BACKUP_SEMANTICS so directories open, links and junctions
// followed), then GetFinalPathNameByHandleW(FILE_NAME_NORMALIZED |
// VOLUME_NAME_DOS) with the "\\?\" prefix taken off ("\\?\UNC\s\x" becomes
// "\\s\x"). Long names, the real case, no 8.3 aliases. An Error when the
// path does not exist or cannot be opened, naming the call, path and error.
[[nodiscard]] Result<std::string> FinalPath(const std::string& path);

}  // namespace cordon::sandbox::windows
