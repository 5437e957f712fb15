// UninstallAces (uninstall-win32.h) on the journal a real grant run left:
// the journal replayed in reverse, then the journaled paths and the
// workspace tree scanned for any ACE naming a cordon SID.
//
// Under Wine the grant run journals its first ACE and refuses (Wine keeps
// no capability-SID ACE, docs/windows.md): the replay finds that ACE
// already gone, the scan finds nothing, and the tree reads back as before.
// The scan's twin: a journal entry naming the user's own SID (which Wine
// does store) makes that SID one the scan looks for, and the scan must
// then report the user's ACEs across the tree; so a clean report is the
// scan's finding, not its blindness. On Windows the run's 5 ACEs are
// removed and the report is clean (that branch has not been run yet).
#include <windows.h>
// (after windows.h, which it needs)
#include <sddl.h>

#include <algorithm>
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
using sandbox::Widen;

struct Workspace : TestTree {
  std::string journal;  // base\ace-journal
};

Workspace MakeWorkspace(Test& t, const char* tag) {
  Workspace w{MakeTestTree(t, "cordon-uninstall", tag, {"src", ".git", ".git\\hooks"},
                           {"src\\main.c", ".git\\config", ".cordon.toml"}),
              {}};
  w.journal = w.base + "\\ace-journal";
  return w;
}

void RemoveWorkspace(const Workspace& w) {
  RemoveTreePaths(w);
  DeleteFileW(Widen(w.journal).c_str());
  RemoveDirectoryW(Widen(w.base).c_str());
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

// The grant run whose journal uninstall replays: under Wine it stops at
// the first ACE (grants_test checks how); the journal is what it left.
size_t GrantRun(Test& t, const Workspace& w) {
  win::GrantRequest r;
  r.workspace = w.ws;
  r.protected_paths = {{w.ws + "\\.git\\hooks", true},
                       {w.ws + "\\.git\\config", false},
                       {w.ws + "\\.cordon.toml", false}};
  r.journal = w.journal;
  auto granted = win::EnsureWorkspaceGrants(r);
  CORDON_CHECK(t, granted.ok() || UnderWine(),
               granted.ok() ? "" : "EnsureWorkspaceGrants: " + granted.error().Describe());
  auto journal = acl::ReadJournal(w.journal);
  CORDON_CHECK(t, journal.ok(), journal.ok() ? "" : journal.error().Describe());
  const size_t entries = journal.ok() ? journal.value().size() : 0;
  CORDON_CHECK(t, entries == (granted.ok() ? 5U : 1U),
               "journal entries after the run: " + std::to_string(entries));
  return entries;
}

bool Has(const std::vector<std::string>& list, const std::string& s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

void RevertsTheRunsJournal(Test& t) {
  const Workspace w = MakeWorkspace(t, "revert");
  const std::map<std::string, std::string> before = Snapshot(t, w);
  const size_t entries = GrantRun(t, w);
  auto report = win::UninstallAces(w.journal, {w.ws});
  CORDON_CHECK(t, report.ok(), report.ok() ? "" : report.error().Describe());
  if (report.ok()) {
    const win::UninstallReport& r = report.value();
    std::printf("  %zu steps: %zu removed, %zu already gone, %zu paths gone; %zu paths scanned\n",
                r.steps.size(), r.removed, r.already_gone, r.path_gone, r.scanned);
    CORDON_CHECK(t, r.steps.size() == entries, "one step per journal entry");
    if (UnderWine()) {
      CORDON_CHECK(t, r.removed == 0 && r.already_gone == 1, "Wine kept nothing to remove");
    } else {
      CORDON_CHECK(t, r.removed == 5, "the run's 5 ACEs are removed");
    }
    CORDON_CHECK(t, r.scanned >= w.paths.size(),
                 "the whole tree was read: " + std::to_string(r.scanned) + " paths");
    for (const char* profile : {"cordon.offline", "cordon.online"}) {
      CORDON_CHECK(t, Has(r.cordon_sids, win::AppContainerSidFromName(profile).value()),
                   std::string("the scan looks for ") + profile);
    }
    auto n = win::Normalize(win::FinalPath(w.ws).value());
    CORDON_CHECK(
        t,
        n.ok() &&
            Has(r.cordon_sids,
                win::CapabilitySidFromName(win::WorkspaceCapabilityName(n.value().key)).value()),
        "and for the workspace's capability");
    for (const win::RemainingAce& a : r.remaining) {
      CORDON_CHECK(t, false, "remains: " + a.Describe());
    }
    for (const std::string& u : r.unreadable) CORDON_CHECK(t, false, "unreadable: " + u);
    CORDON_CHECK(t, r.clean(), "the report is clean");
  }
  CORDON_CHECK(t, Snapshot(t, w) == before, "every DACL of the tree is as before");
  // Again: nothing to do, still clean.
  auto again = win::UninstallAces(w.journal, {w.ws});
  CORDON_CHECK(t, again.ok() && again.value().removed == 0 && again.value().clean(),
               "a second uninstall changes nothing");
  RemoveWorkspace(w);
}

void GonePathsAreReported(Test& t) {
  const Workspace w = MakeWorkspace(t, "gone");
  const size_t entries = GrantRun(t, w);
  RemoveTreePaths(w);
  auto report = win::UninstallAces(w.journal, {w.ws});
  CORDON_CHECK(t, report.ok(), report.ok() ? "" : report.error().Describe());
  if (report.ok()) {
    CORDON_CHECK(t, report.value().path_gone == entries,
                 "every entry's path is gone: " + std::to_string(report.value().path_gone));
    CORDON_CHECK(t, report.value().clean(), "nothing remains of a deleted workspace");
  }
  RemoveWorkspace(w);
}

std::string UserSid(Test& t) {
  std::string sid = CurrentUserSid();
  CORDON_CHECK(t, !sid.empty(), "the process's user SID");
  return sid;
}

// The twin of a clean scan: a journal entry naming the user's SID (with a
// mask the user's ACE does not have, so the replay removes nothing) makes
// the scan look for it, and the user's ACEs, which every path of the tree
// carries, are reported on each path.
void ScanReportsWhatRemains(Test& t) {
  const Workspace w = MakeWorkspace(t, "scan");
  const std::string user = UserSid(t);
  CORDON_CHECK(t, !user.empty(), "the user's SID");
  const std::string file = w.ws + "\\src\\main.c";
  auto real = win::FinalPath(file);
  win::AceEntry planted{real.ok() ? real.value() : file, win::AceType::kAllow, 0, 0x1, user, ""};
  auto dacl = acl::ReadDaclSddl(planted.path);
  if (dacl.ok() && dacl.value().has_value()) planted.previous_dacl = *dacl.value();
  CORDON_CHECK(t, acl::AppendJournal(w.journal, planted).ok(), "journal the entry");
  const std::map<std::string, std::string> before = Snapshot(t, w);
  auto report = win::UninstallAces(w.journal, {w.ws});
  CORDON_CHECK(t, report.ok(), report.ok() ? "" : report.error().Describe());
  if (report.ok()) {
    const win::UninstallReport& r = report.value();
    CORDON_CHECK(t, r.removed == 0, "the replay removed nothing (no such ACE)");
    CORDON_CHECK(t, !r.clean(), "the report is not clean");
    std::vector<std::string> flagged;
    for (const win::RemainingAce& a : r.remaining) {
      CORDON_CHECK(t, a.sid == user, "only the journal's SID is reported: " + a.Describe());
      flagged.push_back(a.path);
    }
    if (!r.remaining.empty()) std::printf("  e.g. %s\n", r.remaining.front().Describe().c_str());
    for (const std::string& p : w.paths) {
      bool found = false;
      for (const std::string& f : flagged) {
        auto a = win::Normalize(f);
        auto b = win::Normalize(p);
        found = found || (a.ok() && b.ok() && win::SamePath(a.value(), b.value()));
      }
      CORDON_CHECK(t, found, "the user's ACE is reported on " + Quoted(p));
    }
  }
  CORDON_CHECK(t, Snapshot(t, w) == before, "the scan changes nothing");
  RemoveWorkspace(w);
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(argc, argv,
                     {Case{"RevertsTheRunsJournal", w::RevertsTheRunsJournal},
                      Case{"GonePathsAreReported", w::GonePathsAreReported},
                      Case{"ScanReportsWhatRemains", w::ScanReportsWhatRemains}});
}
