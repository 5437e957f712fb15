// The audit trail of a Windows run (docs/telemetry.md, "On Windows"):
// `cordon.exe run` writes cordon.session.start, cordon.exec.start and
// cordon.exec.end into today's day file under %LOCALAPPDATA%\cordon\events,
// as OTLP/JSON lines that are whole, one run's lines under one trace id; a
// refused run records its setup error; an OTLP endpoint, which this build
// cannot export to, is named once and the file is written all the same.
//
// Each test gives cordon.exe a LOCALAPPDATA of its own (set in this process,
// inherited by the child), so no test reads another's events or the
// account's. The file is read back and parsed here, not by cordon's reader.
#include <windows.h>

#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "common/outcome.h"
#include "private_state.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

using nlohmann::json;

// Today's day file name, YYYY-MM-DD.jsonl (UTC), as cordon names it.
std::wstring TodaysFile() {
  SYSTEMTIME now{};
  GetSystemTime(&now);
  wchar_t name[32];
  swprintf(name, 32, L"%04u-%02u-%02u.jsonl", now.wYear, now.wMonth, now.wDay);
  return name;
}

// The names of the files in `dir`.
std::vector<std::wstring> Files(const std::wstring& dir) {
  std::vector<std::wstring> names;
  WIN32_FIND_DATAW found{};
  HANDLE h = FindFirstFileW((dir + L"\\*").c_str(), &found);
  if (h == INVALID_HANDLE_VALUE) return names;
  do {
    if ((found.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0)
      names.emplace_back(found.cFileName);
  } while (FindNextFileW(h, &found));
  FindClose(h);
  return names;
}

std::string ReadFileBytes(const std::wstring& path) {
  HANDLE h = CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr,
                         OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr);
  if (h == INVALID_HANDLE_VALUE) return {};
  std::string data;
  char buffer[4096];
  DWORD n = 0;
  while (ReadFile(h, buffer, sizeof buffer, &n, nullptr) && n > 0) data.append(buffer, n);
  CloseHandle(h);
  return data;
}

// One log record of the file, with what the tests look at.
struct Record {
  std::string name;
  std::string trace_id;
  std::string severity;
  json attributes = json::object();  // key -> the AnyValue's one value
};

// The day file's lines as records. Every line must end in '\n' and parse
// as a whole ExportLogsServiceRequest holding one record.
std::vector<Record> ReadRecords(Test& t, const std::wstring& file) {
  const std::string data = ReadFileBytes(file);
  CORDON_CHECK(t, !data.empty(), "the day file has lines: " + sandbox::Narrow(file));
  CORDON_CHECK(t, data.empty() || data.back() == '\n', "the file ends with a whole line");
  std::vector<Record> records;
  size_t start = 0;
  for (size_t nl; (nl = data.find('\n', start)) != std::string::npos; start = nl + 1) {
    const std::string line = data.substr(start, nl - start);
    const json request = json::parse(line, nullptr, /*allow_exceptions=*/false);
    CORDON_CHECK(t, !request.is_discarded(), "a whole JSON line: " + Quoted(line));
    if (request.is_discarded()) continue;
    const json& logs = request["resourceLogs"][0]["scopeLogs"][0]["logRecords"];
    CORDON_CHECK(t, logs.is_array() && logs.size() == 1, "one record per line: " + Quoted(line));
    if (!logs.is_array() || logs.empty()) continue;
    const json& r = logs[0];
    Record record;
    record.name = r.value("eventName", "");
    record.trace_id = r.value("traceId", "");
    record.severity = r.value("severityText", "");
    for (const json& kv : r.value("attributes", json::array())) {
      const json& value = kv["value"];
      if (value.is_object() && !value.empty())
        record.attributes[kv.value("key", "")] = value.begin().value();
    }
    records.push_back(std::move(record));
  }
  return records;
}

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

// --no-config: no user or project file changes the policy (or names an
// endpoint) from outside the test.
constexpr const wchar_t* kFullAccessExit3 = L"run --no-config --mode full-access -- cmd /c exit 3";

void AFullAccessRunRecordsStartAndEnd(Test& t) {
  PrivateLocalAppData local(L"cordon-events-test");
  CORDON_CHECK(t, !local.path().empty(), "a private LOCALAPPDATA was made");
  const Captured run = RunCaptured(Cordon(kFullAccessExit3));
  CORDON_CHECK(t, run.started && run.error.empty(), run.error);
  CORDON_CHECK(t, run.exit_code == 3,
               "cordon exits with the command's 3, got " + std::to_string(run.exit_code) + ": " +
                   Quoted(run.err));
  CORDON_CHECK(t, run.err.find("events are not recorded") == std::string::npos,
               "no warning about the events: " + Quoted(run.err));
  const std::vector<std::wstring> files = Files(local.EventsDir());
  CORDON_CHECK(t, files.size() == 1 && files[0] == TodaysFile(),
               "one day file, today's: " + sandbox::Narrow(TodaysFile()));
  const std::vector<Record> records = ReadRecords(t, local.EventsDir() + L"\\" + TodaysFile());
  CORDON_CHECK(t, records.size() == 3, "three events, got " + std::to_string(records.size()));
  if (records.size() != 3) return;
  CORDON_CHECK(t, records[0].name == "cordon.session.start", "first: " + records[0].name);
  CORDON_CHECK(t, records[1].name == "cordon.exec.start", "second: " + records[1].name);
  CORDON_CHECK(t, records[2].name == "cordon.exec.end", "third: " + records[2].name);
  CORDON_CHECK(t,
               records[0].trace_id.size() == 32 &&
                   records[0].trace_id.find_first_not_of("0123456789abcdef") == std::string::npos &&
                   records[0].trace_id != std::string(32, '0'),
               "a trace id of 32 hex digits: " + records[0].trace_id);
  for (const Record& r : records) {
    CORDON_CHECK(t, r.trace_id == records[0].trace_id, "one trace id for the run: " + r.trace_id);
  }
  const json& session = records[0].attributes;
  CORDON_CHECK(t, session.value("cordon.mode", "") == "full-access", session.dump());
  CORDON_CHECK(t, session.value("cordon.confined", true) == false, session.dump());
  CORDON_CHECK(t, session.value("cordon.policy.hash", "").size() == 7 + 64, session.dump());
  CORDON_CHECK(t, records[0].severity == "WARN", "an unconfined session is a warning");
  const json& start = records[1].attributes;
  CORDON_CHECK(t,
               start.value("process.command_args", json()) == json({{"values",
                                                                     {{{"stringValue", "cmd"}},
                                                                      {{"stringValue", "/c"}},
                                                                      {{"stringValue", "exit"}},
                                                                      {{"stringValue", "3"}}}}}),
               start.dump());
  CORDON_CHECK(t, std::stoll(start.value("process.pid", std::string("0"))) > 0, start.dump());
  const json& end = records[2].attributes;
  CORDON_CHECK(t, end.value("cordon.outcome", "") == "exited", end.dump());
  CORDON_CHECK(t, end.value("process.exit.code", "") == "3", end.dump());
  CORDON_CHECK(t, end.value("cordon.exit_status", "") == "3", end.dump());
  CORDON_CHECK(t, end.contains("cordon.duration_ms"), end.dump());
}

// Concurrent runs append to one file: every line is whole, and each run's
// three lines carry its own trace id.
void ConcurrentRunsInterleaveWholeLines(Test& t) {
  PrivateLocalAppData local(L"cordon-events-test");
  constexpr size_t kRuns = 4;
  std::vector<Captured> runs(kRuns);
  std::vector<std::thread> threads;
  threads.reserve(kRuns);
  for (size_t i = 0; i < kRuns; ++i) {
    threads.emplace_back([&runs, i] { runs[i] = RunCaptured(Cordon(kFullAccessExit3)); });
  }
  for (std::thread& thread : threads) thread.join();
  for (const Captured& run : runs) {
    CORDON_CHECK(t, run.exit_code == 3, "exit 3, got " + std::to_string(run.exit_code));
  }
  const std::vector<Record> records = ReadRecords(t, local.EventsDir() + L"\\" + TodaysFile());
  CORDON_CHECK(t, records.size() == 3 * kRuns,
               "three events per run, got " + std::to_string(records.size()));
  std::vector<std::string> ids;
  for (const Record& r : records) {
    if (r.name == "cordon.session.start") ids.push_back(r.trace_id);
  }
  CORDON_CHECK(t, ids.size() == kRuns, "one session per run");
  for (const std::string& id : ids) {
    int events = 0;
    for (const Record& r : records) events += r.trace_id == id ? 1 : 0;
    CORDON_CHECK(t, events == 3, "three events under trace " + id);
  }
}

// A run cordon refuses (Wine cannot confine) records why: session.start,
// then exec.end with outcome setup-error, and no exec.start.
void ARefusedRunRecordsItsSetupError(Test& t) {
  PrivateLocalAppData local(L"cordon-events-test");
  const Captured run = RunCaptured(Cordon(L"run --no-config -- cmd /c echo hi"));
  if (run.exit_code != static_cast<DWORD>(kExitSetupError)) {
    CORDON_CHECK(t, !UnderWine(), "Wine cannot confine: the run is refused");
    return;  // this host confines: the run is the first test's kind
  }
  const std::vector<Record> records = ReadRecords(t, local.EventsDir() + L"\\" + TodaysFile());
  CORDON_CHECK(t, records.size() == 2, "two events, got " + std::to_string(records.size()));
  if (records.size() != 2) return;
  CORDON_CHECK(t, records[0].name == "cordon.session.start", "first: " + records[0].name);
  CORDON_CHECK(t, records[0].attributes.value("cordon.confined", false) == true,
               records[0].attributes.dump());
  CORDON_CHECK(t, records[1].name == "cordon.exec.end", "second: " + records[1].name);
  CORDON_CHECK(t, records[1].trace_id == records[0].trace_id, "one trace id");
  const json& end = records[1].attributes;
  CORDON_CHECK(t, end.value("cordon.outcome", "") == "setup-error", end.dump());
  CORDON_CHECK(t, end.value("cordon.exit_status", "") == "125", end.dump());
  CORDON_CHECK(t, end.value("error.type", "") == "setup", end.dump());
  CORDON_CHECK(t, end.value("cordon.error", "").find("cannot confine `cmd`") != std::string::npos,
               "the error is the refusal: " + end.dump());
  CORDON_CHECK(t, records[1].severity == "ERROR", "a setup error is an ERROR");
}

// This build has no OTLP exporter: an endpoint is named once, the run's
// status is the command's, and the file has every event.
void AnEndpointIsNamedOnceAndTheFileIsKept(Test& t) {
  PrivateLocalAppData local(L"cordon-events-test");
  SetEnvironmentVariableW(L"OTEL_EXPORTER_OTLP_ENDPOINT", L"http://127.0.0.1:4318");
  const Captured run = RunCaptured(Cordon(kFullAccessExit3));
  SetEnvironmentVariableW(L"OTEL_EXPORTER_OTLP_ENDPOINT", nullptr);
  CORDON_CHECK(t, run.exit_code == 3, "exit 3, got " + std::to_string(run.exit_code));
  const std::string said =
      "OTLP export to http://127.0.0.1:4318/v1/logs is not available on "
      "Windows yet; events are kept in ";
  const size_t at = run.err.find(said);
  CORDON_CHECK(t, at != std::string::npos, "the warning: " + Quoted(run.err));
  CORDON_CHECK(t, at == std::string::npos || run.err.find(said, at + 1) == std::string::npos,
               "said once: " + Quoted(run.err));
  const std::vector<Record> records = ReadRecords(t, local.EventsDir() + L"\\" + TodaysFile());
  CORDON_CHECK(t, records.size() == 3, "three events, got " + std::to_string(records.size()));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"AFullAccessRunRecordsStartAndEnd", cordon::wintest::AFullAccessRunRecordsStartAndEnd},
       Case{"ConcurrentRunsInterleaveWholeLines",
            cordon::wintest::ConcurrentRunsInterleaveWholeLines},
       Case{"ARefusedRunRecordsItsSetupError", cordon::wintest::ARefusedRunRecordsItsSetupError},
       Case{"AnEndpointIsNamedOnceAndTheFileIsKept",
            cordon::wintest::AnEndpointIsNamedOnceAndTheFileIsKept}});
}
