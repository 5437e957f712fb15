// What a run created under a protected name that did not exist before it:
// moved out of the tree after the run, as the Linux backend's namespace-
// less tier does (docs/mechanisms.md). A missing protected path carries no
// deny ACE (an ACE needs an object), so a command may create .git\hooks or
// .cordon.toml; nothing on the host may then use what it wrote.
#pragma once

#include <string>
#include <vector>

namespace cordon::sandbox::windows {

struct Quarantined {
  std::string path;
  std::string moved_to;  // empty when it could not be moved
  std::string error;     // why not, when moved_to is empty
};

// For each of `absent` (full paths that did not exist before the run) that
// exists now: moves it into a new directory under `root` (created, e.g.
// %LOCALAPPDATA%\cordon\quarantine), keeping its name. Returns one entry
// per path found; paths still absent are not listed.
[[nodiscard]] std::vector<Quarantined> QuarantineCreated(const std::vector<std::string>& absent,
                                                         const std::string& root);

}  // namespace cordon::sandbox::windows
