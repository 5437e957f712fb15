// HostFacts::FromProcess on Linux (and any Unix): $HOME or the passwd entry,
// the XDG base directories, the package tools' cache variables, git's config
// variables, the effective uid and sysinfo(2)'s RAM.
#include <limits.h>
#include <pwd.h>
#include <stdlib.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <string_view>

#include "policy/defaults.h"
#include "policy/loader.h"
#include "policy/paths.h"

namespace cordon::policy {
namespace {

// An absolute environment value, normalized; empty when unset or relative
// (the XDG spec says relative values are ignored).
std::string AbsoluteEnv(const char* name) {
  const char* v = ::getenv(name);
  if (v == nullptr || v[0] != '/') {
    return {};
  }
  return NormalizePath(v);
}

}  // namespace

Result<HostFacts> HostFacts::FromProcess() {
  HostFacts h;
  h.home = AbsoluteEnv("HOME");
  if (h.home.empty()) {
    // /etc/passwd read directly (fgetpwent_r), not through NSS: cordon is
    // linked statically and loads no NSS modules.
    if (FILE* f = std::fopen("/etc/passwd", "re")) {
      struct passwd pw;
      struct passwd* found = nullptr;
      char buf[4096];
      while (::fgetpwent_r(f, &pw, buf, sizeof buf, &found) == 0 && found != nullptr) {
        if (found->pw_uid == ::getuid() && found->pw_dir != nullptr && found->pw_dir[0] == '/') {
          h.home = NormalizePath(found->pw_dir);
          break;
        }
      }
      std::fclose(f);
    }
  }
  if (h.home.empty()) {
    return PlainError("policy", "HOME",
                      "cannot find the home directory ($HOME unset, no passwd entry)");
  }
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) {
    return SysError("getcwd", "", errno);
  }
  h.cwd = NormalizePath(cwd);
  h.xdg_config_home = AbsoluteEnv("XDG_CONFIG_HOME");
  if (h.xdg_config_home.empty()) {
    h.xdg_config_home = NormalizePath(h.home + "/.config");
  }
  h.xdg_state_home = AbsoluteEnv("XDG_STATE_HOME");
  if (h.xdg_state_home.empty()) {
    h.xdg_state_home = NormalizePath(h.home + "/.local/state");
  }
  h.xdg_runtime_dir = AbsoluteEnv("XDG_RUNTIME_DIR");
  h.xdg_cache_home = AbsoluteEnv("XDG_CACHE_HOME");
  if (h.xdg_cache_home.empty()) h.xdg_cache_home = NormalizePath(h.home + "/.cache");
  h.xdg_data_home = AbsoluteEnv("XDG_DATA_HOME");
  if (h.xdg_data_home.empty()) h.xdg_data_home = NormalizePath(h.home + "/.local/share");
  for (const std::string& name : CacheEnvNames()) {
    std::string value = AbsoluteEnv(name.c_str());
    if (!value.empty()) h.cache_env.emplace_back(name, std::move(value));
  }
  h.git_config_global = AbsoluteEnv("GIT_CONFIG_GLOBAL");
  h.git_config_system = AbsoluteEnv("GIT_CONFIG_SYSTEM");
  const char* nosystem = std::getenv("GIT_CONFIG_NOSYSTEM");
  h.git_config_nosystem = nosystem != nullptr && *nosystem != '\0' &&
                          std::string_view(nosystem) != "0" &&
                          std::string_view(nosystem) != "false";
  h.root = ::geteuid() == 0;
  struct sysinfo info;
  if (::sysinfo(&info) == 0) {
    h.mem_total_bytes = static_cast<int64_t>(info.totalram) * info.mem_unit;
  }
  return h;
}

}  // namespace cordon::policy
