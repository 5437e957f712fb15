// Landlock allowlists built around exceptions.
//
// Landlock only adds rights: a rule on a directory grants its access to
// everything beneath it, and no rule can take it back. So a path that must
// get less than its parent (a deny-read path inside a readable root, a
// protected path inside a writable one) is carved out by granting the
// parent's access to each of its siblings instead of to the parent, down
// the chain of directories that lead to it. Those directories keep only
// what every exception beneath them may have (nothing for a deny-read path,
// read for a protected one): their existing entries stay usable, but no
// entry can be created, removed or renamed directly in them.
//
// Computed in the supervisor before clone (it lists directories); the
// child only opens the resulting paths (landlock::Apply).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "common/result.h"
#include "policy/paths.h"
#include "sandbox/linux/landlock.h"

namespace cordon::sandbox::allowlist {

// A root and the access it grants to everything beneath it.
struct Grant {
  std::string path;
  uint64_t access = 0;
};

// A path that gets at most `cap` of any grant that contains it.
struct Exception {
  std::string path;
  uint64_t cap = 0;
  // True: a grant inside the exception is capped too (protected paths).
  // False: a grant inside it stands (a hidden directory whose subpath the
  // policy shows again).
  bool caps_inner_grants = true;
};

// A grant that would need more rules than this is refused (naming the path
// that cannot be carved out) rather than truncated.
inline constexpr size_t kMaxRules = 4096;

// Lists the names in a directory (without "." and ".."), or fails with the
// step, path and errno. A parameter of Build so that a test can make a
// listing fail the way an unreadable directory does, even as root, who can
// list any directory.
using Lister = std::function<Result<std::vector<std::string>>(const std::string& dir)>;

// The real lister: opendir and readdir.
[[nodiscard]] Result<std::vector<std::string>> ListDirectory(const std::string& dir);

// The rules that give each grant's access to everything beneath it except
// the exceptions. Paths are resolved through symlinks first; symlinks
// found while listing get no rule (access through them is checked on their
// target). Fails, naming the exception, when a directory on the way cannot
// be listed (by `list`) or the rules would exceed kMaxRules.
// `real`: the caller's resolutions, shared with its own (a plan resolves
// the same paths for its checks); without it, Build keeps its own.
[[nodiscard]] Result<std::vector<landlock::PathRule>> Build(
    const std::vector<Grant>& grants, const std::vector<Exception>& exceptions,
    const Lister& list = ListDirectory, policy::RealPathCache* real = nullptr);

}  // namespace cordon::sandbox::allowlist
