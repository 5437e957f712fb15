// Structured records of what cordon decided or saw: the one interface between
// the mechanisms that produce events (supervisor, proxy, approvals) and the
// sinks that store or export them (telemetry). Plain data; no formatting here.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace cordon {

// The subset of OTLP's AnyValue that cordon emits.
using AttrValue = std::variant<std::string, int64_t, double, bool, std::vector<std::string>>;

struct Attribute {
  std::string key;  // OpenTelemetry semantic-convention name where one exists
  AttrValue value;
};

enum class Severity { kInfo, kWarn, kError };

struct Event {
  std::string name;  // "cordon.net.decision", "cordon.exec.end", ...
  int64_t time_unix_nano = 0;
  Severity severity = Severity::kInfo;
  std::string body;  // one human-readable line
  std::vector<Attribute> attributes;

  Event& Add(std::string key, AttrValue value) {
    attributes.push_back({std::move(key), std::move(value)});
    return *this;
  }
  [[nodiscard]] const AttrValue* Find(std::string_view key) const {
    for (const auto& a : attributes)
      if (a.key == key) return &a.value;
    return nullptr;
  }
};

// Receives events. Emit may be called from any thread (the proxy runs on its
// own); implementations serialize internally and must not block for long.
class EventSink {
 public:
  virtual ~EventSink() = default;
  virtual void Emit(Event event) = 0;
};

[[nodiscard]] int64_t NowUnixNano();

}  // namespace cordon
