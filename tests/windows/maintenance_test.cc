// cordon.exe uninstall and doctor (cli/maintenance-win32.h), run as the
// user runs them, with cordon's state in a private folder (XDG_STATE_HOME,
// which the Windows host facts honour as on Linux).
//
// Under Wine no ACE cordon plans is kept (docs/windows.md), so uninstall
// meets journal entries whose ACE is already gone: it must say so, touch no
// DACL, delete the journal and report nothing left. Doctor's check of the
// places no grant may touch is read back for real: with a journal naming
// the user's own SID (an ACE Wine does keep, on the profile) it must name
// the profile and that SID; with a journal naming only a capability SID, it
// must pass.
#include <windows.h>

#include <string>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

namespace acl = sandbox::acl_apply;
namespace win = sandbox::windows;
using sandbox::Narrow;
using sandbox::Widen;

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

// A fresh state folder (and its cordon\) for one test; the journal's path.
struct State {
  std::string root;
  std::string journal;
};

State FreshState(const char* name) {
  wchar_t base[MAX_PATH];
  GetTempPathW(MAX_PATH, base);
  State s;
  s.root = Narrow(base) + "cordon-maint-" + name + "-" + std::to_string(GetCurrentProcessId());
  CreateDirectoryW(Widen(s.root).c_str(), nullptr);
  CreateDirectoryW(Widen(s.root + "\\cordon").c_str(), nullptr);
  s.journal = s.root + "\\cordon\\ace-journal";
  DeleteFileW(Widen(s.journal).c_str());
  SetEnvironmentVariableW(L"XDG_STATE_HOME", Widen(s.root).c_str());
  return s;
}

bool Exists(const std::string& path) {
  return GetFileAttributesW(Widen(path).c_str()) != INVALID_FILE_ATTRIBUTES;
}

std::string CapabilitySid() {
  auto sid = win::CapabilitySidFromName(win::WorkspaceCapabilityName("C:\\CORDON-MAINT-WS"));
  return sid.ok() ? sid.value() : "";
}

void UninstallWithNothingJournaledIsClean(Test& t) {
  FreshState("empty");
  const Captured run = RunCaptured(Cordon(L"uninstall"));
  CORDON_CHECK(t, run.exit_code == 0,
               "exit 0, got " + std::to_string(run.exit_code) + Quoted(run.err));
  CORDON_CHECK(
      t, run.out.find("nothing of cordon's is left on the scanned paths") != std::string::npos,
      "the verdict: " + Quoted(run.out));
}

void UninstallReplaysTheJournalAndDeletesIt(Test& t) {
  const State state = FreshState("replay");
  const std::string ws = state.root + "\\ws";
  CreateDirectoryW(Widen(ws).c_str(), nullptr);
  auto before = acl::ReadDaclSddl(ws);
  win::AceEntry entry{
      ws,       win::AceType::kAllow, win::kObjectInherit | win::kContainerInherit,
      0x1301bf, CapabilitySid(),      before.ok() && before.value() ? *before.value() : ""};
  CORDON_CHECK(t, acl::AppendJournal(state.journal, entry).ok(), "journal an entry");
  const Captured run = RunCaptured(Cordon(L"uninstall"));
  CORDON_CHECK(t, run.exit_code == 0,
               "exit 0, got " + std::to_string(run.exit_code) + Quoted(run.err));
  CORDON_CHECK(t, run.out.find("ACEs: 0 removed, 1 already gone") != std::string::npos,
               "Wine kept no ACE, so it is already gone: " + Quoted(run.out));
  CORDON_CHECK(t, run.out.find("nothing of cordon's is left") != std::string::npos,
               "the verdict: " + Quoted(run.out));
  CORDON_CHECK(t, !Exists(state.journal), "the journal is deleted after a clean uninstall");
  auto after = acl::ReadDaclSddl(ws);
  CORDON_CHECK(t, before.ok() && after.ok() && before.value() == after.value(),
               "the workspace's DACL is as before");
  RemoveDirectoryW(Widen(ws).c_str());
}

void DoctorPassesWhenNoCordonSidIsOnTheProfile(Test& t) {
  const State state = FreshState("clean");
  win::AceEntry entry{state.root, win::AceType::kAllow, 0, 0x1301bf, CapabilitySid(), "D:"};
  CORDON_CHECK(t, acl::AppendJournal(state.journal, entry).ok(), "journal an entry");
  const Captured run = RunCaptured(Cordon(L"doctor"));
  CORDON_CHECK(t, run.out.find("ok   no cordon ACE on the profile") != std::string::npos,
               "the profile, ~/.ssh and the hives carry no cordon SID: " + Quoted(run.out));
  if (UnderWine()) {
    CORDON_CHECK(t,
                 run.out.find("NO   live checks: not run: this host cannot confine a command") !=
                     std::string::npos,
                 "the live checks say why they did not run: " + Quoted(run.out));
  }
}

void DoctorNamesACordonSidItFindsOnTheProfile(Test& t) {
  const State state = FreshState("planted");
  const std::string user = CurrentUserSid();
  CORDON_CHECK(t, !user.empty(), "the user's SID");
  // The journal claims the user's own SID, whose allow ACE Wine keeps on
  // the profile: doctor must find it there, as it would find cordon's.
  win::AceEntry entry{state.root, win::AceType::kAllow, 0, 0x1301bf, user, "D:"};
  CORDON_CHECK(t, acl::AppendJournal(state.journal, entry).ok(), "journal an entry");
  const Captured run = RunCaptured(Cordon(L"doctor"));
  CORDON_CHECK(t, run.exit_code == 1, "exit 1, got " + std::to_string(run.exit_code));
  CORDON_CHECK(t, run.out.find("NO   no cordon ACE on the profile") != std::string::npos,
               "the check fails: " + Quoted(run.out));
  CORDON_CHECK(t, run.out.find(user) != std::string::npos, "and names the SID: " + Quoted(run.out));
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"UninstallWithNothingJournaledIsClean", w::UninstallWithNothingJournaledIsClean},
       Case{"UninstallReplaysTheJournalAndDeletesIt", w::UninstallReplaysTheJournalAndDeletesIt},
       Case{"DoctorPassesWhenNoCordonSidIsOnTheProfile",
            w::DoctorPassesWhenNoCordonSidIsOnTheProfile},
       Case{"DoctorNamesACordonSidItFindsOnTheProfile",
            w::DoctorNamesACordonSidItFindsOnTheProfile}});
}
