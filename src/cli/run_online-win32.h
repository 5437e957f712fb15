// The online identity of `cordon run --net proxy` on Windows
// (docs/windows.md, "Network" and "Running a command"): what setup left for
// it, checked before every online run, and cordon's proxy started for the
// run outside the container.
//
// A run, in this order (each failure is exit 125 with the repair, and
// nothing runs):
//   CheckOnlineSetup(host)   the record (<state>\cordon\online: the proxy's
//                            port), the WFP plan for it read back by key
//                            (wfp-win32.h VerifyByKey), the loopback
//                            exemption of cordon.online;
//   StartOnlineProxy(...)    a listener on 127.0.0.1:PORT (the one port the
//                            filters permit) and proxy::Server on it, with
//                            the policy's rules, the run's events and the
//                            approval decider, as src/cli/run_proxy.cc on
//                            Linux; a port already taken is refused, naming
//                            it and the repair.
// The server stops when the returned object is destroyed: keep it for the
// whole run.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "common/event.h"
#include "common/result.h"
#include "policy/loader.h"
#include "policy/policy.h"
#include "proxy/decider.h"
#include "proxy/server.h"
#include "sandbox/windows/online_record.h"

namespace cordon::cli {

// <state>\cordon\online (sandbox/windows/online_record.h).
[[nodiscard]] std::string OnlineRecordPath(const policy::HostFacts& host);

// The record at `path`; nullopt when there is none (setup has not set up
// the online identity). A record that does not read or parse is an Error.
[[nodiscard]] Result<std::optional<sandbox::windows::OnlineRecord>> ReadOnlineRecord(
    const std::string& path);
// Writes the record (replacing one there) and reads it back.
[[nodiscard]] Status WriteOnlineRecord(const std::string& path,
                                       const sandbox::windows::OnlineRecord& record);
// Deletes the record; none is nothing to do.
[[nodiscard]] Status DeleteOnlineRecord(const std::string& path);

// What setup made for the online identity, as an unelevated run can read
// it: the record, the WFP objects for its port by key, the loopback
// exemption. Returns the record; an Error names the first piece missing or
// changed, with `cordon setup` as the repair.
[[nodiscard]] Result<sandbox::windows::OnlineRecord> CheckOnlineSetup(
    const policy::HostFacts& host);

// Listens on record.address:record.port (WSAStartup first; the socket is
// not inheritable and bound with SO_EXCLUSIVEADDRUSE, so no other program
// can bind the port beside it) and starts proxy::Server there. `policy`,
// `events` and `decider` (null: destinations no rule names are denied) must
// outlive the server. decide_timeout_ms: how long a connection waits for
// the decider (0: the proxy's default). A port already in use is an Error
// naming the address and the repair.
[[nodiscard]] Result<std::unique_ptr<proxy::Server>> StartOnlineProxy(
    const policy::Policy& policy, const sandbox::windows::OnlineRecord& record, EventSink* events,
    proxy::Decider* decider, int decide_timeout_ms);

}  // namespace cordon::cli
