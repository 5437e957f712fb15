// Built-in defaults: system roots, toolchain allowlist, secret deny list,
// protected workspace files, hidden socket directories, scrub patterns; the
// resource limits' numbers and reasons are in limits.cc (DefaultLimits).
#include "policy/defaults.h"

#include <algorithm>
#include <optional>

#include "policy/git_surface.h"
#include "policy/host_fs.h"
#include "policy/limits.h"
#include "policy/paths.h"
#include "policy/root_only.h"

namespace cordon::policy {

namespace {

constexpr const char* kSystemRoots[] = {"/usr",    "/bin", "/sbin", "/lib", "/lib32", "/lib64",
                                        "/libx32", "/etc", "/opt",  "/nix", "/snap"};

// Toolchains and git's own config, bound back read-only under the hidden home.
constexpr const char* kHomeRead[] = {".cargo/bin", ".rustup", ".local/bin", ".pyenv",
                                     ".nvm",       "go",      ".gitconfig", ".config/git"};

constexpr const char* kHomeDenyRead[] = {
    // Keys and credentials.
    ".ssh", ".gnupg", ".aws", ".azure", ".config/gcloud", ".kube", ".docker", ".netrc",
    ".git-credentials", ".config/gh", ".npmrc", ".pypirc", ".cargo/credentials",
    ".cargo/credentials.toml", ".password-store", ".local/share/keyrings",
    // Browser profiles.
    ".mozilla", ".config/google-chrome", ".config/chromium", ".config/BraveSoftware",
    ".config/microsoft-edge", "snap/firefox",
    // Shell and REPL histories.
    ".bash_history", ".zsh_history", ".local/share/fish/fish_history", ".python_history",
    ".node_repl_history", ".psql_history", ".mysql_history", ".lesshst"};

// Host secrets under the system roots. Only those this user can read are
// listed (as root, all of them): for anyone else the file modes already
// refuse, and each listed path costs a mount per run. As root, the
// root-only rule (root_only.h) finds the rest.
constexpr const char* kSystemDenyRead[] = {"/etc/shadow",
                                           "/etc/shadow-",
                                           "/etc/gshadow",
                                           "/etc/gshadow-",
                                           "/etc/security/opasswd",
                                           "/etc/ssh/ssh_host_rsa_key",
                                           "/etc/ssh/ssh_host_ecdsa_key",
                                           "/etc/ssh/ssh_host_ed25519_key",
                                           "/etc/ssh/ssh_host_dsa_key",
                                           "/etc/sudoers",
                                           "/etc/krb5.keytab",
                                           "/etc/ssl/private"};

// Besides git's surface (git_surface.h): direnv's and cordon's own files.
struct WorkspaceFile {
  const char* rel;
  const char* why;
};
constexpr WorkspaceFile kWorkspaceProtect[] = {
    {".envrc", "direnv's .envrc (your shell runs it on cd once allowed)"},
    {".cordon.toml", "cordon's project config"}};

// Files through which an agent or an editor runs code on the host: a
// sandboxed command that adds an MCP server, a hook or a task there has it
// run unconfined the next time the agent or editor starts (or opens the
// folder). Protected wherever a writable root contains them.
struct AgentFile {
  const char* rel;
  const char* why;
};

// Relative to the home.
constexpr AgentFile kAgentHomeFiles[] = {
    {".codex/config.toml", "Codex config: MCP servers, profiles and notify commands it starts"},
    {".claude/settings.json", "Claude Code settings: hooks and MCP servers it runs, permissions"},
    {".claude/settings.local.json", "Claude Code settings: hooks, MCP servers, permissions"},
    {".claude.json", "Claude Code state: the MCP servers it starts per project"},
    {".cursor/mcp.json", "Cursor's MCP servers"},
    {".gemini/settings.json", "Gemini CLI settings: MCP servers and tool commands"},
    {".codeium/windsurf/mcp_config.json", "Windsurf's MCP servers"},
    {".continue/config.json", "Continue config: MCP servers and custom commands"},
    {".continue/config.yaml", "Continue config: MCP servers and custom commands"},
    {".aider.conf.yml", "aider config: lint and test commands it runs"},
    {".config/Code/User/settings.json", "VS Code user settings: terminal profiles, tool paths"},
    {".config/Code/User/tasks.json", "VS Code user tasks"},
    {".config/Code/User/mcp.json", "VS Code's MCP servers"},
    {".config/zed/settings.json", "Zed settings: context (MCP) servers, language servers"},
    {".config/zed/tasks.json", "Zed tasks"},
    {".config/opencode/opencode.json", "opencode config: MCP servers and commands"},
};

// Relative to the workspace and to every writable directory: a project's
// own agent and editor config, read when the agent or editor opens it.
constexpr AgentFile kAgentProjectFiles[] = {
    {".mcp.json", "Claude Code's project MCP servers"},
    {".claude/settings.json", "Claude Code project settings: hooks, MCP servers, permissions"},
    {".claude/settings.local.json", "Claude Code project settings: hooks, MCP servers"},
    {".codex/config.toml", "Codex project config: MCP servers and commands"},
    {".cursor/mcp.json", "Cursor's project MCP servers"},
    {".gemini/settings.json", "Gemini CLI project settings: MCP servers and tool commands"},
    {".vscode/tasks.json", "VS Code tasks (runOn folderOpen runs when the folder opens)"},
    {".vscode/settings.json", "VS Code workspace settings: interpreter, linter, terminal paths"},
    {".vscode/launch.json", "VS Code debug configurations: programs and preLaunchTask"},
    {".vscode/mcp.json", "VS Code's project MCP servers"},
    {".idea/workspace.xml", "JetBrains run configurations and before-launch tasks"},
    {".zed/settings.json", "Zed project settings: context (MCP) and language servers"},
    {".zed/tasks.json", "Zed project tasks"},
    {".aider.conf.yml", "aider project config: lint and test commands it runs"},
};

PathRule Builtin(std::string path) { return PathRule{std::move(path), Origin{}}; }

bool IsDirectory(const std::string& path) {
  return host_fs::KindFollowing(path) == host_fs::Kind::kDirectory;
}

}  // namespace

const std::vector<CacheSpec>& PackageCaches() {
  // Why layered rather than writable: a package planted in a real cache
  // runs in the user's next unsandboxed build; why not hidden: without a
  // writable cache pip warns on every run and npm fails even for a local
  // tarball.
  static const std::vector<CacheSpec> kCaches = {
      {"pip", "pip", "PIP_CACHE_DIR", CacheBase::kXdgCache, "pip", nullptr, "PIP_CACHE_DIR", "",
       false},
      {"npm", "npm", "npm_config_cache", CacheBase::kHome, ".npm", nullptr, "npm_config_cache", "",
       false},
      {"yarn", "yarn (classic)", "YARN_CACHE_FOLDER", CacheBase::kXdgCache, "yarn", nullptr,
       "YARN_CACHE_FOLDER", "", false},
      {"yarn-berry", "yarn (berry)", nullptr, CacheBase::kHome, ".yarn/berry/cache", nullptr,
       nullptr, "", false},
      {"pnpm-store", "pnpm", "npm_config_store_dir", CacheBase::kXdgData, "pnpm/store", nullptr,
       "npm_config_store_dir", "", false},
      {"pnpm-cache", "pnpm", "npm_config_cache_dir", CacheBase::kXdgCache, "pnpm", nullptr,
       "npm_config_cache_dir", "", false},
      // CARGO_HOME also holds bin/, config.toml and credentials: cargo has
      // no variable for the registry alone.
      {"cargo-registry", "cargo", nullptr, CacheBase::kCargoHome, "registry", nullptr, nullptr, "",
       false},
      {"cargo-git", "cargo", nullptr, CacheBase::kCargoHome, "git", nullptr, nullptr, "", false},
      {"go-mod", "go (modules)", "GOMODCACHE", CacheBase::kGoPath, "pkg/mod", nullptr, "GOMODCACHE",
       "", false},
      {"go-build", "go (build cache)", "GOCACHE", CacheBase::kXdgCache, "go-build", nullptr,
       "GOCACHE", "", false},
      {"maven", "maven", nullptr, CacheBase::kHome, ".m2/repository", nullptr, "MAVEN_OPTS",
       "-Dmaven.repo.local=", true},
      // GRADLE_USER_HOME moves gradle.properties and init.d too, which the
      // namespace-less tier cannot show anyway (the home is unreadable).
      {"gradle-caches", "gradle", nullptr, CacheBase::kGradleHome, "caches", nullptr,
       "GRADLE_USER_HOME", "", false},
      {"gradle-wrapper", "gradle (wrapper)", nullptr, CacheBase::kGradleHome, "wrapper/dists",
       nullptr, nullptr, "", false},
      {"ccache", "ccache", "CCACHE_DIR", CacheBase::kXdgCache, "ccache", ".ccache", "CCACHE_DIR",
       "", false},
  };
  return kCaches;
}

const std::vector<std::string>& CacheEnvNames() {
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names = {"CARGO_HOME", "GOPATH", "GRADLE_USER_HOME"};
    for (const CacheSpec& c : PackageCaches()) {
      if (c.override != nullptr) names.emplace_back(c.override);
    }
    return names;
  }();
  return kNames;
}

const std::vector<std::string>& DefaultScrubPatterns() {
  static const std::vector<std::string> kPatterns = {
      "*_TOKEN", "*_TOKEN_*", "*SECRET*", "*_KEY", "*_KEY_*", "*PASSWORD*", "*PASSWD*",
      "*CREDENTIAL*", "AWS_*", "AZURE_*", "GOOGLE_APPLICATION_CREDENTIALS",
      // may carry a collector's API key
      "OTEL_EXPORTER_OTLP_*HEADERS", "SSH_AUTH_SOCK", "SSH_AGENT_PID", "GPG_AGENT_INFO",
      "KRB5CCNAME", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"};
  return kPatterns;
}

Policy DefaultPolicy(const HostFacts& host, const std::string& workspace) {
  Policy p;
  p.workspace = workspace;
  p.home = host.home;
  p.mode = Mode::kWorkspaceWrite;
  p.net = NetMode::kOff;
  p.limits = DefaultLimits(host.mem_total_bytes);

  // /bin, /lib... may be symlinks into /usr (merged /usr): keep them, the
  // backend resolves them.
  for (const char* root : kSystemRoots) {
    if (Exists(root)) {
      p.system_read.push_back(Builtin(root));
    }
  }
  for (const char* rel : kHomeRead) {
    std::string path = host.home + "/" + rel;
    if (Exists(path)) {
      p.read.push_back(Builtin(std::move(path)));
    }
  }
  for (const char* rel : kHomeDenyRead) {
    p.deny_read.push_back(Builtin(host.home + "/" + rel));
  }
  for (const char* rel : PlatformHomeDenyRead()) {
    p.deny_read.push_back(Builtin(host.home + "/" + rel));
  }
  for (const char* path : kSystemDenyRead) {
    if (host_fs::Readable(path)) {
      p.deny_read.push_back(Builtin(path));
    }
  }
  if (host.root) {
    // Root reads every file; the sandbox reads only what any user may.
    for (RootOnlyPath& found : FindRootOnly(RootOnlyRoots(), workspace)) {
      Origin origin;
      origin.rule = RootOnlyRuleName(found.root);
      p.deny_read.push_back(PathRule{std::move(found.path), std::move(origin)});
    }
  }
  p.deny_read.push_back(Builtin(NormalizePath(host.xdg_config_home + "/cordon")));
  p.deny_read.push_back(Builtin(NormalizePath(host.xdg_state_home + "/cordon")));

  for (const WorkspaceFile& f : kWorkspaceProtect) {
    PathRule rule = Builtin(workspace + "/" + f.rel);
    rule.origin.note = f.why;
    p.protect.push_back(std::move(rule));
  }
  GitHost git{host.home, host.xdg_config_home, host.git_config_global, host.git_config_system,
              host.git_config_nosystem};
  std::vector<GitProtect> surface = GitSurface(workspace, git);
  if (surface.empty()) {
    // No repository yet: the backend keeps WS/.git itself from being made;
    // these say so in policy show.
    surface.push_back({workspace + "/.git/hooks", true, "git hooks"});
    surface.push_back({workspace + "/.git/config", false, "git config"});
  }
  for (GitProtect& g : surface) {
    PathRule rule = Builtin(std::move(g.path));
    rule.is_dir = g.is_dir;
    rule.origin.note = std::move(g.why);
    p.protect.push_back(std::move(rule));
  }

  // A linked worktree's or a submodule's git dirs live outside the
  // workspace: git needs them writable (objects, refs, the index); their
  // hooks and config are in the surface above, protected like the rest.
  for (std::string& dir : GitDirsOutside(workspace)) {
    PathRule rule = Builtin(dir);
    rule.origin.note = "git dir of this linked worktree or submodule";
    p.git_dirs.push_back(dir);
    p.writable.push_back(std::move(rule));
  }

  if (IsDirectory("/run")) {
    p.hide.push_back(Builtin("/run"));
  }
  // On most systems /var/run is a symlink into /run, hidden with it.
  if (const host_fs::Kind var_run = host_fs::KindOf("/var/run");
      var_run != host_fs::Kind::kMissing) {
    const bool link = var_run == host_fs::Kind::kSymlink;
    std::optional<std::string> target =
        link ? RealPath("/var/run") : std::optional<std::string>("/var/run");
    if (target && !(link && IsWithin(*target, "/run"))) {
      p.hide.push_back(Builtin("/var/run"));
    }
  }
  if (!host.xdg_runtime_dir.empty() && Exists(host.xdg_runtime_dir)) {
    p.hide.push_back(Builtin(NormalizePath(host.xdg_runtime_dir)));
  }

  p.scrub_patterns = DefaultScrubPatterns();
  return p;
}

void AddAgentConfigProtects(Policy& p) {
  if (p.mode == Mode::kReadOnly) return;
  std::vector<std::string> roots = {p.workspace};
  for (const PathRule& w : p.writable) {
    if (IsDirectory(w.path)) roots.push_back(w.path);
  }
  auto add = [&](std::string path, const char* why) {
    PathRule rule = Builtin(std::move(path));
    rule.origin.note = why;
    p.protect.push_back(std::move(rule));
  };
  for (const AgentFile& f : kAgentHomeFiles) {
    std::string path = p.home + "/" + f.rel;
    if (std::any_of(roots.begin(), roots.end(),
                    [&](const std::string& r) { return path != r && IsWithin(path, r); })) {
      add(std::move(path), f.why);
    }
  }
  for (const std::string& root : roots) {
    for (const AgentFile& f : kAgentProjectFiles) add(root + "/" + f.rel, f.why);
  }
}

}  // namespace cordon::policy
