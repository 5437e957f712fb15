// `cordon.exe log` (cli/log.cc, the Linux command over the Windows day
// files): after real runs of cordon.exe have written their events, `log`
// prints them (the command, its exit code; the file's own lines with
// --json), a filter that matches nothing prints no event, and a bad option
// is refused with exit 125 naming it. The events are written by cordon.exe
// itself, into a %LOCALAPPDATA% of the test's own.
#include <windows.h>

#include <string>

#include "check.h"
#include "child_output.h"
#include "common/outcome.h"
#include "private_state.h"

namespace cordon::wintest {
namespace {

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

std::wstring Helper() { return L"\"" + BinaryDir() + L"wintest_helper.exe\""; }

size_t Count(const std::string& text, std::string_view what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

size_t Lines(const std::string& text) { return Count(text, "\n"); }

// Two full-access runs: one exits 0 printing a marker, one exits 2 (the
// helper's usage error).
bool TwoRuns(Test& t) {
  const Captured ok =
      RunCaptured(Cordon(L"run --mode full-access -- " + Helper() + L" args log-marker-7f3a"));
  CORDON_CHECK(t, ok.started && ok.exit_code == 0, "the first run: " + ok.error + ok.err);
  const Captured two =
      RunCaptured(Cordon(L"run --mode full-access -- " + Helper() + L" no-such-mode"));
  CORDON_CHECK(t, two.started && two.exit_code == 2,
               "the second run exits 2: " + std::to_string(two.exit_code) + two.err);
  return ok.started && two.started;
}

void LogPrintsTheRuns(Test& t) {
  PrivateLocalAppData state(L"cordon-log-test");
  if (!TwoRuns(t)) return;
  const Captured log = RunCaptured(Cordon(L"log"));
  CORDON_CHECK(t, log.started && log.exit_code == 0,
               "cordon log succeeded: " + std::to_string(log.exit_code) + " " + log.err);
  CORDON_CHECK(t, log.out.starts_with("TIME"), "the table has its header: " + Quoted(log.out));
  CORDON_CHECK(t, Count(log.out, "session.start") == 2, "two sessions: " + Quoted(log.out));
  CORDON_CHECK(t, Count(log.out, "exec.start") == 2, "two exec.start: " + Quoted(log.out));
  CORDON_CHECK(t, Count(log.out, "exec.end") == 2, "two exec.end: " + Quoted(log.out));
  CORDON_CHECK(t, log.out.find("log-marker-7f3a") != std::string::npos,
               "the first run's command is shown: " + Quoted(log.out));
  CORDON_CHECK(t, log.out.find("no-such-mode") != std::string::npos,
               "the second run's command is shown: " + Quoted(log.out));
  CORDON_CHECK(
      t, log.out.find("exit 0") != std::string::npos && log.out.find("exit 2") != std::string::npos,
      "both exit codes are shown: " + Quoted(log.out));
  CORDON_CHECK(t, log.err.empty(), "nothing on stderr: " + Quoted(log.err));

  // --json: the file's lines, one per event, exactly.
  const Captured json = RunCaptured(Cordon(L"log --json"));
  CORDON_CHECK(t, json.exit_code == 0, json.err);
  CORDON_CHECK(t, Lines(json.out) == 6, "six lines: " + std::to_string(Lines(json.out)));
  CORDON_CHECK(
      t, Count(json.out, "\"eventName\":\"cordon.exec.end\"") == 2,
      "exec.end twice: " + std::to_string(Count(json.out, "\"eventName\":\"cordon.exec.end\"")));
  CORDON_CHECK(t, json.out.starts_with("{\"resourceLogs\""),
               "OTLP/JSON lines: " + json.out.substr(0, 80));

  // A filter: only exec events.
  const Captured exec = RunCaptured(Cordon(L"log --kind exec"));
  CORDON_CHECK(t,
               exec.exit_code == 0 && Count(exec.out, "session.start") == 0 &&
                   Count(exec.out, "exec.end") == 2,
               "--kind exec shows the exec events only: " + Quoted(exec.out));
}

void AFilterMatchingNothingPrintsNothing(Test& t) {
  PrivateLocalAppData state(L"cordon-log-test");
  if (!TwoRuns(t)) return;
  const Captured json = RunCaptured(Cordon(L"log --json --run ffffffffffffffff"));
  CORDON_CHECK(t, json.exit_code == 0, "exit 0: " + std::to_string(json.exit_code) + json.err);
  CORDON_CHECK(t, json.out.empty(), "--json prints nothing: " + Quoted(json.out));
  const Captured net = RunCaptured(Cordon(L"log --kind net"));
  CORDON_CHECK(t, net.exit_code == 0, "exit 0: " + net.err);
  CORDON_CHECK(t, Lines(net.out) == 1 && net.out.starts_with("TIME"),
               "the table prints its header and no event: " + Quoted(net.out));
  const Captured later = RunCaptured(Cordon(L"log --since 2099-01-01"));
  CORDON_CHECK(t, later.exit_code == 0 && Lines(later.out) == 1,
               "--since in the future shows no event: " + Quoted(later.out));
}

void BadOptionsAreRefused(Test& t) {
  PrivateLocalAppData state(L"cordon-log-test");
  const Captured kind = RunCaptured(Cordon(L"log --kind nonsense"));
  CORDON_CHECK(t, kind.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125: " + std::to_string(kind.exit_code));
  CORDON_CHECK(t,
               kind.err.find("--kind") != std::string::npos &&
                   kind.err.find("nonsense") != std::string::npos,
               "the option is named: " + Quoted(kind.err));
  const Captured since = RunCaptured(Cordon(L"log --since yesterdayish"));
  CORDON_CHECK(t,
               since.exit_code == static_cast<DWORD>(kExitSetupError) &&
                   since.err.find("--since") != std::string::npos,
               "a bad time is named: " + Quoted(since.err));
  const Captured unknown = RunCaptured(Cordon(L"log --frobnicate"));
  CORDON_CHECK(t,
               unknown.exit_code == static_cast<DWORD>(kExitSetupError) &&
                   unknown.err.find("frobnicate") != std::string::npos,
               "an unknown option is named: " + Quoted(unknown.err));
  const Captured empty = RunCaptured(Cordon(L"log"));
  CORDON_CHECK(
      t, empty.exit_code == 0 && empty.err.find("no events recorded yet") != std::string::npos,
      "no events yet is said: " + Quoted(empty.err));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"LogPrintsTheRuns", cordon::wintest::LogPrintsTheRuns},
       Case{"AFilterMatchingNothingPrintsNothing",
            cordon::wintest::AFilterMatchingNothingPrintsNothing},
       Case{"BadOptionsAreRefused", cordon::wintest::BadOptionsAreRefused}});
}
