// Builds a Policy from built-in defaults, config files and CLI overrides.
//
// Layers, in order: built-in defaults; the user file
// ($XDG_CONFIG_HOME/cordon/config.toml, or --config FILE; none with
// --no-config); the project file WORKSPACE/.cordon.toml (may only narrow
// unless the user file marks the workspace trusted); CLI flags (may widen).
// Errors name the file, line and column, or the flag.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/policy.h"

namespace cordon::policy {

// Policy options given on the command line, as typed (paths not yet
// expanded; relative paths are relative to HostFacts::cwd).
struct Overrides {
  std::optional<std::string> workspace;
  std::optional<Mode> mode;
  std::optional<NetMode> net;
  std::vector<std::string> writable;
  std::vector<std::string> read;
  std::vector<std::string> deny_read;
  std::vector<std::string> protect;
  std::vector<std::string> env;  // "NAME" (pass) or "NAME=VALUE" (set)
  // Network rules (see net_rules.h); they need network mode proxy.
  std::vector<std::string> allow_domains;     // --allow-domain PATTERN
  std::vector<std::string> deny_domains;      // --deny-domain PATTERN
  std::vector<std::string> allow_local;       // --allow-local HOST:PORT
  std::vector<std::string> resolve;           // --resolve HOST:ADDR (testing aid)
  std::vector<std::string> secrets;           // --secret NAME: vault entry NAME as $NAME
  std::optional<Approval> approval;           // --approval
  std::optional<int> approval_timeout;        // --approval-timeout SECONDS
  std::vector<std::string> trusted_commands;  // --trust-command PREFIX
  std::optional<std::string> config_file;
  bool no_config = false;
  bool allow_degraded = false;
  bool require_namespaces = false;
};

// Facts about the host that resolution depends on; tests inject their own.
struct HostFacts {
  std::string home;             // $HOME, else the passwd entry
  std::string cwd;              // current directory
  std::string xdg_config_home;  // $XDG_CONFIG_HOME or HOME/.config
  std::string xdg_state_home;   // $XDG_STATE_HOME or HOME/.local/state
  std::string xdg_runtime_dir;  // may be empty
  // git's config overrides, as the host's git sees them (git_surface.h).
  std::string git_config_global;     // $GIT_CONFIG_GLOBAL
  std::string git_config_system;     // $GIT_CONFIG_SYSTEM
  bool git_config_nosystem = false;  // $GIT_CONFIG_NOSYSTEM
  // The effective uid is 0: the built-in layer then hides what only root's
  // privileges make readable under /etc and /opt (root_only.h).
  bool root = false;

  [[nodiscard]] static Result<HostFacts> FromProcess();
};

[[nodiscard]] Result<Policy> Resolve(const Overrides& overrides, const HostFacts& host);

}  // namespace cordon::policy
