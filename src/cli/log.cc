// `cordon log`: the events files as a table or as raw OTLP/JSON lines, with
// filters and --follow.
//
// The files are the user's own and may have been edited or torn by a full
// disk: a line that does not parse is skipped with a warning naming the
// file and line, and the rest is shown. --json prints matching lines exactly
// as they are in the file, so they can be fed to other OTLP tools.
//
// The same file is `cordon log` on Linux and in cordon.exe (over the
// Windows day files, %LOCALAPPDATA%\cordon\events); what differs is in
// cli/log_host.h's pair.
#include <cstdio>
#include <cstdlib>
#include <ctime>

#include "cli/log_flags.h"
#include "cli/log_host.h"
#include "common/event.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "policy/loader.h"
#include "telemetry/event_file.h"
#include "telemetry/log_reader.h"
#include "telemetry/summary.h"

namespace cordon::cli {
namespace {

using log_host::Say;

constexpr int64_t kDayNs = 86400LL * 1000000000LL;

struct Style {
  bool color = false;
  [[nodiscard]] const char* Red() const { return color ? "\033[31m" : ""; }
  [[nodiscard]] const char* Yellow() const { return color ? "\033[33m" : ""; }
  [[nodiscard]] const char* Dim() const { return color ? "\033[2m" : ""; }
  [[nodiscard]] const char* Reset() const { return color ? "\033[0m" : ""; }
};

class Printer {
 public:
  Printer(telemetry::LogFilter filter, bool json, Style style)
      : filter_(std::move(filter)), json_(json), style_(style) {}

  // One line of `file`; line_no for warnings.
  void Line(const std::string& file, size_t line_no, const std::string& line) {
    if (line.empty()) return;
    auto records = telemetry::ParseLine(line);
    if (!records.ok()) {
      Say("warning: " + file + ":" + std::to_string(line_no) +
          ": skipped: " + records.error().detail);
      return;
    }
    if (json_) {
      for (const auto& r : records.value()) {
        if (filter_.Matches(r)) {
          std::fwrite(line.data(), 1, line.size(), stdout);
          std::fputc('\n', stdout);
          ++shown_;
          break;
        }
      }
      return;
    }
    for (const auto& r : records.value()) {
      if (filter_.Matches(r)) Row(r);
    }
  }

  void Header() {
    if (json_) return;
    std::printf("%s%-23s  %-8s  %-16s  %s%s\n", style_.Dim(), "TIME", "RUN", "EVENT", "FACTS",
                style_.Reset());
  }
  [[nodiscard]] int shown() const { return shown_; }

 private:
  void Row(const telemetry::Record& r) {
    ++shown_;
    const std::tm t = log_host::LocalTime(r.event.time_unix_nano / 1000000000LL);
    char when[40];
    std::snprintf(when, sizeof when, "%04d-%02d-%02d %02d:%02d:%02d.%03d",
                  (t.tm_year + 1900) % 10000, (t.tm_mon + 1) % 100, t.tm_mday % 100,
                  t.tm_hour % 100, t.tm_min % 100, t.tm_sec % 100,
                  static_cast<int>(r.event.time_unix_nano / 1000000 % 1000));
    std::string name = r.event.name.starts_with("cordon.") ? r.event.name.substr(7) : r.event.name;
    const char* color = "";
    if (telemetry::IsDenial(r.event) || r.event.severity == Severity::kError) {
      color = style_.Red();
    } else if (r.event.severity == Severity::kWarn) {
      color = style_.Yellow();
    }
    // One row per event, whatever the file holds: KeyFacts is escaped for
    // the terminal (it names paths, hosts and commands the sandbox chose),
    // and so is everything else read from the file.
    const std::string facts = telemetry::KeyFacts(r.event);
    const std::string run = ForTerminal(r.trace_id);
    name = ForTerminal(name);
    std::printf("%s  %-8.8s  %s%-16s  %s%s\n", when, run.c_str(), color, name.c_str(),
                facts.c_str(), *color != '\0' ? style_.Reset() : "");
  }

  telemetry::LogFilter filter_;
  bool json_;
  Style style_;
  int shown_ = 0;
};

// Reads the complete lines of `path` from `*offset` on, advancing it past
// the last newline (a line being written is left for the next read).
void ReadFrom(const std::string& path, uint64_t* offset, size_t* line_no, Printer* out) {
  std::string data;
  if (!log_host::ReadFrom(path, *offset, &data)) return;
  size_t start = 0;
  for (size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    ++*line_no;
    out->Line(path, *line_no, data.substr(start, nl - start));
  }
  *offset += start;
}

// The UTC day of a day file, in unix ns at its midnight.
int64_t DayStart(const std::string& path) {
  auto r = telemetry::ParseTimeArg(path.substr(path.rfind('/') + 1, 10), 0);
  return r.ok() ? r.value() : 0;
}

}  // namespace

int LogCommand(const LogArgs& a) {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) {
    Say(host.error());
    return kExitSetupError;
  }
  telemetry::LogFilter filter;
  const int64_t now = NowUnixNano();
  struct TimeArg {
    const std::string* text;
    std::optional<int64_t>* out;
    const char* flag;
  };
  for (const TimeArg& arg :
       {TimeArg{&a.since, &filter.since, "--since"}, TimeArg{&a.until, &filter.until, "--until"}}) {
    if (arg.text->empty()) continue;
    auto t = telemetry::ParseTimeArg(*arg.text, now);
    if (!t.ok()) {
      Say(std::string("log: ") + arg.flag + " '" + *arg.text + "': " + t.error().detail);
      return kExitSetupError;
    }
    *arg.out = t.value();
  }
  filter.run = a.run;
  filter.kind = a.kind;
  filter.denied = a.denied;

  const std::string dir = telemetry::EventsDir(host.value().xdg_state_home);
  Style style;
  const char* no_color = std::getenv("NO_COLOR");
  style.color = (no_color == nullptr || *no_color == '\0') && log_host::StdoutTakesColor();
  Printer printer(filter, a.json, style);
  printer.Header();

  std::vector<std::string> files = telemetry::ListDayFiles(dir);
  if (files.empty() && !a.follow) {
    Say("no events recorded yet (" + dir + ")");
    return 0;
  }
  std::string current;
  uint64_t offset = 0;
  size_t line_no = 0;
  for (const auto& f : files) {
    int64_t day = DayStart(f);
    if (filter.since && day + kDayNs <= *filter.since) continue;
    if (filter.until && day >= *filter.until) continue;
    current = f;
    offset = 0;
    line_no = 0;
    ReadFrom(f, &offset, &line_no, &printer);
  }
  std::fflush(stdout);
  if (!a.follow) return 0;

  // --follow: poll the newest file; a new day's file takes over. Polling
  // (4 Hz) rather than inotify keeps this simple and works on every
  // filesystem the state dir may be on.
  for (;;) {
    log_host::PauseBeforePoll();
    files = telemetry::ListDayFiles(dir);
    if (!files.empty() && files.back() != current) {
      if (!current.empty()) ReadFrom(current, &offset, &line_no, &printer);
      current = files.back();
      offset = 0;
      line_no = 0;
    }
    if (!current.empty()) ReadFrom(current, &offset, &line_no, &printer);
    std::fflush(stdout);
  }
}

}  // namespace cordon::cli
