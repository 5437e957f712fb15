// paths.h's platform part on Linux (and any Unix): "/" is the root and the
// only separator, paths compare byte for byte, realpath(3) resolves them.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <array>
#include <string_view>

#include "policy/lookup_memo.h"
#include "policy/paths.h"

namespace cordon::policy {

size_t PathRootLength(std::string_view path) {
  return !path.empty() && path.front() == '/' ? 1 : 0;
}

std::string_view PathSeparators() { return "/"; }

char PathListSeparator() { return ':'; }

std::string NormalRoot(std::string_view /*root*/) { return "/"; }

bool IsWithin(std::string_view path, std::string_view parent) {
  if (parent == "/") {
    return !path.empty() && path.front() == '/';
  }
  if (path.size() < parent.size() || path.substr(0, parent.size()) != parent) {
    return false;
  }
  return path.size() == parent.size() || path[parent.size()] == '/';
}

bool IsSystemRoot(std::string_view path) {
  static constexpr std::array<std::string_view, 30> kRoots = {
      "/",          "/bin",      "/boot",      "/dev",         "/etc",     "/home",
      "/lib",       "/lib32",    "/lib64",     "/libx32",      "/nix",     "/opt",
      "/proc",      "/root",     "/run",       "/sbin",        "/snap",    "/sys",
      "/tmp",       "/usr",      "/usr/bin",   "/usr/include", "/usr/lib", "/usr/lib64",
      "/usr/local", "/usr/sbin", "/usr/share", "/var",         "/var/lib", "/var/run",
  };
  for (std::string_view root : kRoots) {
    if (path == root) {
      return true;
    }
  }
  return false;
}

std::optional<std::string> RealPath(const std::string& path) {
  // realpath(3) reads every component's link; a path that lstat cannot
  // reach, it cannot resolve either. Most paths a policy names (the
  // credentials it hides, the caches) do not exist: one system call each,
  // not one per component.
  if (StatPath(path, /*follow=*/false).err != 0) return std::nullopt;
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    return std::nullopt;
  }
  return std::string(buf);
}

bool Exists(const std::string& path) { return StatPath(path, /*follow=*/false).err == 0; }

namespace {

// An absolute path other than "/" with no empty, "." or ".." component and
// no trailing slash: one NormalizePath leaves as it is (checked without
// making a copy).
bool IsNormalAbsolute(std::string_view path) {
  if (path.size() < 2 || path.front() != '/' || path.back() == '/') return false;
  for (size_t start = 1; start <= path.size();) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view part = path.substr(start, end - start);
    if (part.empty() || part == "." || part == "..") return false;
    start = end + 1;
  }
  return true;
}

}  // namespace

const RealPathCache::Entry& RealPathCache::Lookup(const std::string& path) {
  auto it = cache_.find(path);
  if (it != cache_.end()) return it->second;
  Entry entry;
  if (path == "/") {
    entry = {path, true};
  } else if (path.size() < PATH_MAX && IsNormalAbsolute(path)) {
    // The parent holds no symlink once resolved, and a normalized path has
    // no "." or "..": unless the last component is a link, the real path is
    // the parent's with that name. References into the map outlive its
    // rehashing. (The recursion is as deep as the path has components: at
    // most PATH_MAX / 2; a longer path does not resolve anyway.)
    const Entry& parent = Lookup(ParentPath(path));
    if (parent.resolved) {
      const std::string name = path.substr(path.rfind('/') + 1);
      std::string joined = parent.real == "/" ? "/" + name : parent.real + "/" + name;
      // Through StatPath: a session's kept resolution watches what it saw.
      const LookupMemo::Stat st = StatPath(joined, /*follow=*/false);
      if (st.err == 0) {
        std::optional<std::string> real =
            S_ISLNK(st.mode) ? RealPath(joined) : std::optional<std::string>(joined);
        if (real) entry = {std::move(*real), true};
      }
    }
    if (!entry.resolved) entry.real = path;
  } else {
    std::optional<std::string> real = RealPath(path);
    entry = {real.value_or(path), real.has_value()};
  }
  return cache_.emplace(path, std::move(entry)).first->second;
}

}  // namespace cordon::policy
