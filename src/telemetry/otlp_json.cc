// OTLP/JSON encoding (see otlp_json.h). nlohmann::json writes the strings,
// so every value is escaped correctly whatever bytes an argv holds (invalid
// UTF-8 is replaced, never emitted raw).
#include "telemetry/otlp_json.h"

#include <nlohmann/json.hpp>

namespace cordon::telemetry {
namespace {

using nlohmann::json;

json AnyValue(const AttrValue& v) {
  struct Visitor {
    json operator()(const std::string& s) const { return {{"stringValue", s}}; }
    // int64 is a decimal string in the protobuf-JSON mapping.
    json operator()(int64_t i) const { return {{"intValue", std::to_string(i)}}; }
    json operator()(double d) const { return {{"doubleValue", d}}; }
    json operator()(bool b) const { return {{"boolValue", b}}; }
    json operator()(const std::vector<std::string>& a) const {
      json values = json::array();
      for (const auto& s : a) values.push_back({{"stringValue", s}});
      return {{"arrayValue", {{"values", std::move(values)}}}};
    }
  };
  return std::visit(Visitor{}, v);
}

json KeyValues(const std::vector<Attribute>& attrs) {
  json out = json::array();
  for (const auto& a : attrs) {
    out.push_back(json::object({{"key", a.key}, {"value", AnyValue(a.value)}}));
  }
  return out;
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
  json attrs = KeyValues(event.attributes);
  attrs.insert(attrs.begin(),
               json::object({{"key", "event.name"}, {"value", {{"stringValue", event.name}}}}));
  const std::string time = std::to_string(event.time_unix_nano);
  json record = {
      {"timeUnixNano", time},
      {"observedTimeUnixNano", time},
      {"severityNumber", SeverityNumber(event.severity)},
      {"severityText", SeverityText(event.severity)},
      {"eventName", event.name},
      {"body", {{"stringValue", event.body}}},
      {"attributes", std::move(attrs)},
      {"traceId", ids.trace_id},
      {"spanId", ids.span_id},
  };
  json request = {
      {"resourceLogs",
       json::array({{{"resource", {{"attributes", KeyValues(resource.attributes)}}},
                     {"scopeLogs",
                      json::array({{{"scope", {{"name", "cordon"}, {"version", CORDON_VERSION}}},
                                    {"logRecords", json::array({std::move(record)})}}})}}})},
  };
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace cordon::telemetry
