// PlatformHomeDenyRead on Windows: what a Windows profile keeps secret
// besides the dotfiles the shared list names (which the same tools use on
// Windows too: .ssh, .aws, .azure, .kube, .docker, .git-credentials, .npmrc,
// .pypirc, .cargo/credentials). Paths are relative to %USERPROFILE%, at the
// known folders' default places (a redirected AppData is not followed yet).
// An AppContainer reads none of the profile anyway (docs/windows.md): this
// list is what stays denied when a readable root takes in part of it.
#include <array>

#include "policy/defaults.h"

namespace cordon::policy {

std::span<const char* const> PlatformHomeDenyRead() {
  static constexpr std::array<const char*, 15> kPaths = {
      // DPAPI master keys, Credential Manager and the user's key containers.
      "AppData/Roaming/Microsoft/Protect",
      "AppData/Roaming/Microsoft/Credentials",
      "AppData/Local/Microsoft/Credentials",
      "AppData/Roaming/Microsoft/Crypto",
      "AppData/Local/Microsoft/Vault",
      // Tools' tokens where Windows builds keep them.
      "AppData/Roaming/GitHub CLI",
      "AppData/Roaming/gcloud",
      "AppData/Roaming/pip/pip.ini",
      // Browser profiles.
      "AppData/Local/Google/Chrome/User Data",
      "AppData/Local/Microsoft/Edge/User Data",
      "AppData/Local/BraveSoftware/Brave-Browser/User Data",
      "AppData/Roaming/Mozilla/Firefox",
      // PowerShell's history (PSReadLine).
      "AppData/Roaming/Microsoft/Windows/PowerShell/PSReadLine",
      // The registry hives: never an ACE, never a read (docs/windows.md).
      "NTUSER.DAT",
      "AppData/Local/Microsoft/Windows/UsrClass.dat",
  };
  return kPaths;
}

}  // namespace cordon::policy
