// Key facts of an event (see summary.h).
#include "telemetry/summary.h"

#include <cstdio>

#include "common/terminal_text.h"

namespace cordon::telemetry {
namespace {

std::string Str(const Event& e, const char* key) {
  const AttrValue* v = e.Find(key);
  if (v == nullptr) return "";
  if (const auto* s = std::get_if<std::string>(v)) return *s;
  if (const auto* i = std::get_if<int64_t>(v)) return std::to_string(*i);
  if (const auto* b = std::get_if<bool>(v)) return *b ? "true" : "false";
  if (const auto* d = std::get_if<double>(v)) return std::to_string(*d);
  if (const auto* a = std::get_if<std::vector<std::string>>(v)) {
    std::string out;
    for (const auto& s : *a) {
      if (!out.empty()) out += ' ';
      out += s.find_first_of(" \t'\"") == std::string::npos ? s : "'" + s + "'";
    }
    return out;
  }
  return "";
}

void Append(std::string* out, const std::string& part) {
  if (part.empty()) return;
  if (!out->empty()) *out += ", ";
  *out += part;
}

std::string Bytes(const std::string& n) {
  if (n.empty()) return "";
  double v = std::stod(n);
  char buf[32];
  if (v >= 1 << 20) {
    std::snprintf(buf, sizeof buf, "%.1f MiB", v / (1 << 20));
  } else if (v >= 1 << 10) {
    std::snprintf(buf, sizeof buf, "%.1f KiB", v / (1 << 10));
  } else {
    std::snprintf(buf, sizeof buf, "%.0f B", v);
  }
  return buf;
}

}  // namespace

bool IsDenial(const Event& e) {
  if (e.name == "cordon.fs.denial") return true;
  // Allowed by a rule, but the destination failed (no such name, refused):
  // to the command it is a failure all the same.
  if (Str(e, "cordon.upstream.failed") == "true") return true;
  return Str(e, "cordon.decision") == "deny";
}

std::string KeyFacts(const Event& e) {
  std::string out;
  try {
    if (e.name == "cordon.session.start") {
      Append(&out, "mode " + Str(e, "cordon.mode"));
      Append(&out, "net " + Str(e, "cordon.network.mode"));
      Append(&out, "workspace " + Str(e, "cordon.workspace"));
      std::string degraded = Str(e, "cordon.degraded");
      if (!degraded.empty()) Append(&out, "DEGRADED");
    } else if (e.name == "cordon.exec.start") {
      Append(&out, "pid " + Str(e, "process.pid"));
      Append(&out, Str(e, "process.command_args"));
    } else if (e.name == "cordon.exec.end") {
      std::string outcome = Str(e, "cordon.outcome");
      if (outcome == "exited") {
        Append(&out, "exit " + Str(e, "process.exit.code"));
      } else if (outcome == "signaled") {
        Append(&out, "signal " + Str(e, "cordon.exit.signal"));
      } else {
        Append(&out, outcome);
      }
      std::string ms = Str(e, "cordon.duration_ms");
      if (!ms.empty()) Append(&out, ms + " ms");
      std::string rss = Bytes(Str(e, "cordon.peak_rss_bytes"));
      if (!rss.empty()) Append(&out, "peak RSS " + rss);
    } else if (e.name == "cordon.net.decision") {
      std::string dest = Str(e, "server.address");
      std::string port = Str(e, "server.port");
      if (!port.empty()) dest += ":" + port;
      Append(&out, Str(e, "cordon.decision") + " " + dest);
      std::string rule = Str(e, "cordon.rule");
      if (!rule.empty()) out += " (rule " + rule + ")";
      std::string up = Str(e, "cordon.bytes_up");
      std::string down = Str(e, "cordon.bytes_down");
      if (!up.empty() || !down.empty()) Append(&out, Bytes(up) + " up / " + Bytes(down) + " down");
      // Why it was denied, or why an allowed one failed upstream.
      std::string reason = Str(e, "cordon.reason");
      if (!reason.empty()) Append(&out, reason);
    } else if (e.name == "cordon.fs.denial") {
      Append(&out, Str(e, "file.path"));
      Append(&out, Str(e, "cordon.fs.access"));
    }
  } catch (const std::exception&) {
    out.clear();  // a user-edited file with a non-numeric size: fall back to the body
  }
  if (out.empty()) out = e.body;
  return ForTerminal(out);
}

}  // namespace cordon::telemetry
