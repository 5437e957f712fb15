// OpenTelemetry environment variables (see otlp_env.h). ProcessGetenv is
// the platform's: otlp_env-unix.cc, otlp_env-win32.cc.
#include "telemetry/otlp_env.h"

#include <algorithm>
#include <charconv>

namespace cordon::telemetry {
namespace {

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size()) {
      int hi = HexDigit(s[i + 1]);
      int lo = HexDigit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(s[i]);
  }
  return out;
}

}  // namespace

std::string LogsEndpoint(const std::string& config_endpoint, const Getenv& env) {
  auto with_path = [](std::string base) {
    while (!base.empty() && base.back() == '/') base.pop_back();
    return base + "/v1/logs";
  };
  if (!config_endpoint.empty()) return with_path(config_endpoint);
  std::string logs = env("OTEL_EXPORTER_OTLP_LOGS_ENDPOINT");
  if (!logs.empty()) return logs;
  std::string base = env("OTEL_EXPORTER_OTLP_ENDPOINT");
  if (!base.empty()) return with_path(base);
  return "";
}

std::vector<std::pair<std::string, std::string>> ParseKeyValueList(std::string_view text) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view entry = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t eq = entry.find('=');
    if (eq == std::string_view::npos) continue;
    std::string key = PercentDecode(Trim(entry.substr(0, eq)));
    if (key.empty()) continue;
    out.emplace_back(std::move(key), PercentDecode(Trim(entry.substr(eq + 1))));
  }
  return out;
}

std::vector<std::pair<std::string, std::string>> ExportHeaders(const Getenv& env) {
  auto headers = ParseKeyValueList(env("OTEL_EXPORTER_OTLP_HEADERS"));
  for (auto& kv : ParseKeyValueList(env("OTEL_EXPORTER_OTLP_LOGS_HEADERS"))) {
    const std::string& key = kv.first;
    std::erase_if(headers, [&](const auto& h) { return h.first == key; });
    headers.push_back(std::move(kv));
  }
  return headers;
}

long ExportTimeoutMs(const Getenv& env) {
  for (const char* name : {"OTEL_EXPORTER_OTLP_LOGS_TIMEOUT", "OTEL_EXPORTER_OTLP_TIMEOUT"}) {
    std::string v = env(name);
    long ms = 0;
    auto [end, ec] = std::from_chars(v.data(), v.data() + v.size(), ms);
    if (!v.empty() && ec == std::errc() && end == v.data() + v.size() && ms > 0) return ms;
  }
  return 10000;
}

Resource MakeResource(const Getenv& env, const std::string& host_name) {
  Resource r;
  std::string service = env("OTEL_SERVICE_NAME");
  r.attributes.push_back({"service.name", service.empty() ? std::string("cordon") : service});
  r.attributes.push_back({"service.version", std::string(CORDON_VERSION)});
  if (!host_name.empty()) r.attributes.push_back({"host.name", host_name});
  for (auto& [key, value] : ParseKeyValueList(env("OTEL_RESOURCE_ATTRIBUTES"))) {
    const std::string& k = key;
    if (k == "service.name") {
      if (service.empty()) r.attributes.front().value = value;
      continue;
    }
    auto same = std::find_if(r.attributes.begin(), r.attributes.end(),
                             [&k](const Attribute& a) { return a.key == k; });
    if (same != r.attributes.end()) {
      same->value = value;
    } else {
      r.attributes.push_back({k, value});
    }
  }
  return r;
}

}  // namespace cordon::telemetry
