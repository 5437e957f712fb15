// `cordon run` on Windows: the resolved policy put into effect for one
// command (docs/windows.md).
//
// - full-access: the command runs with the user's own token, in a
//   kill-on-close job (the same "no confinement" as on Linux, chosen by
//   the user, and no process outlives the command).
// - read-only and workspace-write: every confinement check must pass
//   (confinement_probe-win32.h), the workspace's grants are in place
//   (applied once per workspace, journaled, read back), the identity's
//   profile exists with the SID cordon derives, and the command starts
//   suspended in the AppContainer and its job; it runs only once its token
//   reads back as that AppContainer's. Network off is the offline identity.
//   --net proxy is the online identity: what setup made for it is checked
//   (the recorded proxy port, cordon's WFP filters read back by key, the
//   loopback exemption), cordon's proxy is started on that port outside the
//   container, and the command gets HTTP_PROXY and the rest for it
//   (run_online-win32.h). --net full is refused: Windows offers no way to
//   give it without giving up the allowlist.
// Any failure before the command runs is exit 125 with what is missing and
// the repair; after, cordon exits with the command's status.
#pragma once

#include <string>
#include <vector>

#include "cli/policy-win32.h"

namespace cordon::cli {

// Runs `command` (argv, UTF-8, not empty) under `resolved`; returns
// cordon's exit status.
[[nodiscard]] int RunOnWindows(const ResolvedPolicy& resolved,
                               const std::vector<std::string>& command);

}  // namespace cordon::cli
