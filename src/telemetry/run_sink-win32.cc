// run_sink.h's export on Windows: there is no exporter process yet, so a
// configured endpoint gets one warning and the run goes on, its events in
// the file (docs/telemetry.md, "On Windows"). The file can be shipped to a
// collector by the Collector's otlpjsonfile receiver meanwhile.
#include "telemetry/run_sink.h"

namespace cordon::telemetry {

std::string DefaultExporterPath() { return ""; }

void RunSink::StartExporter() {
  Warn(&warned_export_, "OTLP export to " + options_.endpoint +
                            " is not available on Windows yet; events are kept in " +
                            options_.events_dir);
}

void RunSink::SendToExporter(const std::string& /*line*/) {}

void RunSink::FinishExport() {}

}  // namespace cordon::telemetry
