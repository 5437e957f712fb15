// The Windows backend's grant logic, pure: which roots may get an ACE (never
// a profile root, a drive root, C:\Users, ~/.ssh or what OpenSSH's config
// names, a hive file, a system directory), the ACEs a workspace needs, the
// exact SDDL they become, the journal's text form and the reverse replay
// uninstall runs.
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/grant_plan.h"
#include "sandbox/windows/root_validator.h"
#include "sandbox/windows/sddl.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/uninstall_plan.h"

namespace cordon::sandbox::windows {
namespace {

constexpr char kSid[] = "S-1-15-3-1024-1-2-3-4-5-6-7-8";

ProfileFacts Facts() {
  ProfileFacts f;
  f.profile_dir = "C:\\Users\\me";
  f.userprofile_env = "C:\\Users\\me";
  f.profiles_root = "C:\\Users";
  f.drive_roots = {"C:\\", "D:\\"};
  f.system_dirs = {"C:\\Windows", "C:\\Program Files", "C:\\Program Files (x86)",
                   "C:\\ProgramData"};
  f.ssh_paths = {"C:\\Users\\me\\.ssh", "D:\\keys\\id_ed25519", "C:\\Users\\me\\.known_hosts_work"};
  f.hive_files = {"C:\\Users\\me\\NTUSER.DAT",
                  "C:\\Users\\me\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat"};
  return f;
}

std::string Refusal(const std::string& root) {
  Result<NormalPath> r = ValidateGrantRoot(root, Facts());
  return r.ok() ? "accepted" : r.error().detail;
}

TEST(WindowsRootValidator, AcceptsOrdinaryWorkspaces) {
  for (const char* root : {"C:\\Users\\me\\src\\repo", "d:/work/project", "C:\\dev\\x",
                           "C:\\Users\\me\\AppData\\Local\\cordon-cache"}) {
    EXPECT_EQ(Refusal(root), "accepted") << root;
  }
}

TEST(WindowsRootValidator, RefusesForbiddenPlacesWithTheReason) {
  EXPECT_EQ(Refusal("C:\\"), "is a drive root");
  EXPECT_EQ(Refusal("c:/"), "is a drive root");
  EXPECT_EQ(Refusal("C:\\Users"), "is the user profiles folder");
  EXPECT_EQ(Refusal("C:\\users\\ME\\"), "is a user profile root");
  EXPECT_EQ(Refusal("C:\\Users\\me\\.ssh"), "is a path OpenSSH uses");
  EXPECT_EQ(Refusal("C:\\Users\\me\\.SSH\\keys"),
            "lies in a path OpenSSH uses (C:\\Users\\me\\.ssh)");
  EXPECT_EQ(Refusal("D:\\keys"), "contains a path OpenSSH uses (D:\\keys\\id_ed25519)");
  EXPECT_EQ(Refusal("D:\\"), "is a drive root");
  EXPECT_EQ(Refusal("C:\\Users\\me\\AppData"),
            "contains a registry hive file "
            "(C:\\Users\\me\\AppData\\Local\\Microsoft\\Windows\\UsrClass.dat)");
  EXPECT_EQ(Refusal("C:\\Windows\\Temp"), "lies in a system directory (C:\\Windows)");
  EXPECT_EQ(Refusal("C:\\Program Files"), "is a system directory");
  EXPECT_EQ(Refusal("C:\\Program Files\\Git"), "lies in a system directory (C:\\Program Files)");
  EXPECT_EQ(Refusal("\\\\server\\share\\repo"),
            "is not on a local drive letter (a share or volume path)");
  EXPECT_EQ(Refusal("C:\\Users\\ME~1\\repo"),
            "holds an 8.3 short name or non-ASCII characters that only the file system can "
            "resolve");
  EXPECT_EQ(Refusal("C:\\repo:stream"), "names an alternate data stream, not a directory");
  EXPECT_EQ(Refusal("repo"), "not a full path (C:\\... or \\\\server\\share\\...)");
  // The hint says what to do instead.
  Result<NormalPath> r = ValidateGrantRoot("C:\\Users\\me", Facts());
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().hint.find("project directory"), std::string::npos);
}

TEST(WindowsRootValidator, TrailingDotsAndCaseDoNotSlipThrough) {
  EXPECT_EQ(Refusal("C:\\Users\\me\\.ssh.\\"), "is a path OpenSSH uses");
  EXPECT_EQ(Refusal("C:\\USERS. "), "is the user profiles folder");
  EXPECT_EQ(Refusal("\\\\?\\c:\\users\\me"), "is a user profile root");
}

GrantInputs Inputs() {
  GrantInputs in;
  in.workspace = "C:\\Users\\me\\repo";
  in.writable_roots = {"C:\\Users\\me\\repo\\build", "D:\\cache"};
  in.readable_roots = {"C:\\Users\\me\\.cargo"};
  in.protected_paths = {{"C:\\Users\\me\\repo\\.git\\hooks", true},
                        {"C:\\Users\\me\\repo\\.git\\config", false},
                        {"C:\\Users\\me\\repo\\.cordon.toml", false},
                        {"C:\\Users\\me\\elsewhere\\.git\\hooks", true}};
  in.sid = kSid;
  return in;
}

TEST(WindowsGrantPlan, PlansAllowsThenDeniesOnce) {
  Result<std::vector<AceEntry>> plan = PlanGrants(Inputs(), Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().Describe();
  std::vector<std::string> lines;
  for (const AceEntry& e : plan.value()) lines.push_back(e.path + " " + AceSddl(e));
  const std::string s = std::string(kSid) + ")";
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "C:\\Users\\me\\repo (A;OICI;0x1301bf;;;" + s,
                       "D:\\cache (A;OICI;0x1301bf;;;" + s,
                       "C:\\Users\\me\\.cargo (A;OICI;0x1200a9;;;" + s,
                       "C:\\Users\\me\\repo\\.git\\hooks (D;OICI;0xd0156;;;" + s,
                       "C:\\Users\\me\\repo\\.git (D;;0x10000;;;" + s,
                       "C:\\Users\\me\\repo\\.git\\config (D;;0xd0156;;;" + s,
                       "C:\\Users\\me\\repo\\.cordon.toml (D;;0xd0156;;;" + s,
                   }));
}

TEST(WindowsGrantPlan, AReadOnlyRunGetsReadAndExecuteAndNoDeny) {
  GrantInputs in = Inputs();
  in.read_only = true;
  in.writable_roots.clear();
  Result<std::vector<AceEntry>> plan = PlanGrants(in, Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().Describe();
  std::vector<std::string> lines;
  for (const AceEntry& e : plan.value()) lines.push_back(e.path + " " + AceSddl(e));
  const std::string s = std::string(kSid) + ")";
  // Nothing is writable, so there is nothing for a protected path to deny.
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "C:\\Users\\me\\repo (A;OICI;0x1200a9;;;" + s,
                       "C:\\Users\\me\\.cargo (A;OICI;0x1200a9;;;" + s,
                   }));
  in.writable_roots = {"D:\\cache"};
  Result<std::vector<AceEntry>> refused = PlanGrants(in, Facts());
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().detail, "a read-only run has no writable root");
}

TEST(WindowsGrantPlan, DenyReadBeatsEveryGrantAbove) {
  GrantInputs in = Inputs();
  in.protected_paths.clear();
  in.deny_read = {{"C:\\Users\\me\\repo\\secrets", true},
                  {"C:\\Users\\me\\.cargo\\credentials.toml", false},
                  {"C:\\Users\\me\\.aws", true}};  // under no grant: nothing to deny
  Result<std::vector<AceEntry>> plan = PlanGrants(in, Facts());
  ASSERT_TRUE(plan.ok()) << plan.error().Describe();
  std::vector<std::string> lines;
  for (const AceEntry& e : plan.value()) lines.push_back(e.path + " " + AceSddl(e));
  const std::string s = std::string(kSid) + ")";
  EXPECT_EQ(lines, (std::vector<std::string>{
                       "C:\\Users\\me\\repo (A;OICI;0x1301bf;;;" + s,
                       "D:\\cache (A;OICI;0x1301bf;;;" + s,
                       "C:\\Users\\me\\.cargo (A;OICI;0x1200a9;;;" + s,
                       "C:\\Users\\me\\repo\\secrets (D;OICI;0xd017f;;;" + s,
                       "C:\\Users\\me\\.cargo\\credentials.toml (D;;0xd017f;;;" + s,
                   }));
  in.deny_read = {{"D:\\cache", true}};
  EXPECT_FALSE(PlanGrants(in, Facts()).ok()) << "a deny-read root cannot also be granted";
}

TEST(WindowsSid, TheReadCapabilityIsAnotherSid) {
  const std::string key = "C:\\USERS\\ME\\REPO";
  EXPECT_EQ(WorkspaceReadCapabilityName(key), WorkspaceCapabilityName(key) + ".read");
  EXPECT_NE(CapabilitySidFromName(WorkspaceReadCapabilityName(key)).value(),
            CapabilitySidFromName(WorkspaceCapabilityName(key)).value());
}

TEST(WindowsGrantPlan, AForbiddenRootFailsTheWholePlan) {
  GrantInputs in = Inputs();
  in.writable_roots.push_back("C:\\Users\\me");
  Result<std::vector<AceEntry>> plan = PlanGrants(in, Facts());
  ASSERT_FALSE(plan.ok());
  EXPECT_EQ(plan.error().detail, "is a user profile root");
  in = Inputs();
  in.readable_roots = {"C:\\Users\\me\\.ssh"};
  EXPECT_FALSE(PlanGrants(in, Facts()).ok());
  in = Inputs();
  in.sid = "not a sid";
  EXPECT_FALSE(PlanGrants(in, Facts()).ok());
}

TEST(WindowsSddl, WorkspaceGrantAndProtectedDenyStrings) {
  EXPECT_EQ(AceSddl(AceType::kAllow, kObjectInherit | kContainerInherit, kFileModify, kSid),
            "(A;OICI;0x1301bf;;;S-1-15-3-1024-1-2-3-4-5-6-7-8)");
  EXPECT_EQ(AceSddl(AceType::kDeny, kObjectInherit | kContainerInherit, kDenyWrite, kSid),
            "(D;OICI;0xd0156;;;S-1-15-3-1024-1-2-3-4-5-6-7-8)");
  EXPECT_EQ(AceSddl(AceType::kDeny, 0, kDelete, kSid),
            "(D;;0x10000;;;S-1-15-3-1024-1-2-3-4-5-6-7-8)");
  const std::vector<AceEntry> entries = {
      {"C:\\r", AceType::kAllow, kObjectInherit | kContainerInherit, kFileModify, kSid, ""},
      {"C:\\r", AceType::kDeny, 0, kDelete, kSid, ""}};
  EXPECT_EQ(ProtectedDacl(entries),
            "D:P(D;;0x10000;;;S-1-15-3-1024-1-2-3-4-5-6-7-8)"
            "(A;OICI;0x1301bf;;;S-1-15-3-1024-1-2-3-4-5-6-7-8)");
}

TEST(WindowsSddl, AddingKeepsCanonicalOrderAndIsIdempotent) {
  const std::string before = "D:PAI(D;;FA;;;S-1-5-21-9-9-9-1001)(A;OICI;FA;;;SY)(A;OICIID;FA;;;BA)";
  Result<Dacl> dacl = ParseDacl(before);
  ASSERT_TRUE(dacl.ok()) << dacl.error().Describe();
  EXPECT_EQ(FormatDacl(dacl.value()), before);
  const std::string allow = AceSddl(AceType::kAllow, 3, kFileModify, kSid);
  const std::string deny = AceSddl(AceType::kDeny, 3, kDenyWrite, kSid);
  Result<Dacl> with = WithAce(dacl.value(), allow);
  ASSERT_TRUE(with.ok());
  with = WithAce(with.value(), deny);
  ASSERT_TRUE(with.ok());
  EXPECT_EQ(FormatDacl(with.value()), "D:PAI" + deny + "(D;;FA;;;S-1-5-21-9-9-9-1001)" + allow +
                                          "(A;OICI;FA;;;SY)(A;OICIID;FA;;;BA)");
  // Twice changes nothing; nor does the same ACE spelled by Windows (upper
  // hex, flags in another order).
  Result<Dacl> again = WithAce(with.value(), "(A;CIOI;0x1301BF;;;s-1-15-3-1024-1-2-3-4-5-6-7-8)");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(FormatDacl(again.value()), FormatDacl(with.value()));
  // Removing gives the DACL back, byte for byte.
  Dacl d = with.value();
  EXPECT_TRUE(RemoveAce(d, allow).value());
  EXPECT_TRUE(RemoveAce(d, deny).value());
  EXPECT_FALSE(RemoveAce(d, deny).value());
  EXPECT_EQ(FormatDacl(d), before);
}

TEST(WindowsSddl, InheritedCopiesAreNotRemoved) {
  Dacl d = ParseDacl("D:AI(A;OICIID;0x1301bf;;;" + std::string(kSid) + ")").value();
  EXPECT_FALSE(RemoveAce(d, AceSddl(AceType::kAllow, 3, kFileModify, kSid)).value());
  EXPECT_EQ(d.aces.size(), 1U);
}

// Windows writes back a mask it can spell in SDDL letters: cordon's deny
// 0xd0156 comes back as DCLCRPDTCRSDWDWO (read under Wine, see
// tests/windows/sddl_test.cc). Uninstall must still find it.
TEST(WindowsSddl, RightLettersCompareAsTheirMask) {
  Dacl d = ParseDacl("D:(D;OICI;DCLCRPDTCRSDWDWO;;;" + std::string(kSid) + ")(D;;SD;;;" +
                     std::string(kSid) + ")(A;;fa;;;SY)")
               .value();
  EXPECT_TRUE(RemoveAce(d, AceSddl(AceType::kDeny, 3, kDenyWrite, kSid)).value());
  EXPECT_TRUE(RemoveAce(d, AceSddl(AceType::kDeny, 0, kDelete, kSid)).value());
  EXPECT_FALSE(RemoveAce(d, "(A;;0x1f01fe;;;SY)").value());
  EXPECT_TRUE(RemoveAce(d, "(A;;0x1F01FF;;;SY)").value());
  EXPECT_TRUE(d.aces.empty());
  // Adding the hex spelling next to the letters is adding nothing.
  Dacl f = ParseDacl("D:(A;OICI;FA;;;SY)").value();
  EXPECT_EQ(WithAce(f, "(A;OICI;0x1f01ff;;;SY)").value().aces.size(), 1U);
  // Letters it does not know compare as written.
  Dacl u = ParseDacl("D:(A;;ZZ;;;SY)").value();
  EXPECT_FALSE(RemoveAce(u, "(A;;0x1;;;SY)").value());
  EXPECT_TRUE(RemoveAce(u, "(A;;ZZ;;;SY)").value());
}

TEST(WindowsSddl, ConditionalAcesAndBadInput) {
  const std::string cond = "D:(XA;;FX;;;S-1-1-0;(@User.Title == \"P)M\"))(A;;FA;;;SY)";
  Result<Dacl> d = ParseDacl(cond);
  ASSERT_TRUE(d.ok()) << d.error().Describe();
  EXPECT_EQ(d.value().aces.size(), 2U);
  EXPECT_EQ(FormatDacl(d.value()), cond);
  for (const char* bad :
       {"", "O:BA", "D:(A;;FA;;SY)", "D:(A;;FA;;;SY", "D:x(A;;FA;;;SY)", "D:(A;;FA;;;SY)junk",
        "D:(;;FA;;;SY)", "D:(A;;FA;;;)", "D:(A;O;FA;;;SY)"}) {
    EXPECT_FALSE(ParseDacl(bad).ok()) << bad;
  }
}

TEST(WindowsAceJournal, RoundTripsAndRefusesBadLines) {
  std::vector<AceEntry> entries = PlanGrants(Inputs(), Facts()).value();
  entries[0].previous_dacl = "D:PAI(A;OICI;FA;;;SY)";
  const std::string text = SerializeJournal(entries);
  EXPECT_EQ(text.substr(0, text.find('\n', text.find('\n') + 1) + 1),
            "cordon-ace-journal 1\n"
            "ace\tA\tOICI\t0x1301bf\tS-1-15-3-1024-1-2-3-4-5-6-7-8\tC:\\Users\\me\\repo\t"
            "D:PAI(A;OICI;FA;;;SY)\n");
  Result<std::vector<AceEntry>> back = ParseJournal(text);
  ASSERT_TRUE(back.ok()) << back.error().Describe();
  EXPECT_EQ(back.value(), entries);

  const std::string ok_line = "ace\tD\t-\t0x10000\tS-1-5-1\tC:\\r\t-\n";
  ASSERT_TRUE(ParseJournal("cordon-ace-journal 1\n" + ok_line).ok());
  const std::vector<std::pair<std::string, std::string>> bad = {
      {"", "empty file: not a cordon ACE journal"},
      {"cordon-ace-journal 2\n", "not a cordon ACE journal (bad header)"},
      {"cordon-ace-journal 1\nace\tA\n",
       "expected 7 tab-separated fields starting with \"ace\", got 2"},
      {"cordon-ace-journal 1\n" + ok_line.substr(0, ok_line.size() - 1),
       "the last line has no newline (a torn write?)"},
      {"cordon-ace-journal 1\nace\tX\t-\t0x1\tS-1-5-1\tC:\\r\t-\n", "type: expected A or D"},
      {"cordon-ace-journal 1\nace\tA\tOIOI\t0x1\tS-1-5-1\tC:\\r\t-\n",
       "inheritance: expected \"-\" or letters OI, CI, NP, IO"},
      {"cordon-ace-journal 1\nace\tA\t-\t0x0\tS-1-5-1\tC:\\r\t-\n",
       "mask: expected a nonzero 0x<lower-case hex> of 32 bits"},
      {"cordon-ace-journal 1\nace\tA\t-\t0x123456789\tS-1-5-1\tC:\\r\t-\n",
       "mask: expected a nonzero 0x<lower-case hex> of 32 bits"},
      {"cordon-ace-journal 1\nace\tA\t-\t0x1\tBA\tC:\\r\t-\n", "sid: not an S-1-... SID"},
      {"cordon-ace-journal 1\nace\tA\t-\t0x1\tS-1-5-1\trel\\path\t-\n",
       "path: not a full path (C:\\... or \\\\server\\share\\...)"},
      {"cordon-ace-journal 1\nace\tA\t-\t0x1\tS-1-5-1\tC:\\r\tO:BA\n",
       "previous DACL: not \"D:...\""},
      {"cordon-ace-journal 1\nace\tA\t-\t0x1\tS-1-5-1\tC:\\r\r\t-\n",
       "a field holds a control character"},
  };
  for (const auto& [input, detail] : bad) {
    Result<std::vector<AceEntry>> r = ParseJournal(input);
    ASSERT_FALSE(r.ok()) << input;
    EXPECT_EQ(r.error().detail, detail) << input;
  }
  EXPECT_EQ(ParseJournal("cordon-ace-journal 1\n" + ok_line + "ace\n").error().object, "line 3");
}

// A tiny in-memory file system of DACLs: the Win32 layer's side of the
// reverse replay.
struct FakeDisk {
  std::map<std::string, std::string> dacls;
  ReadDacl Reader() {
    return [this](const std::string& path) -> std::optional<std::string> {
      auto it = dacls.find(path);
      if (it == dacls.end()) return std::nullopt;
      return it->second;
    };
  }
  // Adds each entry as the Win32 layer would: record the DACL, then add.
  void Apply(std::vector<AceEntry>& entries) {
    for (AceEntry& e : entries) {
      e.previous_dacl = dacls[e.path];
      dacls[e.path] = FormatDacl(WithAce(ParseDacl(dacls[e.path]).value(), AceSddl(e)).value());
    }
  }
  void Undo(const std::vector<UndoStep>& steps) {
    for (const UndoStep& s : steps) {
      if (s.kind == UndoStep::Kind::kWriteDacl) dacls[s.entry.path] = s.new_dacl;
    }
  }
};

TEST(WindowsUninstallPlan, ReverseReplayRestoresAndIsIdempotent) {
  FakeDisk disk;
  std::vector<AceEntry> entries = PlanGrants(Inputs(), Facts()).value();
  for (const AceEntry& e : entries) disk.dacls[e.path] = "D:AI(A;OICIID;FA;;;SY)";
  disk.dacls["C:\\Users\\me\\repo"] = "D:PAI(A;OICI;FA;;;SY)(A;OICI;FA;;;S-1-5-21-1-2-3-1001)";
  const std::map<std::string, std::string> original = disk.dacls;
  disk.Apply(entries);
  ASSERT_NE(disk.dacls, original);

  // The journal goes to disk and comes back before uninstall reads it.
  std::vector<AceEntry> journal = ParseJournal(SerializeJournal(entries)).value();
  Result<std::vector<UndoStep>> steps = PlanUninstall(journal, disk.Reader());
  ASSERT_TRUE(steps.ok()) << steps.error().Describe();
  ASSERT_EQ(steps.value().size(), journal.size());
  // Last entry first.
  EXPECT_EQ(steps.value().front().entry, journal.back());
  for (const UndoStep& s : steps.value()) {
    EXPECT_EQ(s.kind, UndoStep::Kind::kWriteDacl) << s.entry.path;
    EXPECT_TRUE(s.restored_exactly) << s.entry.path;
  }
  disk.Undo(steps.value());
  EXPECT_EQ(disk.dacls, original);

  // A second run finds nothing to do and writes nothing.
  Result<std::vector<UndoStep>> twice = PlanUninstall(journal, disk.Reader());
  ASSERT_TRUE(twice.ok());
  for (const UndoStep& s : twice.value()) EXPECT_EQ(s.kind, UndoStep::Kind::kAlreadyGone);
}

TEST(WindowsUninstallPlan, GonePathsAreReportedAndUserChangesKept) {
  FakeDisk disk;
  std::vector<AceEntry> entries = PlanGrants(Inputs(), Facts()).value();
  for (const AceEntry& e : entries) disk.dacls[e.path] = "D:(A;OICI;FA;;;SY)";
  disk.Apply(entries);
  disk.dacls.erase("D:\\cache");
  // The user granted a colleague on the workspace since.
  disk.dacls["C:\\Users\\me\\repo"] += "(A;OICI;0x1200a9;;;S-1-5-21-1-2-3-1002)";
  std::vector<UndoStep> steps = PlanUninstall(entries, disk.Reader()).value();
  size_t gone = 0;
  for (const UndoStep& s : steps) {
    if (s.entry.path == "D:\\cache") {
      EXPECT_EQ(s.kind, UndoStep::Kind::kPathGone);
      ++gone;
    } else if (s.entry.path == "C:\\Users\\me\\repo") {
      EXPECT_EQ(s.kind, UndoStep::Kind::kWriteDacl);
      EXPECT_FALSE(s.restored_exactly);
      EXPECT_EQ(s.new_dacl, "D:(A;OICI;FA;;;SY)(A;OICI;0x1200a9;;;S-1-5-21-1-2-3-1002)");
    }
  }
  EXPECT_EQ(gone, 1U);
  // A DACL that does not parse stops the plan: nothing is written on a guess.
  disk.dacls["C:\\Users\\me\\repo"] = "D:(garbage";
  EXPECT_FALSE(PlanUninstall(entries, disk.Reader()).ok());
}

}  // namespace
}  // namespace cordon::sandbox::windows
