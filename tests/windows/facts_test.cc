// The grant-root facts read from this host (profile_facts-win32.h): a real
// profile, drive roots with C:\, the system folders, the hive files, and
// every path an ssh config written into the profile names, through an
// IdentityFile, an Include pattern and what the included file names. Then
// the validator fed those facts: it refuses the profile, C:\, C:\Users,
// ~/.ssh and a link into ~/.ssh (judged by its final path), and accepts an
// ordinary workspace directory.
//
// Under Wine the profile is the test prefix's (build-win/wineprefix); the
// ssh config written there is removed again (or the one found is put back).
#include <windows.h>
// (after windows.h, which it needs)
#include <winioctl.h>

#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/profile_facts-win32.h"
#include "sandbox/windows/root_validator.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

namespace win = sandbox::windows;
using sandbox::Narrow;
using sandbox::Widen;

bool Same(const std::string& a, const std::string& b) {
  auto na = win::Normalize(a);
  auto nb = win::Normalize(b);
  return na.ok() && nb.ok() && win::SamePath(na.value(), nb.value());
}

bool Listed(const std::vector<std::string>& list, const std::string& path) {
  for (const std::string& p : list) {
    if (Same(p, path)) return true;
  }
  return false;
}

std::string Joined(const std::vector<std::string>& list) {
  std::string out;
  for (const std::string& p : list) out += (out.empty() ? "" : " | ") + p;
  return out;
}

std::string Env(const wchar_t* name) {
  wchar_t buf[32768];
  const DWORD n = GetEnvironmentVariableW(name, buf, 32768);
  return n == 0 || n >= 32768 ? std::string() : Narrow(std::wstring(buf, n));
}

bool IsDir(const std::string& p) {
  const DWORD a = GetFileAttributesW(Widen(p).c_str());
  return a != INVALID_FILE_ATTRIBUTES && (a & FILE_ATTRIBUTE_DIRECTORY) != 0;
}

std::optional<std::string> ReadText(const std::string& path) {
  sandbox::UniqueHandle h(CreateFileW(Widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                                      OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!h.valid()) return std::nullopt;
  std::string out;
  char buf[4096];
  DWORD got = 0;
  while (ReadFile(h.get(), buf, sizeof(buf), &got, nullptr) && got > 0) out.append(buf, got);
  return out;
}

bool WriteText(Test& t, const std::string& path, const std::string& text) {
  sandbox::UniqueHandle h(CreateFileW(Widen(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                      FILE_ATTRIBUTE_NORMAL, nullptr));
  DWORD n = 0;
  const bool ok = h.valid() &&
                  WriteFile(h.get(), text.data(), static_cast<DWORD>(text.size()), &n, nullptr) &&
                  n == text.size();
  CORDON_CHECK(t, ok, "write " + Quoted(path));
  return ok;
}

std::string TempBase(const char* tag) {
  wchar_t tmp[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
  return Narrow(std::wstring(tmp, n)) + "cordon-facts-" + std::to_string(GetCurrentProcessId()) +
         "-" + tag;
}

void FactsOfThisHost(Test& t) {
  auto facts = win::GatherProfileFacts();
  CORDON_CHECK(t, facts.ok(), facts.ok() ? "" : facts.error().Describe());
  if (!facts.ok()) return;
  const win::ProfileFacts& f = facts.value();
  std::printf("  profile %s (USERPROFILE %s), profiles %s\n  drives %s\n  system %s\n",
              f.profile_dir.c_str(), f.userprofile_env.c_str(), f.profiles_root.c_str(),
              Joined(f.drive_roots).c_str(), Joined(f.system_dirs).c_str());
  std::printf("  hives %s\n  ssh %s\n", Joined(f.hive_files).c_str(), Joined(f.ssh_paths).c_str());
  CORDON_CHECK(t, IsDir(f.profile_dir), "the profile is a directory: " + Quoted(f.profile_dir));
  CORDON_CHECK(t, Same(f.userprofile_env, Env(L"USERPROFILE")), "USERPROFILE is recorded");
  CORDON_CHECK(t, IsDir(f.profiles_root), "the profiles folder exists: " + Quoted(f.profiles_root));
  auto profile = win::Normalize(f.profile_dir);
  auto profiles = win::Normalize(f.profiles_root);
  CORDON_CHECK(t, profile.ok() && profiles.ok() && win::IsWithin(profile.value(), profiles.value()),
               "the profile lies in the profiles folder");
  CORDON_CHECK(t, Listed(f.drive_roots, "C:\\"), "C:\\ is a drive root: " + Joined(f.drive_roots));
  wchar_t windir[MAX_PATH + 1];
  const UINT wn = GetWindowsDirectoryW(windir, MAX_PATH + 1);
  const std::string windows = Narrow(std::wstring(windir, wn));
  CORDON_CHECK(t, Listed(f.system_dirs, windows), "the Windows folder " + Quoted(windows));
  CORDON_CHECK(t, Listed(f.system_dirs, Env(L"ProgramFiles")), "Program Files");
  CORDON_CHECK(t, Listed(f.system_dirs, Env(L"ProgramData")), "ProgramData");
  CORDON_CHECK(t, f.system_dirs.size() >= 4, "four system folders at least");
  CORDON_CHECK(t, Listed(f.hive_files, f.profile_dir + "\\NTUSER.DAT"), "NTUSER.DAT");
  CORDON_CHECK(t, Listed(f.hive_files, Env(L"LOCALAPPDATA") + "\\Microsoft\\Windows\\UsrClass.dat"),
               "UsrClass.dat: " + Joined(f.hive_files));
  CORDON_CHECK(t, Listed(f.ssh_paths, f.profile_dir + "\\.ssh"), "~/.ssh");
}

// An ssh config in the profile for one test, the previous one put back.
class SshConfig {
 public:
  SshConfig(Test& t, const std::string& text) : t_(t) {
    dir_ = Env(L"USERPROFILE") + "\\.ssh";
    made_dir_ = CreateDirectoryW(Widen(dir_).c_str(), nullptr) != 0;
    previous_ = ReadText(dir_ + "\\config");
    WriteText(t, dir_ + "\\config", text);
  }
  SshConfig(const SshConfig&) = delete;
  SshConfig& operator=(const SshConfig&) = delete;
  ~SshConfig() {
    if (previous_.has_value()) {
      WriteText(t_, dir_ + "\\config", *previous_);
    } else {
      DeleteFileW(Widen(dir_ + "\\config").c_str());
    }
    for (const std::string& f : extra_) DeleteFileW(Widen(f).c_str());
    if (made_dir_) RemoveDirectoryW(Widen(dir_).c_str());
  }
  [[nodiscard]] const std::string& dir() const { return dir_; }
  void AddFile(const std::string& name, const std::string& text) {
    extra_.push_back(dir_ + "\\" + name);
    WriteText(t_, extra_.back(), text);
  }

 private:
  Test& t_;
  std::string dir_;
  bool made_dir_ = false;
  std::optional<std::string> previous_;
  std::vector<std::string> extra_;
};

void SshConfigPathsAreFacts(Test& t) {
  const std::string base = TempBase("ssh");
  const std::string confd = base + "\\conf.d";
  CreateDirectoryW(Widen(base).c_str(), nullptr);
  CreateDirectoryW(Widen(confd).c_str(), nullptr);
  const std::string identity = base + "\\keys\\id_work";
  const std::string known = base + "\\kh\\known_hosts";
  const std::string cert = base + "\\certs\\me-cert.pub";
  WriteText(t, confd + "\\extra.conf", "Host *\n  UserKnownHostsFile " + known + "\n");
  WriteText(t, confd + "\\ignored.txt", "IdentityFile " + base + "\\not-included\n");
  {
    SshConfig cfg(t, "Host work\n  IdentityFile " + identity + "\nInclude " + confd +
                         "\\*.conf\nInclude cordon-rel\n");
    cfg.AddFile("cordon-rel", "CertificateFile " + cert + "\n");
    auto facts = win::GatherProfileFacts();
    CORDON_CHECK(t, facts.ok(), facts.ok() ? "" : facts.error().Describe());
    if (facts.ok()) {
      const std::vector<std::string>& ssh = facts.value().ssh_paths;
      std::printf("  ssh %s\n", Joined(ssh).c_str());
      CORDON_CHECK(t, Listed(ssh, cfg.dir()), "~/.ssh");
      CORDON_CHECK(t, Listed(ssh, identity), "the IdentityFile " + Quoted(identity));
      CORDON_CHECK(t, Listed(ssh, confd + "\\extra.conf"), "the included file");
      CORDON_CHECK(t, Listed(ssh, known), "the included file's UserKnownHostsFile");
      CORDON_CHECK(t, Listed(ssh, cfg.dir() + "\\cordon-rel"), "the relative Include");
      CORDON_CHECK(t, Listed(ssh, cert), "the relative Include's CertificateFile");
      // The twin: a file the pattern does not match is not read.
      CORDON_CHECK(t, !Listed(ssh, base + "\\not-included"), "*.conf does not match ignored.txt");
      const win::ProfileFacts& f = facts.value();
      for (const std::string& root : {base + "\\keys", base + "\\kh", base + "\\certs"}) {
        CreateDirectoryW(Widen(root).c_str(), nullptr);
        auto v = win::ValidateGrantRoot(root, f);
        CORDON_CHECK(t, !v.ok(), "a root holding an OpenSSH file is refused: " + Quoted(root));
        if (!v.ok()) std::printf("  refused: %s\n", v.error().Describe().c_str());
        RemoveDirectoryW(Widen(root).c_str());
      }
    }
  }
  DeleteFileW(Widen(confd + "\\extra.conf").c_str());
  DeleteFileW(Widen(confd + "\\ignored.txt").c_str());
  RemoveDirectoryW(Widen(confd).c_str());
  RemoveDirectoryW(Widen(base).c_str());
}

// The refusal, with its reason, for `root` (as given, then as its final
// path where it exists).
void ExpectRefused(Test& t, const win::ProfileFacts& f, const std::string& root,
                   const std::string& reason) {
  auto real = win::FinalPath(root);
  const std::string judged = real.ok() ? real.value() : root;
  auto v = win::ValidateGrantRoot(judged, f);
  CORDON_CHECK(t, !v.ok(), "refused: " + Quoted(judged));
  if (v.ok()) return;
  const std::string why = v.error().Describe();
  std::printf("  %s -> %s\n", root.c_str(), why.c_str());
  CORDON_CHECK(t, why.find(reason) != std::string::npos,
               Quoted(root) + " refused for " + Quoted(reason) + ": " + Quoted(why));
}

void ValidatorOnThisHost(Test& t) {
  auto facts = win::GatherProfileFacts();
  CORDON_CHECK(t, facts.ok(), facts.ok() ? "" : facts.error().Describe());
  if (!facts.ok()) return;
  const win::ProfileFacts& f = facts.value();
  const std::string ssh = Env(L"USERPROFILE") + "\\.ssh";
  const bool made_ssh = CreateDirectoryW(Widen(ssh).c_str(), nullptr) != 0;
  ExpectRefused(t, f, Env(L"USERPROFILE"), "a user profile root");
  ExpectRefused(t, f, "C:\\", "a drive root");
  ExpectRefused(t, f, "C:\\Users", "the user profiles folder");
  ExpectRefused(t, f, ssh, "a path OpenSSH uses");
  ExpectRefused(t, f, Env(L"windir"), "a system directory");
  // The twin: an ordinary directory, in the profile, is accepted.
  const std::string ws = TempBase("ws");
  CORDON_CHECK(t, CreateDirectoryW(Widen(ws).c_str(), nullptr) != 0, "mkdir " + Quoted(ws));
  auto real = win::FinalPath(ws);
  CORDON_CHECK(t, real.ok(), real.ok() ? "" : real.error().Describe());
  if (real.ok()) {
    std::printf("  final path of %s: %s\n", ws.c_str(), real.value().c_str());
    CORDON_CHECK(t, Same(real.value(), ws), "an ordinary directory is where it is");
    auto v = win::ValidateGrantRoot(real.value(), f);
    CORDON_CHECK(
        t, v.ok(),
        "an ordinary workspace is accepted: " + (v.ok() ? std::string() : v.error().Describe()));
  }
  RemoveDirectoryW(Widen(ws).c_str());
  if (made_ssh) RemoveDirectoryW(Widen(ssh).c_str());
}

void FinalPathErrorsNameThePath(Test& t) {
  const std::string missing = TempBase("missing") + "\\nowhere";
  auto real = win::FinalPath(missing);
  CORDON_CHECK(t, !real.ok(), "a missing path has no final path");
  if (!real.ok()) {
    const std::string why = real.error().Describe();
    CORDON_CHECK(t,
                 why.find(missing) != std::string::npos &&
                     why.find("Win32 error") != std::string::npos &&
                     why.find("GetFinalPathNameByHandleW") != std::string::npos,
                 "the error names the call, path and error: " + Quoted(why));
  }
}

// A junction (a mount-point reparse point, which needs no privilege).
// REPARSE_DATA_BUFFER is the DDK's; its mount-point layout, spelt out.
DWORD MakeJunction(const std::string& link, const std::string& target) {
  if (!CreateDirectoryW(Widen(link).c_str(), nullptr)) return GetLastError();
  sandbox::UniqueHandle h(CreateFileW(Widen(link).c_str(), GENERIC_WRITE, 0, nullptr, OPEN_EXISTING,
                                      FILE_FLAG_BACKUP_SEMANTICS | FILE_FLAG_OPEN_REPARSE_POINT,
                                      nullptr));
  if (!h.valid()) return GetLastError();
  const std::wstring subst = L"\\??\\" + Widen(target);
  const std::wstring print = Widen(target);
  const size_t names = (subst.size() + 1 + print.size() + 1) * sizeof(wchar_t);
  std::vector<char> buf(8 + 8 + names, 0);
  const auto put16 = [&](size_t at, size_t v) {
    buf[at] = static_cast<char>(v & 0xff);
    buf[at + 1] = static_cast<char>((v >> 8) & 0xff);
  };
  const DWORD tag = IO_REPARSE_TAG_MOUNT_POINT;
  std::memcpy(buf.data(), &tag, 4);
  put16(4, 8 + names);                              // ReparseDataLength
  put16(8, 0);                                      // SubstituteNameOffset
  put16(10, subst.size() * sizeof(wchar_t));        // SubstituteNameLength
  put16(12, (subst.size() + 1) * sizeof(wchar_t));  // PrintNameOffset
  put16(14, print.size() * sizeof(wchar_t));        // PrintNameLength
  std::memcpy(buf.data() + 16, subst.c_str(), (subst.size() + 1) * sizeof(wchar_t));
  std::memcpy(buf.data() + 16 + (subst.size() + 1) * sizeof(wchar_t), print.c_str(),
              (print.size() + 1) * sizeof(wchar_t));
  DWORD got = 0;
  if (!DeviceIoControl(h.get(), FSCTL_SET_REPARSE_POINT, buf.data(), static_cast<DWORD>(buf.size()),
                       nullptr, 0, &got, nullptr)) {
    const DWORD code = GetLastError();
    h.Reset();
    RemoveDirectoryW(Widen(link).c_str());
    return code;
  }
  return ERROR_SUCCESS;
}

// A root that leads into ~/.ssh is judged as ~/.ssh: made as a junction,
// or else a directory symbolic link.
void LinkIntoSshIsRefused(Test& t) {
  const std::string ssh = Env(L"USERPROFILE") + "\\.ssh";
  const bool made_ssh = CreateDirectoryW(Widen(ssh).c_str(), nullptr) != 0;
  const std::string base = TempBase("link");
  CreateDirectoryW(Widen(base).c_str(), nullptr);
  const std::string link = base + "\\ws";
  std::string how = "junction";
  const DWORD junction = MakeJunction(link, ssh);
  DWORD symlink = ERROR_SUCCESS;
  if (junction != ERROR_SUCCESS) {
    how = "symbolic link";
    // Wine 8.0's CreateSymbolicLinkW is a stub that says it succeeded:
    // whether a link was made is read back.
    const bool made = CreateSymbolicLinkW(Widen(link).c_str(), Widen(ssh).c_str(),
                                          SYMBOLIC_LINK_FLAG_DIRECTORY |
                                              SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE) != 0 &&
                      GetFileAttributesW(Widen(link).c_str()) != INVALID_FILE_ATTRIBUTES;
    if (!made) symlink = GetLastError();
  }
  if (junction != ERROR_SUCCESS && symlink != ERROR_SUCCESS) {
    const std::string why = "junction: " + sandbox::WinErrorText(junction) + " (" +
                            std::to_string(junction) +
                            "), symbolic link: " + sandbox::WinErrorText(symlink) + " (" +
                            std::to_string(symlink) + ")";
    std::printf("note: no link into ~/.ssh could be made, the case is not exercised here: %s\n",
                why.c_str());
    CORDON_CHECK(t, UnderWine(), "Windows makes a junction without privilege: " + why);
  } else {
    std::printf("  made a %s %s -> %s\n", how.c_str(), link.c_str(), ssh.c_str());
    auto real = win::FinalPath(link);
    CORDON_CHECK(t, real.ok(), real.ok() ? "" : real.error().Describe());
    if (real.ok()) {
      std::printf("  its final path: %s\n", real.value().c_str());
      CORDON_CHECK(t, Same(real.value(), ssh), "the final path is ~/.ssh's");
    }
    auto facts = win::GatherProfileFacts();
    CORDON_CHECK(t, facts.ok(), facts.ok() ? "" : facts.error().Describe());
    if (facts.ok()) ExpectRefused(t, facts.value(), link, "a path OpenSSH uses");
    // The link alone goes (RemoveDirectoryW removes a reparse point, not
    // its target).
    RemoveDirectoryW(Widen(link).c_str());
  }
  RemoveDirectoryW(Widen(base).c_str());
  if (made_ssh) RemoveDirectoryW(Widen(ssh).c_str());
}

// Under Wine, Z:\ is the Unix root, so the profile's ~/.ssh has a second
// spelling, Z:\<prefix>\drive_c\users\<user>\.ssh: the one kind of alias
// Wine can make (it makes no junction or symbolic link, see
// LinkIntoSshIsRefused). FinalPath takes it back to C:, so it is refused as
// ~/.ssh. Windows has no such drive: the case is Wine's alone.
void UnixSpellingOfSshIsRefused(Test& t) {
  using UnixName = char*(__cdecl*)(const wchar_t*);
  const HMODULE kernel = GetModuleHandleW(L"kernel32.dll");
  const auto unix_name = reinterpret_cast<UnixName>(
      reinterpret_cast<void*>(GetProcAddress(kernel, "wine_get_unix_file_name")));
  if (unix_name == nullptr) {
    CORDON_CHECK(t, !UnderWine(), "Wine exports wine_get_unix_file_name");
    std::printf("note: not Wine: no Z:\\ alias to check\n");
    return;
  }
  const std::string ssh = Env(L"USERPROFILE") + "\\.ssh";
  const bool made_ssh = CreateDirectoryW(Widen(ssh).c_str(), nullptr) != 0;
  char* raw = unix_name(Widen(ssh).c_str());
  CORDON_CHECK(t, raw != nullptr, "wine_get_unix_file_name(~/.ssh)");
  if (raw != nullptr) {
    std::string alias = std::string("Z:") + raw;
    HeapFree(GetProcessHeap(), 0, raw);
    for (char& c : alias) {
      if (c == '/') c = '\\';
    }
    CORDON_CHECK(t, IsDir(alias), "the alias opens: " + Quoted(alias));
    CORDON_CHECK(t, !Same(alias, ssh), "the alias is another string");
    auto real = win::FinalPath(alias);
    CORDON_CHECK(t, real.ok() && Same(real.value(), ssh),
                 "the alias's final path is ~/.ssh: " +
                     (real.ok() ? real.value() : real.error().Describe()));
    auto facts = win::GatherProfileFacts();
    CORDON_CHECK(t, facts.ok(), facts.ok() ? "" : facts.error().Describe());
    if (facts.ok()) {
      ExpectRefused(t, facts.value(), alias, "a path OpenSSH uses");
      // The twin: the alias as written, not resolved, passes the string
      // checks, which is why roots are resolved before they are judged.
      auto unresolved = win::ValidateGrantRoot(alias, facts.value());
      CORDON_CHECK(t, unresolved.ok(),
                   "unresolved, the alias is not recognised by its string: " +
                       (unresolved.ok() ? std::string() : unresolved.error().Describe()));
    }
  }
  if (made_ssh) RemoveDirectoryW(Widen(ssh).c_str());
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(argc, argv,
                     {Case{"FactsOfThisHost", w::FactsOfThisHost},
                      Case{"SshConfigPathsAreFacts", w::SshConfigPathsAreFacts},
                      Case{"ValidatorOnThisHost", w::ValidatorOnThisHost},
                      Case{"FinalPathErrorsNameThePath", w::FinalPathErrorsNameThePath},
                      Case{"LinkIntoSshIsRefused", w::LinkIntoSshIsRefused},
                      Case{"UnixSpellingOfSshIsRefused", w::UnixSpellingOfSshIsRefused}});
}
