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
#include <cstring>
#include <functional>
#include <string_view>

#include "policy/defaults.h"
#include "policy/loader.h"
#include "policy/paths.h"

namespace cordon::policy {
namespace {

// A variable's value, or null when unset.
using Getenv = std::function<const char*(const char*)>;

// An absolute environment value, normalized; empty when unset or relative
// (the XDG spec says relative values are ignored).
std::string AbsoluteEnv(const Getenv& getenv, const char* name) {
  const char* v = getenv(name);
  if (v == nullptr || v[0] != '/') {
    return {};
  }
  return NormalizePath(v);
}

Result<HostFacts> FromEnv(const Getenv& getenv, const std::string& cwd) {
  auto absolute = [&getenv](const char* name) { return AbsoluteEnv(getenv, name); };
  HostFacts h;
  h.home = absolute("HOME");
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
  h.cwd = NormalizePath(cwd);
  h.xdg_config_home = absolute("XDG_CONFIG_HOME");
  if (h.xdg_config_home.empty()) {
    h.xdg_config_home = NormalizePath(h.home + "/.config");
  }
  h.xdg_state_home = absolute("XDG_STATE_HOME");
  if (h.xdg_state_home.empty()) {
    h.xdg_state_home = NormalizePath(h.home + "/.local/state");
  }
  h.xdg_runtime_dir = absolute("XDG_RUNTIME_DIR");
  h.xdg_cache_home = absolute("XDG_CACHE_HOME");
  if (h.xdg_cache_home.empty()) h.xdg_cache_home = NormalizePath(h.home + "/.cache");
  h.xdg_data_home = absolute("XDG_DATA_HOME");
  if (h.xdg_data_home.empty()) h.xdg_data_home = NormalizePath(h.home + "/.local/share");
  for (const std::string& name : CacheEnvNames()) {
    std::string value = absolute(name.c_str());
    if (!value.empty()) h.cache_env.emplace_back(name, std::move(value));
  }
  h.git_config_global = absolute("GIT_CONFIG_GLOBAL");
  h.git_config_system = absolute("GIT_CONFIG_SYSTEM");
  const char* nosystem = getenv("GIT_CONFIG_NOSYSTEM");
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

}  // namespace

Result<HostFacts> HostFacts::FromProcess() {
  char cwd[PATH_MAX];
  if (::getcwd(cwd, sizeof cwd) == nullptr) {
    return SysError("getcwd", "", errno);
  }
  return FromEnv([](const char* name) { return ::getenv(name); }, cwd);
}

Result<HostFacts> HostFacts::FromEnvironment(const std::vector<std::string>& env,
                                             const std::string& cwd) {
  if (cwd.empty() || cwd.front() != '/') {
    return PlainError("policy", cwd, "the current directory must be an absolute path");
  }
  return FromEnv(
      [&env](const char* name) -> const char* {
        const size_t len = std::strlen(name);
        for (const std::string& e : env) {
          if (e.size() > len && e[len] == '=' && e.compare(0, len, name) == 0) {
            return e.c_str() + len + 1;
          }
        }
        return nullptr;
      },
      cwd);
}

}  // namespace cordon::policy
