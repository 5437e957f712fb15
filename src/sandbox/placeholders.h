// Placeholders: empty files that stand in for missing protected files
// (WS/.envrc, WS/.cordon.toml, a repository's missing config) for one run.
//
// A bind mount needs something to mount on, and a name that does not exist
// cannot be protected from creation any other way without a kernel that
// filters by name. So the supervisor creates the empty file on the host
// before clone, the child binds it read-only, and the supervisor removes it
// after the run. Concurrent runs share a placeholder through flock(LOCK_SH);
// the last one out removes it. A placeholder left by a killed supervisor is
// marked with the xattr user.cordon.placeholder and is adopted and removed by
// the next run.
#pragma once

#include <string>
#include <vector>

#include "common/unique_fd.h"

namespace cordon::sandbox {

class Placeholders {
 public:
  Placeholders() = default;
  Placeholders(Placeholders&&) = default;
  Placeholders& operator=(Placeholders&&) = default;
  ~Placeholders() { RemoveAll(); }

  // Creates (or adopts) a placeholder at each path whose parent exists.
  // Returns the paths that now exist and can be protected.
  std::vector<std::string> Create(const std::vector<std::string>& paths);

  // Removes every placeholder no other run holds, if it is still empty.
  void RemoveAll();

 private:
  struct Held {
    std::string path;
    UniqueFd fd;
  };
  std::vector<Held> held_;
};

// True when `path` is an empty regular file carrying cordon's mark.
[[nodiscard]] bool IsPlaceholder(const std::string& path);

}  // namespace cordon::sandbox
