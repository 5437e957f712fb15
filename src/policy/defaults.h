// cordon's built-in policy: the first layer of every resolution.
//
// The lists follow DESIGN.md's "Filesystem view" and docs/config.md. Paths
// that must exist to be useful (system roots, toolchains, hidden socket
// directories) are listed only when they exist; deny_read and protect are
// listed whether or not they exist, since a path created later must stay
// hidden or read-only.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::policy {

// Where a package cache lives by default.
enum class CacheBase {
  kHome,        // $HOME
  kXdgCache,    // $XDG_CACHE_HOME (or ~/.cache)
  kXdgData,     // $XDG_DATA_HOME (or ~/.local/share)
  kCargoHome,   // $CARGO_HOME (or ~/.cargo)
  kGoPath,      // the first entry of $GOPATH (or ~/go)
  kGradleHome,  // $GRADLE_USER_HOME (or ~/.gradle)
};

// A package tool's cache: plain data, resolved into Policy::caches by the
// loader (caches.h). Only the cache itself is layered, never the tool's
// whole directory, whose config and credentials stay hidden.
struct CacheSpec {
  const char* name;      // the layer's directory name
  const char* tool;      // shown by policy show
  const char* override;  // a variable naming the cache itself, or nullptr
  CacheBase base;
  const char* rel;     // under `base`
  const char* legacy;  // under the home, used instead when it exists, or nullptr
  // Namespace-less tier: the variable that points the tool at a private
  // cache (nullptr: none that leaves the tool's other settings alone).
  const char* nsless_env;
  const char* nsless_prefix;  // before the directory in the value
  bool nsless_append;         // appended to the variable's value
};

// The caches cordon layers per workspace (docs/caches.md).
[[nodiscard]] const std::vector<CacheSpec>& PackageCaches();
// The variables that move a cache (the overrides and the bases').
[[nodiscard]] const std::vector<std::string>& CacheEnvNames();

// Secret-looking environment variable names removed from the sandbox.
[[nodiscard]] const std::vector<std::string>& DefaultScrubPatterns();

// The built-in layer for `workspace` (absolute, resolved) on `host`: mode
// workspace-write, network off, and every default list filled in.
// The platform's own secrets under the home (relative to it), denied after
// the shared list of dotfiles: none on Linux (platform_defaults-unix.cc); on
// Windows the profile's credential stores, DPAPI keys, browser profiles and
// shell history (platform_defaults-win32.cc).
[[nodiscard]] std::span<const char* const> PlatformHomeDenyRead();

[[nodiscard]] Policy DefaultPolicy(const HostFacts& host, const std::string& workspace);

// Protects the agent and editor config files (defaults.cc's tables) that
// the workspace or a writable root contains: home-relative ones such as
// ~/.codex/config.toml when a writable root holds them, project-relative
// ones such as .mcp.json and .vscode/tasks.json in the workspace and in
// every writable directory. Call once the writable roots are final.
void AddAgentConfigProtects(Policy& p);

}  // namespace cordon::policy
