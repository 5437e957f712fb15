// Path expansion and lexical normalization for policy resolution: the
// platform-neutral part. What differs per platform (the root of an absolute
// path, the separators, comparison, the system roots, what exists) is in
// paths-unix.cc and paths-win32.cc.
#include "policy/paths.h"

#include <vector>

namespace cordon::policy {

std::string NormalizePath(std::string_view path) {
  const size_t root_len = PathRootLength(path);
  const bool absolute = root_len > 0;
  const std::string_view separators = PathSeparators();
  std::vector<std::string_view> parts;
  size_t pos = root_len;
  while (pos <= path.size()) {
    size_t end = path.find_first_of(separators, pos);
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
  std::string out = absolute ? NormalRoot(path.substr(0, root_len)) : "";
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

bool IsAbsolutePath(std::string_view path) { return PathRootLength(path) > 0; }

bool IsRootPath(std::string_view path) {
  const size_t root_len = PathRootLength(path);
  return root_len > 0 && root_len == path.size();
}

std::string ParentPath(const std::string& path) {
  const size_t root_len = PathRootLength(path);
  const size_t slash = path.find_last_of(PathSeparators());
  if (slash == std::string::npos || slash < root_len) {
    return root_len > 0 ? NormalRoot(std::string_view(path).substr(0, root_len)) : "/";
  }
  return path.substr(0, slash);
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
    if (raw.size() > 1 && PathSeparators().find(raw[1]) == std::string_view::npos) {
      return PlainError(
          "path", what,
          "'" + std::string(raw) + "': only '~' and '~/...' are supported, not '~user'");
    }
    joined = home + "/" + std::string(raw.substr(1));
  } else if (IsAbsolutePath(raw)) {
    joined = std::string(raw);
  } else {
    joined = base + "/" + std::string(raw);
  }
  return NormalizePath(joined);
}

std::string InRealParent(const std::string& path,
                         std::map<std::string, std::optional<std::string>>* memo) {
  std::string norm = NormalizePath(path);
  size_t slash = norm.rfind('/');
  if (IsRootPath(norm) || slash == std::string::npos) return norm;
  const std::string dir = ParentPath(norm);
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

}  // namespace cordon::policy
