// paths.h's platform part on Windows. Policy paths keep '/' separators
// ("C:/Users/me/repo": Win32 accepts both, and the shared code joins with
// '/'); an absolute path starts with a drive. Comparison goes through the
// Windows backend's own normalisation (sandbox/windows/path_match.h:
// case-insensitive, trailing dots and spaces and streams cut off), so the
// policy and the backend agree on what "inside" means. A path that is not a
// drive path, such as a Linux default "/run", exists nowhere here.
#include <windows.h>

#include <array>

#include "policy/paths.h"
#include "sandbox/windows/path_match.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::policy {
namespace {

namespace win = cordon::sandbox::windows;

bool IsDriveLetter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

// The path as Win32 takes it, or empty for anything but a drive path.
std::wstring WinPath(const std::string& path) {
  if (PathRootLength(path) == 0) return {};
  std::wstring wide = sandbox::Widen(path);
  for (wchar_t& c : wide) {
    if (c == L'/') c = L'\\';
  }
  return wide;
}

}  // namespace

size_t PathRootLength(std::string_view path) {
  return path.size() >= 3 && IsDriveLetter(path[0]) && path[1] == ':' &&
                 (path[2] == '/' || path[2] == '\\')
             ? 3
             : 0;
}

std::string_view PathSeparators() { return "/\\"; }

char PathListSeparator() { return ';'; }

std::string NormalRoot(std::string_view root) {
  const char drive = root.empty() ? 'C' : root[0];
  return std::string(1,
                     drive >= 'a' && drive <= 'z' ? static_cast<char>(drive - 'a' + 'A') : drive) +
         ":/";
}

bool IsWithin(std::string_view path, std::string_view parent) {
  auto inner = win::Normalize(path);
  auto outer = win::Normalize(parent);
  if (inner.ok() && outer.ok()) return win::IsWithin(inner.value(), outer.value());
  // Not both drive paths (a Linux default such as "/run"): byte for byte,
  // which can only match a string with itself or its own subtree.
  if (path.size() < parent.size() || path.substr(0, parent.size()) != parent) return false;
  return path.size() == parent.size() || path[parent.size()] == '/';
}

bool IsSystemRoot(std::string_view path) {
  auto normal = win::Normalize(path);
  if (!normal.ok()) return false;
  const win::NormalPath& p = normal.value();
  if (p.components.empty()) return true;  // a drive root or a share
  if (p.components.size() != 1 || p.kind != win::RootKind::kDrive) return false;
  // The key is "C:\NAME", upper-cased.
  const std::string_view name = std::string_view(p.key).substr(p.root.size() + 1);
  static constexpr std::array<std::string_view, 5> kRoots = {
      "WINDOWS", "PROGRAM FILES", "PROGRAM FILES (X86)", "PROGRAMDATA", "USERS"};
  for (std::string_view root : kRoots) {
    if (name == root) return true;
  }
  return false;
}

std::optional<std::string> RealPath(const std::string& path) {
  const std::wstring wide = WinPath(path);
  if (wide.empty()) return std::nullopt;
  // No access asked: only the name is wanted. FILE_FLAG_BACKUP_SEMANTICS
  // opens directories; links are followed, as realpath(3) does.
  sandbox::UniqueHandle h(CreateFileW(wide.c_str(), 0,
                                      FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
                                      nullptr, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
  if (!h.valid()) return std::nullopt;
  const DWORD flags = FILE_NAME_NORMALIZED | VOLUME_NAME_DOS;
  const DWORD size = GetFinalPathNameByHandleW(h.get(), nullptr, 0, flags);
  if (size == 0) return std::nullopt;
  std::wstring buf(size, L'\0');
  const DWORD n = GetFinalPathNameByHandleW(h.get(), buf.data(), size, flags);
  if (n == 0 || n >= size) return std::nullopt;
  buf.resize(n);
  std::string out = sandbox::Narrow(buf);
  // "\\?\C:\x" is the drive path "C:\x"; "\\?\UNC\server\share" is a share,
  // which policy paths cannot name: unresolved.
  if (out.rfind("\\\\?\\", 0) == 0) out.erase(0, 4);
  if (PathRootLength(out) == 0) return std::nullopt;
  return NormalizePath(out);
}

bool Exists(const std::string& path) {
  const std::wstring wide = WinPath(path);
  return !wide.empty() && GetFileAttributesW(wide.c_str()) != INVALID_FILE_ATTRIBUTES;
}

const RealPathCache::Entry& RealPathCache::Lookup(const std::string& path) {
  auto it = cache_.find(path);
  if (it != cache_.end()) return it->second;
  std::optional<std::string> real = RealPath(path);
  return cache_.emplace(path, Entry{real.value_or(path), real.has_value()}).first->second;
}

}  // namespace cordon::policy
