// Pure path helpers for policy resolution: "~" expansion, making a path
// absolute, lexical normalization, containment, and the list of system roots
// that may never become a workspace or a writable root.
//
// Everything here is lexical (no syscall) except RealPath and Exists, which
// are the only two that look at the filesystem.
//
// The platform seam: paths are kept with '/' separators on every platform.
// On Linux an absolute path starts with "/"; on Windows with a drive, "C:/"
// (the drive letter upper-cased, '\' accepted and turned into '/'), and
// paths compare case-insensitively (sandbox/windows/path_match.h's key).
// PathRootLength, PathSeparators, NormalRoot, IsWithin, IsSystemRoot,
// RealPath and Exists are defined per platform, in paths-unix.cc and
// paths-win32.cc; the rest, in paths.cc, is built from them.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.h"

namespace cordon::policy {

// The length of the root of an absolute path ("/" on Linux, "C:/" or "C:\"
// on Windows); 0 for a relative path.
[[nodiscard]] size_t PathRootLength(std::string_view path);

// The characters that separate components: "/" on Linux, "/\" on Windows.
[[nodiscard]] std::string_view PathSeparators();

// What separates the entries of a list of paths such as GOPATH: ':' on
// Linux, ';' on Windows.
[[nodiscard]] char PathListSeparator();

// A root as PathRootLength measured it, as NormalizePath writes it ("/",
// "C:/").
[[nodiscard]] std::string NormalRoot(std::string_view root);

// True for an absolute path (PathRootLength > 0).
[[nodiscard]] bool IsAbsolutePath(std::string_view path);

// True for a root itself: "/", "C:/".
[[nodiscard]] bool IsRootPath(std::string_view path);

// The directory holding a normalized absolute `path`: the root for the root
// and its entries.
[[nodiscard]] std::string ParentPath(const std::string& path);

// Collapses "//", "." and "..", strips a trailing "/". An absolute input
// stays absolute ("/.." is "/"); a relative one stays relative ("" and "."
// become "."; leading ".." are kept).
[[nodiscard]] std::string NormalizePath(std::string_view path);

// "~" and "~/x" become HOME and HOME/x; a relative path is taken relative to
// `base` (absolute); the result is normalized. Errors: empty path, "~user"
// forms, NUL bytes. `what` names the path in errors (a flag or file:line:col).
[[nodiscard]] Result<std::string> ExpandPath(std::string_view raw, const std::string& home,
                                             const std::string& base, const std::string& what);

// True when `path` equals `parent` or lies beneath it. Both must be
// normalized absolute paths; purely lexical ("/a/bc" is not inside "/a/b");
// case-insensitive on Windows.
[[nodiscard]] bool IsWithin(std::string_view path, std::string_view parent);

// True for "/" and directories that belong to the system (/usr, /etc, /bin,
// /var, /proc, /tmp, ...): never a workspace or a writable root. On
// Windows: a drive root, Windows, Program Files (both), ProgramData, Users.
[[nodiscard]] bool IsSystemRoot(std::string_view path);

// realpath(3) (Windows: the handle's final path, drive-letter form);
// nullopt when the path does not resolve.
[[nodiscard]] std::optional<std::string> RealPath(const std::string& path);

// RealPath's results for one resolution, each path resolved once: the
// resolver compares every rule and every cache with every deny-read path.
// On Linux a path is resolved from its parent's resolution, one lstat for
// its last component (realpath(3) reads every component's link, again for
// each path: the paths a policy names share most of their parents).
class RealPathCache {
 public:
  // What `path` resolves to, or `path` itself when it does not resolve.
  const std::string& Get(const std::string& path) { return Lookup(path).real; }

 private:
  struct Entry {
    std::string real;
    bool resolved = false;
  };
  const Entry& Lookup(const std::string& path);

  std::unordered_map<std::string, Entry> cache_;
};

// `path` (absolute) with the symlinks of its parent resolved and its last
// component kept as it is, which is where the kernel creates or opens that
// name; `path` normalized when the parent does not resolve.
// `memo`: parents already resolved (a plan resolves many paths that share
// a parent: WS, WS/.git, WS/.vscode ...), filled as it goes.
[[nodiscard]] std::string InRealParent(
    const std::string& path, std::map<std::string, std::optional<std::string>>* memo = nullptr);

// lstat(2) succeeds: the path exists (a dangling symlink counts). On
// Windows only drive-letter paths exist.
[[nodiscard]] bool Exists(const std::string& path);

}  // namespace cordon::policy
