// `cordon run` on Windows (see run-win32.h).
#include "cli/run-win32.h"

#include <windows.h>

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "cli/granted_secrets.h"
#include "cli/maintenance-win32.h"
#include "cli/run_broker-win32.h"
#include "cli/run_console-win32.h"
#include "cli/run_events.h"
#include "cli/run_online-win32.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "policy/env.h"
#include "proxy/decider.h"
#include "proxy/server.h"
#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/command_line.h"
#include "sandbox/windows/confinement_probe-win32.h"
#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/quarantine-win32.h"
#include "sandbox/windows/win_error-win32.h"
#include "sandbox/windows/workspace_grants-win32.h"

namespace cordon::cli {
namespace {

namespace appcontainer = sandbox::appcontainer;
namespace windows = sandbox::windows;
using sandbox::Narrow;
using sandbox::UniqueHandle;
using sandbox::Widen;
using sandbox::confinement_probe::Check;

// NTSTATUS of a process whose DLLs failed to initialise: what an MSYS2
// program (Git for Windows' sh.exe, bash.exe) exits with in an AppContainer.
constexpr DWORD kDllInitFailed = 0xC0000142;

// A refusal is said and recorded (cordon.exec.end, outcome setup-error).
int Refuse(RunEvents& events, const std::string& program, const Error& e) {
  events.ExecEnd(Outcome::SetupError(e), {});
  Say("run: `" + program + "` did not run:");
  Say(e);
  return kExitSetupError;
}

// The host's environment as UTF-8 "NAME=VALUE" entries.
std::vector<std::string> HostEnvironment() {
  std::vector<std::string> entries;
  wchar_t* block = GetEnvironmentStringsW();
  for (const wchar_t* p = block; p != nullptr && *p != L'\0'; p += wcslen(p) + 1) {
    entries.push_back(Narrow(p));
  }
  if (block != nullptr) FreeEnvironmentStringsW(block);
  return entries;
}

// The command's environment: the policy's (scrubbed, env_set applied, as on
// Linux), with TEMP and TMP in the AppContainer's own folder, which it may
// write (the Linux TMPDIR=/tmp names nothing here), for an online run
// (proxy_port not 0) the proxy variables exactly as on Linux, and the
// granted vault secrets last, each replacing a variable of its name (as on
// Linux).
std::wstring CommandEnvironment(const policy::Policy& policy, const std::string& temp,
                                const std::vector<std::string>& secrets, uint16_t proxy_port = 0) {
  std::vector<std::string> host = HostEnvironment();
  std::vector<char*> pointers;
  pointers.reserve(host.size() + 1);
  for (std::string& entry : host) pointers.push_back(entry.data());
  pointers.push_back(nullptr);
  std::vector<std::string> env = policy::BuildEnvironment(policy, pointers.data());
  if (proxy_port != 0) policy::SetProxyEnvironment(env, proxy_port);
  std::vector<std::string> entries;
  entries.reserve(env.size() + 2);
  if (!temp.empty()) {
    entries.push_back("TEMP=" + temp);
    entries.push_back("TMP=" + temp);
  }
  for (std::string& e : env) {
    if (!e.starts_with("TMPDIR=")) entries.push_back(std::move(e));
  }
  policy::AddVariables(entries, secrets);
  return Widen(sandbox::windows::EnvironmentBlock(entries));
}

// One of cordon's standard handles, duplicated inheritable for the child
// (only these are inherited: job-win32.h's handle list). None: no handle.
UniqueHandle InheritableStd(DWORD which) {
  HANDLE own = GetStdHandle(which);
  if (own == nullptr || own == INVALID_HANDLE_VALUE) return {};
  HANDLE copy = nullptr;
  if (!DuplicateHandle(GetCurrentProcess(), own, GetCurrentProcess(), &copy, 0, TRUE,
                       DUPLICATE_SAME_ACCESS)) {
    return {};
  }
  return UniqueHandle(copy);
}

// Whether `handle` is a console's (input or output).
bool IsConsole(HANDLE handle) {
  DWORD mode = 0;
  return handle != nullptr && handle != INVALID_HANDLE_VALUE && GetConsoleMode(handle, &mode) != 0;
}

// The command's stdin when it runs without a pseudo console: cordon's own
// if that is a pipe or a file; NUL (reads end at once) if it is a console.
// A console input handle would let the command read the user's keys and
// write input records the user's shell reads after the run.
UniqueHandle CommandStdin() {
  if (!IsConsole(GetStdHandle(STD_INPUT_HANDLE))) return InheritableStd(STD_INPUT_HANDLE);
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE nul = CreateFileW(L"NUL", GENERIC_READ, FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit,
                           OPEN_EXISTING, 0, nullptr);
  return nul == INVALID_HANDLE_VALUE ? UniqueHandle() : UniqueHandle(nul);
}

// While it lives, Ctrl-C and Ctrl-Break on cordon's console end `job` (a
// command on a console of its own, job-win32.h's own_console, gets neither
// from the user's console); cordon stays to report the status. The handler
// Windows calls takes no context, so the job it ends is the one piece of
// process-wide state here: set by the constructor, cleared by the
// destructor, one at a time (a run waits for one command).
class CtrlCEndsJob {
 public:
  explicit CtrlCEndsJob(HANDLE job) {
    Job().store(job);
    SetConsoleCtrlHandler(Handler, TRUE);
  }
  CtrlCEndsJob(const CtrlCEndsJob&) = delete;
  CtrlCEndsJob& operator=(const CtrlCEndsJob&) = delete;
  ~CtrlCEndsJob() {
    SetConsoleCtrlHandler(Handler, FALSE);
    Job().store(nullptr);
  }

 private:
  static std::atomic<HANDLE>& Job() {
    static std::atomic<HANDLE> job{nullptr};
    return job;
  }
  static BOOL WINAPI Handler(DWORD event) {
    if (event != CTRL_C_EVENT && event != CTRL_BREAK_EVENT) return FALSE;
    // STATUS_CONTROL_C_EXIT: what a console program ended by Ctrl-C exits with.
    if (HANDLE job = Job().load(); job != nullptr) TerminateJobObject(job, 0xC000013A);
    return TRUE;
  }
};

// Terminates what is left in `job` and waits (up to 10 s) until no process
// of it is alive.
void EndJob(HANDLE job) {
  TerminateJobObject(job, 1);
  for (int i = 0; i < 1000; ++i) {
    JOBOBJECT_BASIC_ACCOUNTING_INFORMATION info{};
    if (!QueryInformationJobObject(job, JobObjectBasicAccountingInformation, &info, sizeof(info),
                                   nullptr) ||
        info.ActiveProcesses == 0) {
      return;
    }
    Sleep(10);
  }
}

// Waits for the command, then ends every process it left in its job and
// waits for them to be gone (so nothing writes after the run: the
// quarantine looks next). Returns the command's exit status.
int WaitFor(sandbox::job::JobProcess& started, const std::string& program, bool contained,
            RunEvents& events, ConsoleRun* console, const std::function<void()>& after_job = {}) {
  // Ctrl-C reaches a command on a pseudo console as a key relayed to it; a
  // command on a hidden console of its own is ended with its job. Either
  // way cordon stays to report its status.
  std::optional<CtrlCEndsJob> ctrl_c;
  if (console != nullptr) {
    SetConsoleCtrlHandler(nullptr, TRUE);
  } else {
    ctrl_c.emplace(started.job.get());
  }
  WaitForSingleObject(started.process.get(), INFINITE);
  DWORD code = 0;
  const bool have_code = GetExitCodeProcess(started.process.get(), &code) != 0;
  const DWORD code_error = GetLastError();
  EndJob(started.job.get());
  if (console != nullptr) console->Finish();  // its output drained before cordon speaks
  if (after_job) after_job();
  if (!have_code) {
    const Error e = sandbox::WinError("GetExitCodeProcess", program, code_error);
    events.ExecEnd(Outcome::SetupError(e), {});
    Say(e);
    return kExitSetupError;
  }
  events.ExecEnd(Outcome{Outcome::Kind::kExited, static_cast<int>(code), 0, {}}, {});
  if (contained && code == kDllInitFailed) {
    Error e = PlainError("run", program,
                         "could not start in the sandbox (0xC0000142, a DLL failed to "
                         "initialise): MSYS2 programs (Git for Windows' sh.exe and bash.exe, so "
                         "git hooks and editors git starts through sh) do not start in an "
                         "AppContainer");
    e.hint =
        "run that step outside cordon; skip a hook you choose to skip with --no-verify; set "
        "GIT_SEQUENCE_EDITOR or GIT_EDITOR to a native editor";
    Say(e);
  }
  return static_cast<int>(code);
}

// The policy's limits as the job holds them: memory for the whole tree,
// processes alive at once (Linux counts threads too), the CPU cap as a
// share of all CPUs. The tmpfs size has no counterpart (TEMP is the
// container's folder on the disk).
sandbox::job::Limits JobLimits(const policy::Limits& l) {
  sandbox::job::Limits out;
  out.memory_bytes = l.memory_bytes > 0 ? static_cast<uint64_t>(l.memory_bytes) : 0;
  out.processes = l.pids > 0 ? static_cast<uint32_t>(std::min<int64_t>(l.pids, UINT32_MAX)) : 0;
  if (l.cpu_millis > 0) {
    SYSTEM_INFO info{};
    GetSystemInfo(&info);
    const int64_t cpus = std::max<int64_t>(info.dwNumberOfProcessors, 1);
    out.cpu_rate = static_cast<uint32_t>(std::clamp<int64_t>(l.cpu_millis * 10 / cpus, 1, 10000));
  }
  return out;
}

// The grants a run of `policy` needs, from the resolved policy: the
// workspace, the writable roots (the git directories outside the workspace
// among them) and readable ones, the protected paths. A read-only run gets
// the workspace's read capability and nothing writable.
windows::GrantRequest GrantsFor(const policy::Policy& policy, const std::string& journal) {
  windows::GrantRequest g;
  g.workspace = policy.workspace;
  g.journal = journal;
  g.read_only = policy.mode == policy::Mode::kReadOnly;
  for (const policy::PathRule& r : policy.read) g.readable_roots.push_back(r.path);
  for (const policy::PathRule& r : policy.deny_read) g.deny_read.push_back(r.path);
  if (g.read_only) return g;
  for (const policy::PathRule& r : policy.writable) g.writable_roots.push_back(r.path);
  for (const policy::PathRule& r : policy.protect) g.protected_paths.push_back({r.path, r.is_dir});
  return g;
}

// Why `path` is protected: its rule's note (or origin), found by the
// backend's comparison key (the grants rebased it to its final path).
std::string ProtectedBecause(const policy::Policy& policy, const std::string& path) {
  const auto key = windows::Normalize(path);
  for (const policy::PathRule& r : policy.protect) {
    const auto rule = windows::Normalize(r.path);
    if (key.ok() && rule.ok() && windows::SamePath(key.value(), rule.value())) {
      return r.origin.note.empty() ? r.origin.Describe() : r.origin.note;
    }
  }
  return "a protected path";
}

// One line per path the run created under a missing protected name.
void SayQuarantined(const windows::Quarantined& q) {
  if (q.moved_to.empty()) {
    Say("warning: the run created the protected path " + q.path +
        ", and it could not be moved out of the tree: " + q.error +
        ". Check it before any tool on the host uses it");
  } else {
    Say("moved " + q.path + " out of the tree to " + q.moved_to +
        ": the run created it, and it is a protected path. To keep it, check it and move it "
        "back: move \"" +
        q.moved_to + "\" \"" + q.path + "\"");
  }
}

int Launch(const ResolvedPolicy& resolved, const std::vector<std::string>& command,
           RunEvents& events) {
  const policy::Policy& policy = resolved.policy;
  const std::string& program = command[0];
  sandbox::job::SpawnRequest request;
  request.command_line = Widen(sandbox::windows::QuoteCommandLine(command));
  request.directory = Widen(policy.cwd);
  UniqueHandle in = CommandStdin();
  UniqueHandle out = InheritableStd(STD_OUTPUT_HANDLE);
  UniqueHandle err = InheritableStd(STD_ERROR_HANDLE);
  request.std_input = in.get();
  request.std_output = out.get();
  request.std_error = err.get();
  request.limits = JobLimits(policy.limits);
  // The granted secrets, read before anything starts: a missing one stops
  // the run, naming it (as on Linux).
  const Result<std::vector<std::string>> secrets = GrantedSecretEnv(policy);
  if (!secrets.ok()) return Refuse(events, program, secrets.error());
  // On a console, the command gets a pseudo console of its own
  // (run_console-win32.h); otherwise the handles above (no console input
  // among them) and a hidden console of its own, never attached to
  // cordon's (job-win32.h), full-access runs too: the user's shell is what
  // an input record written into cordon's console would reach.
  auto console = ConsoleRun::IfOnConsole();
  if (!console.ok()) return Refuse(events, program, console.error());
  if (console.value() != nullptr) {
    request.pseudo_console = console.value()->handle();
  } else {
    request.own_console = true;
  }

  if (policy.mode == policy::Mode::kFullAccess) {
    request.environment = CommandEnvironment(policy, "", secrets.value());
    auto started = sandbox::job::SpawnInJob(request);
    if (!started.ok()) return Refuse(events, program, started.error());
    events.ExecStart(command, policy.cwd, started.value().pid);
    return WaitFor(started.value(), program, false, events, console.value().get());
  }

  // --net full is refused by design, before anything of the host is asked.
  if (policy.net == policy::NetMode::kFull) {
    Error e = PlainError("--net", "full",
                         "is not offered on Windows: it would need the internetClient "
                         "capability, which reaches every destination with no allowlist, no "
                         "event and no filter cordon could read back");
    e.hint =
        "--net proxy reaches what the allowlist names (--allow-domain HOST), through cordon's "
        "proxy; --mode full-access runs without any confinement, as you choose";
    return Refuse(events, program, e);
  }
  // The offline identity has no network capability at all: no engine needed.
  const std::vector<Check> missing =
      sandbox::confinement_probe::Missing(policy.net != policy::NetMode::kOff);
  if (!missing.empty()) {
    std::string detail = "cannot confine `" + program + "` on this host";
    for (const Check& check : missing) detail += "; missing " + check.name + ": " + check.detail;
    events.ExecEnd(Outcome::SetupError(PlainError("run", program, detail)), {});
    // One line per missing piece: the list is what the user acts on.
    Say("run: cannot confine `" + program + "` on this host, so it did not run:");
    for (const Check& check : missing) Say("  missing: " + check.name + ": " + check.detail);
    Say("  hint: `cordon doctor` lists what this host offers; there is no unconfined fallback");
    return kExitSetupError;
  }
  // --net proxy: what setup made for the online identity, checked as this
  // (unelevated) user can read it, then cordon's proxy on the one port the
  // filters permit, outside the container (run_online-win32.h). It serves
  // until Launch returns; the command never starts without it.
  const bool online = policy.net == policy::NetMode::kProxy;
  // Declared before the proxy: the proxy asks the broker until it stops.
  std::unique_ptr<approval::Broker> broker;
  std::unique_ptr<OnlineProxy> proxy_server;
  uint16_t proxy_port = 0;
  if (online) {
    auto record = CheckOnlineSetup(resolved.host);
    if (!record.ok()) return Refuse(events, program, record.error());
    // Destinations no rule names are put to the person on cordon's console
    // (approvals), only when the command has a console of its own: one
    // sharing cordon's could type the answer. The question holds the
    // relay (its key is the question's, the command's output waits).
    ConsoleRun* const own_console = console.value().get();
    approval::Hold hold;
    if (own_console != nullptr) hold = [own_console](bool on) { own_console->Hold(on); };
    broker =
        MakeRunBroker(resolved, command, events.sink(), own_console != nullptr, std::move(hold));
    proxy::Decider* const approval_decider = broker.get();
    // The channel's own deadline comes first, so the answer is "timeout".
    const int approval_timeout_ms = policy.approval_timeout_seconds * 1000 + 2000;
    auto started = StartOnlineProxy(policy, record.value(), events.sink(), approval_decider,
                                    approval_timeout_ms);
    if (!started.ok()) return Refuse(events, program, started.error());
    proxy_server = std::move(started).value();
    proxy_port = proxy_server->port();  // the first free port of the range
  }

  const bool read_only = policy.mode == policy::Mode::kReadOnly;
  auto grants = windows::EnsureWorkspaceGrants(GrantsFor(policy, JournalPath(resolved.host)));
  if (!grants.ok()) return Refuse(events, program, grants.error());
  if (grants.value().added > 0) Say(grants.value().Describe());
  auto identity = online ? appcontainer::OnlineIdentityFor(grants.value().capability_name)
                         : appcontainer::IdentityFor(appcontainer::kOfflineProfile,
                                                     grants.value().capability_name);
  if (!identity.ok()) return Refuse(events, program, identity.error());
  if (Status s = appcontainer::EnsureProfile(identity.value()); !s.ok()) {
    return Refuse(events, program, s.error());
  }
  auto folder = appcontainer::ProfileFolder(identity.value());
  if (!folder.ok()) return Refuse(events, program, folder.error());
  request.environment =
      CommandEnvironment(policy, folder.value() + "\\Temp", secrets.value(), proxy_port);
  request.identity = &identity.value();
  auto started = sandbox::job::SpawnInJob(request);
  if (!started.ok()) return Refuse(events, program, started.error());
  events.ExecStart(command, policy.cwd, started.value().pid);
  // Once nothing of the run is left: what it made under a missing protected
  // name goes (read-only runs write nothing), said and recorded before
  // exec.end, as on Linux.
  const auto quarantine = [&] {
    if (read_only) return;
    for (const windows::Quarantined& q : windows::QuarantineCreated(
             grants.value().protected_absent, QuarantineRoot(resolved.host))) {
      SayQuarantined(q);
      events.Quarantined({q.path, ProtectedBecause(policy, q.path), q.moved_to, q.error});
    }
  };
  return WaitFor(started.value(), program, true, events, console.value().get(), quarantine);
}

}  // namespace

// The run's events (docs/telemetry.md) go to the day file whatever happens:
// session.start before anything is tried, exec.end from the refusal or the
// wait.
int RunOnWindows(const ResolvedPolicy& resolved, const std::vector<std::string>& command) {
  RunEvents events(resolved.host, resolved.policy, /*verbose=*/false);
  events.SessionStart(resolved.policy,
                      {resolved.policy.mode != policy::Mode::kFullAccess, {}, std::nullopt});
  const int status = Launch(resolved, command, events);
  events.Finish();
  return status;
}

}  // namespace cordon::cli
