// The online identity's record (see online_record.h).
#include "sandbox/windows/online_record.h"

#include <vector>

namespace cordon::sandbox::windows {
namespace {

constexpr std::string_view kHeader = "cordon online 1";
constexpr std::string_view kRepair =
    "run `cordon setup` (as administrator) to set up the online identity again";

Error Bad(const std::string& path, std::string detail) {
  Error e = PlainError("online record", path, std::move(detail));
  e.hint = std::string(kRepair);
  return e;
}

}  // namespace

std::string FormatOnlineRecord(const OnlineRecord& record) {
  return std::string(kHeader) + "\nproxy " + record.address + ":" + std::to_string(record.port) +
         "\n";
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
  if (lines.size() != 2 || lines[0] != kHeader) {
    return Bad(path, "not a record of this cordon version (expected \"" + std::string(kHeader) +
                         "\" and one proxy line)");
  }
  std::string_view proxy = lines[1];
  if (!proxy.starts_with("proxy ")) return Bad(path, "line 2: expected \"proxy ADDRESS:PORT\"");
  proxy.remove_prefix(6);
  const size_t colon = proxy.rfind(':');
  if (colon == std::string_view::npos) {
    return Bad(path, "line 2: expected \"proxy ADDRESS:PORT\"");
  }
  OnlineRecord record;
  record.address = std::string(proxy.substr(0, colon));
  if (record.address != kProxyAddress) {
    return Bad(path, "line 2: " + record.address + " is not " + kProxyAddress +
                         ", the only address cordon's proxy listens on (the online identity "
                         "reaches nothing but the proxy, on loopback)");
  }
  Result<uint16_t> port = ParseProxyPort(proxy.substr(colon + 1));
  if (!port.ok()) return Bad(path, "line 2: " + port.error().detail);
  record.port = port.value();
  return record;
}

}  // namespace cordon::sandbox::windows
