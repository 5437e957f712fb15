// The vault on Windows (src/vault/*-win32.cc) through real files: a round
// trip of secrets, the DACLs of the folder, key and vault read back, a
// tampered byte, a key protected for another machine, a Linux vault file,
// and `cordon.exe secret` end to end. Each "cannot" has its "can" twin:
// the same vault opens again, untouched, after every refusal.
//
// Under Wine, DPAPI works (machine and user scope both), CNG's AES-GCM
// works, and a file's DACL is kept as POSIX mode bits only (docs/windows.md
// "What Wine keeps"): the protected flag does not read back there, which
// this test prints rather than requires; on Windows it is required.
#include <windows.h>
// (after windows.h, which they need)
#include <aclapi.h>

#include <fstream>
#include <optional>
#include <sstream>
#include <string>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/acl_apply-win32.h"
#include "sandbox/windows/security_descriptor-win32.h"
#include "sandbox/windows/win_error-win32.h"
#include "vault/crypto.h"
#include "vault/store.h"

namespace cordon::wintest {
namespace {

namespace sd = sandbox::security_descriptor;
using sandbox::Narrow;
using sandbox::Widen;
using vault::Identity;
using vault::Paths;
using vault::Store;

// A fresh state folder (…\cordon) under %TEMP% for one test.
std::string FreshState(const char* name) {
  wchar_t base[MAX_PATH];
  GetTempPathW(MAX_PATH, base);
  const std::string root =
      Narrow(base) + "cordon-vault-" + name + "-" + std::to_string(GetCurrentProcessId());
  CreateDirectoryW(Widen(root).c_str(), nullptr);
  return root + "\\cordon";
}

void RemoveState(const std::string& state) {
  const Paths p = Paths::ForState(state);
  for (const std::string* f : {&p.key, &p.secrets, &p.lock}) DeleteFileW(Widen(*f).c_str());
  RemoveDirectoryW(Widen(p.dir).c_str());
  RemoveDirectoryW(Widen(state).c_str());
  RemoveDirectoryW(Widen(state.substr(0, state.rfind('\\'))).c_str());
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(Widen(path).c_str(), std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& data) {
  std::ofstream(Widen(path).c_str(), std::ios::binary | std::ios::trunc) << data;
}

Identity Me(const std::string& machine = "machine-a") {
  return Identity{machine, CurrentUserSid()};
}

// Makes the key and opens the vault; empty optional after reporting.
std::optional<Store> Ready(Test& t, const std::string& state) {
  auto made = vault::EnsureKey(Paths::ForState(state), Me());
  CORDON_CHECK(t, made.ok(), made.ok() ? "" : made.error().Describe());
  if (!made.ok()) return std::nullopt;
  auto store = Store::Open(Paths::ForState(state), Me());
  CORDON_CHECK(t, store.ok(), store.ok() ? "" : store.error().Describe());
  if (!store.ok()) return std::nullopt;
  return std::move(store).value();
}

void RoundTrip(Test& t) {
  const std::string state = FreshState("roundtrip");
  const Paths p = Paths::ForState(state);
  auto made = vault::EnsureKey(p, Me());
  CORDON_CHECK(t, made.ok() && made.value(), "the first EnsureKey makes the key");
  const std::string key = ReadFile(p.key);
  auto again = vault::EnsureKey(p, Me());
  CORDON_CHECK(t, again.ok() && !again.value(), "the second keeps it");
  CORDON_CHECK(t, ReadFile(p.key) == key, "the key file is never replaced");
  auto store = Store::Open(p, Me());
  CORDON_CHECK(t, store.ok(), store.ok() ? "" : store.error().Describe());
  if (!store.ok()) return RemoveState(state);
  CORDON_CHECK(t, store.value().Load().ok() && store.value().Load().value().empty(),
               "a new vault is empty");
  CORDON_CHECK(t, store.value().Set("GITHUB_TOKEN", "ghp_value-1").ok(), "set one");
  CORDON_CHECK(t, store.value().Set("B", std::string("bytes\x01\xff", 7)).ok(), "set two");
  CORDON_CHECK(t, store.value().Set("GITHUB_TOKEN", "ghp_value-2").ok(), "set one again");
  auto reopened = Store::Open(p, Me());
  auto loaded = reopened.ok() ? reopened.value().Load() : Result<vault::Secrets>(reopened.error());
  const vault::Secrets want = {{"B", std::string("bytes\x01\xff", 7)},
                               {"GITHUB_TOKEN", "ghp_value-2"}};
  CORDON_CHECK(t, loaded.ok() && loaded.value() == want,
               "a reopened vault reads back both values: " +
                   (loaded.ok() ? std::string("wrong values") : loaded.error().Describe()));
  const std::string file = ReadFile(p.secrets);
  CORDON_CHECK(t, file.find("ghp_value") == std::string::npos, "the file holds no value in clear");
  CORDON_CHECK(t, file.substr(0, 9) == vault::Header(vault::kWin32Format),
               "the file is format 2 (AES-256-GCM)");
  CORDON_CHECK(t, store.value().Set("B", std::string("bytes\x01\xff", 7)).ok(), "same value");
  CORDON_CHECK(t, ReadFile(p.secrets) != file, "every seal takes a fresh nonce");
  auto removed = store.value().Remove("B");
  CORDON_CHECK(t, removed.ok() && removed.value(), "remove one");
  auto gone = store.value().Remove("B");
  CORDON_CHECK(t, gone.ok() && !gone.value(), "removing it again says there was none");
  CORDON_CHECK(t, GetFileAttributesW(Widen(p.secrets + ".tmp").c_str()) == INVALID_FILE_ATTRIBUTES,
               "no temp file is left");
  CORDON_CHECK(t, !store.value().Set("bad-name", "x").ok(), "an invalid name is refused");
  RemoveState(state);
}

// The DACL of `path` read back, as Windows (or Wine) holds it.
std::optional<sd::DaclRead> DaclOf(Test& t, const std::string& path) {
  PSECURITY_DESCRIPTOR raw = nullptr;
  const DWORD rc =
      GetNamedSecurityInfoW(Widen(path).c_str(), SE_FILE_OBJECT, DACL_SECURITY_INFORMATION, nullptr,
                            nullptr, nullptr, nullptr, &raw);
  CORDON_CHECK(t, rc == ERROR_SUCCESS, "GetNamedSecurityInfoW " + path);
  if (rc != ERROR_SUCCESS) return std::nullopt;
  const sd::Owned owned(raw);
  auto dacl = sd::ReadDacl(owned.get());
  CORDON_CHECK(t, dacl.ok(), "ReadDacl " + path);
  if (!dacl.ok()) return std::nullopt;
  return dacl.value();
}

void DaclsReadBack(Test& t) {
  const std::string state = FreshState("dacl");
  const Paths p = Paths::ForState(state);
  auto store = Ready(t, state);
  if (!store) return RemoveState(state);
  CORDON_CHECK(t, store->Set("A", "1").ok(), "set");
  const std::string user = CurrentUserSid();
  for (const std::string* path : {&p.dir, &p.key, &p.secrets}) {
    auto dacl = DaclOf(t, *path);
    if (!dacl) continue;
    std::printf("  %s: %s, %zu ACEs\n", path->c_str(),
                dacl->protected_ ? "protected" : "not protected", dacl->aces.size());
    CORDON_CHECK(t, dacl->present, "a DACL is present on " + *path);
    bool user_full = false;
    for (const sd::AceRead& ace : dacl->aces) {
      std::printf("    type %u flags 0x%x mask 0x%x %s\n", ace.type, ace.flags, ace.mask,
                  ace.sid.c_str());
      CORDON_CHECK(
          t, ace.type == ACCESS_ALLOWED_ACE_TYPE && (ace.sid == user || ace.sid == "S-1-5-18"),
          "only the user and SYSTEM are named on " + *path + ", not " + ace.sid);
      CORDON_CHECK(t, (ace.flags & INHERITED_ACE) == 0, "no inherited ACE on " + *path);
      if (ace.sid == user && (ace.mask & FILE_READ_DATA) != 0) user_full = true;
    }
    CORDON_CHECK(t, user_full, "the user can read " + *path);
    if (UnderWine()) {
      if (!dacl->protected_)
        std::printf("note: Wine drops the protected flag on %s\n", path->c_str());
    } else {
      CORDON_CHECK(t, dacl->protected_, "the DACL of " + *path + " is protected");
    }
  }
  // The twin: a key file that Everyone may read is refused, by name.
  auto opened = Store::Open(p, Me());
  CORDON_CHECK(t, opened.ok(), "the private key opens");
  const Status widened =
      sandbox::acl_apply::WriteDaclSddl(p.key, "D:(A;;FA;;;SY)(A;;FA;;;" + user + ")(A;;FR;;;WD)");
  CORDON_CHECK(t, widened.ok(), widened.ok() ? "" : widened.error().Describe());
  auto refused = Store::Open(p, Me());
  CORDON_CHECK(t, !refused.ok(), "a key file Everyone may read is refused");
  if (!refused.ok()) {
    const std::string said = refused.error().Describe();
    CORDON_CHECK(t,
                 said.find(p.key) != std::string::npos && said.find("S-1-1-0") != std::string::npos,
                 "the refusal names the key and Everyone: " + Quoted(said));
  }
  RemoveState(state);
}

void TamperedByteRefused(Test& t) {
  const std::string state = FreshState("tamper");
  const Paths p = Paths::ForState(state);
  auto store = Ready(t, state);
  if (!store) return RemoveState(state);
  CORDON_CHECK(t, store->Set("A", "secret value").ok(), "set");
  const std::string good = ReadFile(p.secrets);
  for (size_t i : {size_t{3}, size_t{8}, size_t{12}, good.size() / 2, good.size() - 1}) {
    std::string bad = good;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    WriteFile(p.secrets, bad);
    auto loaded = store->Load();
    CORDON_CHECK(t, !loaded.ok(), "a flipped byte " + std::to_string(i) + " is refused");
    if (!loaded.ok()) {
      CORDON_CHECK(t, loaded.error().Describe().find(p.secrets) != std::string::npos,
                   "the refusal names the file: " + Quoted(loaded.error().Describe()));
    }
    CORDON_CHECK(t, !store->Set("B", "2").ok(), "nothing is written over a tampered vault");
    CORDON_CHECK(t, ReadFile(p.secrets) == bad, "the tampered file is kept as is");
  }
  WriteFile(p.secrets, good);
  auto back = store->Load();
  CORDON_CHECK(t, back.ok() && back.value().at("A") == "secret value",
               "the original bytes open again");
  RemoveState(state);
}

void OtherMachineRefused(Test& t) {
  const std::string state = FreshState("machine");
  const Paths p = Paths::ForState(state);
  auto store = Ready(t, state);
  if (!store) return RemoveState(state);
  CORDON_CHECK(t, store->Set("A", "1").ok(), "set");
  const std::string key = ReadFile(p.key);
  const std::string file = ReadFile(p.secrets);
  // Another machine id makes other DPAPI entropy: the key does not unprotect.
  auto other = Store::Open(p, Me("machine-b"));
  CORDON_CHECK(t, !other.ok(), "the key protected for machine-a does not open as machine-b");
  if (!other.ok()) {
    const std::string said = other.error().Describe();
    CORDON_CHECK(t,
                 said.find(p.key) != std::string::npos && said.find("DPAPI") != std::string::npos,
                 "the refusal names the key file and DPAPI: " + Quoted(said));
  }
  // A key protected for machine-b, put in place of machine-a's.
  auto foreign = vault::NewKeyFile(Me("machine-b"));
  CORDON_CHECK(t, foreign.ok(), "a key for machine-b");
  if (foreign.ok()) {
    WriteFile(p.key, foreign.value());
    CORDON_CHECK(t, !Store::Open(p, Me()).ok(), "machine-b's key file does not open here");
    WriteFile(p.key, key);
  }
  CORDON_CHECK(t, ReadFile(p.secrets) == file, "the vault was kept as is");
  auto back = Store::Open(p, Me());
  CORDON_CHECK(t, back.ok() && back.value().Load().ok(), "the right key opens it again");
  RemoveState(state);
}

void LinuxFileRefused(Test& t) {
  const std::string state = FreshState("linux");
  const Paths p = Paths::ForState(state);
  auto store = Ready(t, state);
  if (!store) return RemoveState(state);
  const std::string linux_file = vault::Header(vault::kUnixFormat) + std::string(80, 'x');
  CORDON_CHECK(t, store->Set("A", "1").ok(), "set");
  WriteFile(p.secrets, linux_file);
  auto loaded = store->Load();
  CORDON_CHECK(t, !loaded.ok(), "a Linux vault file is refused");
  if (!loaded.ok()) {
    CORDON_CHECK(t, loaded.error().Describe().find("cordon on Linux") != std::string::npos,
                 "and named as Linux's: " + Quoted(loaded.error().Describe()));
  }
  WriteFile(p.key, std::string(32, 'k'));  // a Linux key file: 32 raw bytes
  auto opened = Store::Open(p, Me());
  CORDON_CHECK(t, !opened.ok(), "a Linux key file is refused");
  RemoveState(state);
}

std::wstring Cordon(const std::wstring& args) {
  return L"\"" + BinaryDir() + L"cordon.exe\" " + args;
}

void CliEndToEnd(Test& t) {
  const std::string state = FreshState("cli");
  const std::string root = state.substr(0, state.rfind('\\'));
  SetEnvironmentVariableW(L"XDG_STATE_HOME", Widen(root).c_str());
  SetEnvironmentVariableW(L"CORDON_TEST_MACHINE_ID", L"machine-cli");
  const auto said = [](const Captured& c) {
    return " (exit " + std::to_string(c.exit_code) + ", out " + Quoted(c.out) + ", err " +
           Quoted(c.err) + ", " + c.error + ")";
  };
  // No key yet: get and list say to run setup.
  const Captured before = RunCaptured(Cordon(L"secret list"));
  CORDON_CHECK(t, before.exit_code == 1 && before.err.find("cordon setup") != std::string::npos,
               "list before setup points to setup" + said(before));
  // setup makes the vault key first (under Wine it then refuses the
  // identities with 125).
  const Captured setup = RunCaptured(Cordon(L"setup"));
  CORDON_CHECK(t, setup.out.find("vault key created") != std::string::npos,
               "setup makes the key" + said(setup));
  const Captured set = RunCaptured(Cordon(L"secret set TOKEN --stdin"), 30000, "s3cret\nvalue\r\n");
  CORDON_CHECK(t, set.exit_code == 0 && set.err.find("secret TOKEN stored") != std::string::npos,
               "set --stdin stores" + said(set));
  CORDON_CHECK(
      t, set.out.find("s3cret") == std::string::npos && set.err.find("s3cret") == std::string::npos,
      "set never prints the value");
  const Captured list = RunCaptured(Cordon(L"secret list"));
  // Names are text (CRLF on Windows); a value is bytes, printed as stored.
  CORDON_CHECK(t, list.exit_code == 0 && list.out == "TOKEN\r\n", "list names it" + said(list));
  const Captured get = RunCaptured(Cordon(L"secret get TOKEN"));
  CORDON_CHECK(t, get.exit_code == 0 && get.out == "s3cret\nvalue\n",
               "get prints it to a pipe as stored: the inner LF kept, the trailing CRLF dropped" +
                   said(get));
  // A run sees a secret only when granted, under the grant's name.
  const Captured plain = RunCaptured(Cordon(L"secret set PLAIN --stdin"), 30000, "plain-value");
  CORDON_CHECK(t, plain.exit_code == 0, "set PLAIN" + said(plain));
  const std::wstring helper = L" -- \"" + BinaryDir() + L"wintest_helper.exe\" env PLAIN";
  const Captured granted = RunCaptured(Cordon(L"run --mode full-access --secret PLAIN" + helper));
  CORDON_CHECK(t, granted.exit_code == 0 && granted.out.find("plain-value") != std::string::npos,
               "a run granted PLAIN sees it" + said(granted));
  const Captured ungranted = RunCaptured(Cordon(L"run --mode full-access" + helper));
  CORDON_CHECK(t,
               ungranted.exit_code == 0 && ungranted.out.find("plain-value") == std::string::npos &&
                   ungranted.out.find("<unset>") != std::string::npos,
               "a run not granted it does not" + said(ungranted));
  const Captured absent = RunCaptured(Cordon(L"run --mode full-access --secret NOPE -- \"" +
                                             BinaryDir() + L"wintest_helper.exe\" env NOPE"));
  CORDON_CHECK(
      t,
      absent.exit_code == 125 && absent.err.find("not in the vault") != std::string::npos &&
          absent.out.find("<unset>") == std::string::npos,
      "a granted secret missing from the vault stops the run before it starts" + said(absent));
  const Captured no_tty = RunCaptured(Cordon(L"secret set OTHER"), 30000, "x\n");
  CORDON_CHECK(t,
               no_tty.exit_code == 1 &&
                   no_tty.err.find("standard input is not a terminal") != std::string::npos,
               "set without --stdin from a pipe is refused" + said(no_tty));
  const Captured missing = RunCaptured(Cordon(L"secret get NOPE"));
  CORDON_CHECK(t, missing.exit_code == 1 && missing.err.find("no such secret") != std::string::npos,
               "get of a missing secret" + said(missing));
  const Captured bad = RunCaptured(Cordon(L"secret set bad-name --stdin"), 30000, "x");
  CORDON_CHECK(t, bad.exit_code == 1 && bad.err.find("invalid name") != std::string::npos,
               "an invalid name" + said(bad));
  const Captured usage = RunCaptured(Cordon(L"secret frob"));
  CORDON_CHECK(t, usage.exit_code == 125, "an unknown subcommand is a usage error" + said(usage));
  CORDON_CHECK(t, RunCaptured(Cordon(L"secret rm PLAIN")).exit_code == 0, "rm PLAIN");
  const Captured rm = RunCaptured(Cordon(L"secret rm TOKEN"));
  CORDON_CHECK(t, rm.exit_code == 0 && rm.err.find("secret TOKEN removed") != std::string::npos,
               "rm removes" + said(rm));
  const Captured rm2 = RunCaptured(Cordon(L"secret rm TOKEN"));
  CORDON_CHECK(t, rm2.exit_code == 1 && rm2.err.find("no such secret") != std::string::npos,
               "rm again says there is none" + said(rm2));
  const Captured empty = RunCaptured(Cordon(L"secret list"));
  CORDON_CHECK(t, empty.exit_code == 0 && empty.out.empty(), "list is empty again" + said(empty));
  RemoveState(state);
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"RoundTrip", cordon::wintest::RoundTrip},
       Case{"DaclsReadBack", cordon::wintest::DaclsReadBack},
       Case{"TamperedByteRefused", cordon::wintest::TamperedByteRefused},
       Case{"OtherMachineRefused", cordon::wintest::OtherMachineRefused},
       Case{"LinuxFileRefused", cordon::wintest::LinuxFileRefused},
       Case{"CliEndToEnd", cordon::wintest::CliEndToEnd}});
}
