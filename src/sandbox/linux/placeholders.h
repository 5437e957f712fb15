// Placeholders: empty files or directories that stand in for missing
// protected paths inside a git directory (WS/.git of a workspace that is no
// repository, WS/.git/hooks, a linked worktree's config.worktree) for one
// run. git never lists what is inside .git, so they are invisible to it;
// missing protected paths in the work tree get none (quarantine.h).
//
// A bind mount needs something to mount on, and a name that does not exist
// cannot be kept from being created any other way on a kernel that does not
// filter by name. So the supervisor creates the empty file or directory on
// the host once the clone has succeeded (the child waits for it, and holds
// its lock too, before it builds its view), the child binds it read-only,
// and the supervisor removes it after the run if it is still empty. Concurrent runs share a
// placeholder through flock(LOCK_SH); the last one out removes it. Creating
// and removing are serialized by an exclusive flock on the workspace
// directory, so one run never removes what another is adopting. One left by
// a killed supervisor carries the xattr user.cordon.placeholder and is
// adopted and removed by the next run.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/error.h"
#include "common/unique_fd.h"

namespace cordon::sandbox {

inline constexpr std::string_view kSameDir = ".\n";

struct PlaceholderSpec {
  std::string path;
  bool is_dir = false;
  // A file's bytes: empty, or kSameDir for git's commondir, which git
  // refuses to read when empty ("." names the git dir itself).
  std::string_view content;
  std::string why;  // why the path is protected
  bool operator==(const PlaceholderSpec&) const = default;
};

class Placeholders {
 public:
  Placeholders() = default;
  Placeholders(Placeholders&&) = default;
  Placeholders& operator=(Placeholders&&) = default;
  Placeholders(const Placeholders&) = delete;
  Placeholders& operator=(const Placeholders&) = delete;
  ~Placeholders() { RemoveAll(); }

  // Creates (or adopts) each placeholder, parents before children, under a
  // lock on `lock_dir` (the workspace). Returns one error per placeholder
  // that could not be made (its path is not protected then); empty when
  // every one exists now.
  std::vector<Error> Create(const std::vector<PlaceholderSpec>& specs, const std::string& lock_dir);

  // Removes every placeholder that no other run holds and that is still
  // empty.
  void RemoveAll();

  // The descriptors that hold the placeholders' shared locks (owned here),
  // for the sandbox's init to hold too.
  [[nodiscard]] std::vector<int> LockFds() const;

 private:
  struct Held {
    PlaceholderSpec spec;
    UniqueFd parent;  // O_PATH, opened without following symlinks
    std::string name;
    UniqueFd fd;
  };
  std::vector<Held> held_;
  std::string lock_dir_;
};

// True when `path` is an empty file (or one holding just kSameDir), or a
// directory empty but for other placeholders, carrying cordon's mark.
[[nodiscard]] bool IsPlaceholder(const std::string& path);

}  // namespace cordon::sandbox
