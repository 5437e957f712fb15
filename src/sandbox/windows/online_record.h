// The online identity's record: where `cordon setup` put cordon's proxy
// (docs/windows.md, "Network"), kept in cordon's state beside the ACE
// journal (%LOCALAPPDATA%\cordon\online). Setup writes it last, once the
// WFP filters for that port and the loopback exemption are in place; a run
// with --net proxy reads it, builds the WFP plan for that port, verifies
// the plan against the engine and listens there. The record only says
// which port to check: the filters read back from the engine are what
// holds, so a record edited to another port makes the run refuse.
//
// Platform-neutral (the Linux unit tests pin the format and every refusal);
// the file is one short text:
//   cordon online 1
//   proxy 127.0.0.1:47128
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
// (3128, 8080).
inline constexpr uint16_t kDefaultProxyPort = 47128;
inline constexpr char kProxyAddress[] = "127.0.0.1";

struct OnlineRecord {
  std::string address = kProxyAddress;  // always kProxyAddress (the format has room)
  uint16_t port = kDefaultProxyPort;
  bool operator==(const OnlineRecord&) const = default;
};

// "cordon online 1\nproxy ADDRESS:PORT\n".
[[nodiscard]] std::string FormatOnlineRecord(const OnlineRecord& record);

// The record in `text` (read from `path`, which errors name). Anything but
// the two lines above, an address that is not 127.0.0.1 or a port outside
// 1..65535 is an Error naming the line, with `cordon setup` as the repair.
[[nodiscard]] Result<OnlineRecord> ParseOnlineRecord(std::string_view text,
                                                     const std::string& path);

// A --proxy-port value: a decimal 1..65535. An Error names the value.
[[nodiscard]] Result<uint16_t> ParseProxyPort(std::string_view text);

}  // namespace cordon::sandbox::windows
