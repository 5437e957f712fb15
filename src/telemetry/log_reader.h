// Reading the events files back: OTLP/JSON lines into events, filters, and
// the time syntax of `cordon log`.
//
// The files may have been edited by hand or torn by a full disk, so every
// function here takes hostile input: a bad line is an Error (the caller
// skips it with a warning), never a crash or an exception.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/event.h"
#include "common/result.h"

namespace cordon::telemetry {

struct Record {
  Event event;
  std::string trace_id;  // the run id; may be empty in a foreign record
};

// Lines longer than this are refused (a record is a few KiB).
inline constexpr size_t kMaxLineBytes = 4 << 20;

// One line (an ExportLogsServiceRequest) into its log records, in order.
// Unknown fields are ignored; AnyValues cordon does not emit (kvlist,
// bytes, mixed arrays) become their JSON text.
[[nodiscard]] Result<std::vector<Record>> ParseLine(std::string_view line);

// "2026-05-01T12:00:00Z", "2026-05-01T12:00:00.5+02:00", "2026-05-01" (UTC
// midnight), or a duration before `now`: "90s", "15m", "1h", "2d", "1w".
[[nodiscard]] Result<int64_t> ParseTimeArg(std::string_view text, int64_t now_unix_nano);

struct LogFilter {
  std::optional<int64_t> since;  // unix ns, inclusive
  std::optional<int64_t> until;  // unix ns, exclusive
  std::string run;               // trace id or a prefix of it
  std::string kind;              // exec|net|approval|fs|session|policy; empty: all
  bool denied = false;

  [[nodiscard]] bool Matches(const Record& r) const;
};

// Valid --kind values, for messages.
inline constexpr const char* kLogKinds = "exec, net, approval, fs, session, policy";
[[nodiscard]] bool IsLogKind(std::string_view kind);

}  // namespace cordon::telemetry
