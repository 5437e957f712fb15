// What confinement this Windows host offers cordon, found without side
// effects: which of the mechanisms the backend is built on are present and
// answer. `cordon run` refuses (exit 125) unless every check passes, and
// `cordon doctor` prints them; there is no fallback that confines less.
//
// Under Wine every confinement check fails (the AppContainer functions are
// not exported, the WFP engine does not open), which is how the fail-closed
// path is tested there (tests/windows).
#pragma once

#include <string>
#include <vector>

namespace cordon::sandbox::confinement_probe {

// The name of the filtering engine's check: only the online identity needs
// it, so an offline run and uninstall look for it by name.
inline constexpr const char* kFilteringEngine = "Windows Filtering Platform";

struct Check {
  std::string name;  // "AppContainer profiles"
  bool ok = false;
  std::string detail;  // what was found, or what is missing and why
};

// Every check, in the order a run needs them.
[[nodiscard]] std::vector<Check> Probe();

// The checks of Probe() that failed. Without `filtering_engine`, the
// engine's is left out: only the online identity needs it.
[[nodiscard]] std::vector<Check> Missing(bool filtering_engine);

}  // namespace cordon::sandbox::confinement_probe
