// Builds a Policy from built-in defaults, config files and CLI overrides.
//
// Layers, in order: built-in defaults; the user file
// ($XDG_CONFIG_HOME/cordon/config.toml, or --config FILE; none with
// --no-config); the project file WORKSPACE/.cordon.toml (may only narrow
// unless the user file marks the workspace trusted); the flag layer
// (flag_layer.h: CLI flags and approved grants, may widen). A wider policy
// is never edited into a built one: add to the Overrides and resolve again.
// Errors name the file, line and column, or the flag.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "common/result.h"
#include "policy/flag_layer.h"
#include "policy/policy.h"

namespace cordon::policy {

// Facts about the host that resolution depends on; tests inject their own.
struct HostFacts {
  std::string home;             // $HOME, else the passwd entry
  std::string cwd;              // current directory
  std::string xdg_config_home;  // $XDG_CONFIG_HOME or HOME/.config
  std::string xdg_state_home;   // $XDG_STATE_HOME or HOME/.local/state
  std::string xdg_runtime_dir;  // may be empty
  std::string xdg_cache_home;   // $XDG_CACHE_HOME or HOME/.cache
  std::string xdg_data_home;    // $XDG_DATA_HOME or HOME/.local/share
  // The package tools' own cache settings as set on the host (PIP_CACHE_DIR,
  // CARGO_HOME ...: CacheEnvNames() in defaults.h), absolute values only.
  std::vector<std::pair<std::string, std::string>> cache_env;
  // git's config overrides, as the host's git sees them (git_surface.h).
  std::string git_config_global;     // $GIT_CONFIG_GLOBAL
  std::string git_config_system;     // $GIT_CONFIG_SYSTEM
  bool git_config_nosystem = false;  // $GIT_CONFIG_NOSYSTEM
  // The effective uid is 0: the built-in layer then hides what only root's
  // privileges make readable under /etc and /opt (root_only.h).
  bool root = false;
  // The host's RAM in bytes (sysinfo(2)); 0 when unknown. The built-in
  // memory and tmp_size limits are shares of it (limits.h).
  int64_t mem_total_bytes = 0;

  bool operator==(const HostFacts&) const = default;

  [[nodiscard]] static Result<HostFacts> FromProcess();
  // The same for another process of this user: its environment ("NAME=VALUE"
  // entries) and its current directory, absolute (the `cordon session`
  // daemon's client's). Unix only.
  [[nodiscard]] static Result<HostFacts> FromEnvironment(const std::vector<std::string>& env,
                                                         const std::string& cwd);
};

[[nodiscard]] Result<Policy> Resolve(const Overrides& overrides, const HostFacts& host);

}  // namespace cordon::policy
