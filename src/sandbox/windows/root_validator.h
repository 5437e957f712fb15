// Which directories the Windows backend may put an ACE on.
//
// An ACE is added once per workspace, inheritable, on the workspace and the
// named writable or readable roots: never on a place whose ACL the system or
// OpenSSH depends on. The original's failures are the list (docs/windows.md,
// "Filesystem grants"): Modify on C:\ (openai/codex#24256), ACEs on ~/.ssh
// that made OpenSSH refuse keys (#12226), write ACEs reaching NTUSER.DAT and
// temporary-profile logons (#31140). A root is refused, with the reason, when
// it is or contains one of those places, or lies inside a system directory
// or ~/.ssh. The Win32 layer gathers the facts (ProfileFacts); this decides.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/path_match.h"

namespace cordon::sandbox::windows {

// The places no root may be or contain, each a full path (unnormalised;
// paths that do not normalise are ignored, which the Win32 layer avoids by
// passing what Windows returned).
struct ProfileFacts {
  std::string profile_dir;               // GetUserProfileDirectoryW
  std::string userprofile_env;           // %USERPROFILE% (may differ when redirected)
  std::string profiles_root;             // FOLDERID_UserProfiles: C:\Users
  std::vector<std::string> drive_roots;  // "C:\", "D:\", ...
  // C:\Windows, Program Files (both), ProgramData: refused, and so is
  // anything inside them.
  std::vector<std::string> system_dirs;
  // ~/.ssh and every file OpenSSH's configuration names (IdentityFile,
  // CertificateFile, UserKnownHostsFile, Include, ...): see ssh_config_paths.h.
  std::vector<std::string> ssh_paths;
  // The registry hive files: NTUSER.DAT (profile root) and UsrClass.dat
  // (AppData\Local\Microsoft\Windows), and their .LOG companions' folders.
  std::vector<std::string> hive_files;
};

// Accepts an ordinary directory such as C:\Users\me\src\repo or D:\work;
// otherwise an Error whose detail says which forbidden place the root is,
// contains or lies in, and whose hint says what to grant instead.
[[nodiscard]] Result<NormalPath> ValidateGrantRoot(std::string_view root,
                                                   const ProfileFacts& facts);

}  // namespace cordon::sandbox::windows
