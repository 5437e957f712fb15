// HostFacts::FromProcess on Windows. The home is %USERPROFILE%; the places
// the Linux build takes from the XDG variables come from the known folders'
// variables when the XDG ones are not set (an XDG variable that holds a
// drive path wins, as on Linux):
//   config  %APPDATA%                 (so the user file is %APPDATA%\cordon\config.toml)
//   state   %LOCALAPPDATA%            (cordon's state: %LOCALAPPDATA%\cordon)
//   cache   %LOCALAPPDATA%\cache      (not %LOCALAPPDATA%: the cache layers,
//                                      CACHE\cordon\layers, must not fall
//                                      inside cordon's state)
//   data    %LOCALAPPDATA%
// There is no runtime directory, and `root` is false: the root-only rule
// has no Windows counterpart (root_only-win32.cc). Variables are read as
// UTF-16 and converted, so a non-ASCII profile path survives.
#include <windows.h>

#include <string_view>

#include "policy/defaults.h"
#include "policy/loader.h"
#include "policy/paths.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::policy {
namespace {

std::string Env(const char* name) {
  const std::wstring wide_name = sandbox::Widen(name);
  const DWORD size = GetEnvironmentVariableW(wide_name.c_str(), nullptr, 0);
  if (size == 0) return {};
  std::wstring value(size, L'\0');
  const DWORD n = GetEnvironmentVariableW(wide_name.c_str(), value.data(), size);
  if (n == 0 || n >= size) return {};
  value.resize(n);
  return sandbox::Narrow(value);
}

// A drive path from the environment, normalized; empty when unset or not a
// full drive path.
std::string AbsoluteEnv(const char* name) {
  const std::string v = Env(name);
  return IsAbsolutePath(v) ? NormalizePath(v) : std::string();
}

std::string EnvOr(const char* xdg, const std::string& fallback) {
  std::string v = AbsoluteEnv(xdg);
  return v.empty() ? fallback : v;
}

}  // namespace

Result<HostFacts> HostFacts::FromProcess() {
  HostFacts h;
  h.home = AbsoluteEnv("USERPROFILE");
  if (h.home.empty()) {
    return PlainError("policy", "USERPROFILE",
                      "cannot find the home directory (%USERPROFILE% is unset or not a full path)");
  }
  const DWORD size = GetCurrentDirectoryW(0, nullptr);
  std::wstring cwd(size, L'\0');
  const DWORD n = size == 0 ? 0 : GetCurrentDirectoryW(size, cwd.data());
  if (n == 0 || n >= size) {
    return sandbox::WinError("GetCurrentDirectoryW", "", GetLastError());
  }
  cwd.resize(n);
  h.cwd = NormalizePath(sandbox::Narrow(cwd));
  const std::string appdata = AbsoluteEnv("APPDATA");
  const std::string local = AbsoluteEnv("LOCALAPPDATA");
  h.xdg_config_home =
      EnvOr("XDG_CONFIG_HOME", appdata.empty() ? h.home + "/AppData/Roaming" : appdata);
  const std::string local_or = local.empty() ? h.home + "/AppData/Local" : local;
  h.xdg_state_home = EnvOr("XDG_STATE_HOME", local_or);
  h.xdg_cache_home = EnvOr("XDG_CACHE_HOME", NormalizePath(local_or + "/cache"));
  h.xdg_data_home = EnvOr("XDG_DATA_HOME", local_or);
  for (const std::string& name : CacheEnvNames()) {
    std::string value = AbsoluteEnv(name.c_str());
    if (!value.empty()) h.cache_env.emplace_back(name, std::move(value));
  }
  h.git_config_global = AbsoluteEnv("GIT_CONFIG_GLOBAL");
  h.git_config_system = AbsoluteEnv("GIT_CONFIG_SYSTEM");
  const std::string nosystem = Env("GIT_CONFIG_NOSYSTEM");
  h.git_config_nosystem = !nosystem.empty() && nosystem != "0" && nosystem != "false";
  h.root = false;
  MEMORYSTATUSEX memory{};
  memory.dwLength = sizeof memory;
  if (GlobalMemoryStatusEx(&memory) != 0) {
    h.mem_total_bytes = static_cast<int64_t>(memory.ullTotalPhys);
  }
  return h;
}

}  // namespace cordon::policy
