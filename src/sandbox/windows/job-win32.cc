// The job object and the process created into it (see job-win32.h).
//
// Ordering: the job and its limits exist before the process; the process is
// created suspended and assigned before ResumeThread, so neither it nor any
// child it could start runs outside the job. PROC_THREAD_ATTRIBUTE_JOB_LIST
// would do the same in one call but needs Windows 10 1607 and Wine lacks
// it; suspended creation works everywhere and is what Chromium does.
#include "sandbox/windows/job-win32.h"

#include <string>
#include <utility>
#include <vector>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::job {
namespace {

// The CPU cap: a hard cap at `rate` hundredths of a percent of the machine.
Status SetCpuRate(HANDLE job, uint32_t rate) {
  JOBOBJECT_CPU_RATE_CONTROL_INFORMATION cpu{};
  cpu.ControlFlags = JOB_OBJECT_CPU_RATE_CONTROL_ENABLE | JOB_OBJECT_CPU_RATE_CONTROL_HARD_CAP;
  cpu.CpuRate = rate;
  if (!SetInformationJobObject(job, JobObjectCpuRateControlInformation, &cpu, sizeof(cpu))) {
    Error e =
        WinError("SetInformationJobObject", "JobObjectCpuRateControlInformation", GetLastError());
    e.hint = "this host's job objects do not cap CPU (Windows 8 and later do); run without --cpus";
    return e;
  }
  JOBOBJECT_CPU_RATE_CONTROL_INFORMATION kept{};
  if (!QueryInformationJobObject(job, JobObjectCpuRateControlInformation, &kept, sizeof(kept),
                                 nullptr)) {
    return WinError("QueryInformationJobObject", "JobObjectCpuRateControlInformation",
                    GetLastError());
  }
  if ((kept.ControlFlags & cpu.ControlFlags) != cpu.ControlFlags || kept.CpuRate != rate) {
    return PlainError("the job's CPU cap", "", "set, but not kept by the host");
  }
  return {};
}

Result<UniqueHandle> CreateKillOnCloseJob(const Limits& wanted) {
  UniqueHandle job(CreateJobObjectW(nullptr, nullptr));
  if (!job.valid()) return WinError("CreateJobObjectW", "", GetLastError());
  JOBOBJECT_EXTENDED_LIMIT_INFORMATION limits{};
  // No JOB_OBJECT_LIMIT_BREAKAWAY_OK: CREATE_BREAKAWAY_FROM_JOB fails inside.
  DWORD flags = JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
  if (wanted.memory_bytes > 0) {
    flags |= JOB_OBJECT_LIMIT_JOB_MEMORY;
    limits.JobMemoryLimit = static_cast<SIZE_T>(wanted.memory_bytes);
  }
  if (wanted.processes > 0) {
    flags |= JOB_OBJECT_LIMIT_ACTIVE_PROCESS;
    limits.BasicLimitInformation.ActiveProcessLimit = wanted.processes;
  }
  limits.BasicLimitInformation.LimitFlags = flags;
  if (!SetInformationJobObject(job.get(), JobObjectExtendedLimitInformation, &limits,
                               sizeof(limits))) {
    return WinError("SetInformationJobObject", "JobObjectExtendedLimitInformation", GetLastError());
  }
  // Not read back: Wine keeps and enforces these but reports no flag back
  // (tests/windows/job_test.cc), and Windows documents that it keeps them;
  // the tests check what they do instead.
  if (wanted.cpu_rate > 0) CORDON_RETURN_IF_ERROR(SetCpuRate(job.get(), wanted.cpu_rate));
  return job;
}

// The attribute list that outlives CreateProcessW (it points into `handles`).
class Attributes {
 public:
  Attributes() = default;
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  ~Attributes() {
    if (list_ != nullptr) DeleteProcThreadAttributeList(list_);
  }

  Status Init(DWORD count) {
    SIZE_T size = 0;
    InitializeProcThreadAttributeList(nullptr, count, 0, &size);
    storage_.resize(size);
    auto* list = reinterpret_cast<LPPROC_THREAD_ATTRIBUTE_LIST>(storage_.data());
    if (!InitializeProcThreadAttributeList(list, count, 0, &size)) {
      return WinError("InitializeProcThreadAttributeList", "", GetLastError());
    }
    list_ = list;
    return {};
  }
  Status Add(DWORD_PTR attribute, void* value, SIZE_T size, const char* name) {
    if (!UpdateProcThreadAttribute(list_, 0, attribute, value, size, nullptr, nullptr)) {
      return WinError("UpdateProcThreadAttribute", name, GetLastError());
    }
    return {};
  }
  [[nodiscard]] LPPROC_THREAD_ATTRIBUTE_LIST get() const { return list_; }

 private:
  std::vector<char> storage_;
  LPPROC_THREAD_ATTRIBUTE_LIST list_ = nullptr;
};

}  // namespace

Result<JobProcess> SpawnInJob(const SpawnRequest& request) {
  auto job = CreateKillOnCloseJob(request.limits);
  if (!job.ok()) return job.error();

  STARTUPINFOEXW startup{};
  startup.StartupInfo.cb = sizeof(startup);
  Attributes attributes;
  CORDON_RETURN_IF_ERROR(attributes.Init(2));
  appcontainer::Capabilities capabilities;
  if (request.identity != nullptr) {
    CORDON_RETURN_IF_ERROR(capabilities.Init(*request.identity));
    CORDON_RETURN_IF_ERROR(attributes.Add(PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES,
                                          capabilities.get(), sizeof(SECURITY_CAPABILITIES),
                                          "PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES"));
  }
  std::vector<HANDLE> inherited;
  HPCON console = request.pseudo_console;
  BOOL inherit = FALSE;
  if (console != nullptr) {
    CORDON_RETURN_IF_ERROR(attributes.Add(PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE, console,
                                          sizeof(console), "PROC_THREAD_ATTRIBUTE_PSEUDOCONSOLE"));
    // Without this, a child of a cordon whose own stdio is redirected (a
    // pipe, as under an agent) inherits those handles and writes past the
    // console; given null ones, Windows hands it the pseudo console's.
    // (Wine leaves them null: tests/windows/conpty_test.cc.)
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
  } else {
    startup.StartupInfo.dwFlags = STARTF_USESTDHANDLES;
    startup.StartupInfo.hStdInput = request.std_input;
    startup.StartupInfo.hStdOutput = request.std_output;
    startup.StartupInfo.hStdError = request.std_error;
    for (HANDLE h : {request.std_input, request.std_output, request.std_error}) {
      bool seen = false;
      for (HANDLE o : inherited) seen = seen || o == h;
      if (h != nullptr && !seen) inherited.push_back(h);
    }
    if (!inherited.empty()) {
      inherit = TRUE;
      CORDON_RETURN_IF_ERROR(attributes.Add(PROC_THREAD_ATTRIBUTE_HANDLE_LIST, inherited.data(),
                                            inherited.size() * sizeof(HANDLE),
                                            "PROC_THREAD_ATTRIBUTE_HANDLE_LIST"));
    }
  }
  startup.lpAttributeList = attributes.get();

  // CreateProcessW may write into the command line buffer.
  std::wstring command_line = request.command_line;
  std::wstring environment = request.environment;
  PROCESS_INFORMATION info{};
  DWORD flags = CREATE_SUSPENDED | CREATE_UNICODE_ENVIRONMENT | EXTENDED_STARTUPINFO_PRESENT;
  if (console == nullptr && request.own_console) flags |= CREATE_NO_WINDOW;
  if (!CreateProcessW(request.application.empty() ? nullptr : request.application.c_str(),
                      command_line.data(), nullptr, nullptr, inherit, flags,
                      environment.empty() ? nullptr : environment.data(),
                      request.directory.empty() ? nullptr : request.directory.c_str(),
                      &startup.StartupInfo, &info)) {
    return WinError("CreateProcessW", Narrow(request.command_line), GetLastError());
  }
  UniqueHandle process(info.hProcess);
  UniqueHandle thread(info.hThread);
  if (request.identity != nullptr) {
    // Still suspended: a token that is not the container's never runs.
    if (Status s = appcontainer::VerifyToken(process.get(), *request.identity); !s.ok()) {
      TerminateProcess(process.get(), 1);
      return s.error();
    }
  }

  if (!AssignProcessToJobObject(job.value().get(), process.get())) {
    const DWORD code = GetLastError();
    // Still suspended: it never ran. Terminating it is all there is to undo.
    TerminateProcess(process.get(), 1);
    return WinError("AssignProcessToJobObject", "pid " + std::to_string(info.dwProcessId), code);
  }
  if (ResumeThread(thread.get()) == static_cast<DWORD>(-1)) {
    const DWORD code = GetLastError();
    TerminateProcess(process.get(), 1);
    return WinError("ResumeThread", "pid " + std::to_string(info.dwProcessId), code);
  }
  return JobProcess{std::move(job).value(), std::move(process), info.dwProcessId};
}

}  // namespace cordon::sandbox::job
