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
// process of the tree, descendants included. With an identity, the
// process is also created in that AppContainer, and only resumed once its
// token reads back as that AppContainer's.
#pragma once

#include <windows.h>

#include <cstdint>
#include <string>

#include "common/result.h"
#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/unique_handle-win32.h"

namespace cordon::sandbox::job {

// What the job holds the whole process tree to; 0: no limit of that kind.
// A limit the host refuses to set fails the spawn; the CPU cap is also
// read back (the others are checked by what they do: job_test.cc).
struct Limits {
  uint64_t memory_bytes = 0;  // committed memory of all processes together
  uint32_t processes = 0;     // processes alive at once (threads not counted)
  uint32_t cpu_rate = 0;      // hard cap, hundredths of a percent of all CPUs
};

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
  // Without a pseudo console: start the process on a hidden console of its
  // own (CREATE_NO_WINDOW), never attached to cordon's. A process attached
  // to the user's console could open CONIN$ and write input records the
  // user's shell reads after the run (the Windows twin of TIOCSTI). Not
  // DETACHED_PROCESS: each console program the command starts would then
  // open a console window of its own.
  bool own_console = false;
  // The environment block (NAME=VALUE\0...\0\0); empty: cordon's own.
  std::wstring environment;
  // The working directory; empty: cordon's own.
  std::wstring directory;
  // The AppContainer the process runs in; nullptr: the caller's token (a
  // full-access run, and the tests). With one, the process's token is read
  // back before it is resumed (appcontainer::VerifyToken) and a token that
  // is not that AppContainer's fails the spawn: it never runs.
  const appcontainer::Identity* identity = nullptr;
  Limits limits;
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
