// The resolved policy of one run: plain, immutable data.
//
// Built once from built-in defaults, the user config, the project config and
// CLI flags (see loader.h), validated, then handed to a backend that never
// reads config. Every rule remembers where it came from so that
// `cordon policy show` can explain it.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "policy/approval.h"
#include "policy/net_rules.h"

namespace cordon::policy {

enum class Mode { kReadOnly, kWorkspaceWrite, kFullAccess };
enum class NetMode { kOff, kProxy, kFull };

// Where a rule came from.
struct Origin {
  enum class Kind { kBuiltin, kUserConfig, kProjectConfig, kFlag };
  Kind kind = Kind::kBuiltin;
  std::string file;  // config file path, for k*Config
  int line = 0;      // 1-based, for k*Config
  int column = 0;
  std::string flag;  // e.g. "--writable", for kFlag
  std::string note;  // for kBuiltin: why the rule exists ("git hooks")
  std::string rule;  // for kBuiltin: the rule that found the path, if not a list

  // "built-in default", "built-in rule: root-only under /etc",
  // "/home/u/.config/cordon/config.toml:12:3", "flag --read".
  [[nodiscard]] std::string Describe() const;
};

// An absolute, lexically normalized path ("~" expanded, no "..", no trailing
// slash). It is not resolved through symlinks here: the backend opens it.
struct PathRule {
  std::string path;
  Origin origin;
  bool is_dir = false;  // protect: a missing path is kept by a directory
};

// A built-in deny_read rule lifted by --unhide or [filesystem] unhide.
struct LiftedRule {
  std::string path;  // the deny rule's path
  Origin lifted_by;  // the flag or config line that lifted it
  std::string rule;  // the lifted rule's origin, described
};

// A path a config file names that takes no effect (a user file serves
// several machines, so this is not an error): shown by policy show, warned
// about once by cordon run.
struct SkippedPath {
  std::string path;  // expanded
  std::string key;   // "filesystem.read"
  Origin origin;
  std::string reason;  // "does not exist", "inside deny-read ~/.ssh (built-in default)"
};

// A package cache (pip, npm, cargo ...) the command reads from the user's
// real cache and writes to a per-workspace layer, never to the real cache
// (docs/caches.md). Only caches that no writable root holds are listed: a
// writable root that holds one opts into the real cache.
struct CacheLayer {
  std::string name;   // "npm": the layer's directory name
  std::string path;   // the cache, where the tool looks for it on the host
  std::string layer;  // the layer on the host: upper/ (the writes) and work/
  // The namespace-less tier points the tool at layer/upper through this
  // variable (empty: the tool has none, it keeps its read-only cache);
  // the value is env_prefix + the directory, appended to the variable's
  // value when env_append (MAVEN_OPTS).
  std::string env;
  std::string env_prefix;
  bool env_append = false;
  Origin origin;  // note: the tool and why
};

struct EnvPass {
  std::string name;
  Origin origin;
};

struct EnvSet {
  std::string name;
  std::string value;
  Origin origin;
};

// A vault secret granted to the run as an environment variable. Only names:
// the value is read from the vault when the run starts, never into a Policy.
struct SecretGrant {
  std::string name;  // the vault entry
  std::string env;   // the variable that receives it
  Origin origin;
};

// Resource limits of the whole run (docs/limits.md); 0: no limit. Each has
// its origin: a built-in default, a [limits] key or a flag. The backend
// decides how each is enforced on the host (backend.h, ProbeLimits).
struct Limits {
  // Memory of every process of the run, the private /tmp and /dev/shm
  // included (--memory, [limits] memory).
  int64_t memory_bytes = 0;
  Origin memory_origin;
  // Processes and threads alive at once (--pids, [limits] pids).
  int64_t pids = 0;
  Origin pids_origin;
  // CPU time per wall-clock second, in thousandths of a core: 1500 is
  // "--cpus 1.5".
  int64_t cpu_millis = 0;
  Origin cpus_origin;
  // The one tmpfs that holds both the private /tmp and /dev/shm
  // (--tmp-size, [limits] tmp_size).
  int64_t tmp_bytes = 0;
  Origin tmp_origin;
};

struct Policy {
  std::string workspace;  // absolute, symlinks resolved
  // Why this workspace: "--workspace", "git work tree top level of CWD",
  // "current directory".
  std::string workspace_reason;
  // The command's working directory: where cordon was started when that is
  // inside the workspace, else the workspace.
  std::string cwd;
  // Git directories outside the workspace that its repository works in
  // (a linked worktree's admin dir and common dir, a submodule's git dir).
  // Also listed in `writable`; their code-execution surface is in `protect`.
  std::vector<std::string> git_dirs;
  std::string home;  // absolute; hidden (replaced by an empty view)

  Mode mode = Mode::kWorkspaceWrite;
  Origin mode_origin;
  NetMode net = NetMode::kOff;
  Origin net_origin;

  // Read-only system roots (/usr /bin /sbin /lib* /etc /opt ...). Only those
  // that exist are listed.
  std::vector<PathRule> system_read;
  // Hidden paths bound back read-only: the toolchain allowlist under the home
  // and --read paths. Only existing paths are listed.
  std::vector<PathRule> read;
  // Writable roots besides the workspace (--writable, [filesystem] writable).
  std::vector<PathRule> writable;
  // Never readable, even under an allowed parent or inside a writable root.
  // Beats every other rule: a read or writable path inside (or equal to) a
  // deny_read path is dropped at resolution.
  std::vector<PathRule> deny_read;
  // Read-only inside writable roots; may not exist yet (then it must not be
  // creatable). Defaults: WS/.git/hooks WS/.git/config WS/.envrc WS/.cordon.toml.
  std::vector<PathRule> protect;
  // Directories replaced by an empty view besides the home: /run, /var/run,
  // $XDG_RUNTIME_DIR (hidden socket directories). /tmp is always private.
  std::vector<PathRule> hide;
  // Built-in deny_read rules that --unhide or [filesystem] unhide removed.
  std::vector<LiftedRule> unhidden;
  // Config file paths that take no effect, with the reason.
  std::vector<SkippedPath> skipped;

  // Package caches layered per workspace, and where this workspace's layers
  // live ($XDG_CACHE_HOME/cordon/layers/<workspace name>-<hash>).
  std::vector<CacheLayer> caches;
  std::string cache_layers;

  // Environment: names matching a scrub pattern (glob, '*' only) are removed
  // unless passed; then env_set entries are set.
  std::vector<std::string> scrub_patterns;
  std::vector<EnvPass> env_pass;
  std::vector<EnvSet> env_set;

  // The proxy's rules (network mode proxy), each with its origin. Kept and
  // shown in other modes, where they have no effect.
  NetRules net_rules;
  // Test-only resolver overrides (--resolve HOST:ADDR), for the proxy.
  std::vector<ResolveOverride> net_resolve;
  // Vault secrets put into the command's environment (after scrubbing, so
  // scrub patterns never remove them). Granted by the user file or
  // --secret, never by a project file. Unique by env.
  std::vector<SecretGrant> secrets;

  Limits limits;

  bool allow_degraded = false;  // run with what the kernel has, and log it
  Origin allow_degraded_origin;
  // Refuse to run rather than fall back to the namespace-less tier (Landlock
  // and seccomp only) when user namespaces are denied.
  bool require_namespaces = false;
  Origin require_namespaces_origin;

  // When the person is asked (see approval.h); the default asks live where
  // a channel exists (a terminal, an MCP client) and denies elsewhere.
  Approval approval = Approval::kOnRequest;
  Origin approval_origin;
  int approval_timeout_seconds = kDefaultApprovalTimeoutSeconds;  // no answer: deny
  // Command prefixes that need no approval under `untrusted` (user file and
  // flags only: a project file cannot trust commands).
  std::vector<std::string> trusted_commands;

  // [telemetry] of the user file: the OTLP/HTTP endpoint (a base URL; empty:
  // the OTEL_EXPORTER_OTLP_* variables decide) and the events files' retention.
  std::string telemetry_endpoint;
  int keep_days = 30;

  // The config files that were read, in order (for policy show and the hash).
  std::vector<std::string> sources;
  bool project_trusted = false;
};

[[nodiscard]] const char* ModeName(Mode m);        // "read-only", ...
[[nodiscard]] const char* NetModeName(NetMode m);  // "off", "proxy", "full"

}  // namespace cordon::policy
