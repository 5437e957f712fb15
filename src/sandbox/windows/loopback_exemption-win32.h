// The online AppContainer's loopback exemption (docs/windows.md,
// "Network"): Windows blocks an AppContainer's connections to the
// machine's own loopback unless the container is on the firewall's
// exemption list, and cordon's proxy listens on 127.0.0.1 outside the
// container. `cordon setup` (administrator) adds the online profile's SID to
// the list, a run with --net proxy checks it is there before it starts the
// command, `cordon uninstall` takes it off. The exemption opens every
// loopback port to the container; the WFP filters (wfp_plan.h) narrow that
// to the proxy's.
//
// NetworkIsolationSetAppContainerConfig replaces the whole list, so Add and
// Remove read it first and write it back with only cordon's SID added or
// taken out: other programs' exemptions are kept. The firewallapi.dll
// functions are looked up at run time (system_export-win32.h): a host
// without them gets an Error naming the missing export, never a skipped
// check.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"

namespace cordon::sandbox::windows::loopback {

// True when the host has the exemption list's functions (Windows 8 and
// later; Wine has not): without them there is nothing to remove.
[[nodiscard]] bool Supported();

// The SIDs on the exemption list (NetworkIsolationGetAppContainerConfig).
[[nodiscard]] Result<std::vector<std::string>> Exempted();

// OK when `package_sid` is on the list; otherwise an Error saying that the
// online identity cannot reach cordon's proxy, with `cordon setup` (as
// administrator) as the repair.
[[nodiscard]] Status CheckExempt(const std::string& package_sid);

// Adds `package_sid` to the list (kept: every SID already there), then
// reads the list back and refuses unless it is there. Administrator.
[[nodiscard]] Status Add(const std::string& package_sid);

// Takes `package_sid` off the list (kept: every other SID), then reads back
// and refuses if it is still there. Not on the list is nothing to do.
[[nodiscard]] Status Remove(const std::string& package_sid);

}  // namespace cordon::sandbox::windows::loopback
