// The mount view: what the sandbox can see of the host's filesystem.
//
// Computed in the parent (Plan), built in the child (Build) inside its new
// user and mount namespaces, before Landlock. It hides (the home, socket
// directories, deny-read paths), binds allowed paths back, makes the whole
// tree read-only except writable roots, and pins protected paths read-only.
// Everything here dies with the mount namespace: nothing touches the host.
#pragma once

#include <span>
#include <string>
#include <vector>

#include "sandbox/linux/child_status.h"

namespace cordon::sandbox::mount_view {

// An empty tmpfs over a directory (the home, /run, /tmp, /dev ...).
struct Cover {
  std::string path;
  std::string options;  // tmpfs data, e.g. "mode=0755,size=64k"
  unsigned long flags = 0;
  bool read_only = false;        // flipped read-only once populated
  bool make_mountpoint = false;  // lies inside an earlier cover: mkdir first
  // One tmpfs, of the first shared cover's options, holds every shared
  // cover (/tmp and /dev/shm share the run's tmp size): each shows a
  // directory of it.
  bool shared = false;
};

// A host path shown at the same path in the view (or at another: the
// inherited terminal, see plan.cc). Cloned (open_tree) before
// anything is covered, attached after.
struct Bind {
  std::string path;
  bool read_only = false;
  bool is_dir = true;
  bool make_mountpoint = false;  // lies inside a cover: create the mountpoint
  std::string source;            // the host path shown at `path`; empty: `path`
};

// A deny-read path that would be visible: covered by an empty mode-000
// directory or file from a private tmpfs.
struct Hide {
  std::string path;
  bool is_dir = true;
};

// A package cache's layer (docs/caches.md): an overlay of the real cache
// (lower, read-only) and the workspace's layer (upper, work) at the cache's
// path. Made before anything is covered (the layer lives in the hidden
// home), attached after the binds.
struct Overlay {
  std::string path;   // where the tool finds its cache
  std::string lower;  // the real cache
  std::string upper;
  std::string work;
  bool make_mountpoint = false;  // lies inside a cover: create the mountpoint
  // Another run in this workspace has the layer mounted (cache_layers.h):
  // upper and work are on a private tmpfs, gone with the run.
  bool ephemeral = false;
};

// A cache the host does not have yet: a symlink in a cover to the layer's
// upper directory (the workspace's layers are bound back), which costs no
// mount per cache.
struct CacheLink {
  std::string path;
  std::string target;
};

struct Plan {
  // Ordered parent-first; binds and covers interleave only through
  // make_mountpoint, which the plan sets.
  std::vector<Cover> covers;
  std::vector<Bind> binds;
  std::vector<Hide> hides;
  std::vector<Overlay> overlays;  // ordered parent-first
  std::vector<CacheLink> cache_links;
  std::vector<std::string> pins;      // dirs self-bound so they can't be renamed away
  std::vector<std::string> protects;  // existing paths self-bound read-only
  bool mount_proc = true;             // needs a new pid namespace
  bool minimal_dev = true;            // devpts, ptmx, fd links inside the /dev cover
};

// Builds the view in the calling process's mount namespace. `scratch` holds
// at least plan.binds.size() + plan.overlays.size() ints (prepared before clone; no allocation
// here). `host_pts_fd` receives an O_PATH fd of the host's /dev/pts taken before /dev is covered
// (-1 if absent), for the Landlock rule that keeps the inherited terminal usable.
[[nodiscard]] ChildStatus Build(const Plan& plan, std::span<int> scratch, int* host_pts_fd);

}  // namespace cordon::sandbox::mount_view
