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

}  // namespace cordon::policy
