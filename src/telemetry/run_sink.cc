// The run's event sink (see run_sink.h): what every platform does with an
// event; the export is run_sink-unix.cc's and run_sink-win32.cc's.
#include "telemetry/run_sink.h"

#include <cstdio>

#include "common/terminal_text.h"
#include "telemetry/summary.h"

namespace cordon::telemetry {

RunSink::RunSink(RunSinkOptions options)
    : options_(std::move(options)), file_(options_.events_dir, options_.keep_days) {
  if (!options_.endpoint.empty()) StartExporter();
}

RunSink::~RunSink() { Finish(); }

void RunSink::Warn(bool* once, const std::string& message) {
  if (*once) return;
  *once = true;
  const std::string line = "cordon: warning: " + ForTerminal(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void RunSink::Emit(Event event) {
  if (event.time_unix_nano == 0) event.time_unix_nano = NowUnixNano();
  std::string line = EncodeRequest(options_.resource, options_.ids, event);
  std::lock_guard<std::mutex> lock(mu_);
  if (options_.verbose) {
    std::string name = event.name.starts_with("cordon.") ? event.name.substr(7) : event.name;
    // KeyFacts is escaped for the terminal already.
    const std::string text = "cordon: event " + ForTerminal(name) + ": " + KeyFacts(event) + "\n";
    std::fwrite(text.data(), 1, text.size(), stderr);
  }
  if (finished_) return;
  Status s = file_.Append(line, event.time_unix_nano);
  if (!s.ok()) {
    Warn(&warned_file_, "events are not recorded (the run goes on): " + s.error().Describe());
  }
  SendToExporter(line);
}

void RunSink::Finish() {
  std::lock_guard<std::mutex> lock(mu_);
  if (finished_) return;
  finished_ = true;
  Status s = file_.StartWriteback();
  if (!s.ok()) {
    Warn(&warned_file_, "events may not be written to disk: " + s.error().Describe());
  }
  if (!options_.endpoint.empty()) FinishExport();
}

}  // namespace cordon::telemetry
