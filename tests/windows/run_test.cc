// The fail-closed path: `cordon.exe run` on a host where it cannot confine
// (Wine: no AppContainer, no filtering engine) refuses with exit 125 and
// names what is missing, and the command's output never appears. The twin:
// the same command run directly does print, so its silence under cordon is
// the refusal's doing.
#include <windows.h>

#include <string>

#include "check.h"
#include "child_output.h"
#include "common/outcome.h"

namespace cordon::wintest {
namespace {

constexpr const wchar_t* kCommand = L"cmd /c echo cordon-ran-this";

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

void TheCommandPrintsWhenRunDirectly(Test& t) {
  const Captured run = RunCaptured(kCommand);
  CORDON_CHECK(t, run.started && run.error.empty(), run.error);
  CORDON_CHECK(t, run.out.find("cordon-ran-this") != std::string::npos,
               "cmd printed the marker: " + Quoted(run.out));
}

void RunRefusesWhatItCannotConfine(Test& t) {
  const Captured run = RunCaptured(Cordon(L"run -- " + std::wstring(kCommand)));
  CORDON_CHECK(t, run.started && run.error.empty(), run.error);
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, run.out.find("cordon-ran-this") == std::string::npos,
               "the command did not run: " + Quoted(run.out));
  CORDON_CHECK(
      t, run.err.find("cannot confine `cmd` on this host, so it did not run") != std::string::npos,
      "the refusal says the command did not run: " + Quoted(run.err));
  if (UnderWine()) {
    CORDON_CHECK(t,
                 run.err.find("missing: AppContainer profiles: CreateAppContainerProfile: not "
                              "exported by userenv.dll") != std::string::npos,
                 "under Wine the refusal names the AppContainer API: " + Quoted(run.err));
    // Network off is the offline identity: no filtering engine needed.
    CORDON_CHECK(t, run.err.find("Windows Filtering Platform") == std::string::npos,
                 "an offline run does not need the filtering engine: " + Quoted(run.err));
  }
}

// A marker file the command would create: its absence after a refused
// run is the proof the command never ran (the twin creates it).
std::wstring MarkerPath(const wchar_t* tag) {
  wchar_t tmp[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
  return std::wstring(tmp, n) + L"cordon-run-marker-" + std::to_wstring(GetCurrentProcessId()) +
         L"-" + tag;
}

bool Exists(const std::wstring& path) {
  return GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES;
}

void AnOnlineRunNeedsTheFilteringEngineToo(Test& t) {
  const std::wstring marker = MarkerPath(L"online");
  DeleteFileW(marker.c_str());
  const std::wstring make_marker = L"cmd /c echo hi> \"" + marker + L"\"";
  const Captured run = RunCaptured(Cordon(L"run --net proxy -- " + make_marker));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, !Exists(marker), "the command did not run: no marker file");
  if (UnderWine()) {
    CORDON_CHECK(
        t,
        run.err.find("missing: Windows Filtering Platform: FwpmEngineOpen0") != std::string::npos,
        "under Wine the refusal names the filtering engine: " + Quoted(run.err));
  }
  // The twin: the same command run directly makes the marker.
  const Captured direct = RunCaptured(make_marker);
  CORDON_CHECK(t, direct.exit_code == 0 && Exists(marker), "run directly, it makes the marker");
  DeleteFileW(marker.c_str());
}

void FullNetworkIsRefusedWithItsReason(Test& t) {
  const std::wstring marker = MarkerPath(L"full");
  DeleteFileW(marker.c_str());
  const Captured run =
      RunCaptured(Cordon(L"run --net full -- cmd /c echo hi> \"" + marker + L"\""));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, !Exists(marker), "the command did not run: no marker file");
  CORDON_CHECK(t, run.err.find("--net(full): is not offered on Windows") != std::string::npos,
               "the refusal says why: " + Quoted(run.err));
  CORDON_CHECK(t, run.err.find("--net proxy reaches what the allowlist names") != std::string::npos,
               "and what to use instead: " + Quoted(run.err));
  DeleteFileW(marker.c_str());
}

void SetupRejectsABadProxyPort(Test& t) {
  const Captured run = RunCaptured(Cordon(L"setup --proxy-port 0"));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, run.err.find("--proxy-port(0): not a port") != std::string::npos,
               "names the value: " + Quoted(run.err));
}

void SetupRefusesToo(Test& t) {
  const Captured run = RunCaptured(Cordon(L"setup"));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, run.err.find("missing: AppContainer profiles") != std::string::npos,
               "setup names what is missing: " + Quoted(run.err));
}

void DoctorListsEveryCheck(Test& t) {
  const Captured run = RunCaptured(Cordon(L"doctor"));
  CORDON_CHECK(t, run.exit_code == 1, "exit 1, got " + std::to_string(run.exit_code));
  for (const char* name :
       {"AppContainer profiles", "capability SIDs", "Windows Filtering Platform"}) {
    CORDON_CHECK(t, run.out.find(name) != std::string::npos,
                 std::string("doctor lists ") + name + ": " + Quoted(run.out));
  }
  CORDON_CHECK(t, run.out.find("cordon cannot confine commands here") != std::string::npos,
               "doctor's verdict: " + Quoted(run.out));
}

void VersionWorks(Test& t) {
  const Captured run = RunCaptured(Cordon(L"--version"));
  CORDON_CHECK(t, run.exit_code == 0, "exit 0, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, run.out == "cordon " CORDON_VERSION " (windows)\r\n",
               "the version line: " + Quoted(run.out));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"TheCommandPrintsWhenRunDirectly", cordon::wintest::TheCommandPrintsWhenRunDirectly},
       Case{"RunRefusesWhatItCannotConfine", cordon::wintest::RunRefusesWhatItCannotConfine},
       Case{"AnOnlineRunNeedsTheFilteringEngineToo",
            cordon::wintest::AnOnlineRunNeedsTheFilteringEngineToo},
       Case{"FullNetworkIsRefusedWithItsReason",
            cordon::wintest::FullNetworkIsRefusedWithItsReason},
       Case{"SetupRefusesToo", cordon::wintest::SetupRefusesToo},
       Case{"SetupRejectsABadProxyPort", cordon::wintest::SetupRejectsABadProxyPort},
       Case{"DoctorListsEveryCheck", cordon::wintest::DoctorListsEveryCheck},
       Case{"VersionWorks", cordon::wintest::VersionWorks}});
}
