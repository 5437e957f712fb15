// RunSink: the EventSink of one `cordon run`. Every event gets the run's
// trace and span ids, goes to the events file, to the OTLP/HTTP exporter
// process when an endpoint is configured, and (with -v) to stderr as one
// short line.
//
// Thread-safe: Emit may be called from the supervisor and from the proxy's
// thread. Emit never blocks on the network: the exporter is a separate
// process (cordon-otlp-export, the only thing that loads libcurl) fed
// through a non-blocking socket; when it falls behind, events are dropped
// from the export (never from the file) and that is reported.
//
// The file, the -v lines and the order of things are shared (run_sink.cc);
// the export is the platform's: run_sink-unix.cc starts and feeds the
// exporter; run_sink-win32.cc has none yet and says so once when an
// endpoint is configured (the file is written all the same).
#pragma once

#include <sys/types.h>

#include <memory>
#include <mutex>
#include <string>

#include "common/event.h"
#include "common/unique_fd.h"
#include "telemetry/event_file.h"
#include "telemetry/otlp_json.h"

namespace cordon::telemetry {

struct RunSinkOptions {
  std::string events_dir;  // EventsDir(state home)
  int keep_days = kDefaultKeepDays;
  std::string endpoint;       // OTLP/HTTP logs URL; empty: no export
  std::string exporter_path;  // the cordon-otlp-export binary
  bool verbose = false;       // also print each event on stderr
  Resource resource;
  RunIds ids;
};

// The export helper next to the running binary (/proc/self/exe's dir;
// empty on Windows, which has none yet).
[[nodiscard]] std::string DefaultExporterPath();

// Marker the exporter leaves in the events dir when an export failed; the
// next cordon that finishes with export on reports it once and removes it.
inline constexpr const char* kExportFailedMarker = ".export-failed";

class RunSink final : public EventSink {
 public:
  // Never fails: a sink that cannot write reports that once on stderr and
  // the run goes on (telemetry never changes what the command may do).
  explicit RunSink(RunSinkOptions options);
  ~RunSink() override;
  RunSink(const RunSink&) = delete;
  RunSink& operator=(const RunSink&) = delete;

  void Emit(Event event) override;
  // Starts the file's writeback (not waited for), hands the exporter its end of input and
  // reports an export failure known so far. Does not wait for the exporter.
  void Finish();

  [[nodiscard]] const RunIds& ids() const { return options_.ids; }
  [[nodiscard]] bool exporting() const { return export_fd_.valid(); }
  // The exporter's pid (-1: none), which the run's own sweep must spare.
  [[nodiscard]] pid_t exporter_pid() const { return exporter_pid_; }

 private:
  // The platform's part: start the export (or say why there is none),
  // hand it a line, and end it (EOF, what was dropped, a failure so far).
  void StartExporter();
  void SendToExporter(const std::string& line);
  void FinishExport();
  void Warn(bool* once, const std::string& message);

  RunSinkOptions options_;
  std::mutex mu_;
  EventFile file_;
  UniqueFd export_fd_;
  pid_t exporter_pid_ = -1;
  int dropped_ = 0;
  bool warned_file_ = false;
  bool warned_export_ = false;
  bool finished_ = false;
};

}  // namespace cordon::telemetry
