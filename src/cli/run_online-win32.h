// The online identity of `cordon run --net proxy` on Windows
// (docs/windows.md, "Network" and "Running a command"): what setup left for
// it, checked before every online run, and cordon's proxy started for the
// run outside the container.
//
// A run, in this order (each failure is exit 125 with the repair, and
// nothing runs):
//   CheckOnlineSetup(host)   the record (<state>\cordon\online: the proxy's
//                            port range), the WFP plan for it read back by
//                            key (wfp-win32.h VerifyByKey), the loopback
//                            exemption of cordon.online;
//   StartOnlineProxy(...)    a listener on the first free port of
//                            127.0.0.1:FIRST-LAST (the ports the filters
//                            permit; each concurrent online run takes one)
//                            and proxy::Server on it, with the policy's
//                            rules, the run's events and the approval
//                            decider, as src/cli/run_proxy.cc on Linux;
//                            every port taken is refused, naming the range
//                            and the repair; so is a port of the range
//                            another program listens on (below).
// The server stops when the returned object is destroyed: keep it for the
// whole run.
//
// Why every port of the range is checked: the permit admits the sandbox to
// all of them, so a program that is not cordon listening on one would be
// reachable without the proxy. Each run marks the port it binds with a
// named event, Local\cordon-proxy-PORT (created once the exclusive bind
// succeeded and before it listens, closed after the listener), in the
// session's namespace, where an AppContainer process cannot create
// objects. Before the command starts, every IPv4 listener on 127.0.0.1 or
// 0.0.0.0 and every IPv6 listener on :: or ::ffff:127.0.0.1 (dual-stack
// sockets take IPv4) with a port of the range must have its port's mark;
// one that has not is refused, naming the port (and the process, where the
// system reports it).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "common/event.h"
#include "common/result.h"
#include "policy/loader.h"
#include "policy/policy.h"
#include "proxy/decider.h"
#include "proxy/server.h"
#include "sandbox/windows/online_record.h"
#include "sandbox/windows/unique_handle-win32.h"

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

// A run's proxy: the server, the port it listens on (HTTP_PROXY's) and the
// mark that says the port is cordon's. Declared so that the mark goes last.
class OnlineProxy {
 public:
  OnlineProxy(sandbox::UniqueHandle mark, std::unique_ptr<proxy::Server> server, uint16_t port)
      : mark_(std::move(mark)), server_(std::move(server)), port_(port) {}
  [[nodiscard]] uint16_t port() const { return port_; }

 private:
  sandbox::UniqueHandle mark_;
  std::unique_ptr<proxy::Server> server_;
  uint16_t port_;
};

// Listens on the first port of record.first_port..last_port that binds
// (WSAStartup first; the socket is not inheritable and bound with
// SO_EXCLUSIVEADDRUSE, so no other program can bind the port beside it),
// checks that no program but cordon listens on any port of the range, and
// starts proxy::Server there. `policy`, `events` and `decider` (null:
// destinations no rule names are denied) must outlive the server.
// decide_timeout_ms: how long a connection waits for the decider (0: the
// proxy's default). Every port in use, or a port of the range held by
// another program, is an Error naming the range or the port and the repair.
[[nodiscard]] Result<std::unique_ptr<OnlineProxy>> StartOnlineProxy(
    const policy::Policy& policy, const sandbox::windows::OnlineRecord& record, EventSink* events,
    proxy::Decider* decider, int decide_timeout_ms);

}  // namespace cordon::cli
