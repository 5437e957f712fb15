// Fuzzes the events-file reader (`cordon log` reads files a user may have
// edited): ParseLine, the filter and the key-facts line on arbitrary bytes,
// and the time-argument parser. Bad input must be an Error, never a crash,
// hang or exception.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "telemetry/log_reader.h"
#include "telemetry/summary.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto records = cordon::telemetry::ParseLine(text);
  if (records.ok()) {
    cordon::telemetry::LogFilter filter;
    filter.denied = true;
    filter.kind = "net";
    for (const auto& r : records.value()) {
      (void)filter.Matches(r);
      (void)cordon::telemetry::KeyFacts(r.event);
    }
  } else {
    (void)records.error().Describe();
  }
  if (size < 128) (void)cordon::telemetry::ParseTimeArg(text, 1777000000LL * 1000000000LL);
  return 0;
}
