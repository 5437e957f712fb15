// cordon.exe's maintenance commands (docs/windows.md, "Setup and failure"):
// `setup`, the one step that makes the identities (no administrator for
// the offline one; the online one's WFP filters, loopback exemption and
// proxy port record need an elevated prompt, once); `uninstall`, which
// takes off every ACE the journal knows, deletes the profiles, the WFP
// objects, the loopback exemption and the record, and proves nothing of
// cordon's is left on the scanned trees; `doctor`, the confinement
// checklist with the online identity read back, and live checks where the
// host can confine (each a real run whose effect is read back).
#pragma once

#include <string>
#include <vector>

#include "policy/loader.h"

namespace cordon::cli {

// %LOCALAPPDATA%\cordon: cordon's state (the journal, the quarantine, the
// vault).
[[nodiscard]] std::string StateDir(const policy::HostFacts& host);
// <state>\cordon\ace-journal: every ACE cordon adds, written before it is
// added (sandbox/windows/acl_apply-win32.h).
[[nodiscard]] std::string JournalPath(const policy::HostFacts& host);
// <state>\cordon\quarantine: what runs created under missing protected names.
[[nodiscard]] std::string QuarantineRoot(const policy::HostFacts& host);

// Each returns cordon's exit status. setup's args: [--proxy-port PORT] (the
// first of the online identity's kProxyPortCount proxy ports; default: the
// recorded one, else
// sandbox/windows/online_record.h's kDefaultProxyPort).
[[nodiscard]] int SetupOnWindows(const std::vector<std::string>& args);
[[nodiscard]] int UninstallOnWindows();
[[nodiscard]] int DoctorOnWindows();

}  // namespace cordon::cli
