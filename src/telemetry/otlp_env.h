// The OpenTelemetry SDK environment variables cordon honours, parsed
// without side effects (the values come from the user's environment or
// config; malformed entries are skipped, never fatal).
//
//   OTEL_EXPORTER_OTLP_LOGS_ENDPOINT  full URL of the logs endpoint, used as is
//   OTEL_EXPORTER_OTLP_ENDPOINT       base URL; "/v1/logs" is appended
//   OTEL_EXPORTER_OTLP_HEADERS        "k1=v1,k2=v2", values percent-decoded
//   OTEL_EXPORTER_OTLP_LOGS_HEADERS   the same, for logs only (wins per key)
//   OTEL_EXPORTER_OTLP_TIMEOUT        per-request timeout in ms (also _LOGS_)
//   OTEL_SERVICE_NAME                 service.name (default "cordon")
//   OTEL_RESOURCE_ATTRIBUTES          "k1=v1,k2=v2", percent-decoded
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "telemetry/otlp_json.h"

namespace cordon::telemetry {

// Reads one environment variable; empty when unset. Injected so tests and
// the fuzzer need no real environment.
using Getenv = std::function<std::string(const char*)>;
// This process's environment, as UTF-8 (on Windows read as UTF-16, not in
// the ANSI code page the C runtime's getenv uses).
[[nodiscard]] Getenv ProcessGetenv();

// The logs endpoint: config_endpoint (a base URL, like
// OTEL_EXPORTER_OTLP_ENDPOINT) wins, then OTEL_EXPORTER_OTLP_LOGS_ENDPOINT,
// then OTEL_EXPORTER_OTLP_ENDPOINT + "/v1/logs". Empty: export is off.
[[nodiscard]] std::string LogsEndpoint(const std::string& config_endpoint, const Getenv& env);

// "k1=v1,k2=v2" (W3C baggage-like) into pairs; entries without '=' or with
// an empty key are skipped; keys and values are trimmed and percent-decoded.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> ParseKeyValueList(
    std::string_view text);

// Export headers: OTEL_EXPORTER_OTLP_HEADERS overlaid by _LOGS_HEADERS.
[[nodiscard]] std::vector<std::pair<std::string, std::string>> ExportHeaders(const Getenv& env);

// Request timeout in milliseconds (default 10000, the SDK default).
[[nodiscard]] long ExportTimeoutMs(const Getenv& env);

// service.name, service.version, host.name, then OTEL_RESOURCE_ATTRIBUTES
// (which cannot override service.name: OTEL_SERVICE_NAME does).
[[nodiscard]] Resource MakeResource(const Getenv& env, const std::string& host_name);

}  // namespace cordon::telemetry
