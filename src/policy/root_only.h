// The rule that hides root-only files from a sandbox run as root.
//
// As root, every file is readable, so a fixed deny list (/etc/shadow, ssh
// host keys ...) misses the keys that no list names: /etc/xpra/key.pem,
// wireguard and letsencrypt keys, a service's credentials under /opt. The
// rule: under the readable system roots where such files live, what "other"
// users cannot read (a regular file without S_IROTH, a directory without
// S_IROTH or S_IXOTH) is readable only through root's privileges, and the
// sandbox does not get it. FindRootOnly walks the roots and returns those
// paths; DefaultPolicy adds them to deny_read when the caller's euid is 0.
//
// The walk is bounded: it never descends into a directory it hides, never
// follows a symlink (lstat semantics, O_NOFOLLOW on every open) and never
// crosses into another filesystem (a mount point is checked, not entered).
#pragma once

#include <span>
#include <string>
#include <vector>

namespace cordon::policy {

struct RootOnlyPath {
  std::string path;  // absolute: the root joined with the names walked
  std::string root;  // which of the roots it was found under
};

// The root-only files and directories under `roots` (absolute, normalized
// paths; missing roots and roots that are symlinks are skipped; a root that
// is itself root-only is returned whole). `keep` (may be empty) is a path
// that must stay visible, the workspace: nothing at or inside it is
// returned, and a root-only directory that contains it is walked into
// (its other root-only entries are returned) rather than returned. A
// directory the walk cannot open or read is returned (fail closed). Sorted
// by path.
[[nodiscard]] std::vector<RootOnlyPath> FindRootOnly(std::span<const std::string> roots,
                                                     const std::string& keep);

// The roots the rule walks: /etc, /opt and /usr/local/etc. The rest of /usr
// holds package files that are world-readable by design, and walking it
// costs about a second; /var, /root, /srv and /home are not readable in the
// sandbox at all.
[[nodiscard]] std::span<const std::string> RootOnlyRoots();

// "root-only under /etc": the rule, as policy show names it.
[[nodiscard]] std::string RootOnlyRuleName(const std::string& root);

}  // namespace cordon::policy
