// The grant plan's SDDL (sddl.h) as Windows parses it, and what AccessCheck
// then grants: a deny ACE on a protected path takes away exactly the rights
// the workspace's allow ACE would otherwise give, and nothing else.
//
// The plan's ACEs name the workspace's capability SID, which only counts in
// an AppContainer token, and Wine cannot make one. So the plan is built for
// a SID this process's token does hold (its user SID): the same ACE
// strings, the same order, a SID AccessCheck will match. The capability SID
// itself is checked to be inert for this token (an ACE for a SID a token
// lacks neither grants nor denies). Every check is on what is read back:
// the DACL's ACEs as binary, the granted mask.
#include <windows.h>
// (after windows.h, which it needs)
#include <sddl.h>

#include <cstdio>
#include <string>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/ace_journal.h"
#include "sandbox/windows/grant_plan.h"
#include "sandbox/windows/sddl.h"
#include "sandbox/windows/security_descriptor-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

namespace sd = sandbox::security_descriptor;
using sandbox::UniqueHandle;
using sandbox::windows::AceEntry;
using sandbox::windows::AceSddl;
using sandbox::windows::AceType;
using sandbox::windows::Dacl;
using sandbox::windows::FormatDacl;
using sandbox::windows::kDelete;
using sandbox::windows::kDenyWrite;
using sandbox::windows::kFileModify;

// The process token duplicated as an impersonation token (AccessCheck
// takes only those), and its user SID.
struct Token {
  UniqueHandle handle;
  std::string user_sid;
};

Token OwnToken(Test& t) {
  Token out;
  HANDLE process_token = nullptr;
  CORDON_CHECK(
      t, OpenProcessToken(GetCurrentProcess(), TOKEN_DUPLICATE | TOKEN_QUERY, &process_token) != 0,
      "OpenProcessToken");
  UniqueHandle primary(process_token);
  HANDLE dup = nullptr;
  CORDON_CHECK(t,
               DuplicateTokenEx(primary.get(), TOKEN_QUERY | TOKEN_IMPERSONATE, nullptr,
                                SecurityImpersonation, TokenImpersonation, &dup) != 0,
               "DuplicateTokenEx(SecurityImpersonation)");
  out.handle = UniqueHandle(dup);
  std::vector<char> buf(512);
  DWORD size = 0;
  if (GetTokenInformation(primary.get(), TokenUser, buf.data(), static_cast<DWORD>(buf.size()),
                          &size) == 0) {
    CORDON_CHECK(t, false, "GetTokenInformation(TokenUser)");
    return out;
  }
  wchar_t* text = nullptr;
  const auto* user = reinterpret_cast<const TOKEN_USER*>(buf.data());
  CORDON_CHECK(t, ConvertSidToStringSidW(user->User.Sid, &text) != 0, "ConvertSidToStringSidW");
  if (text != nullptr) {
    out.user_sid = sandbox::Narrow(text);
    LocalFree(text);
  }
  return out;
}

// Owner and group SYSTEM, which the test's token is not: an owner is
// granted READ_CONTROL and WRITE_DAC whatever the DACL says, which would
// blur the masks checked below.
std::string Descriptor(const Dacl& dacl) { return "O:SYG:SY" + FormatDacl(dacl); }

// The ACE a child inherits from the workspace's OICI Modify allow.
std::string InheritedModify(const std::string& sid) { return "(A;OICIID;0x1301bf;;;" + sid + ")"; }

// Adds `ace` in its canonical place (sddl.h's WithAce, the code the Win32
// layer uses).
Dacl With(Test& t, const Dacl& dacl, const std::string& ace) {
  auto out = sandbox::windows::WithAce(dacl, ace);
  CORDON_CHECK(t, out.ok(), out.ok() ? "" : out.error().Describe());
  return out.ok() ? out.value() : dacl;
}

// AccessCheck of `desired` on the descriptor `sddl`; {false, 0} after a
// failed check (recorded).
sd::AccessResult Access(Test& t, const std::string& sddl, HANDLE token, uint32_t desired) {
  auto desc = sd::FromSddl(sddl);
  CORDON_CHECK(t, desc.ok(), desc.ok() ? "" : desc.error().Describe());
  if (!desc.ok()) return {};
  auto r = sd::CheckAccess(desc.value().get(), token, desired);
  CORDON_CHECK(t, r.ok(), r.ok() ? "" : r.error().Describe());
  return r.ok() ? r.value() : sd::AccessResult{};
}

std::string Hex(uint32_t v) {
  char b[16];
  std::snprintf(b, sizeof(b), "0x%x", v);
  return b;
}

// The plan for C:\ws with .git\hooks and .git\config protected, for `sid`.
std::vector<AceEntry> Plan(Test& t, const std::string& sid) {
  sandbox::windows::GrantInputs in;
  in.workspace = "C:\\src\\ws";
  in.protected_paths = {{"C:\\src\\ws\\.git\\hooks", true}, {"C:\\src\\ws\\.git\\config", false}};
  in.sid = sid;
  sandbox::windows::ProfileFacts facts;
  facts.profile_dir = "C:\\Users\\me";
  facts.profiles_root = "C:\\Users";
  facts.drive_roots = {"C:\\"};
  facts.system_dirs = {"C:\\Windows"};
  auto plan = sandbox::windows::PlanGrants(in, facts);
  CORDON_CHECK(t, plan.ok(), plan.ok() ? "" : plan.error().Describe());
  return plan.ok() ? plan.value() : std::vector<AceEntry>{};
}

// Every plan entry's ACE, put into a DACL through SDDL and read back as
// binary: type, inheritance flags, mask and SID as planned, denies first.
void PlanAcesReadBackAsBuilt(Test& t) {
  Token token = OwnToken(t);
  const std::vector<AceEntry> plan = Plan(t, token.user_sid);
  CORDON_CHECK(t, plan.size() == 4, "the plan has 4 entries, got " + std::to_string(plan.size()));
  Dacl dacl;
  for (const AceEntry& e : plan) dacl = With(t, dacl, AceSddl(e));
  const std::string sddl = Descriptor(dacl);
  auto desc = sd::FromSddl(sddl);
  CORDON_CHECK(t, desc.ok(), desc.ok() ? "" : desc.error().Describe());
  if (!desc.ok()) return;
  auto read = sd::ReadDacl(desc.value().get());
  CORDON_CHECK(t, read.ok(), read.ok() ? "" : read.error().Describe());
  if (!read.ok()) return;
  CORDON_CHECK(t, read.value().present, "the descriptor has a DACL");
  CORDON_CHECK(t, !read.value().protected_, "\"D:\" without P is not protected");
  // Canonical order: the denies, then the allow. WithAce puts each new
  // deny in front of the explicit ones, so they read back last added first.
  std::vector<sd::AceRead> want;
  for (auto it = plan.rbegin(); it != plan.rend(); ++it) {
    if (it->type == AceType::kDeny) {
      want.push_back({ACCESS_DENIED_ACE_TYPE, it->inheritance, it->mask, it->sid});
    }
  }
  for (const AceEntry& e : plan) {
    if (e.type == AceType::kAllow) {
      want.push_back({ACCESS_ALLOWED_ACE_TYPE, e.inheritance, e.mask, e.sid});
    }
  }
  CORDON_CHECK(t, read.value().aces == want,
               "the DACL's ACEs read back as planned, from " + Quoted(sddl));
  for (size_t i = 0; i < read.value().aces.size(); ++i) {
    const sd::AceRead& a = read.value().aces[i];
    std::printf("  read back: type %u flags 0x%x mask %s sid %s\n", a.type, a.flags,
                Hex(a.mask).c_str(), a.sid.c_str());
  }

  // A protected DACL (P) keeps its flag through the conversion, and SDDL
  // made from the binary form parses back to the same ACEs.
  auto prot = sd::FromSddl("O:SYG:SY" + sandbox::windows::ProtectedDacl(plan));
  CORDON_CHECK(t, prot.ok(), prot.ok() ? "" : prot.error().Describe());
  if (!prot.ok()) return;
  auto prot_read = sd::ReadDacl(prot.value().get());
  CORDON_CHECK(t, prot_read.ok() && prot_read.value().protected_,
               "\"D:P\" reads back SE_DACL_PROTECTED");
  auto text = sd::ToSddl(prot.value().get(), DACL_SECURITY_INFORMATION);
  CORDON_CHECK(t, text.ok(), text.ok() ? "" : text.error().Describe());
  if (!text.ok()) return;
  std::printf("  Windows writes it as: %s\n", text.value().c_str());
  // sddl.h reads Windows' spelling (rights in letters) as the same ACEs
  // cordon wrote in hex: uninstall finds each one in what it reads back.
  auto parsed = sandbox::windows::ParseDacl(text.value());
  CORDON_CHECK(t, parsed.ok(), parsed.ok() ? "" : parsed.error().Describe());
  if (!parsed.ok()) return;
  Dacl left = parsed.value();
  for (const AceEntry& e : plan) {
    auto removed = sandbox::windows::RemoveAce(left, AceSddl(e));
    CORDON_CHECK(t, removed.ok() && removed.value(),
                 "RemoveAce finds " + AceSddl(e) + " in Windows' text");
  }
  CORDON_CHECK(t, left.aces.empty(), "nothing else is in it: " + FormatDacl(left));
  auto again = sd::FromSddl(text.value());
  CORDON_CHECK(t, again.ok(), "the SDDL Windows wrote parses again");
  if (!again.ok()) return;
  auto again_read = sd::ReadDacl(again.value().get());
  CORDON_CHECK(
      t, again_read.ok() && prot_read.ok() && again_read.value().aces == prot_read.value().aces,
      "SDDL -> descriptor -> SDDL -> descriptor keeps every ACE");
}

// The workspace: the allow grants Modify, and exactly Modify.
void AllowGrantsModify(Test& t) {
  Token token = OwnToken(t);
  const HANDLE h = token.handle.get();
  const std::string ws =
      Descriptor(With(t, Dacl{}, AceSddl(AceType::kAllow, 0x3, kFileModify, token.user_sid)));
  const sd::AccessResult write = Access(t, ws, h, FILE_WRITE_DATA);
  CORDON_CHECK(t, write.granted && write.granted_mask == FILE_WRITE_DATA,
               "the workspace allow grants FILE_WRITE_DATA, got " + Hex(write.granted_mask));
  const sd::AccessResult del = Access(t, ws, h, DELETE);
  CORDON_CHECK(t, del.granted && del.granted_mask == DELETE, "the workspace allow grants DELETE");
  const sd::AccessResult max = Access(t, ws, h, MAXIMUM_ALLOWED);
  CORDON_CHECK(t, max.granted && max.granted_mask == kFileModify,
               "MAXIMUM_ALLOWED is Modify (0x1301bf), got " + Hex(max.granted_mask));
  const sd::AccessResult generic = Access(t, ws, h, GENERIC_WRITE);
  CORDON_CHECK(
      t, generic.granted && generic.granted_mask == FILE_GENERIC_WRITE,
      "GENERIC_WRITE maps to FILE_GENERIC_WRITE and is granted, got " + Hex(generic.granted_mask));
  // What Modify leaves out: changing the DACL or the owner.
  const sd::AccessResult dac = Access(t, ws, h, WRITE_DAC);
  CORDON_CHECK(t, !dac.granted && dac.granted_mask == 0, "Modify does not give WRITE_DAC");
}

// .git\hooks: the inherited workspace allow plus the protected-path deny.
// The deny takes the writes, renames and ACL changes; reading and listing
// stay. Its twin without the deny grants the write.
void DenyTakesWhatAllowGives(Test& t) {
  Token token = OwnToken(t);
  const HANDLE h = token.handle.get();
  Dacl inherited;
  inherited.aces.push_back(InheritedModify(token.user_sid));
  const std::string without_deny = Descriptor(inherited);
  const std::string with_deny =
      Descriptor(With(t, inherited, AceSddl(AceType::kDeny, 0x3, kDenyWrite, token.user_sid)));

  const sd::AccessResult can = Access(t, without_deny, h, FILE_WRITE_DATA);
  CORDON_CHECK(t, can.granted && can.granted_mask == FILE_WRITE_DATA,
               "without the deny, the inherited allow grants FILE_WRITE_DATA");
  for (uint32_t right :
       {uint32_t{FILE_WRITE_DATA}, uint32_t{FILE_APPEND_DATA}, uint32_t{FILE_WRITE_EA},
        uint32_t{FILE_WRITE_ATTRIBUTES}, uint32_t{FILE_DELETE_CHILD}, uint32_t{DELETE}}) {
    const sd::AccessResult r = Access(t, with_deny, h, right);
    CORDON_CHECK(t, !r.granted && r.granted_mask == 0,
                 "the deny refuses " + Hex(right) + " (granted " + Hex(r.granted_mask) + ")");
  }
  const sd::AccessResult read = Access(t, with_deny, h, FILE_GENERIC_READ | FILE_EXECUTE);
  CORDON_CHECK(t, read.granted && read.granted_mask == (FILE_GENERIC_READ | FILE_EXECUTE),
               "reading and traversing stay granted, got " + Hex(read.granted_mask));
  const sd::AccessResult max = Access(t, with_deny, h, MAXIMUM_ALLOWED);
  CORDON_CHECK(t, max.granted && max.granted_mask == (kFileModify & ~kDenyWrite),
               "MAXIMUM_ALLOWED is Modify minus the denied rights (" +
                   Hex(kFileModify & ~kDenyWrite) + "), got " + Hex(max.granted_mask));
  // Asking for read and write together is all or nothing.
  const sd::AccessResult both = Access(t, with_deny, h, FILE_READ_DATA | FILE_WRITE_DATA);
  CORDON_CHECK(t, !both.granted && both.granted_mask == 0,
               "read+write is refused as a whole when write is denied");
}

// .git: a deny of DELETE alone, so .git cannot be renamed away, while
// creating files in it (FETCH_HEAD) and everything else stays.
void DeleteDenyKeepsGitWritable(Test& t) {
  Token token = OwnToken(t);
  const HANDLE h = token.handle.get();
  Dacl inherited;
  inherited.aces.push_back(InheritedModify(token.user_sid));
  const std::string git =
      Descriptor(With(t, inherited, AceSddl(AceType::kDeny, 0, kDelete, token.user_sid)));
  const sd::AccessResult del = Access(t, git, h, DELETE);
  CORDON_CHECK(t, !del.granted && del.granted_mask == 0, "DELETE on .git is refused");
  const sd::AccessResult add = Access(t, git, h, FILE_ADD_FILE | FILE_ADD_SUBDIRECTORY);
  CORDON_CHECK(t, add.granted, "creating files and directories in .git stays granted");
  const sd::AccessResult max = Access(t, git, h, MAXIMUM_ALLOWED);
  CORDON_CHECK(t, max.granted && max.granted_mask == (kFileModify & ~kDelete),
               "MAXIMUM_ALLOWED on .git is Modify minus DELETE, got " + Hex(max.granted_mask));
}

// ACEs for a SID the token lacks (the real workspace capability SID, which
// only an AppContainer token carries) neither grant nor deny.
void OtherSidIsInert(Test& t) {
  Token token = OwnToken(t);
  const HANDLE h = token.handle.get();
  auto cap = sandbox::windows::CapabilitySidFromName(
      sandbox::windows::WorkspaceCapabilityName("c:/src/ws"));
  CORDON_CHECK(t, cap.ok(), cap.ok() ? "" : cap.error().Describe());
  if (!cap.ok()) return;
  const std::string only_cap =
      Descriptor(With(t, Dacl{}, AceSddl(AceType::kAllow, 0x3, kFileModify, cap.value())));
  const sd::AccessResult none = Access(t, only_cap, h, FILE_READ_DATA);
  CORDON_CHECK(t, !none.granted && none.granted_mask == 0,
               "an allow for the capability SID grants this token nothing");
  Dacl user_allow = With(t, Dacl{}, AceSddl(AceType::kAllow, 0x3, kFileModify, token.user_sid));
  const std::string cap_deny =
      Descriptor(With(t, user_allow, AceSddl(AceType::kDeny, 0x3, kDenyWrite, cap.value())));
  const sd::AccessResult write = Access(t, cap_deny, h, FILE_WRITE_DATA);
  CORDON_CHECK(t, write.granted, "a deny for the capability SID does not deny this token");
}

// Windows evaluates ACEs in order: an allow ahead of the deny wins. This
// is why WithAce puts denies first; checked here so a reordering in sddl.cc
// would show up as a granted write above, not pass silently.
void OrderDecides(Test& t) {
  Token token = OwnToken(t);
  const HANDLE h = token.handle.get();
  Dacl wrong;
  wrong.aces = {AceSddl(AceType::kAllow, 0, kFileModify, token.user_sid),
                AceSddl(AceType::kDeny, 0, kDenyWrite, token.user_sid)};
  const sd::AccessResult r = Access(t, Descriptor(wrong), h, FILE_WRITE_DATA);
  CORDON_CHECK(t, r.granted, "an allow placed before the deny grants the write (order counts)");
  const Dacl right = With(t, Dacl{wrong.flags, {wrong.aces[0]}}, wrong.aces[1]);
  CORDON_CHECK(t, right.aces.size() == 2 && right.aces[0] == wrong.aces[1],
               "WithAce puts the deny first");
  const sd::AccessResult r2 = Access(t, Descriptor(right), h, FILE_WRITE_DATA);
  CORDON_CHECK(t, !r2.granted, "in WithAce's order the deny wins");
}

// An inherit-only ACE (IO) is for children, not for the object it is on.
void InheritOnlyIsNotOnTheObject(Test& t) {
  Token token = OwnToken(t);
  const HANDLE h = token.handle.get();
  const std::string io =
      Descriptor(With(t, Dacl{}, AceSddl(AceType::kAllow, 0x3 | 0x8, kFileModify, token.user_sid)));
  const sd::AccessResult r = Access(t, io, h, FILE_READ_DATA);
  if (UnderWine() && r.granted) {
    std::printf("note: Wine: AccessCheck applies an inherit-only ACE to the object itself\n");
    return;
  }
  CORDON_CHECK(t, !r.granted && r.granted_mask == 0, "an inherit-only allow grants nothing here");
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"PlanAcesReadBackAsBuilt", w::PlanAcesReadBackAsBuilt},
       Case{"AllowGrantsModify", w::AllowGrantsModify},
       Case{"DenyTakesWhatAllowGives", w::DenyTakesWhatAllowGives},
       Case{"DeleteDenyKeepsGitWritable", w::DeleteDenyKeepsGitWritable},
       Case{"OtherSidIsInert", w::OtherSidIsInert}, Case{"OrderDecides", w::OrderDecides},
       Case{"InheritOnlyIsNotOnTheObject", w::InheritOnlyIsNotOnTheObject}});
}
