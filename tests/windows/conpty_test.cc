// ConPTY: a command attached to a pseudo console sees a console on its
// standard output, and what it prints arrives through the console's output
// pipe. The twin: the same command on plain pipes sees no console.
// (Under Wine only the console's own output is checked, see below.)
#include <windows.h>

#include <future>
#include <string>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/conpty-win32.h"
#include "sandbox/windows/job-win32.h"

namespace cordon::wintest {
namespace {

std::string ReadAll(HANDLE pipe) {
  std::string data;
  char buffer[4096];
  DWORD n = 0;
  while (ReadFile(pipe, buffer, sizeof(buffer), &n, nullptr) && n > 0) data.append(buffer, n);
  return data;
}

void OutputArrivesThroughThePseudoConsole(Test& t) {
  auto console = sandbox::conpty::Open(80, 25);
  CORDON_CHECK(t, console.ok(), console.ok() ? "" : console.error().Describe());
  if (!console.ok()) return;
  // Read from the start: the console blocks its writers when nobody reads.
  std::future<std::string> output =
      std::async(std::launch::async, ReadAll, console.value().output());
  sandbox::job::SpawnRequest request;
  request.command_line = L"\"" + BinaryDir() + L"wintest_helper.exe\" console";
  request.pseudo_console = console.value().handle();
  auto child = sandbox::job::SpawnInJob(request);
  CORDON_CHECK(t, child.ok(), child.ok() ? "" : child.error().Describe());
  if (!child.ok()) return;
  CORDON_CHECK(t, WaitForSingleObject(child.value().process.get(), 20000) == WAIT_OBJECT_0,
               "the child ended");
  console.value().Close();
  if (output.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    CORDON_CHECK(t, false, "the pseudo console's output ended after ClosePseudoConsole");
    return;
  }
  const std::string text = output.get();
  CORDON_CHECK(
      t, text.find("via-conout") != std::string::npos,
      "what the child wrote to its console arrived through the pseudo console: " + Quoted(text));
  if (UnderWine()) {
    // Wine leaves a child's null standard handles null instead of giving it
    // the console's (job-win32.cc passes null ones on purpose), so only the
    // console itself can be checked there.
    std::printf("note: Wine: the child's standard handles are not checked\n");
    return;
  }
  CORDON_CHECK(t, text.find("hello-from-conpty") != std::string::npos,
               "the child's output arrived through the pseudo console: " + Quoted(text));
  CORDON_CHECK(t, text.find("console=yes") != std::string::npos,
               "the child's stdout is a console: " + Quoted(text));
}

void PipesAreNoConsole(Test& t) {
  const Captured run = RunCaptured(L"\"" + BinaryDir() + L"wintest_helper.exe\" console");
  CORDON_CHECK(t, run.started && run.error.empty(), run.error);
  CORDON_CHECK(t, run.out.find("hello-from-conpty") != std::string::npos,
               "the output arrived on the pipe: " + Quoted(run.out));
  CORDON_CHECK(t, run.out.find("console=no") != std::string::npos,
               "on a pipe the child sees no console: " + Quoted(run.out));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(argc, argv,
                                   {Case{"OutputArrivesThroughThePseudoConsole",
                                         cordon::wintest::OutputArrivesThroughThePseudoConsole},
                                    Case{"PipesAreNoConsole", cordon::wintest::PipesAreNoConsole}});
}
