// The host's facts for the grant-root validator (see profile_facts-win32.h).
#include "sandbox/windows/profile_facts-win32.h"

#include <windows.h>
// (after windows.h, which they need)
#include <knownfolders.h>
#include <shlobj.h>
#include <userenv.h>

#include <deque>
#include <optional>
#include <set>
#include <utility>
#include <vector>

#include "sandbox/windows/path_match.h"
#include "sandbox/windows/ssh_config_paths.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows {
namespace {

// How far the Include chain is followed (ssh_config_paths.h), how many
// config files are read in all, and how many files one pattern may match:
// a config that includes itself or a huge directory ends, errs towards the
// paths found so far plus the pattern's fixed part (always listed).
constexpr int kMaxIncludeDepth = 16;
constexpr size_t kMaxConfigFiles = 256;
constexpr size_t kMaxMatchesPerPattern = 256;
// Larger than any real ssh_config; a bigger file is refused, not truncated.
constexpr LONGLONG kMaxConfigBytes = 1 << 20;

bool IsNotFound(DWORD code) {
  return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND ||
         code == ERROR_INVALID_NAME || code == ERROR_BAD_NETPATH;
}

// FinalPath, with the Win32 error kept so that "does not exist" can be told
// from the rest.
DWORD FinalPathOf(const std::string& path, std::string* out) {
  // No access asked: only the name is wanted.
  UniqueHandle h(CreateFileW(Widen(path).c_str(), 0,
                             FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                             OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!h.valid()) return GetLastError();
  constexpr DWORD kFlags = FILE_NAME_NORMALIZED | VOLUME_NAME_DOS;
  std::wstring buf(MAX_PATH, L'\0');
  for (int attempt = 0; attempt < 3; ++attempt) {
    const DWORD n =
        GetFinalPathNameByHandleW(h.get(), buf.data(), static_cast<DWORD>(buf.size()), kFlags);
    if (n == 0) return GetLastError();
    if (n < buf.size()) {
      buf.resize(n);
      std::string s = Narrow(buf);
      if (s.rfind("\\\\?\\UNC\\", 0) == 0) {
        s.replace(0, 8, "\\\\");
      } else if (s.rfind("\\\\?\\", 0) == 0) {
        s.erase(0, 4);
      }
      *out = std::move(s);
      return ERROR_SUCCESS;
    }
    buf.assign(n, L'\0');  // n counts the terminating NUL when too small
  }
  return ERROR_INSUFFICIENT_BUFFER;
}

// The final path of `path`, or of its longest existing ancestor with the
// rest appended; nullopt when nothing of it resolves.
std::optional<std::string> ResolveAsFarAsExists(const std::string& path) {
  std::string head = path;
  std::string tail;
  for (int i = 0; i < 64; ++i) {
    std::string final_path;
    const DWORD code = FinalPathOf(head, &final_path);
    if (code == ERROR_SUCCESS) {
      if (tail.empty()) return final_path;
      if (!final_path.empty() && final_path.back() != '\\') final_path += '\\';
      return final_path + tail;
    }
    if (!IsNotFound(code)) return std::nullopt;
    const size_t cut = head.find_last_of("\\/");
    if (cut == std::string::npos || cut + 1 >= head.size()) return std::nullopt;
    std::string rest = head.substr(cut + 1);
    if (!tail.empty()) rest.append("\\").append(tail);
    tail = std::move(rest);
    head.resize(cut);
    // "C:" alone is the drive's current directory, not its root.
    if (head.size() == 2 && head[1] == ':') head += '\\';
  }
  return std::nullopt;
}

// `path` and, when it differs, where it really is.
void AddWithFinal(std::vector<std::string>* to, const std::string& path) {
  to->push_back(path);
  std::optional<std::string> real = ResolveAsFarAsExists(path);
  if (real.has_value() && *real != path) to->push_back(std::move(*real));
}

Result<std::string> KnownFolder(REFKNOWNFOLDERID id, const char* name) {
  PWSTR raw = nullptr;
  const HRESULT hr = SHGetKnownFolderPath(id, KF_FLAG_DONT_VERIFY, nullptr, &raw);
  std::string out = hr == S_OK && raw != nullptr ? Narrow(raw) : std::string();
  CoTaskMemFree(raw);
  if (hr != S_OK) return WinError("SHGetKnownFolderPath", name, static_cast<DWORD>(hr));
  return out;
}

Result<std::string> ProfileDirectory() {
  HANDLE raw = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw)) {
    return WinError("OpenProcessToken(TOKEN_QUERY)", "this process", GetLastError());
  }
  const UniqueHandle token(raw);
  DWORD size = 0;
  GetUserProfileDirectoryW(token.get(), nullptr, &size);
  if (size == 0) {
    return WinError("GetUserProfileDirectoryW(size)", "this process's user", GetLastError());
  }
  std::wstring buf(size, L'\0');
  if (!GetUserProfileDirectoryW(token.get(), buf.data(), &size)) {
    return WinError("GetUserProfileDirectoryW", "this process's user", GetLastError());
  }
  buf.resize(wcsnlen(buf.c_str(), buf.size()));
  return Narrow(buf);
}

// %NAME%, or nullopt when it is not set.
std::optional<std::string> EnvVar(const wchar_t* name) {
  const DWORD size = GetEnvironmentVariableW(name, nullptr, 0);
  if (size == 0) return std::nullopt;
  std::wstring buf(size, L'\0');
  const DWORD n = GetEnvironmentVariableW(name, buf.data(), size);
  if (n == 0 || n >= size) return std::nullopt;
  buf.resize(n);
  return Narrow(buf);
}

Result<std::vector<std::string>> DriveRoots() {
  const DWORD size = GetLogicalDriveStringsW(0, nullptr);
  if (size == 0) return WinError("GetLogicalDriveStringsW", "", GetLastError());
  std::wstring buf(size + 1, L'\0');
  const DWORD n = GetLogicalDriveStringsW(static_cast<DWORD>(buf.size()), buf.data());
  if (n == 0 || n >= buf.size()) {
    return WinError("GetLogicalDriveStringsW", "", n == 0 ? GetLastError() : ERROR_MORE_DATA);
  }
  // "C:\<NUL>D:\<NUL><NUL>"
  std::vector<std::string> out;
  for (const wchar_t* p = buf.c_str(); *p != L'\0'; p += wcslen(p) + 1) out.push_back(Narrow(p));
  return out;
}

// The file's text; nullopt when it does not exist (or is a directory,
// which OpenSSH cannot read as a config either).
Result<std::optional<std::string>> ReadConfig(const std::string& path) {
  UniqueHandle file(CreateFileW(Widen(path).c_str(), GENERIC_READ,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid()) {
    const DWORD code = GetLastError();
    if (IsNotFound(code)) return std::optional<std::string>();
    const DWORD attrs = GetFileAttributesW(Widen(path).c_str());
    if (attrs != INVALID_FILE_ATTRIBUTES && (attrs & FILE_ATTRIBUTE_DIRECTORY) != 0) {
      return std::optional<std::string>();
    }
    return WinError("CreateFileW(read ssh config)", path, code);
  }
  LARGE_INTEGER size{};
  if (!GetFileSizeEx(file.get(), &size)) {
    return WinError("GetFileSizeEx(ssh config)", path, GetLastError());
  }
  if (size.QuadPart > kMaxConfigBytes) {
    return PlainError("read ssh config", path,
                      "larger than 1 MiB; not an ssh_config cordon can judge");
  }
  std::string text;
  char buf[16384];
  while (true) {
    DWORD got = 0;
    if (!ReadFile(file.get(), buf, sizeof(buf), &got, nullptr)) {
      return WinError("ReadFile(ssh config)", path, GetLastError());
    }
    if (got == 0) break;
    text.append(buf, got);
    if (static_cast<LONGLONG>(text.size()) > kMaxConfigBytes) {
      return PlainError("read ssh config", path, "grew past 1 MiB while read");
    }
  }
  return std::optional<std::string>(std::move(text));
}

bool HasWildcard(const std::string& s) { return s.find_first_of("*?") != std::string::npos; }

// The names in `dir` matching `pattern` (FindFirstFileW's matching, which
// also matches 8.3 aliases: more, never fewer), without "." and "..".
Result<std::vector<std::pair<std::string, bool>>> ListMatches(const std::string& dir,
                                                              const std::string& pattern) {
  std::vector<std::pair<std::string, bool>> out;  // name, is a directory
  const std::string query = dir + "\\" + pattern;
  WIN32_FIND_DATAW data{};
  HANDLE h = FindFirstFileW(Widen(query).c_str(), &data);
  if (h == INVALID_HANDLE_VALUE) {
    const DWORD code = GetLastError();
    if (IsNotFound(code) || code == ERROR_DIRECTORY) return out;
    return WinError("FindFirstFileW(ssh Include)", query, code);
  }
  do {
    const std::wstring_view name(data.cFileName);
    if (name == L"." || name == L"..") continue;
    out.emplace_back(Narrow(name), (data.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0);
    if (out.size() >= kMaxMatchesPerPattern) break;
  } while (FindNextFileW(h, &data));
  const DWORD code = GetLastError();
  FindClose(h);
  if (out.size() < kMaxMatchesPerPattern && code != ERROR_NO_MORE_FILES) {
    return WinError("FindNextFileW(ssh Include)", query, code);
  }
  return out;
}

// The existing files an Include pattern names ("C:\Users\me\.ssh\conf.d\*",
// a wildcard in any component).
Result<std::vector<std::string>> ExpandInclude(std::string pattern) {
  for (char& c : pattern) {
    if (c == '/') c = '\\';
  }
  if (!HasWildcard(pattern)) return std::vector<std::string>{pattern};
  std::vector<std::string> parts;
  size_t start = 0;
  while (start <= pattern.size()) {
    const size_t sep = pattern.find('\\', start);
    const size_t end = sep == std::string::npos ? pattern.size() : sep;
    parts.push_back(pattern.substr(start, end - start));
    if (sep == std::string::npos) break;
    start = sep + 1;
  }
  // The fixed part before the first wildcard, then one level at a time.
  size_t first = 0;
  while (first < parts.size() && !HasWildcard(parts[first])) ++first;
  std::string base;
  for (size_t i = 0; i < first; ++i) base += (i == 0 ? "" : "\\") + parts[i];
  std::vector<std::string> dirs = {base};
  for (size_t i = first; i < parts.size() && !dirs.empty(); ++i) {
    if (parts[i].empty()) continue;
    const bool last = i + 1 == parts.size();
    std::vector<std::string> next;
    for (const std::string& d : dirs) {
      if (!HasWildcard(parts[i])) {
        next.push_back(d + "\\" + parts[i]);
        continue;
      }
      Result<std::vector<std::pair<std::string, bool>>> names = ListMatches(d, parts[i]);
      if (!names.ok()) return names.error();
      for (const auto& [name, is_dir] : names.value()) {
        if (last || is_dir) next.push_back(std::string(d).append("\\").append(name));
      }
      if (next.size() >= kMaxMatchesPerPattern) break;
    }
    dirs = std::move(next);
  }
  return dirs;
}

struct ConfigToRead {
  std::string path;
  std::string profile;
  std::string ssh_dir;  // what its relative Include paths are relative to
  int depth = 0;
};

// Every path the configs in `roots` and what they include name, with the
// config files themselves, into `out`.
Status CollectSshPaths(std::deque<ConfigToRead> queue, std::vector<std::string>* out) {
  std::set<std::string> seen;  // comparison keys of the files read
  size_t read = 0;
  while (!queue.empty()) {
    ConfigToRead next = std::move(queue.front());
    queue.pop_front();
    Result<NormalPath> key = Normalize(next.path);
    if (!seen.insert(key.ok() ? key.value().key : next.path).second) continue;
    if (++read > kMaxConfigFiles) break;
    Result<std::optional<std::string>> text = ReadConfig(next.path);
    if (!text.ok()) return text.error();
    if (!text.value().has_value()) continue;
    out->push_back(next.path);
    const SshConfigPaths found = SshConfigPathsOf(*text.value(), next.profile, next.ssh_dir);
    out->insert(out->end(), found.paths.begin(), found.paths.end());
    if (next.depth + 1 >= kMaxIncludeDepth) continue;
    for (const std::string& pattern : found.includes) {
      Result<std::vector<std::string>> files = ExpandInclude(pattern);
      if (!files.ok()) return files.error();
      for (const std::string& f : files.value()) {
        out->push_back(f);
        queue.push_back({f, next.profile, next.ssh_dir, next.depth + 1});
      }
    }
  }
  return {};
}

}  // namespace

Result<std::string> FinalPath(const std::string& path) {
  std::string out;
  const DWORD code = FinalPathOf(path, &out);
  if (code != ERROR_SUCCESS) {
    return WinError("CreateFileW+GetFinalPathNameByHandleW", path, code);
  }
  return out;
}

Result<ProfileFacts> GatherProfileFacts() {
  ProfileFacts facts;
  Result<std::string> profile = ProfileDirectory();
  if (!profile.ok()) return profile.error();
  std::optional<std::string> real = ResolveAsFarAsExists(profile.value());
  facts.profile_dir = real.value_or(profile.value());
  facts.userprofile_env = EnvVar(L"USERPROFILE").value_or(profile.value());

  Result<std::string> profiles = KnownFolder(FOLDERID_UserProfiles, "FOLDERID_UserProfiles");
  if (!profiles.ok()) return profiles.error();
  facts.profiles_root = ResolveAsFarAsExists(profiles.value()).value_or(profiles.value());

  Result<std::vector<std::string>> drives = DriveRoots();
  if (!drives.ok()) return drives.error();
  for (const std::string& d : drives.value()) AddWithFinal(&facts.drive_roots, d);

  const std::pair<REFKNOWNFOLDERID, const char*> system_folders[] = {
      {FOLDERID_Windows, "FOLDERID_Windows"},
      {FOLDERID_ProgramFiles, "FOLDERID_ProgramFiles"},
      {FOLDERID_ProgramFilesX86, "FOLDERID_ProgramFilesX86"},
      {FOLDERID_ProgramData, "FOLDERID_ProgramData"}};
  std::string program_data;
  for (const auto& [id, name] : system_folders) {
    Result<std::string> dir = KnownFolder(id, name);
    if (!dir.ok()) return dir.error();
    if (IsEqualGUID(id, FOLDERID_ProgramData)) program_data = dir.value();
    AddWithFinal(&facts.system_dirs, dir.value());
  }

  Result<std::string> local = KnownFolder(FOLDERID_LocalAppData, "FOLDERID_LocalAppData");
  if (!local.ok()) return local.error();

  // Each spelling of the profile (they differ when it is redirected): its
  // hive, its ~/.ssh and the config there; then the system-wide config,
  // whose relative Includes are relative to its own folder.
  std::vector<std::string> profile_spellings = {profile.value()};
  if (facts.userprofile_env != profile.value()) {
    profile_spellings.push_back(facts.userprofile_env);
  }
  std::deque<ConfigToRead> configs;
  std::vector<std::string> ssh;
  for (const std::string& p : profile_spellings) {
    AddWithFinal(&facts.hive_files, p + "\\NTUSER.DAT");
    ssh.push_back(p + "\\.ssh");
    configs.push_back({p + "\\.ssh\\config", p, p + "\\.ssh", 0});
  }
  AddWithFinal(&facts.hive_files, local.value() + "\\Microsoft\\Windows\\UsrClass.dat");
  configs.push_back(
      {program_data + "\\ssh\\ssh_config", profile.value(), program_data + "\\ssh", 0});
  CORDON_RETURN_IF_ERROR(CollectSshPaths(std::move(configs), &ssh));
  std::set<std::string> listed;  // comparison keys: each place once
  for (const std::string& s : ssh) {
    Result<NormalPath> key = Normalize(s);
    if (key.ok() && !listed.insert(key.value().key).second) continue;
    AddWithFinal(&facts.ssh_paths, s);
  }
  return facts;
}

}  // namespace cordon::sandbox::windows
