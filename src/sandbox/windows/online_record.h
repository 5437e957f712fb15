// The online identity's record: where `cordon setup` put cordon's proxy
// (docs/windows.md, "Network"), kept in cordon's state beside the ACE
// journal (%LOCALAPPDATA%\cordon\online). Setup writes it last, once the
// WFP filters for that port range and the loopback exemption are in place;
// a run with --net proxy reads it, builds the WFP plan for that range,
// verifies the plan against the engine and listens on the first free port
// of the range (several online runs at once each have their own). The
// record only says which range to check: the filters read back from the
// engine are what holds, so a record edited to another range makes the run
// refuse.
//
// Platform-neutral (the Linux unit tests pin the format and every refusal);
// the file is one short text:
//   cordon online 2
//   proxy 127.0.0.1:47128-47143
// Version 1 (one port, "proxy 127.0.0.1:47128") is refused with `cordon
// setup` as the repair: its filters permit that one port with
// FWP_MATCH_EQUAL, which the range plan's read-back would refuse anyway,
// and setup rewrites both.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"

namespace cordon::sandbox::windows {

// The port setup takes unless told another (`cordon setup --proxy-port N`):
// fixed, so that HTTP_PROXY is stable across runs, below the range Windows
// hands out as ephemeral ports (49152 and up) so that no outgoing
// connection of the host holds it, and not a port proxies commonly use
// (3128, 8080). It is the first of kProxyPortCount.
inline constexpr uint16_t kDefaultProxyPort = 47128;
// How many ports setup permits from the first: one per concurrent online
// run, and each one the sandbox may reach, so few.
inline constexpr uint16_t kProxyPortCount = 16;
inline constexpr char kProxyAddress[] = "127.0.0.1";

struct OnlineRecord {
  std::string address = kProxyAddress;  // always kProxyAddress (the format has room)
  uint16_t first_port = kDefaultProxyPort;
  uint16_t last_port = kDefaultProxyPort + kProxyPortCount - 1;  // inclusive
  bool operator==(const OnlineRecord&) const = default;
  // "127.0.0.1:47128-47143"
  [[nodiscard]] std::string RangeText() const;
};

// The record setup writes for --proxy-port `first`: kProxyPortCount ports
// from it. An Error when the range would pass 65535.
[[nodiscard]] Result<OnlineRecord> RecordFrom(uint16_t first);

// "cordon online 2\nproxy ADDRESS:FIRST-LAST\n".
[[nodiscard]] std::string FormatOnlineRecord(const OnlineRecord& record);

// The record in `text` (read from `path`, which errors name). Anything but
// the two lines above, an address that is not 127.0.0.1, a port outside
// 1..65535, a range that ends before it starts or spans more than
// wfp_plan.h's kMaxProxyPorts, or a version 1 record, is an Error naming
// the line, with `cordon setup` as the repair.
[[nodiscard]] Result<OnlineRecord> ParseOnlineRecord(std::string_view text,
                                                     const std::string& path);

// A --proxy-port value: a decimal 1..65535. An Error names the value.
[[nodiscard]] Result<uint16_t> ParseProxyPort(std::string_view text);

}  // namespace cordon::sandbox::windows
