// Every command runs in a job object that kills the whole process tree when
// cordon lets go of it, and the command is in that job before its first
// instruction runs.
//
// Contract: SpawnInJob creates the job (JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE,
// no breakaway), creates the process suspended, assigns it to the job and
// only then resumes it. A failure at any step is the run's failure: the
// process is terminated and never ran a single instruction unconfined by
// the job (Codex ignored job errors; cordon never does). The returned
// JobProcess owns the job: destroying it (or cordon dying) kills every
// process of the tree, descendants included.
#pragma once

#include <windows.h>

#include <string>

#include "common/result.h"
#include "sandbox/windows/unique_handle-win32.h"

namespace cordon::sandbox::job {

struct SpawnRequest {
  // The command line as CreateProcessW parses it (quoting is the caller's).
  std::wstring command_line;
  // The executable to run; empty: the first token of command_line, found
  // the way CreateProcessW searches for it.
  std::wstring application;
  // Attach the process to this pseudo console (conpty-win32.h) instead of
  // handing it standard handles.
  HPCON pseudo_console = nullptr;
  // Without a pseudo console: the child's standard handles, which must be
  // inheritable; only these three are inherited (PROC_THREAD_ATTRIBUTE_
  // HANDLE_LIST), never another of cordon's handles. nullptr: the child
  // gets none for that stream.
  HANDLE std_input = nullptr;
  HANDLE std_output = nullptr;
  HANDLE std_error = nullptr;
};

struct JobProcess {
  UniqueHandle job;      // closing it kills the whole tree
  UniqueHandle process;  // to wait on and read the exit code
  DWORD pid = 0;
};

// Starts request's command inside a new kill-on-close job (see the contract
// above). Errors name the failed call and its Win32 error.
[[nodiscard]] Result<JobProcess> SpawnInJob(const SpawnRequest& request);

}  // namespace cordon::sandbox::job
