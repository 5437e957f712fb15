// One TOML config file parsed into a typed layer, every value with its
// Origin (file:line:column).
//
// This is the only place that reads TOML. It checks the schema (unknown keys,
// types, enumerations, environment names) but not the policy: paths stay as
// written (expanded later, relative to the workspace) and narrowing rules are
// applied by the loader. The schema is documented in docs/config.md.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "policy/limits.h"
#include "policy/policy.h"

namespace cordon::policy {

// Which layer this is: only the user file may mark workspaces trusted; the
// flags of the command line are a layer of their own (flag_layer.h), which
// widens like the user file.
enum class ConfigKind { kUser, kProject, kFlags };

// A raw string value (a path as written, an env name, a pattern) with its
// position.
struct ConfigString {
  std::string value;
  Origin origin;
};

struct WorkspaceTrust {
  std::string path;  // the table key as written ("~/src/p")
  bool trusted = false;
  Origin origin;
};

struct ConfigLayer {
  std::string file;
  ConfigKind kind = ConfigKind::kUser;

  std::optional<Mode> mode;
  Origin mode_origin;
  std::optional<NetMode> net;
  Origin net_origin;
  std::optional<bool> require_namespaces;  // false may not undo a layer below
  Origin require_namespaces_origin;

  // [filesystem]; `writable_origin` is set when the key is present (even as
  // an empty array), since in a project file it replaces the writable set.
  std::vector<ConfigString> writable;
  std::optional<Origin> writable_origin;
  std::vector<ConfigString> read;
  std::vector<ConfigString> deny_read;
  std::vector<ConfigString> protect;
  // Built-in deny_read rules lifted (each names a rule's path exactly).
  std::vector<ConfigString> unhide;

  // [network] rules as written (validated by the loader, which knows the
  // narrowing rules): allow, deny, allow_local, allow_presets.
  std::vector<ConfigString> net_allow;
  std::vector<ConfigString> net_deny;
  std::vector<ConfigString> net_allow_local;
  std::vector<ConfigString> net_presets;

  // [env]
  std::vector<ConfigString> env_pass;
  std::vector<EnvSet> env_set;
  std::vector<ConfigString> env_scrub;

  // approval = "...", approval_timeout = SECONDS, trusted_commands = [...]
  std::optional<Approval> approval;
  Origin approval_origin;
  std::optional<int> approval_timeout;
  Origin approval_timeout_origin;
  std::vector<ConfigString> trusted_commands;

  // [limits] memory, pids, cpus, tmp_size (a project file may only lower
  // them unless trusted: the loader checks).
  LimitSettings limits;

  // [telemetry] (user file only)
  std::optional<ConfigString> telemetry_endpoint;
  std::optional<int> keep_days;
  // [secrets] NAME = { env = "VAR" } (user file only; env defaults to NAME).
  std::vector<SecretGrant> secrets;

  // [workspaces."PATH"] (user file only)
  std::vector<WorkspaceTrust> workspaces;

  // Flags only: --resolve HOST:ADDR (a testing aid), --allow-degraded.
  std::vector<ConfigString> net_resolve;
  std::optional<Origin> allow_degraded;
};

// Files larger than this are refused (a config file is a few hundred bytes).
inline constexpr size_t kMaxConfigBytes = 1 << 20;

// Parses `text` as the content of `file`. Never throws.
[[nodiscard]] Result<ConfigLayer> ParseConfig(std::string_view text, const std::string& file,
                                              ConfigKind kind);

// Reads and parses `path`. A missing file yields nullopt when !must_exist,
// an error otherwise; any other read failure is an error.
[[nodiscard]] Result<std::optional<ConfigLayer>> LoadConfigFile(const std::string& path,
                                                                ConfigKind kind, bool must_exist);

}  // namespace cordon::policy
