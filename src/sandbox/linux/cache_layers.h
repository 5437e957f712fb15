// The host side of package-cache layers (docs/caches.md): the supervisor
// makes a cache's layer directory before the run, on the host, as the user.
//
// LAYERS/<workspace>/<cache>/upper holds what the run wrote; work/ is
// overlayfs's scratch directory (the namespace tier only). Each directory
// from $XDG_CACHE_HOME/cordon down is made 0700 and must be a real
// directory owned by the user: a symlink planted there (by a run given
// ~/.cache as a writable root) must not send a layer's writes elsewhere.
#pragma once

#include <string>

#include "common/result.h"
#include "common/unique_fd.h"

namespace cordon::sandbox::cache_layers {

// Creates `layer`/upper (and `layer`/work when `with_work`) and the missing
// directories leading to them. `workspace_layers` is the Policy's
// cache_layers, $XDG_CACHE_HOME/cordon/layers/<workspace>: every directory
// below $XDG_CACHE_HOME is checked. Fails naming the path when one is not a
// directory of the user's.
[[nodiscard]] Status Prepare(const std::string& workspace_layers, const std::string& layer,
                             bool with_work);

// An exclusive flock on `layer`, held for a run whose overlay uses its
// upper and work directories: overlayfs leaves two mounts sharing them
// undefined. Empty when another run holds it (or the lock cannot be
// taken): that run's writes to the cache go to a private tmpfs instead.
[[nodiscard]] UniqueFd TryLock(const std::string& layer);

}  // namespace cordon::sandbox::cache_layers
