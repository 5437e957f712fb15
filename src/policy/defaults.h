// cordon's built-in policy: the first layer of every resolution.
//
// The lists follow DESIGN.md's "Filesystem view" and docs/config.md. Paths
// that must exist to be useful (system roots, toolchains, hidden socket
// directories) are listed only when they exist; deny_read and protect are
// listed whether or not they exist, since a path created later must stay
// hidden or read-only.
#pragma once

#include <string>
#include <vector>

#include "policy/loader.h"
#include "policy/policy.h"

namespace cordon::policy {

// Secret-looking environment variable names removed from the sandbox.
[[nodiscard]] const std::vector<std::string>& DefaultScrubPatterns();

// The built-in layer for `workspace` (absolute, resolved) on `host`: mode
// workspace-write, network off, and every default list filled in.
[[nodiscard]] Policy DefaultPolicy(const HostFacts& host, const std::string& workspace);

// Protects the agent and editor config files (defaults.cc's tables) that
// the workspace or a writable root contains: home-relative ones such as
// ~/.codex/config.toml when a writable root holds them, project-relative
// ones such as .mcp.json and .vscode/tasks.json in the workspace and in
// every writable directory. Call once the writable roots are final.
void AddAgentConfigProtects(Policy& p);

}  // namespace cordon::policy
