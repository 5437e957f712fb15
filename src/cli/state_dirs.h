// cordon's own directories on the host: $XDG_STATE_HOME/cordon with events/
// (telemetry) and vault/ (the credential vault), all 0700.
//
// `cordon setup` creates them (and the parents that were missing, recorded
// in <state>/setup-created so that `cordon uninstall` removes exactly those),
// `cordon uninstall` removes them. Nothing else of cordon's lives on disk.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "policy/loader.h"

namespace cordon::cli {

struct StateDirs {
  std::string state;    // $XDG_STATE_HOME/cordon
  std::string events;   // <state>/events
  std::string vault;    // <state>/vault
  std::string created;  // <state>/setup-created: parents setup made, one a line

  [[nodiscard]] static StateDirs For(const policy::HostFacts& host);
};

// Creates the missing parents of `dirs.state` and the three directories
// (0700 each, checked to be directories owned by the user when they exist).
// Appends the paths it created to *created.
[[nodiscard]] Status CreateStateDirs(const StateDirs& dirs, std::vector<std::string>* created);

}  // namespace cordon::cli
