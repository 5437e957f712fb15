// `cordon run` on Windows (see run-win32.h).
#include "cli/run-win32.h"

#include <windows.h>

#include <string>
#include <vector>

#include "cli/run_events.h"
#include "common/outcome.h"
#include "common/terminal_text.h"
#include "policy/env.h"
#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/command_line.h"
#include "sandbox/windows/confinement_probe-win32.h"
#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::cli {
namespace {

namespace appcontainer = sandbox::appcontainer;
using sandbox::Narrow;
using sandbox::UniqueHandle;
using sandbox::Widen;
using sandbox::confinement_probe::Check;

// NTSTATUS of a process whose DLLs failed to initialise: what an MSYS2
// program (Git for Windows' sh.exe, bash.exe) exits with in an AppContainer.
constexpr DWORD kDllInitFailed = 0xC0000142;

// A refusal is said and recorded (cordon.exec.end, outcome setup-error).
int Refuse(RunEvents& events, const std::string& program, const std::string& why) {
  events.ExecEnd(Outcome::SetupError(PlainError("run", program, why)), {});
  Say("run: `" + program + "` did not run: " + why);
  return kExitSetupError;
}

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
// write (the Linux TMPDIR=/tmp names nothing here).
std::wstring CommandEnvironment(const policy::Policy& policy, const std::string& temp) {
  std::vector<std::string> host = HostEnvironment();
  std::vector<char*> pointers;
  for (std::string& entry : host) pointers.push_back(entry.data());
  pointers.push_back(nullptr);
  std::vector<std::string> env = policy::BuildEnvironment(policy, pointers.data());
  std::vector<std::string> entries;
  if (!temp.empty()) entries = {"TEMP=" + temp, "TMP=" + temp};
  for (std::string& e : env) {
    if (!e.starts_with("TMPDIR=")) entries.push_back(std::move(e));
  }
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

// Waits for the command; the job (and every process left in it) goes when
// `started` does. Returns the command's exit status.
int WaitFor(sandbox::job::JobProcess& started, const std::string& program, bool contained,
            RunEvents& events) {
  // Ctrl-C reaches the command through the console it shares; cordon stays
  // to report its status.
  SetConsoleCtrlHandler(nullptr, TRUE);
  WaitForSingleObject(started.process.get(), INFINITE);
  DWORD code = 0;
  if (!GetExitCodeProcess(started.process.get(), &code)) {
    const Error e = sandbox::WinError("GetExitCodeProcess", program, GetLastError());
    events.ExecEnd(Outcome::SetupError(e), {});
    Say(e);
    return kExitSetupError;
  }
  events.ExecEnd(Outcome{Outcome::Kind::kExited, static_cast<int>(code), 0, {}}, {});
  if (contained && code == kDllInitFailed) {
    Say("run: `" + program +
        "` could not start in the sandbox (0xC0000142, a DLL failed to initialise): MSYS2 "
        "programs (Git for Windows' sh.exe and bash.exe, so git hooks and editors git starts "
        "through sh) do not start in an AppContainer\n  hint: run that step outside cordon; "
        "skip a hook you choose to skip with --no-verify; set GIT_SEQUENCE_EDITOR or "
        "GIT_EDITOR to a native editor");
  }
  return static_cast<int>(code);
}

// The checks a run of `net` needs: all but the filtering engine when the
// network is off (the offline identity has no network capability at all).
std::vector<Check> MissingFor(policy::NetMode net) {
  std::vector<Check> missing;
  for (Check& check : sandbox::confinement_probe::Probe()) {
    const bool needed = net != policy::NetMode::kOff || check.name != "Windows Filtering Platform";
    if (needed && !check.ok) missing.push_back(std::move(check));
  }
  return missing;
}

Status GrantWorkspace(const policy::Policy& policy, const appcontainer::Identity& identity) {
  (void)policy;
  (void)identity;
  return PlainError("workspace grants", "", "not wired yet");
}

int Launch(const ResolvedPolicy& resolved, const std::vector<std::string>& command,
           RunEvents& events) {
  const policy::Policy& policy = resolved.policy;
  const std::string& program = command[0];
  sandbox::job::SpawnRequest request;
  request.command_line = Widen(sandbox::windows::QuoteCommandLine(command));
  request.directory = Widen(policy.cwd);
  UniqueHandle in = InheritableStd(STD_INPUT_HANDLE);
  UniqueHandle out = InheritableStd(STD_OUTPUT_HANDLE);
  UniqueHandle err = InheritableStd(STD_ERROR_HANDLE);
  request.std_input = in.get();
  request.std_output = out.get();
  request.std_error = err.get();

  if (policy.mode == policy::Mode::kFullAccess) {
    request.environment = CommandEnvironment(policy, "");
    auto started = sandbox::job::SpawnInJob(request);
    if (!started.ok()) return Refuse(events, program, started.error());
    events.ExecStart(command, policy.cwd, started.value().pid);
    return WaitFor(started.value(), program, false, events);
  }

  const std::vector<Check> missing = MissingFor(policy.net);
  if (!missing.empty()) {
    std::string text =
        "cannot confine `" + ForTerminal(program) + "` on this host, so it did not run:";
    for (const Check& check : missing) text += "\n  missing: " + check.name + ": " + check.detail;
    text +=
        "\n  hint: `cordon doctor` lists what this host offers; there is no unconfined fallback";
    events.ExecEnd(Outcome::SetupError(PlainError("run", program, text)), {});
    Say("run: " + text);
    return kExitSetupError;
  }
  if (policy.net != policy::NetMode::kOff) {
    return Refuse(events, program,
                  std::string("network mode '") + policy::NetModeName(policy.net) +
                      "' needs the online identity and cordon's proxy, which this "
                      "Windows build does not have yet\n  hint: --net off runs it "
                      "offline (no network at all)");
  }

  auto key = sandbox::windows::Normalize(policy.workspace);
  if (!key.ok()) return Refuse(events, program, key.error());
  auto identity = appcontainer::IdentityFor(appcontainer::kOfflineProfile, key.value().key);
  if (!identity.ok()) return Refuse(events, program, identity.error());
  if (Status s = appcontainer::EnsureProfile(identity.value()); !s.ok()) {
    return Refuse(events, program, s.error());
  }
  if (Status s = GrantWorkspace(policy, identity.value()); !s.ok()) {
    return Refuse(events, program, s.error());
  }
  auto folder = appcontainer::ProfileFolder(identity.value());
  if (!folder.ok()) return Refuse(events, program, folder.error());
  request.environment = CommandEnvironment(policy, folder.value() + "\\Temp");
  request.identity = &identity.value();
  auto started = sandbox::job::SpawnInJob(request);
  if (!started.ok()) return Refuse(events, program, started.error());
  events.ExecStart(command, policy.cwd, started.value().pid);
  return WaitFor(started.value(), program, true, events);
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
