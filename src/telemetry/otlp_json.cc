// OTLP/JSON encoding (see otlp_json.h). The request is written straight
// into one string, in the bytes nlohmann::json's dump() gave for the same
// tree (keys in std::map order, the same escapes): building that tree cost
// more than the rest of an event's path (issue 16), and the
// tests (telemetry_test.cc) compare the two on every kind of value. Strings
// that are not valid UTF-8 go through nlohmann::json, so invalid bytes are
// replaced exactly as before, never emitted raw.
#include "telemetry/otlp_json.h"

#include <nlohmann/json.hpp>

#include "common/json_text.h"

namespace cordon::telemetry {
namespace {

using nlohmann::json;

// A JSON string literal of `s`, as json(s).dump(-1, ' ', false, replace).
void AppendString(std::string* out, std::string_view s) {
  if (!AppendJsonString(out, s)) {
    *out += json(std::string(s)).dump(-1, ' ', false, json::error_handler_t::replace);
  }
}

// {"stringValue":...} and its kin: one key each, so no ordering question.
void AppendAnyValue(std::string* out, const AttrValue& v) {
  struct Visitor {
    std::string* out;
    void operator()(const std::string& s) const {
      *out += "{\"stringValue\":";
      AppendString(out, s);
      out->push_back('}');
    }
    // int64 is a decimal string in the protobuf-JSON mapping.
    void operator()(int64_t i) const { *out += "{\"intValue\":\"" + std::to_string(i) + "\"}"; }
    void operator()(double d) const { *out += "{\"doubleValue\":" + json(d).dump() + "}"; }
    void operator()(bool b) const { *out += b ? "{\"boolValue\":true}" : "{\"boolValue\":false}"; }
    void operator()(const std::vector<std::string>& a) const {
      *out += "{\"arrayValue\":{\"values\":[";
      for (size_t i = 0; i < a.size(); ++i) {
        if (i > 0) out->push_back(',');
        *out += "{\"stringValue\":";
        AppendString(out, a[i]);
        out->push_back('}');
      }
      *out += "]}}";
    }
  };
  std::visit(Visitor{out}, v);
}

// {"key":...,"value":...}: "key" sorts before "value".
void AppendKeyValue(std::string* out, std::string_view key, const AttrValue& v) {
  *out += "{\"key\":";
  AppendString(out, key);
  *out += ",\"value\":";
  AppendAnyValue(out, v);
  out->push_back('}');
}

}  // namespace

int SeverityNumber(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return 9;
    case Severity::kWarn:
      return 13;
    case Severity::kError:
      return 17;
  }
  return 0;
}

const char* SeverityText(Severity s) {
  switch (s) {
    case Severity::kInfo:
      return "INFO";
    case Severity::kWarn:
      return "WARN";
    case Severity::kError:
      return "ERROR";
  }
  return "";
}

std::string EncodeRequest(const Resource& resource, const RunIds& ids, const Event& event) {
  // Keys in sorted order at every level, as std::map-backed json wrote them.
  std::string out;
  out.reserve(1024 + event.body.size());
  out += "{\"resourceLogs\":[{\"resource\":{\"attributes\":[";
  for (size_t i = 0; i < resource.attributes.size(); ++i) {
    if (i > 0) out.push_back(',');
    AppendKeyValue(&out, resource.attributes[i].key, resource.attributes[i].value);
  }
  out += "]},\"scopeLogs\":[{\"logRecords\":[{\"attributes\":[";
  AppendKeyValue(&out, "event.name", event.name);
  for (const Attribute& a : event.attributes) {
    out.push_back(',');
    AppendKeyValue(&out, a.key, a.value);
  }
  const std::string time = std::to_string(event.time_unix_nano);
  out += "],\"body\":{\"stringValue\":";
  AppendString(&out, event.body);
  out += "},\"eventName\":";
  AppendString(&out, event.name);
  out += ",\"observedTimeUnixNano\":\"" + time + "\",\"severityNumber\":";
  out += std::to_string(SeverityNumber(event.severity));
  out += ",\"severityText\":";
  AppendString(&out, SeverityText(event.severity));
  out += ",\"spanId\":";
  AppendString(&out, ids.span_id);
  out += ",\"timeUnixNano\":\"" + time + "\",\"traceId\":";
  AppendString(&out, ids.trace_id);
  out += "}],\"scope\":{\"name\":\"cordon\",\"version\":";
  AppendString(&out, CORDON_VERSION);
  out += "}}]}]}";
  return out;
}

}  // namespace cordon::telemetry
