// `cordon doctor`'s live checks on Windows: the same promises the Linux
// doctor proves, each by a real confined run whose effect is read back
// (never by a return code): the workspace is writable, a sibling folder is
// not, a file in the profile is not readable, and an offline run reaches no
// loopback listener. They run only where the confinement probe passed; on
// other hosts (Wine) they are reported as not run, with the reason.
#pragma once

#include <vector>

#include "sandbox/windows/confinement_probe-win32.h"

namespace cordon::cli {

// Runs this cordon.exe's `run` four times in a temporary workspace (its
// grants are journaled like any other, and go with the folder) and returns
// one check each.
[[nodiscard]] std::vector<sandbox::confinement_probe::Check> LiveChecks();

}  // namespace cordon::cli
