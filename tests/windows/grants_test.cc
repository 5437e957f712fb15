// EnsureWorkspaceGrants (workspace_grants-win32.h) on a real temporary
// workspace: the roots resolved and validated against this host's facts,
// the capability SID derived from the workspace's final path, the plan
// journaled first and applied, each ACE read back.
//
// Under Wine, which keeps no file ACE for any SID but the owner's and
// Everyone's (docs/windows.md, "The two ACL checks under Wine"), the first
// ACE does not hold: the call must refuse there, naming the path and the
// ACE, with exactly that one entry in the journal and every DACL of the
// tree as before. On Windows the whole plan must hold and a second call
// must add nothing (once per workspace); that branch has not been run yet.
// A forbidden or missing root is refused before anything is journaled:
// the journal file is never created.
#include <windows.h>

#include <cstdio>
#include <map>
#include <string>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/profile_facts-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/uninstall-win32.h"
#include "sandbox/windows/win_error-win32.h"
#include "sandbox/windows/workspace_grants-win32.h"
#include "test_tree.h"

namespace cordon::wintest {
namespace {

namespace win = sandbox::windows;
namespace acl = sandbox::acl_apply;
using sandbox::Narrow;
using sandbox::Widen;

struct Workspace : TestTree {
  std::string journal;  // base\state\cordon\ace-journal (its folders do not exist yet)
};

Workspace MakeWorkspace(Test& t, const char* tag) {
  Workspace w{
      MakeTestTree(t, "cordon-grants", tag, {"src", ".git", ".git\\hooks"},
                   {"src\\main.c", ".git\\config", ".git\\hooks\\pre-commit", ".cordon.toml"}),
      {}};
  w.journal = w.base + "\\state\\cordon\\ace-journal";
  return w;
}

void RemoveWorkspace(const Workspace& w) {
  RemoveTreePaths(w);
  DeleteFileW(Widen(w.journal).c_str());
  RemoveDirectoryW(Widen(w.base + "\\state\\cordon").c_str());
  RemoveDirectoryW(Widen(w.base + "\\state").c_str());
  RemoveDirectoryW(Widen(w.base).c_str());
}

win::GrantRequest Request(const Workspace& w) {
  win::GrantRequest r;
  r.workspace = w.ws;
  r.protected_paths = {{w.ws + "\\.git\\hooks", true},
                       {w.ws + "\\.git\\config", false},
                       {w.ws + "\\.cordon.toml", false},
                       {w.ws + "\\.git\\info\\attributes", false}};  // absent
  r.journal = w.journal;
  return r;
}

std::map<std::string, std::string> Snapshot(Test& t, const Workspace& w) {
  std::map<std::string, std::string> out;
  for (const std::string& p : w.paths) {
    auto d = acl::ReadDaclSddl(p);
    CORDON_CHECK(t, d.ok() && d.value().has_value(), "read the DACL of " + Quoted(p));
    if (d.ok() && d.value().has_value()) out[p] = *d.value();
  }
  return out;
}

bool Exists(const std::string& p) {
  return GetFileAttributesW(Widen(p).c_str()) != INVALID_FILE_ATTRIBUTES;
}

std::string ExpectedSid(Test& t, const std::string& ws) {
  auto real = win::FinalPath(ws);
  auto n = win::Normalize(real.ok() ? real.value() : ws);
  CORDON_CHECK(t, real.ok() && n.ok(), "the workspace's final path");
  if (!n.ok()) return {};
  auto sid = win::CapabilitySidFromName(win::WorkspaceCapabilityName(n.value().key));
  return sid.ok() ? sid.value() : std::string();
}

void GrantsOnceOrRefusesAtFirstAce(Test& t) {
  const Workspace w = MakeWorkspace(t, "apply");
  const std::map<std::string, std::string> before = Snapshot(t, w);
  const std::string sid = ExpectedSid(t, w.ws);
  auto granted = win::EnsureWorkspaceGrants(Request(w));
  auto journal = acl::ReadJournal(w.journal);
  CORDON_CHECK(t, journal.ok(), journal.ok() ? "" : journal.error().Describe());
  if (!granted.ok()) {
    const std::string why = granted.error().Describe();
    std::printf("note: the grant did not hold: %s\n", why.c_str());
    CORDON_CHECK(t, UnderWine(), "EnsureWorkspaceGrants: " + why);
    CORDON_CHECK(t,
                 why.find("grant: read back") != std::string::npos &&
                     why.find("does not hold") != std::string::npos &&
                     why.find(sid) != std::string::npos,
                 "the refusal is the read-back's, naming the ACE: " + Quoted(why));
    CORDON_CHECK(t, journal.ok() && journal.value().size() == 1,
                 "exactly the first entry is journaled, got " +
                     std::to_string(journal.ok() ? journal.value().size() : 0));
    if (journal.ok() && journal.value().size() == 1) {
      const win::AceEntry& e = journal.value()[0];
      CORDON_CHECK(t, win::Normalize(e.path).ok() && e.path == win::FinalPath(w.ws).value(),
                   "the first entry is the workspace's: " + Quoted(e.path));
      CORDON_CHECK(t,
                   e.type == win::AceType::kAllow && e.mask == win::kFileModify &&
                       e.inheritance == (win::kObjectInherit | win::kContainerInherit) &&
                       e.sid == sid,
                   "Modify, inherited, for the workspace's capability SID " + Quoted(sid));
      CORDON_CHECK(t, e.previous_dacl == before.at(w.ws),
                   "with the DACL read before: " + Quoted(e.previous_dacl));
      CORDON_CHECK(t, why.find(e.path) != std::string::npos, "the refusal names the path");
    }
    CORDON_CHECK(t, Snapshot(t, w) == before, "every DACL of the tree is as before");
  } else {
    const win::GrantSummary& s = granted.value();
    std::printf("  %s (sid %s)\n", s.Describe().c_str(), s.sid.c_str());
    // ws allow, hooks deny, .git delete-deny, config deny, .cordon.toml deny.
    CORDON_CHECK(t, s.planned == 5 && s.added == 5 && s.already_present == 0,
                 "five ACEs planned and added: " + s.Describe());
    CORDON_CHECK(t, s.sid == sid, "the workspace's capability SID");
    CORDON_CHECK(t, s.Describe() == "first run in this workspace: 5 ACEs added", s.Describe());
    CORDON_CHECK(t, s.protected_absent.size() == 1, "the absent protected path is reported");
    CORDON_CHECK(t, journal.ok() && journal.value() == s.added_entries,
                 "the journal is what was added");
    auto again = win::EnsureWorkspaceGrants(Request(w));
    CORDON_CHECK(t, again.ok() && again.value().added == 0 && again.value().already_present == 5,
                 "a second call adds nothing: " +
                     (again.ok() ? again.value().Describe() : again.error().Describe()));
    auto journal2 = acl::ReadJournal(w.journal);
    CORDON_CHECK(t, journal2.ok() && journal.ok() && journal2.value() == journal.value(),
                 "and journals nothing");
    auto undone = win::UninstallAces(w.journal, {w.ws});
    CORDON_CHECK(t, undone.ok() && undone.value().clean(), "the grants come off again");
    CORDON_CHECK(t, Snapshot(t, w) == before, "every DACL of the tree is as before");
  }
  RemoveWorkspace(w);
}

// `request` is refused, for `reason`, and no journal file is made.
void ExpectRefusedBeforeJournal(Test& t, const win::GrantRequest& request,
                                const std::string& reason) {
  auto granted = win::EnsureWorkspaceGrants(request);
  CORDON_CHECK(t, !granted.ok(), "refused: " + Quoted(reason));
  if (!granted.ok()) {
    const std::string why = granted.error().Describe();
    std::printf("  refused: %s\n", why.c_str());
    CORDON_CHECK(t, why.find(reason) != std::string::npos,
                 "the refusal says " + Quoted(reason) + ": " + Quoted(why));
  }
  CORDON_CHECK(t, !Exists(request.journal), "no journal file: " + Quoted(request.journal));
}

void ForbiddenRootIsRefusedBeforeTheJournal(Test& t) {
  const Workspace w = MakeWorkspace(t, "forbidden");
  const std::map<std::string, std::string> before = Snapshot(t, w);
  wchar_t profile[MAX_PATH + 1];
  const DWORD n = GetEnvironmentVariableW(L"USERPROFILE", profile, MAX_PATH + 1);
  win::GrantRequest r = Request(w);
  r.writable_roots = {Narrow(std::wstring(profile, n))};
  ExpectRefusedBeforeJournal(t, r, "is a user profile root");
  r = Request(w);
  r.readable_roots = {"C:\\"};
  ExpectRefusedBeforeJournal(t, r, "is a drive root");
  r = Request(w);
  r.workspace = "C:\\Users";
  ExpectRefusedBeforeJournal(t, r, "is the user profiles folder");
  r = Request(w);
  r.writable_roots = {w.base + "\\missing"};
  ExpectRefusedBeforeJournal(t, r, "a grant root must exist");
  CORDON_CHECK(t, Snapshot(t, w) == before, "every DACL of the tree is as before");
  RemoveWorkspace(w);
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"GrantsOnceOrRefusesAtFirstAce", w::GrantsOnceOrRefusesAtFirstAce},
       Case{"ForbiddenRootIsRefusedBeforeTheJournal", w::ForbiddenRootIsRefusedBeforeTheJournal}});
}
