// The ACE journal on a real directory tree: a workspace with directories
// and files, a writable and a readable root beside it, protected paths in
// it. The plan is applied (journal first), every DACL is read back and
// compared with what the plan asks for, then the journal is replayed in
// reverse and every DACL of the tree is read back again and compared, as
// SDDL string for string, with what it was before anything was applied. A
// crash between a journal write and its ACE is simulated by writing the
// journal entry and not the ACE: the replay still restores the tree.
//
// The SID is the workspace's real capability SID (sid_derive.h): nothing
// here needs a token to hold it, only the file system to store it.
#include <windows.h>
// (after windows.h, which it needs)
#include <sddl.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/grant_plan.h"
#include "sandbox/windows/sddl.h"
#include "sandbox/windows/security_descriptor-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

namespace acl = sandbox::acl_apply;
namespace sd = sandbox::security_descriptor;
using sandbox::windows::AceEntry;
using sandbox::windows::AceType;
using sandbox::windows::UndoStep;

// A fresh directory under %TEMP% holding the tree, removed by the test.
struct Tree {
  std::string base;                // ...\cordon-acl-<pid>-<n>
  std::string workspace;           // base\ws
  std::vector<std::string> paths;  // every directory and file, parents first
  std::string journal;             // base\journal (outside the granted roots)
};

bool MakeDir(Test& t, const std::string& p) {
  const bool ok = CreateDirectoryW(sandbox::Widen(p).c_str(), nullptr) != 0;
  CORDON_CHECK(t, ok, "CreateDirectoryW " + Quoted(p));
  return ok;
}

bool MakeFile(Test& t, const std::string& p) {
  HANDLE h = CreateFileW(sandbox::Widen(p).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  CORDON_CHECK(t, h != INVALID_HANDLE_VALUE, "CreateFileW " + Quoted(p));
  if (h == INVALID_HANDLE_VALUE) return false;
  DWORD n = 0;
  const bool ok = WriteFile(h, "x\n", 2, &n, nullptr) != 0;
  CloseHandle(h);
  return ok;
}

Tree MakeTree(Test& t, const char* tag) {
  wchar_t tmp[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
  CORDON_CHECK(t, n > 0, "GetTempPathW");
  Tree tree;
  tree.base = sandbox::Narrow(std::wstring(tmp, n)) + "cordon-acl-" +
              std::to_string(GetCurrentProcessId()) + "-" + tag;
  tree.workspace = tree.base + "\\ws";
  tree.journal = tree.base + "\\journal";
  MakeDir(t, tree.base);
  const std::string& w = tree.workspace;
  for (const std::string& d :
       {w, w + "\\src", w + "\\src\\lib", w + "\\.git", w + "\\.git\\hooks", w + "\\.git\\objects",
        tree.base + "\\cache", tree.base + "\\tools"}) {
    if (MakeDir(t, d)) tree.paths.push_back(d);
  }
  for (const std::string& f :
       {w + "\\README", w + "\\src\\main.c", w + "\\src\\lib\\util.c", w + "\\.git\\config",
        w + "\\.git\\hooks\\pre-commit", w + "\\.git\\HEAD", w + "\\.cordon.toml",
        tree.base + "\\cache\\blob", tree.base + "\\tools\\cc.exe"}) {
    if (MakeFile(t, f)) tree.paths.push_back(f);
  }
  return tree;
}

// Deletes the tree, children first (the paths are listed parents first).
void RemoveTree(const Tree& tree) {
  DeleteFileW(sandbox::Widen(tree.journal).c_str());
  for (auto it = tree.paths.rbegin(); it != tree.paths.rend(); ++it) {
    const std::wstring p = sandbox::Widen(*it);
    if (!DeleteFileW(p.c_str())) RemoveDirectoryW(p.c_str());
  }
  RemoveDirectoryW(sandbox::Widen(tree.base).c_str());
}

std::string CapabilitySid(Test& t) {
  auto sid = sandbox::windows::CapabilitySidFromName(
      sandbox::windows::WorkspaceCapabilityName("c:/cordon-acl-test"));
  CORDON_CHECK(t, sid.ok(), sid.ok() ? "" : sid.error().Describe());
  return sid.ok() ? sid.value() : "S-1-15-3-1024-1-2-3-4-5-6-7-8";
}

std::vector<AceEntry> Plan(Test& t, const Tree& tree, const std::string& sid) {
  sandbox::windows::GrantInputs in;
  in.workspace = tree.workspace;
  in.writable_roots = {tree.base + "\\cache"};
  in.readable_roots = {tree.base + "\\tools"};
  in.protected_paths = {{tree.workspace + "\\.git\\hooks", true},
                        {tree.workspace + "\\.git\\config", false},
                        {tree.workspace + "\\.cordon.toml", false}};
  in.sid = sid;
  // Facts that the temporary tree is none of (the validator is unit-tested
  // on Linux; here it only has to let the tree through).
  sandbox::windows::ProfileFacts facts;
  facts.profile_dir = "C:\\Users\\cordon-nobody";
  facts.profiles_root = "C:\\Users\\cordon-nobody-root";
  facts.system_dirs = {"C:\\windows"};
  auto plan = sandbox::windows::PlanGrants(in, facts);
  CORDON_CHECK(t, plan.ok(), plan.ok() ? "" : plan.error().Describe());
  return plan.ok() ? plan.value() : std::vector<AceEntry>{};
}

std::map<std::string, std::string> Snapshot(Test& t, const Tree& tree) {
  std::map<std::string, std::string> out;
  for (const std::string& p : tree.paths) {
    auto d = acl::ReadDaclSddl(p);
    CORDON_CHECK(t, d.ok() && d.value().has_value(),
                 "read DACL of " + Quoted(p) + (d.ok() ? "" : ": " + d.error().Describe()));
    if (d.ok() && d.value().has_value()) out[p] = *d.value();
  }
  return out;
}

// The DACL of `sddl` as binary ACEs (what Windows holds, not how it spells).
sd::DaclRead Binary(Test& t, const std::string& sddl) {
  auto desc = sd::FromSddl(sddl);
  CORDON_CHECK(t, desc.ok(), desc.ok() ? "" : desc.error().Describe());
  if (!desc.ok()) return {};
  auto read = sd::ReadDacl(desc.value().get());
  CORDON_CHECK(t, read.ok(), read.ok() ? "" : read.error().Describe());
  return read.ok() ? read.value() : sd::DaclRead{};
}

// ACEs naming `sid` anywhere in the tree, as "path: ace" lines.
std::vector<std::string> AcesNaming(Test& t, const Tree& tree, const std::string& sid) {
  std::vector<std::string> out;
  for (const auto& [path, dacl] : Snapshot(t, tree)) {
    for (const sd::AceRead& a : Binary(t, dacl).aces) {
      if (a.sid != sid) continue;
      std::string line = path;
      line += ": ";
      line += dacl;
      out.push_back(std::move(line));
    }
  }
  return out;
}

void CompareWithOriginal(Test& t, const Tree& tree, const std::map<std::string, std::string>& orig,
                         const char* when) {
  const std::map<std::string, std::string> now = Snapshot(t, tree);
  for (const auto& [path, before] : orig) {
    auto it = now.find(path);
    const std::string after = it == now.end() ? "(unreadable)" : it->second;
    CORDON_CHECK(t, after == before,
                 std::string(when) + ": " + Quoted(path) + " is " + Quoted(after) + ", was " +
                     Quoted(before));
  }
}

// What the tree must read back after the whole plan held: each planned
// path's DACL is its journaled previous DACL plus the ACE (binary ACEs
// compared), and files below carry the inherited copies.
void CheckApplied(Test& t, const Tree& tree, const std::vector<AceEntry>& applied,
                  const std::string& sid) {
  std::map<std::string, std::string> expected;  // path -> the DACL after its last entry
  for (const AceEntry& e : applied) {
    auto prev = sandbox::windows::ParseDacl(e.previous_dacl);
    CORDON_CHECK(t, prev.ok(), "the previous DACL parses: " + Quoted(e.previous_dacl));
    if (!prev.ok()) continue;
    auto with = sandbox::windows::WithAce(prev.value(), sandbox::windows::AceSddl(e));
    CORDON_CHECK(t, with.ok(), "WithAce");
    if (with.ok()) expected[e.path] = sandbox::windows::FormatDacl(with.value());
  }
  for (const AceEntry& e : applied) {
    auto now = acl::ReadDaclSddl(e.path);
    CORDON_CHECK(t, now.ok() && now.value().has_value(), "read back " + Quoted(e.path));
    if (!now.ok() || !now.value().has_value()) continue;
    const sd::DaclRead got = Binary(t, *now.value());
    const sd::AceRead want{static_cast<uint8_t>(e.type == AceType::kAllow ? 0 : 1), e.inheritance,
                           e.mask, e.sid};
    bool found = false;
    for (const sd::AceRead& a : got.aces) found = found || a == want;
    CORDON_CHECK(t, found,
                 "the ACE " + sandbox::windows::AceSddl(e) + " is on " + Quoted(e.path) + ": " +
                     Quoted(*now.value()));
    CORDON_CHECK(t, got.aces == Binary(t, expected[e.path]).aces,
                 "the DACL of " + Quoted(e.path) + " is " + Quoted(expected[e.path]) + ", got " +
                     Quoted(*now.value()));
  }
  for (const auto& [file, type] :
       {std::pair<std::string, uint8_t>{tree.workspace + "\\src\\lib\\util.c", 0},
        std::pair<std::string, uint8_t>{tree.workspace + "\\.git\\hooks\\pre-commit", 1}}) {
    auto now = acl::ReadDaclSddl(file);
    if (!now.ok() || !now.value().has_value()) continue;
    bool inherited = false;
    for (const sd::AceRead& a : Binary(t, *now.value()).aces) {
      inherited = inherited || (a.sid == sid && a.type == type && (a.flags & INHERITED_ACE) != 0);
    }
    CORDON_CHECK(t, inherited, Quoted(file) + " inherits the ACE: " + Quoted(*now.value()));
  }
}

// The plan applied to the tree, read back, reverted, read back again. On
// Windows every ACE holds and the revert removes each one. Under Wine the
// file system keeps no ACE for the capability SID (WhatWineKeeps), so
// ApplyGrants must refuse at the first entry, after journaling it, naming
// what was kept; the revert then has nothing to remove. Either way the
// tree ends exactly as it began.
void ApplyReadBackRevert(Test& t) {
  const Tree tree = MakeTree(t, "apply");
  const std::string sid = CapabilitySid(t);
  const std::vector<AceEntry> plan = Plan(t, tree, sid);
  CORDON_CHECK(t, plan.size() == 7, "7 plan entries, got " + std::to_string(plan.size()));
  if (plan.empty()) return RemoveTree(tree);
  const std::map<std::string, std::string> original = Snapshot(t, tree);

  auto applied = acl::ApplyGrants(plan, tree.journal);
  auto journal = acl::ReadJournal(tree.journal);
  CORDON_CHECK(t, journal.ok(), journal.ok() ? "" : journal.error().Describe());
  if (!journal.ok()) return RemoveTree(tree);
  // Journal first: every entry on disk is the plan's, with the DACL read
  // before its ACE was written (the first one: the untouched original).
  for (size_t i = 0; i < journal.value().size(); ++i) {
    AceEntry without = journal.value()[i];
    without.previous_dacl.clear();
    CORDON_CHECK(t, i < plan.size() && without == plan[i],
                 "journal entry " + std::to_string(i) + " is the plan's");
  }
  CORDON_CHECK(
      t, !journal.value().empty() && journal.value()[0].previous_dacl == original.at(plan[0].path),
      "the first entry's previous DACL is the original " + Quoted(original.at(plan[0].path)));

  size_t expect_removed = plan.size();
  if (applied.ok()) {
    CORDON_CHECK(t, applied.value() == journal.value(), "the journal on disk is what was applied");
    CORDON_CHECK(t, applied.value().size() == plan.size(), "every entry was applied");
    CheckApplied(t, tree, applied.value(), sid);
  } else {
    const std::string why = applied.error().Describe();
    std::printf("note: Wine: the grant did not hold, as expected: %s\n", why.c_str());
    CORDON_CHECK(t, UnderWine(), "ApplyGrants: " + why);
    CORDON_CHECK(t,
                 why.find("does not hold") != std::string::npos &&
                     why.find(plan[0].path) != std::string::npos,
                 "the refusal names the path and the ACE that did not hold");
    CORDON_CHECK(t, journal.value().size() == 1,
                 "the refused entry is journaled, nothing after it");
    CompareWithOriginal(t, tree, original, "after the refused grant");
    expect_removed = 0;
  }

  auto steps = acl::RevertJournal(tree.journal);
  CORDON_CHECK(t, steps.ok(), steps.ok() ? "" : steps.error().Describe());
  if (steps.ok()) {
    CORDON_CHECK(t, steps.value().size() == journal.value().size(), "one step per entry");
    size_t removed = 0;
    for (const UndoStep& s : steps.value()) {
      if (s.kind != UndoStep::Kind::kWriteDacl) continue;
      ++removed;
      CORDON_CHECK(t, s.restored_exactly,
                   Quoted(s.entry.path) + " is back to its previous DACL: " + Quoted(s.new_dacl) +
                       " vs " + Quoted(s.entry.previous_dacl));
    }
    CORDON_CHECK(t, removed == expect_removed,
                 "ACEs removed: " + std::to_string(removed) + ", expected " +
                     std::to_string(expect_removed));
  }
  CompareWithOriginal(t, tree, original, "after revert");
  const std::vector<std::string> left = AcesNaming(t, tree, sid);
  CORDON_CHECK(
      t, left.empty(),
      "no ACE names the SID after revert: " + (left.empty() ? std::string() : left.front()));

  // A second replay finds nothing to do and changes nothing.
  auto again = acl::RevertJournal(tree.journal);
  CORDON_CHECK(t, again.ok(), again.ok() ? "" : again.error().Describe());
  if (again.ok()) {
    for (const UndoStep& s : again.value()) {
      CORDON_CHECK(t, s.kind == UndoStep::Kind::kAlreadyGone,
                   "second replay: nothing to remove on " + Quoted(s.entry.path));
    }
  }
  CompareWithOriginal(t, tree, original, "after a second revert");
  RemoveTree(tree);
}

// A crash after the journal entry of the 4th ACE was flushed and before
// the ACE was written: the journal knows an ACE the disk does not have.
// The replay removes the three that are there, finds the fourth already
// gone, and the tree is as before.
void CrashBetweenJournalAndAce(Test& t) {
  const Tree tree = MakeTree(t, "crash");
  const std::string sid = CapabilitySid(t);
  const std::vector<AceEntry> plan = Plan(t, tree, sid);
  if (plan.size() < 4) return RemoveTree(tree);
  const std::map<std::string, std::string> original = Snapshot(t, tree);

  // Three ACEs applied (under Wine: the first is journaled and refused,
  // see ApplyReadBackRevert)...
  const std::vector<AceEntry> first(plan.begin(), plan.begin() + 3);
  auto applied = acl::ApplyGrants(first, tree.journal);
  CORDON_CHECK(t, UnderWine() || (applied.ok() && applied.value().size() == 3),
               applied.ok() ? "three applied" : applied.error().Describe());
  const size_t on_disk = applied.ok() ? applied.value().size() : 0;
  AceEntry crashed = plan[3];
  auto before = acl::ReadDaclSddl(crashed.path);
  CORDON_CHECK(t, before.ok() && before.value().has_value(), "read " + Quoted(crashed.path));
  if (before.ok() && before.value().has_value()) crashed.previous_dacl = *before.value();
  CORDON_CHECK(t, acl::AppendJournal(tree.journal, crashed).ok(), "journal the 4th entry");
  // ... and the process dies here: no SetNamedSecurityInfoW for it.

  auto journal = acl::ReadJournal(tree.journal);
  const size_t journaled = applied.ok() ? 4 : 2;
  CORDON_CHECK(t, journal.ok() && journal.value().size() == journaled,
               "the journal has " + std::to_string(journaled) + " entries");
  CORDON_CHECK(t, journal.ok() && journal.value().back() == crashed,
               "the last one is the crashed entry");
  auto steps = acl::RevertJournal(tree.journal);
  CORDON_CHECK(t, steps.ok(), steps.ok() ? "" : steps.error().Describe());
  if (steps.ok() && steps.value().size() == journaled) {
    CORDON_CHECK(t, steps.value()[0].kind == UndoStep::Kind::kAlreadyGone,
                 "the crashed entry's ACE is not there: nothing to remove");
    for (size_t i = 1; i < journaled; ++i) {
      const bool was_applied = i <= on_disk;
      CORDON_CHECK(t,
                   steps.value()[i].kind ==
                       (was_applied ? UndoStep::Kind::kWriteDacl : UndoStep::Kind::kAlreadyGone),
                   "the entry on " + Quoted(steps.value()[i].entry.path) +
                       (was_applied ? " is removed" : " had nothing to remove"));
    }
  }
  CompareWithOriginal(t, tree, original, "after the crash and revert");
  const std::vector<std::string> left = AcesNaming(t, tree, sid);
  CORDON_CHECK(t, left.empty(),
               "no ACE names the SID: " + (left.empty() ? std::string() : left.front()));
  RemoveTree(tree);
}

std::string UserSid(Test& t) {
  std::string sid = CurrentUserSid();
  CORDON_CHECK(t, !sid.empty(), "the process's user SID");
  return sid;
}

// What a file's DACL keeps of what is written. Windows keeps every ACE
// and the protected flag. Wine (8.0, upstream, as Debian ships it) stores a
// file's DACL as POSIX mode bits: it keeps allows for the owner (the
// process's user) and Everyone, folds a deny for the owner into the owner's
// bits, always shows SYSTEM with full access, and drops every ACE naming
// any other SID, allow or deny, and the protected flag. Pinned here so the
// claim in docs/windows.md is checked, and a Wine that starts keeping ACLs
// shows up.
void WhatWineKeeps(Test& t) {
  const Tree tree = MakeTree(t, "keeps");
  const std::string file = tree.workspace + "\\README";
  const std::string cap = CapabilitySid(t);
  const std::string user = UserSid(t);
  auto original = acl::ReadDaclSddl(file);
  CORDON_CHECK(t, original.ok() && original.value().has_value(), "read " + Quoted(file));
  if (!original.ok() || !original.value().has_value() || user.empty()) return RemoveTree(tree);
  const std::string base = "(A;;FA;;;SY)(A;;FA;;;" + user + ")(A;;0x1200a9;;;WD)";
  const auto write_read = [&](const std::string& dacl) -> std::string {
    const Status w = acl::WriteDaclSddl(file, dacl);
    CORDON_CHECK(t, w.ok(), w.ok() ? "" : w.error().Describe());
    auto r = acl::ReadDaclSddl(file);
    CORDON_CHECK(t, r.ok() && r.value().has_value(), "read back " + Quoted(file));
    std::string got = r.ok() && r.value().has_value() ? *r.value() : "";
    std::printf("  wrote %s\n   read %s\n", dacl.c_str(), got.c_str());
    return got;
  };
  const auto has = [&](const std::string& dacl, uint8_t type, const std::string& sid) {
    for (const sd::AceRead& a : Binary(t, dacl).aces) {
      if (a.type == type && a.sid == sid) return true;
    }
    return false;
  };

  // Cordon's ACEs for the capability SID, allow and deny.
  const std::string with_cap =
      write_read("D:(D;;0xd0156;;;" + cap + ")(A;;0x1301bf;;;" + cap + ")" + base);
  const bool kept_cap = has(with_cap, 0, cap) && has(with_cap, 1, cap);
  CORDON_CHECK(t, has(with_cap, 0, user) && has(with_cap, 0, "S-1-1-0"),
               "the owner's and Everyone's allows are kept");
  // The protected flag.
  const std::string prot = write_read("D:P" + base);
  const bool kept_p = prot.substr(0, 3) == "D:P";
  // A deny for the owner.
  const std::string owner_deny = write_read("D:(D;;0xd0156;;;" + user + ")" + base);
  const bool kept_owner_deny = has(owner_deny, 1, user);
  if (UnderWine()) {
    CORDON_CHECK(t, !kept_cap && !has(with_cap, 0, cap) && !has(with_cap, 1, cap),
                 "Wine drops both ACEs for the capability SID (if it keeps them now, update "
                 "docs/windows.md and let ApplyReadBackRevert check the full round trip)");
    CORDON_CHECK(t, !kept_p, "Wine drops the protected flag");
    CORDON_CHECK(t, !kept_owner_deny, "Wine keeps no deny ACE for the owner either");
    uint32_t owner_mask = 0;
    for (const sd::AceRead& a : Binary(t, owner_deny).aces) {
      if (a.type == 0 && a.sid == user) owner_mask = a.mask;
    }
    CORDON_CHECK(t, owner_mask != 0 && (owner_mask & FILE_WRITE_DATA) == 0,
                 "Wine folds the owner's deny into the owner's allow: no FILE_WRITE_DATA");
    std::printf(
        "note: Wine keeps a file's DACL as POSIX mode bits only: capability-SID ACEs "
        "dropped, P dropped, an owner deny folded into the owner's bits\n");
  } else {
    CORDON_CHECK(t, kept_cap, "Windows keeps both ACEs for the capability SID");
    CORDON_CHECK(t, kept_p, "Windows keeps the protected flag");
    CORDON_CHECK(t, kept_owner_deny, "Windows keeps the owner's deny");
  }
  // And the original goes back on, exactly.
  const std::string back = write_read(*original.value());
  CORDON_CHECK(t, back == *original.value(), "the original DACL is back: " + Quoted(back));
  RemoveTree(tree);
}

// A journal that does not parse stops the replay before anything is
// written, with the line named.
void BadJournalWritesNothing(Test& t) {
  const Tree tree = MakeTree(t, "bad");
  HANDLE h = CreateFileW(sandbox::Widen(tree.journal).c_str(), GENERIC_WRITE, 0, nullptr,
                         CREATE_ALWAYS, FILE_ATTRIBUTE_NORMAL, nullptr);
  DWORD n = 0;
  const std::string text = "cordon-ace-journal 1\nace\tA\tOICI\t0x1301bf\tS-1-x\tC:\\x\t-\n";
  CORDON_CHECK(t,
               h != INVALID_HANDLE_VALUE &&
                   WriteFile(h, text.data(), static_cast<DWORD>(text.size()), &n, nullptr),
               "write a bad journal");
  CloseHandle(h);
  auto steps = acl::RevertJournal(tree.journal);
  CORDON_CHECK(t, !steps.ok(), "a bad journal is refused");
  if (!steps.ok()) {
    CORDON_CHECK(t, steps.error().Describe().find("line 2") != std::string::npos,
                 "the error names the line: " + Quoted(steps.error().Describe()));
  }
  RemoveTree(tree);
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"WhatWineKeeps", w::WhatWineKeeps}, Case{"ApplyReadBackRevert", w::ApplyReadBackRevert},
       Case{"CrashBetweenJournalAndAce", w::CrashBetweenJournalAndAce},
       Case{"BadJournalWritesNothing", w::BadJournalWritesNothing}});
}
