// src/policy in cordon.exe: `cordon policy show` reads a real config file
// from a real directory and prints the resolved policy (the workspace, a
// deny-read rule and the file it came from, in the same text and JSON as on
// Linux); a config file with an unknown key is refused with exit 125 naming
// the key and the file, by `policy show` and by `run` before anything runs.
// The twin of each refusal: the same command with a good file passes the
// policy (`run` then refuses only for want of confinement).
#include <windows.h>

#include <algorithm>
#include <cctype>
#include <string>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "common/outcome.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

using sandbox::Narrow;

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

// "C:\x\y" as policy paths are printed: "C:/x/y", compared without case
// (the final path's case is the file system's).
std::string PolicyForm(const std::wstring& path) {
  std::string s = Narrow(path);
  std::replace(s.begin(), s.end(), '\\', '/');
  return Lower(s);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A fresh directory under %TEMP%, removed with its files at the end.
class TempWorkspace {
 public:
  TempWorkspace() {
    wchar_t temp[MAX_PATH + 1] = {};
    const DWORD n = GetTempPathW(MAX_PATH + 1, temp);
    // The long form: %TEMP% may be an 8.3 path, policy show prints the
    // final one.
    wchar_t long_temp[MAX_PATH + 1] = {};
    const DWORD long_n = GetLongPathNameW(temp, long_temp, MAX_PATH + 1);
    std::wstring base =
        long_n > 0 && long_n <= MAX_PATH ? std::wstring(long_temp, long_n) : std::wstring(temp, n);
    for (int i = 0; i < 100 && path_.empty(); ++i) {
      std::wstring candidate = base + L"cordon-policy-test-" +
                               std::to_wstring(GetCurrentProcessId()) + L"-" + std::to_wstring(i);
      if (CreateDirectoryW(candidate.c_str(), nullptr) != 0) path_ = candidate;
    }
  }
  TempWorkspace(const TempWorkspace&) = delete;
  TempWorkspace& operator=(const TempWorkspace&) = delete;
  ~TempWorkspace() {
    for (const std::wstring& name : files_) DeleteFileW((path_ + L"\\" + name).c_str());
    if (!path_.empty()) RemoveDirectoryW(path_.c_str());
  }

  [[nodiscard]] const std::wstring& path() const { return path_; }

  bool Write(const std::wstring& name, const std::string& text) {
    HANDLE h = CreateFileW((path_ + L"\\" + name).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                           FILE_ATTRIBUTE_NORMAL, nullptr);
    if (h == INVALID_HANDLE_VALUE) return false;
    DWORD written = 0;
    const bool ok =
        WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &written, nullptr) != 0 &&
        written == text.size();
    CloseHandle(h);
    if (std::find(files_.begin(), files_.end(), name) == files_.end()) files_.push_back(name);
    return ok;
  }

 private:
  std::wstring path_;
  std::vector<std::wstring> files_;
};

// The flags every test passes: the workspace, and a user config file of
// its own (never the account's %APPDATA%\cordon\config.toml).
std::wstring PolicyFlags(const TempWorkspace& ws) {
  return L"--workspace \"" + ws.path() + L"\" --config \"" + ws.path() + L"\\user.toml\"";
}

bool Prepare(Test& t, TempWorkspace& ws, const std::string& project) {
  CORDON_CHECK(t, !ws.path().empty(), "a temporary directory was made");
  const bool ok = !ws.path().empty() && ws.Write(L"user.toml", "# no user settings\n") &&
                  ws.Write(L".cordon.toml", project);
  CORDON_CHECK(t, ok, "the config files were written");
  return ok;
}

constexpr const char* kGoodProject = "[filesystem]\ndeny_read = [\"secrets\"]\n";
constexpr const char* kBadProject = "[filesystem]\nreadable_everything = true\n";

void PolicyShowPrintsTheResolvedPolicy(Test& t) {
  TempWorkspace ws;
  if (!Prepare(t, ws, kGoodProject)) return;
  const Captured run = RunCaptured(Cordon(L"policy show " + PolicyFlags(ws)));
  CORDON_CHECK(t, run.started && run.error.empty(), run.error);
  CORDON_CHECK(t, run.exit_code == 0,
               "exit 0, got " + std::to_string(run.exit_code) + ": " + Quoted(run.err));
  const std::string out = Lower(run.out);
  const std::string root = PolicyForm(ws.path());
  CORDON_CHECK(t, Contains(out, "workspace  " + root + "  ["),
               "names the workspace: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, root + "/secrets"), "names the deny-read path: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, root + "/.cordon.toml:2:"),
               "the deny-read rule's origin is the project file: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, "deny-read (never visible):"),
               "has the deny-read section: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, "/.ssh "), "denies the profile's .ssh: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, "appdata/roaming/microsoft/protect"),
               "denies the DPAPI master keys: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, root + "/.git/hooks"),
               "protects the workspace's git hooks: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, "\ntier       refused ("),
               "says runs are refused here: " + Quoted(run.out));
}

void PolicyShowJson(Test& t) {
  TempWorkspace ws;
  if (!Prepare(t, ws, kGoodProject)) return;
  const Captured run = RunCaptured(Cordon(L"policy show --json " + PolicyFlags(ws)));
  CORDON_CHECK(t, run.exit_code == 0,
               "exit 0, got " + std::to_string(run.exit_code) + ": " + Quoted(run.err));
  const std::string out = Lower(run.out);
  const std::string root = PolicyForm(ws.path());
  CORDON_CHECK(t, Contains(out, "\"workspace\": \"" + root + "\""),
               "the JSON names the workspace: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, "\"path\": \"" + root + "/secrets\""),
               "the JSON lists the deny-read path: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(out, "\"name\": \"refused\""), "the JSON's tier: " + Quoted(run.out));
}

void PolicyShowRefusesAnUnknownKey(Test& t) {
  TempWorkspace ws;
  if (!Prepare(t, ws, kBadProject)) return;
  const Captured run = RunCaptured(Cordon(L"policy show " + PolicyFlags(ws)));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, run.out.empty(), "no policy printed: " + Quoted(run.out));
  CORDON_CHECK(t, Contains(run.err, "readable_everything"), "names the key: " + Quoted(run.err));
  CORDON_CHECK(t, Contains(Lower(run.err), PolicyForm(ws.path()) + "/.cordon.toml:2:"),
               "names the file and line: " + Quoted(run.err));
}

void RunRefusesABadConfigBeforeAnythingRuns(Test& t) {
  TempWorkspace ws;
  if (!Prepare(t, ws, kBadProject)) return;
  const Captured run =
      RunCaptured(Cordon(L"run " + PolicyFlags(ws) + L" -- cmd /c echo cordon-ran-this"));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, !Contains(run.out, "cordon-ran-this"), "the command did not run");
  CORDON_CHECK(t, Contains(run.err, "readable_everything"), "names the key: " + Quoted(run.err));
  CORDON_CHECK(t, !Contains(run.err, "cannot confine"),
               "stops at the config, before the confinement check: " + Quoted(run.err));
}

void RunWithAGoodConfigReachesTheConfinementCheck(Test& t) {
  TempWorkspace ws;
  if (!Prepare(t, ws, kGoodProject)) return;
  const Captured run =
      RunCaptured(Cordon(L"run " + PolicyFlags(ws) + L" -- cmd /c echo cordon-ran-this"));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, !Contains(run.out, "cordon-ran-this"), "the command did not run");
  CORDON_CHECK(t, Contains(run.err, "cannot confine `cmd` on this host"),
               "the policy passed; the refusal is the confinement's: " + Quoted(run.err));
}

void AnUnknownFlagIsRefused(Test& t) {
  const Captured run = RunCaptured(Cordon(L"policy show --writeable C:\\x"));
  CORDON_CHECK(t, run.exit_code == static_cast<DWORD>(kExitSetupError),
               "exit 125, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, Contains(run.err, "--writeable"), "names the flag: " + Quoted(run.err));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"PolicyShowPrintsTheResolvedPolicy", w::PolicyShowPrintsTheResolvedPolicy},
       Case{"PolicyShowJson", w::PolicyShowJson},
       Case{"PolicyShowRefusesAnUnknownKey", w::PolicyShowRefusesAnUnknownKey},
       Case{"RunRefusesABadConfigBeforeAnythingRuns", w::RunRefusesABadConfigBeforeAnythingRuns},
       Case{"RunWithAGoodConfigReachesTheConfinementCheck",
            w::RunWithAGoodConfigReachesTheConfinementCheck},
       Case{"AnUnknownFlagIsRefused", w::AnUnknownFlagIsRefused}});
}
