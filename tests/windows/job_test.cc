// The job object: the command is in a kill-on-close job from its first
// instruction, and closing the job really ends the whole tree (checked on
// the processes themselves, not on a return code), while they live on as
// long as the job is open.
#include <windows.h>

#include <string>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/job-win32.h"

namespace cordon::wintest {
namespace {

using sandbox::UniqueHandle;

// Whether `process` is still running after `ms` milliseconds.
bool Running(HANDLE process, DWORD ms) { return WaitForSingleObject(process, ms) == WAIT_TIMEOUT; }

std::wstring Helper(const wchar_t* mode) {
  return L"\"" + BinaryDir() + L"wintest_helper.exe\" " + mode;
}

void AssignedAtCreation(Test& t) {
  sandbox::job::SpawnRequest request;
  request.command_line = Helper(L"sleep");
  auto child = sandbox::job::SpawnInJob(request);
  CORDON_CHECK(t, child.ok(), child.ok() ? "" : child.error().Describe());
  if (!child.ok()) return;
  BOOL in_job = FALSE;
  CORDON_CHECK(
      t, IsProcessInJob(child.value().process.get(), child.value().job.get(), &in_job) && in_job,
      "the child is in the job");
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  CORDON_CHECK(t,
               QueryInformationJobObject(child.value().job.get(), JobObjectExtendedLimitInformation,
                                         &limits, sizeof(limits), nullptr) != 0,
               "QueryInformationJobObject");
  if (UnderWine()) {
    // Wine enforces the limit (ClosingTheJobKillsTheTree) but reports no
    // limit flags back.
    std::printf("note: Wine: the job's limit flags are not read back\n");
    return;
  }
  CORDON_CHECK(t,
               (limits.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE) != 0,
               "the job reads back with JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE");
  CORDON_CHECK(t, (limits.BasicLimitInformation.LimitFlags & JOB_OBJECT_LIMIT_BREAKAWAY_OK) == 0,
               "the job does not allow breakaway");
}

void ClosingTheJobKillsTheTree(Test& t) {
  // The grandchild's pid comes back on the child's stdout.
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE r = nullptr;
  HANDLE w = nullptr;
  CORDON_CHECK(t, CreatePipe(&r, &w, &inherit, 0) != 0, "CreatePipe");
  UniqueHandle read_end(r);
  UniqueHandle write_end(w);
  SetHandleInformation(r, HANDLE_FLAG_INHERIT, 0);
  sandbox::job::SpawnRequest request;
  request.command_line = Helper(L"tree");
  request.std_output = write_end.get();
  auto child = sandbox::job::SpawnInJob(request);
  write_end.Reset();
  CORDON_CHECK(t, child.ok(), child.ok() ? "" : child.error().Describe());
  if (!child.ok()) return;

  std::string line;
  char c = 0;
  DWORD n = 0;
  while (line.find('\n') == std::string::npos && ReadFile(read_end.get(), &c, 1, &n, nullptr) &&
         n == 1) {
    line += c;
  }
  CORDON_CHECK(t, line.rfind("grandchild ", 0) == 0,
               "the child names its grandchild: " + Quoted(line));
  const DWORD grandchild_pid = static_cast<DWORD>(std::strtoul(line.c_str() + 11, nullptr, 10));
  UniqueHandle grandchild(
      OpenProcess(SYNCHRONIZE | PROCESS_QUERY_LIMITED_INFORMATION, FALSE, grandchild_pid));
  CORDON_CHECK(t, grandchild.valid(), "OpenProcess(grandchild)");
  if (!grandchild.valid()) return;

  // The "can" twin: while cordon holds the job, both live.
  CORDON_CHECK(t, Running(child.value().process.get(), 300),
               "the child runs while the job is open");
  CORDON_CHECK(t, Running(grandchild.get(), 0), "the grandchild runs while the job is open");

  child.value().job.Reset();
  CORDON_CHECK(t, !Running(child.value().process.get(), 10000),
               "the child died when the job closed");
  CORDON_CHECK(t, !Running(grandchild.get(), 10000), "the grandchild died when the job closed");
  DWORD code = STILL_ACTIVE;
  GetExitCodeProcess(grandchild.get(), &code);
  CORDON_CHECK(t, code != STILL_ACTIVE, "the grandchild has an exit code");
}

// The process limit holds for real on Windows: with one process allowed,
// the helper runs but cannot start its grandchild (it says so and exits 1);
// with two, it can (the twin). Wine accepts the limits and does not enforce
// them (pinned here, so a Wine that starts to is noticed): under Wine this
// checks only that setting them does not fail the spawn.
void TheProcessLimitHolds(Test& t) {
  for (const uint32_t allowed : {1U, 2U}) {
    sandbox::job::SpawnRequest request;
    request.command_line = Helper(L"tree");
    request.limits.processes = allowed;
    request.limits.memory_bytes = 512ULL << 20;
    auto child = sandbox::job::SpawnInJob(request);
    CORDON_CHECK(t, child.ok(), child.ok() ? "" : child.error().Describe());
    if (!child.ok()) continue;
    const bool ended = WaitForSingleObject(child.value().process.get(), 3000) == WAIT_OBJECT_0;
    DWORD code = 0;
    GetExitCodeProcess(child.value().process.get(), &code);
    if (UnderWine()) {
      CORDON_CHECK(t, !ended, "Wine: the grandchild starts whatever the limit");
    } else if (allowed == 1) {
      CORDON_CHECK(t, ended && code == 1,
                   "one process allowed: the grandchild could not start (exit " +
                       std::to_string(code) + ")");
    } else {
      CORDON_CHECK(t, !ended, "two allowed: the helper and its grandchild run on");
    }
  }
}

void SpawnFailureNamesTheCall(Test& t) {
  sandbox::job::SpawnRequest request;
  request.command_line = L"C:\\no\\such\\program-cordon.exe";
  auto child = sandbox::job::SpawnInJob(request);
  CORDON_CHECK(t, !child.ok(), "a missing program is an error");
  if (child.ok()) return;
  const std::string text = child.error().Describe();
  CORDON_CHECK(t,
               text.find("CreateProcessW(C:\\no\\such\\program-cordon.exe)") != std::string::npos,
               "the error names the call and the program: " + Quoted(text));
  CORDON_CHECK(t,
               text.find("Win32 error 2") != std::string::npos ||
                   text.find("Win32 error 3") != std::string::npos,
               "the error has the Win32 code: " + Quoted(text));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"AssignedAtCreation", cordon::wintest::AssignedAtCreation},
       Case{"ClosingTheJobKillsTheTree", cordon::wintest::ClosingTheJobKillsTheTree},
       Case{"TheProcessLimitHolds", cordon::wintest::TheProcessLimitHolds},
       Case{"SpawnFailureNamesTheCall", cordon::wintest::SpawnFailureNamesTheCall}});
}
