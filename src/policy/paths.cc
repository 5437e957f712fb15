// Path expansion and lexical normalization for policy resolution.
#include "policy/paths.h"

#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <array>
#include <vector>

namespace cordon::policy {

std::string NormalizePath(std::string_view path) {
  const bool absolute = !path.empty() && path.front() == '/';
  std::vector<std::string_view> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string_view::npos) {
      end = path.size();
    }
    std::string_view part = path.substr(pos, end - pos);
    pos = end + 1;
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      if (!parts.empty() && parts.back() != "..") {
        parts.pop_back();
      } else if (!absolute) {
        parts.push_back(part);  // a relative path may climb above its base
      }
      continue;  // "/.." is "/"
    }
    parts.push_back(part);
  }
  std::string out = absolute ? "/" : "";
  for (size_t i = 0; i < parts.size(); ++i) {
    if (i > 0) {
      out += '/';
    }
    out += parts[i];
  }
  if (out.empty()) {
    out = ".";
  }
  return out;
}

Result<std::string> ExpandPath(std::string_view raw, const std::string& home,
                               const std::string& base, const std::string& what) {
  if (raw.empty()) {
    return PlainError("path", what, "empty path");
  }
  if (raw.find('\0') != std::string_view::npos) {
    return PlainError("path", what, "path contains a NUL byte");
  }
  std::string joined;
  if (raw.front() == '~') {
    if (raw.size() > 1 && raw[1] != '/') {
      return PlainError(
          "path", what,
          "'" + std::string(raw) + "': only '~' and '~/...' are supported, not '~user'");
    }
    joined = home + "/" + std::string(raw.substr(1));
  } else if (raw.front() == '/') {
    joined = std::string(raw);
  } else {
    joined = base + "/" + std::string(raw);
  }
  return NormalizePath(joined);
}

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
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return std::nullopt;
  char buf[PATH_MAX];
  if (::realpath(path.c_str(), buf) == nullptr) {
    return std::nullopt;
  }
  return std::string(buf);
}

const std::string& RealPathCache::Get(const std::string& path) {
  auto it = cache_.find(path);
  if (it == cache_.end()) it = cache_.emplace(path, RealPath(path).value_or(path)).first;
  return it->second;
}

std::string InRealParent(const std::string& path,
                         std::map<std::string, std::optional<std::string>>* memo) {
  std::string norm = NormalizePath(path);
  size_t slash = norm.rfind('/');
  if (norm == "/" || slash == std::string::npos) return norm;
  const std::string dir = slash == 0 ? "/" : norm.substr(0, slash);
  std::optional<std::string> parent;
  if (memo == nullptr) {
    parent = RealPath(dir);
  } else if (auto it = memo->find(dir); it != memo->end()) {
    parent = it->second;
  } else {
    parent = memo->emplace(dir, RealPath(dir)).first->second;
  }
  if (!parent) return norm;
  return NormalizePath(*parent + "/" + norm.substr(slash + 1));
}

bool Exists(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0;
}

}  // namespace cordon::policy
