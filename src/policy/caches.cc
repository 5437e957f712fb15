// Package caches resolved for one run (caches.h).
#include "policy/caches.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>

#include "policy/defaults.h"
#include "policy/host_fs.h"
#include "policy/paths.h"

namespace cordon::policy {
namespace {

std::string EnvValue(const HostFacts& host, std::string_view name) {
  for (const auto& [n, v] : host.cache_env) {
    if (n == name) return v;
  }
  return {};
}

std::string BaseDir(const HostFacts& host, CacheBase base) {
  auto env_or = [&](const char* name, const std::string& fallback) {
    std::string v = EnvValue(host, name);
    return v.empty() ? fallback : v;
  };
  switch (base) {
    case CacheBase::kHome:
      return host.home;
    case CacheBase::kXdgCache:
      return host.xdg_cache_home.empty() ? host.home + "/.cache" : host.xdg_cache_home;
    case CacheBase::kXdgData:
      return host.xdg_data_home.empty() ? host.home + "/.local/share" : host.xdg_data_home;
    case CacheBase::kCargoHome:
      return env_or("CARGO_HOME", host.home + "/.cargo");
    case CacheBase::kGoPath: {
      std::string gopath = env_or("GOPATH", host.home + "/go");
      return gopath.substr(0, gopath.find(PathListSeparator()));  // go uses the first entry
    }
    case CacheBase::kGradleHome:
      return env_or("GRADLE_USER_HOME", host.home + "/.gradle");
  }
  return host.home;
}

bool IsDir(const std::string& path) {
  return host_fs::KindFollowing(path) == host_fs::Kind::kDirectory;
}

// Where the tool looks for its cache on this host.
std::string CachePath(const HostFacts& host, const CacheSpec& spec) {
  if (spec.override != nullptr) {
    std::string v = EnvValue(host, spec.override);
    if (!v.empty()) return NormalizePath(v);
  }
  if (spec.legacy != nullptr && IsDir(host.home + "/" + spec.legacy)) {
    return NormalizePath(host.home + "/" + spec.legacy);
  }
  return NormalizePath(BaseDir(host, spec.base) + "/" + spec.rel);
}

// A path and what it resolves to. Resolution compares every cache with
// every writable root and deny-read path: each is resolved once.
struct Resolved {
  std::string path;
  std::string real;

  // Resolved through the resolver's cache: the workspace and the deny-read
  // paths were resolved already.
  Resolved(std::string p, RealPathCache* cache, bool resolve = true) : path(std::move(p)) {
    real = resolve ? cache->Get(path) : path;
  }

  [[nodiscard]] bool Overlaps(const Resolved& o) const {
    return IsWithin(path, o.path) || IsWithin(o.path, path) || IsWithin(real, o.real) ||
           IsWithin(o.real, real);
  }
};

}  // namespace

std::string CacheLayersRoot(const HostFacts& host) {
  std::string cache = host.xdg_cache_home.empty() ? host.home + "/.cache" : host.xdg_cache_home;
  return NormalizePath(cache + "/cordon/layers");
}

std::string WorkspaceLayers(const HostFacts& host, const std::string& workspace) {
  // FNV-1a: stable across builds and machines, no dependency.
  uint64_t h = 14695981039346656037ULL;
  for (unsigned char c : workspace) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(h));
  std::string base = workspace.substr(workspace.rfind('/') + 1);
  if (base.empty()) base = "root";
  return CacheLayersRoot(host) + "/" + base + "-" + hex;
}

void ResolveCaches(const HostFacts& host, Policy* policy, RealPathCache* real) {
  Policy& p = *policy;
  p.caches.clear();
  p.cache_layers = WorkspaceLayers(host, p.workspace);
  // Read-only mode keeps its promise (nothing the run writes stays);
  // full access writes the real caches anyway.
  if (p.mode != Mode::kWorkspaceWrite) return;
  // Writable roots: one that holds a cache opts into the real cache, one
  // inside a cache would be covered by the layer. Deny-read paths: a cache
  // around or inside one is not shown. cordon's own layers: no nesting.
  std::vector<Resolved> excluded = {Resolved(p.workspace, real),
                                    Resolved(CacheLayersRoot(host), real)};
  for (const PathRule& w : p.writable) excluded.emplace_back(w.path, real);
  for (const PathRule& d : p.deny_read) {
    // The root-only rule lists many files under /etc, where no cache is
    // layered (below): compared as written, not resolved one by one.
    excluded.emplace_back(d.path, real, !IsWithin(d.path, "/etc"));
  }
  for (const CacheSpec& spec : PackageCaches()) {
    std::string path = CachePath(host, spec);
    if (path.empty() || IsRootPath(path) || path == host.home) continue;
    const Resolved cache(path, real);
    if (IsWithin(cache.path, "/etc") || IsWithin(cache.real, "/etc")) continue;
    if (std::any_of(excluded.begin(), excluded.end(),
                    [&](const Resolved& e) { return cache.Overlaps(e); })) {
      continue;
    }
    CacheLayer c;
    c.name = spec.name;
    c.path = std::move(path);
    c.layer = p.cache_layers + "/" + spec.name;
    if (spec.nsless_env != nullptr) {
      c.env = spec.nsless_env;
      c.env_prefix = spec.nsless_prefix;
      c.env_append = spec.nsless_append;
    }
    c.origin.note = std::string(spec.tool) + " cache";
    p.caches.push_back(std::move(c));
  }
}

}  // namespace cordon::policy
