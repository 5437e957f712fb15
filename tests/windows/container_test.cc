// The AppContainer launch (appcontainer-win32.h, job-win32.h) and
// cordon.exe's run path (cli/run-win32.h).
//
// Under Wine, which has no AppContainer, what runs for real is the fail-
// closed half: a spawn asked for a container either fails at the
// attribute or is caught by the token read-back, and in both cases the
// command never ran (its marker file is never created); an ordinary token
// is refused by VerifyToken; EnsureProfile names the missing export. The
// "can" twins: a full-access run (the user's own token in a job) prints and
// passes its exit status through, gets the policy's scrubbed environment,
// and its arguments arrive as given. On real Windows the container spawn
// must succeed and its token read back as the container's (unrun here).
#include <windows.h>

#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "common/outcome.h"
#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/command_line.h"
#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

namespace appcontainer = sandbox::appcontainer;
using sandbox::Narrow;
using sandbox::Widen;

std::wstring Helper() { return L"\"" + BinaryDir() + L"wintest_helper.exe\""; }

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

std::string TempFile(const char* name) {
  wchar_t dir[MAX_PATH];
  GetTempPathW(MAX_PATH, dir);
  return Narrow(dir) + name;
}

bool Exists(const std::string& path) {
  return GetFileAttributesW(Widen(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

std::string Capability(const char* workspace_key) {
  return sandbox::windows::WorkspaceCapabilityName(workspace_key);
}

appcontainer::Identity TestIdentity() {
  auto identity =
      appcontainer::IdentityFor(appcontainer::kOfflineProfile, Capability("C:\\CORDON-TEST-WS"));
  return identity.ok() ? identity.value() : appcontainer::Identity{};
}

void IdentitiesAreDerivedFromNames(Test& t) {
  const appcontainer::Identity id = TestIdentity();
  CORDON_CHECK(t, id.package_sid.starts_with("S-1-15-2-"), "package SID: " + id.package_sid);
  CORDON_CHECK(
      t, id.capability_sids.size() == 1 && id.capability_sids[0].starts_with("S-1-15-3-1024-"),
      "one workspace capability SID");
  CORDON_CHECK(t,
               id.capability_names.size() == 1 && id.capability_names[0].starts_with("cordon.ws."),
               "the capability's name");
  auto again =
      appcontainer::IdentityFor(appcontainer::kOfflineProfile, Capability("C:\\CORDON-TEST-WS"));
  auto other = appcontainer::IdentityFor(appcontainer::kOfflineProfile, Capability("C:\\OTHER-WS"));
  CORDON_CHECK(t, again.ok() && again.value().capability_sids == id.capability_sids,
               "the same workspace, the same SID");
  CORDON_CHECK(t, other.ok() && other.value().capability_sids != id.capability_sids,
               "another workspace, another SID");
}

// The heart of the fail-closed promise: a spawn that asks for a container
// and does not get one never runs the command.
void AContainerSpawnNeverRunsWithoutTheContainer(Test& t) {
  const std::string marker = TempFile("cordon-container-marker");
  DeleteFileW(Widen(marker).c_str());
  const appcontainer::Identity id = TestIdentity();
  sandbox::job::SpawnRequest request;
  request.command_line = Helper() + L" touch " + Widen(marker);
  request.identity = &id;
  auto spawned = sandbox::job::SpawnInJob(request);
  if (UnderWine()) {
    CORDON_CHECK(t, !spawned.ok(), "Wine has no AppContainer: the spawn must fail");
    if (!spawned.ok()) {
      const std::string why = spawned.error().Describe();
      std::printf("the refusal under Wine: %s\n", why.c_str());
      CORDON_CHECK(t,
                   why.find("PROC_THREAD_ATTRIBUTE_SECURITY_CAPABILITIES") != std::string::npos ||
                       why.find("the command's token") != std::string::npos,
                   "the error names the attribute or the token read-back: " + Quoted(why));
    }
  } else {
    // Real Windows: the profile must exist first (EnsureProfile), and the
    // token read back as the container's.
    CORDON_CHECK(t, spawned.ok(),
                 "the container spawn: " + (spawned.ok() ? "" : spawned.error().Describe()));
    if (spawned.ok()) WaitForSingleObject(spawned.value().process.get(), 30000);
  }
  Sleep(300);
  if (UnderWine()) CORDON_CHECK(t, !Exists(marker), "the command never ran: no " + marker);
  DeleteFileW(Widen(marker).c_str());
}

void VerifyTokenRefusesAnOrdinaryToken(Test& t) {
  std::wstring line = Helper() + L" sleep";
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(nullptr, line.data(), nullptr, nullptr, FALSE, CREATE_SUSPENDED, nullptr,
                      nullptr, &startup, &info)) {
    CORDON_CHECK(t, false, "CreateProcessW of the helper failed");
    return;
  }
  const Status verdict = appcontainer::VerifyToken(info.hProcess, TestIdentity());
  TerminateProcess(info.hProcess, 1);
  CloseHandle(info.hThread);
  CloseHandle(info.hProcess);
  CORDON_CHECK(t, !verdict.ok(), "an ordinary token is not an AppContainer's");
  if (!verdict.ok()) {
    const std::string why = verdict.error().Describe();
    std::printf("the refusal: %s\n", why.c_str());
    CORDON_CHECK(t, why.find("an ordinary token (TokenIsAppContainer is 0)") != std::string::npos,
                 "the refusal says what the token is: " + Quoted(why));
  }
}

void EnsureProfileNamesWhatIsMissing(Test& t) {
  if (!UnderWine()) return;  // on Windows the profile is made (the smoke test)
  const Status made = appcontainer::EnsureProfile(TestIdentity());
  CORDON_CHECK(t, !made.ok(), "Wine cannot make a profile");
  if (!made.ok()) {
    CORDON_CHECK(
        t, made.error().Describe() == "CreateAppContainerProfile: not exported by userenv.dll",
        "names the missing export: " + Quoted(made.error().Describe()));
  }
}

void ArgumentsArriveAsGiven(Test& t) {
  const std::vector<std::string> args = {"plain",         "two words",  "",
                                         "quote\"inside", "trailing\\", "back\\\\slash \\\"q\""};
  std::vector<std::string> argv = {Narrow(Helper()), "args"};
  argv.insert(argv.end(), args.begin(), args.end());
  // The helper's own path is already quoted; quote the rest.
  std::string line =
      argv[0] + " " +
      sandbox::windows::QuoteCommandLine(std::vector<std::string>(argv.begin() + 1, argv.end()));
  const Captured run = RunCaptured(Widen(line));
  std::string expected;
  for (const std::string& a : args) expected += "[" + a + "]\r\n";
  CORDON_CHECK(t, run.out == expected, "argv round trip: " + Quoted(run.out));
}

void FullAccessRunsAndPassesTheStatusThrough(Test& t) {
  const Captured echo =
      RunCaptured(Cordon(L"run --mode full-access -- cmd /c echo ran-unconfined"));
  CORDON_CHECK(t, echo.exit_code == 0,
               "exit 0, got " + std::to_string(echo.exit_code) + Quoted(echo.err));
  CORDON_CHECK(t, echo.out.find("ran-unconfined") != std::string::npos,
               "the command printed: " + Quoted(echo.out));
  const Captured status = RunCaptured(Cordon(L"run --mode full-access -- cmd /c exit 7"));
  CORDON_CHECK(t, status.exit_code == 7, "exit 7, got " + std::to_string(status.exit_code));
}

// A limit the host cannot hold refuses the run: Wine's job objects take no
// CPU cap, so under Wine `--cpus` is exit 125 and the command never runs;
// on Windows it runs.
void ACpuCapTheHostCannotHoldRefusesTheRun(Test& t) {
  const Captured run =
      RunCaptured(Cordon(L"run --mode full-access --cpus 1 -- cmd /c echo capped-run"));
  if (UnderWine()) {
    CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
                 "exit 125, got " + std::to_string(run.exit_code));
    CORDON_CHECK(t, run.out.find("capped-run") == std::string::npos, "the command did not run");
    CORDON_CHECK(t,
                 run.err.find("JobObjectCpuRateControlInformation") != std::string::npos &&
                     run.err.find("run without --cpus") != std::string::npos,
                 "names the cap and the way out: " + Quoted(run.err));
  } else {
    CORDON_CHECK(t, run.exit_code == 0 && run.out.find("capped-run") != std::string::npos,
                 "Windows caps CPU: " + Quoted(run.out + run.err));
  }
}

void FullAccessGetsThePolicysEnvironment(Test& t) {
  SetEnvironmentVariableW(L"CORDON_TEST_TOKEN", L"should-not-pass");
  SetEnvironmentVariableW(L"CORDON_TEST_PLAIN", L"passes");
  const Captured token =
      RunCaptured(Cordon(L"run --mode full-access -- " + Helper() + L" env CORDON_TEST_TOKEN"));
  const Captured plain =
      RunCaptured(Cordon(L"run --mode full-access -- " + Helper() + L" env CORDON_TEST_PLAIN"));
  SetEnvironmentVariableW(L"CORDON_TEST_TOKEN", nullptr);
  SetEnvironmentVariableW(L"CORDON_TEST_PLAIN", nullptr);
  CORDON_CHECK(t, token.out == "<unset>\r\n", "*_TOKEN is scrubbed: " + Quoted(token.out));
  CORDON_CHECK(t, plain.out == "passes\r\n", "an ordinary variable passes: " + Quoted(plain.out));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"IdentitiesAreDerivedFromNames", w::IdentitiesAreDerivedFromNames},
       Case{"AContainerSpawnNeverRunsWithoutTheContainer",
            w::AContainerSpawnNeverRunsWithoutTheContainer},
       Case{"VerifyTokenRefusesAnOrdinaryToken", w::VerifyTokenRefusesAnOrdinaryToken},
       Case{"EnsureProfileNamesWhatIsMissing", w::EnsureProfileNamesWhatIsMissing},
       Case{"ArgumentsArriveAsGiven", w::ArgumentsArriveAsGiven},
       Case{"FullAccessRunsAndPassesTheStatusThrough", w::FullAccessRunsAndPassesTheStatusThrough},
       Case{"FullAccessGetsThePolicysEnvironment", w::FullAccessGetsThePolicysEnvironment},
       Case{"ACpuCapTheHostCannotHoldRefusesTheRun", w::ACpuCapTheHostCannotHoldRefusesTheRun}});
}
