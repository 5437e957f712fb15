// OTLP/JSON encoding of cordon's events: one ExportLogsServiceRequest per
// line, following the protobuf-JSON mapping of opentelemetry-proto
// (lowerCamelCase names, 64-bit integers and timestamps as decimal strings,
// trace and span ids as lowercase hex, AnyValue/KeyValue wrappers).
//
// Pure: no I/O. The same lines go to the events file, to the OTLP/HTTP
// exporter and (read back) to `cordon log`.
#pragma once

#include <string>
#include <vector>

#include "common/event.h"

namespace cordon::telemetry {

// The resource of every record of one cordon process: service.name,
// service.version, host.name and OTEL_RESOURCE_ATTRIBUTES.
struct Resource {
  std::vector<Attribute> attributes;
};

// Identity of one run: every event of it carries these ids.
struct RunIds {
  std::string trace_id;  // 32 lowercase hex digits, not all zero
  std::string span_id;   // 16 lowercase hex digits, not all zero
};

// OTLP severity numbers (logs data model): INFO=9, WARN=13, ERROR=17.
[[nodiscard]] int SeverityNumber(Severity s);
[[nodiscard]] const char* SeverityText(Severity s);

// One event as a complete request on one line (no trailing newline):
// {"resourceLogs":[{"resource":{...},"scopeLogs":[{"scope":{"name":"cordon",
// "version":...},"logRecords":[{...}]}]}]}. The record's `eventName` is the
// event's name; `event.name` is also set as an attribute for collectors that
// predate the field.
[[nodiscard]] std::string EncodeRequest(const Resource& resource, const RunIds& ids,
                                        const Event& event);

}  // namespace cordon::telemetry
