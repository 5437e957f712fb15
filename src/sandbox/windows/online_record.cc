// The online identity's record (see online_record.h).
#include "sandbox/windows/online_record.h"

#include <vector>

#include "sandbox/windows/wfp_plan.h"

namespace cordon::sandbox::windows {
namespace {

constexpr std::string_view kHeader = "cordon online 2";
constexpr std::string_view kHeaderV1 = "cordon online 1";
constexpr std::string_view kRepair =
    "run `cordon setup` (as administrator) to set up the online identity again";

Error Bad(const std::string& path, std::string detail) {
  Error e = PlainError("online record", path, std::move(detail));
  e.hint = std::string(kRepair);
  return e;
}

}  // namespace

std::string OnlineRecord::RangeText() const {
  return address + ":" + std::to_string(first_port) + "-" + std::to_string(last_port);
}

Result<OnlineRecord> RecordFrom(uint16_t first) {
  const uint32_t last = static_cast<uint32_t>(first) + kProxyPortCount - 1;
  if (first == 0 || last > 65535) {
    return PlainError("--proxy-port", std::to_string(first),
                      "cordon's proxy takes " + std::to_string(kProxyPortCount) +
                          " ports from the first, which must be 1 to " +
                          std::to_string(65535 - kProxyPortCount + 1));
  }
  return OnlineRecord{kProxyAddress, first, static_cast<uint16_t>(last)};
}

std::string FormatOnlineRecord(const OnlineRecord& record) {
  return std::string(kHeader) + "\nproxy " + record.RangeText() + "\n";
}

Result<uint16_t> ParseProxyPort(std::string_view text) {
  uint32_t value = 0;
  if (text.empty() || text.size() > 5) {
    return PlainError("--proxy-port", std::string(text), "not a port (1 to 65535)");
  }
  for (char c : text) {
    if (c < '0' || c > '9') {
      return PlainError("--proxy-port", std::string(text), "not a port (1 to 65535)");
    }
    value = value * 10 + static_cast<uint32_t>(c - '0');
  }
  if (value == 0 || value > 65535) {
    return PlainError("--proxy-port", std::string(text), "not a port (1 to 65535)");
  }
  return static_cast<uint16_t>(value);
}

Result<OnlineRecord> ParseOnlineRecord(std::string_view text, const std::string& path) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t end = text.find('\n');
    if (end == std::string_view::npos) {
      return Bad(path, "the last line has no newline (a torn write?)");
    }
    std::string_view line = text.substr(0, end);
    if (line.ends_with('\r')) line.remove_suffix(1);
    lines.push_back(line);
    text.remove_prefix(end + 1);
  }
  if (!lines.empty() && lines[0] == kHeaderV1) {
    return Bad(path,
               "written by an older cordon: one proxy port, where this one permits a range of " +
                   std::to_string(kProxyPortCount) + " so that online runs may run side by side");
  }
  if (lines.size() != 2 || lines[0] != kHeader) {
    return Bad(path, "not a record of this cordon version (expected \"" + std::string(kHeader) +
                         "\" and one proxy line)");
  }
  std::string_view proxy = lines[1];
  constexpr std::string_view kExpected = "line 2: expected \"proxy ADDRESS:FIRST-LAST\"";
  if (!proxy.starts_with("proxy ")) return Bad(path, std::string(kExpected));
  proxy.remove_prefix(6);
  const size_t colon = proxy.rfind(':');
  const size_t dash = proxy.rfind('-');
  if (colon == std::string_view::npos || dash == std::string_view::npos || dash < colon) {
    return Bad(path, std::string(kExpected));
  }
  OnlineRecord record;
  record.address = std::string(proxy.substr(0, colon));
  if (record.address != kProxyAddress) {
    return Bad(path, "line 2: " + record.address + " is not " + kProxyAddress +
                         ", the only address cordon's proxy listens on (the online identity "
                         "reaches nothing but the proxy, on loopback)");
  }
  Result<uint16_t> first = ParseProxyPort(proxy.substr(colon + 1, dash - colon - 1));
  if (!first.ok()) return Bad(path, "line 2: " + first.error().detail);
  Result<uint16_t> last = ParseProxyPort(proxy.substr(dash + 1));
  if (!last.ok()) return Bad(path, "line 2: " + last.error().detail);
  record.first_port = first.value();
  record.last_port = last.value();
  if (record.last_port < record.first_port) {
    return Bad(path, "line 2: the port range " + record.RangeText() + " ends before it starts");
  }
  if (static_cast<uint32_t>(record.last_port - record.first_port) + 1 > wfp::kMaxProxyPorts) {
    return Bad(path, "line 2: the port range " + record.RangeText() + " spans more than " +
                         std::to_string(wfp::kMaxProxyPorts) +
                         " ports (each one the sandbox may reach)");
  }
  return record;
}

}  // namespace cordon::sandbox::windows
