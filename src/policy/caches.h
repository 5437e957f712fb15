// Package caches: from the built-in list (defaults.h, PackageCaches) to the
// run's Policy::caches.
//
// A cache is layered when the run confines writes (workspace-write mode)
// and no writable root holds it or is inside it (a writable root that
// holds it, `--writable ~/.npm`, opts into the real cache); a cache inside
// a deny-read path is never shown. Where each tool looks follows its own
// variables (PIP_CACHE_DIR, CARGO_HOME ...) as set on the host.
#pragma once

#include <string>
#include <vector>

#include "policy/loader.h"
#include "policy/paths.h"
#include "policy/policy.h"

namespace cordon::policy {

// $XDG_CACHE_HOME/cordon/layers: every workspace's layers.
[[nodiscard]] std::string CacheLayersRoot(const HostFacts& host);

// The layers directory of `workspace` (absolute, resolved): its base name
// and a hash of the whole path, so that two checkouts named alike differ.
[[nodiscard]] std::string WorkspaceLayers(const HostFacts& host, const std::string& workspace);

// Fills policy->caches and policy->cache_layers. Call after the writable
// roots and deny-read paths are final. `real`: the resolution's realpath
// results, shared with the checks before it.
void ResolveCaches(const HostFacts& host, Policy* policy, RealPathCache* real);

}  // namespace cordon::policy
