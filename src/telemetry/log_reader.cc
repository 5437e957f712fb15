// Reading events files back (see log_reader.h).
#include "telemetry/log_reader.h"

#include <charconv>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "telemetry/civil_date.h"
#include "telemetry/summary.h"

namespace cordon::telemetry {
namespace {

using nlohmann::json;

// Nesting deeper than this is refused before parsing: records are four
// levels deep, and a deep document would only cost stack.
constexpr int kMaxDepth = 32;

bool TooDeep(std::string_view s) {
  int depth = 0;
  bool in_string = false;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > kMaxDepth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::optional<int64_t> Int64(const json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (!v.is_string()) return std::nullopt;
  const auto& s = v.get_ref<const std::string&>();
  int64_t out = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  if (s.empty() || ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return out;
}

AttrValue Decode(const json& any) {
  if (any.is_object()) {
    if (auto it = any.find("stringValue"); it != any.end() && it->is_string())
      return it->get<std::string>();
    if (auto it = any.find("intValue"); it != any.end()) {
      if (auto i = Int64(*it)) return *i;
    }
    if (auto it = any.find("doubleValue"); it != any.end() && it->is_number())
      return it->get<double>();
    if (auto it = any.find("boolValue"); it != any.end() && it->is_boolean())
      return it->get<bool>();
    if (auto it = any.find("arrayValue"); it != any.end() && it->is_object()) {
      std::vector<std::string> out;
      auto values = it->find("values");
      if (values != it->end() && values->is_array()) {
        for (const auto& v : *values) {
          auto s = v.is_object() ? v.find("stringValue") : v.end();
          out.push_back(s != v.end() && s->is_string() ? s->get<std::string>() : "?");
        }
      }
      return out;
    }
  }
  return std::string("?");
}

Result<Record> DecodeRecord(const json& r) {
  if (!r.is_object()) return PlainError("log", "", "a logRecord is not an object");
  Record out;
  auto time = r.find("timeUnixNano");
  if (time == r.end() || !Int64(*time)) {
    time = r.find("observedTimeUnixNano");
  }
  if (time == r.end() || !Int64(*time)) {
    return PlainError("log", "", "a logRecord has no valid timeUnixNano");
  }
  out.event.time_unix_nano = *Int64(*time);
  if (auto sev = r.find("severityNumber"); sev != r.end() && sev->is_number_integer()) {
    int n = sev->get<int>();
    out.event.severity = n >= 17 ? Severity::kError : n >= 13 ? Severity::kWarn : Severity::kInfo;
  }
  if (auto body = r.find("body"); body != r.end()) {
    AttrValue v = Decode(*body);
    if (const auto* s = std::get_if<std::string>(&v)) out.event.body = *s;
  }
  if (auto attrs = r.find("attributes"); attrs != r.end() && attrs->is_array()) {
    for (const auto& kv : *attrs) {
      if (!kv.is_object()) continue;
      auto key = kv.find("key");
      if (key == kv.end() || !key->is_string()) continue;
      auto value = kv.find("value");
      out.event.attributes.push_back(
          {key->get<std::string>(), value == kv.end() ? AttrValue(std::string()) : Decode(*value)});
    }
  }
  if (auto name = r.find("eventName"); name != r.end() && name->is_string()) {
    out.event.name = name->get<std::string>();
  } else if (const auto* n = out.event.Find("event.name")) {
    if (const auto* s = std::get_if<std::string>(n)) out.event.name = *s;
  }
  // event.name is carried by the record itself; the copy is for old collectors.
  std::erase_if(out.event.attributes, [](const Attribute& a) { return a.key == "event.name"; });
  if (auto trace = r.find("traceId"); trace != r.end() && trace->is_string()) {
    out.trace_id = trace->get<std::string>();
  }
  return out;
}

const json* Array(const json& obj, const char* key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  if (it == obj.end() || !it->is_array()) return nullptr;
  return &*it;
}

// Seconds since the epoch of UTC midnight of y-m-d.
int64_t Days(int y, int m, int d) { return DaysFromCivil(y, m, d) * 86400; }

}  // namespace

Result<std::vector<Record>> ParseLine(std::string_view line) {
  if (line.size() > kMaxLineBytes) return PlainError("log", "", "line longer than 4 MiB");
  if (TooDeep(line)) return PlainError("log", "", "JSON nested too deeply");
  json doc = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) return PlainError("log", "", "not JSON");
  std::vector<Record> out;
  try {
    const json* resource_logs = Array(doc, "resourceLogs");
    if (resource_logs == nullptr) return PlainError("log", "", "no resourceLogs array");
    for (const auto& rl : *resource_logs) {
      const json* scope_logs = Array(rl, "scopeLogs");
      if (scope_logs == nullptr) continue;
      for (const auto& sl : *scope_logs) {
        const json* records = Array(sl, "logRecords");
        if (records == nullptr) continue;
        for (const auto& r : *records) {
          auto rec = DecodeRecord(r);
          if (!rec.ok()) return rec.error();
          out.push_back(std::move(rec).value());
        }
      }
    }
  } catch (const json::exception& e) {
    return PlainError("log", "", std::string("bad record: ") + e.what());
  }
  if (out.empty()) return PlainError("log", "", "no log record");
  return out;
}

Result<int64_t> ParseTimeArg(std::string_view text, int64_t now_unix_nano) {
  const std::string s(text);
  auto bad = [&] {
    return PlainError("log", s,
                      "expected a time like 2026-05-01T12:00:00Z, 2026-05-01, or a duration "
                      "before now like 30m, 1h, 2d");
  };
  if (s.empty() || s.size() > 64) return bad();
  // Relative: a number and one unit.
  if (s.find('-') == std::string::npos) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), n);
    if (ec != std::errc() || n < 0 || n > 100000 || end + 1 != s.data() + s.size()) return bad();
    int64_t unit = 0;
    switch (*end) {
      case 's':
        unit = 1;
        break;
      case 'm':
        unit = 60;
        break;
      case 'h':
        unit = 3600;
        break;
      case 'd':
        unit = 86400;
        break;
      case 'w':
        unit = int64_t{7} * 86400;
        break;
      default:
        return bad();
    }
    return now_unix_nano - n * unit * 1000000000LL;
  }
  int y = 0, mo = 0, d = 0, h = 0, mi = 0, sec = 0, used = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2d%n", &y, &mo, &d, &used) != 3 || used != 10 || mo < 1 ||
      mo > 12 || d < 1 || d > 31 || y < 1970) {
    return bad();
  }
  if (s.size() == 10) return Days(y, mo, d) * 1000000000LL;
  if ((s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
      std::sscanf(s.c_str() + 11, "%2d:%2d:%2d%n", &h, &mi, &sec, &used) != 3 || used != 8 ||
      h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0) {
    return bad();
  }
  size_t i = 19;
  int64_t frac_ns = 0;
  if (i < s.size() && s[i] == '.') {
    int64_t scale = 100000000;
    ++i;
    size_t digits = 0;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') {
      frac_ns += (s[i] - '0') * scale;
      scale /= 10;
      ++i;
      ++digits;
    }
    if (digits == 0) return bad();
  }
  int64_t offset = 0;
  std::string_view zone = std::string_view(s).substr(i);
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else if (zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && zone[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(zone).c_str() + 1, "%2d:%2d", &oh, &om) != 2 || oh > 23 ||
        om > 59 || oh < 0 || om < 0) {
      return bad();
    }
    offset = (zone[0] == '+' ? 1 : -1) * (int64_t{oh} * 3600 + int64_t{om} * 60);
  } else {
    return bad();
  }
  int64_t secs = Days(y, mo, d) + int64_t{h} * 3600 + int64_t{mi} * 60 + sec - offset;
  return secs * 1000000000LL + frac_ns;
}

bool IsLogKind(std::string_view kind) {
  for (const char* k : {"exec", "net", "approval", "fs", "session", "policy"}) {
    if (kind == k) return true;
  }
  return false;
}

bool LogFilter::Matches(const Record& r) const {
  if (since && r.event.time_unix_nano < *since) return false;
  if (until && r.event.time_unix_nano >= *until) return false;
  if (!run.empty() && !r.trace_id.starts_with(run)) return false;
  if (!kind.empty() && !r.event.name.starts_with("cordon." + kind + ".")) return false;
  return !denied || IsDenial(r.event);
}

}  // namespace cordon::telemetry
