// host_fs.h with Win32 calls. Only drive paths ("C:/...") are looked at: any
// other path, such as one of the Linux defaults ("/etc/shadow"), is missing,
// never resolved against the current drive. Symlinks and junctions are
// kSymlink (the reparse tags that redirect a name); other reparse points
// (OneDrive's placeholders, deduplicated files) are what they contain.
#include <windows.h>

#include <algorithm>

#include "policy/host_fs.h"
#include "policy/paths.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::policy::host_fs {
namespace {

using sandbox::UniqueHandle;

std::wstring WinPath(const std::string& path) {
  if (PathRootLength(path) == 0) return {};
  std::wstring wide = sandbox::Widen(path);
  for (wchar_t& c : wide) {
    if (c == L'/') c = L'\\';
  }
  return wide;
}

Kind KindOfAttributes(DWORD attributes) {
  return (attributes & FILE_ATTRIBUTE_DIRECTORY) != 0 ? Kind::kDirectory : Kind::kFile;
}

// Opens `path` (links followed) for `access`; directories too.
UniqueHandle Open(const std::wstring& path, DWORD access) {
  return UniqueHandle(CreateFileW(path.c_str(), access,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                  OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, nullptr));
}

bool IsNotFound(DWORD code) {
  return code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND ||
         code == ERROR_INVALID_NAME || code == ERROR_BAD_NETPATH;
}

// A regular file on disk (not a directory, pipe or device), read whole up to
// `max_bytes` + 1 so that the caller can tell "too large".
bool IsDiskFile(HANDLE h) {
  BY_HANDLE_FILE_INFORMATION info{};
  return GetFileType(h) == FILE_TYPE_DISK && GetFileInformationByHandle(h, &info) != 0 &&
         (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) == 0;
}

}  // namespace

Kind KindOf(const std::string& path) {
  const std::wstring wide = WinPath(path);
  if (wide.empty()) return Kind::kMissing;
  const DWORD attributes = GetFileAttributesW(wide.c_str());
  if (attributes == INVALID_FILE_ATTRIBUTES) return Kind::kMissing;
  if ((attributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    WIN32_FIND_DATAW data{};
    HANDLE find = FindFirstFileW(wide.c_str(), &data);
    if (find != INVALID_HANDLE_VALUE) {
      FindClose(find);
      if (data.dwReserved0 == IO_REPARSE_TAG_SYMLINK ||
          data.dwReserved0 == IO_REPARSE_TAG_MOUNT_POINT) {
        return Kind::kSymlink;
      }
    }
  }
  return KindOfAttributes(attributes);
}

Kind KindFollowing(const std::string& path) {
  const std::wstring wide = WinPath(path);
  if (wide.empty()) return Kind::kMissing;
  UniqueHandle h = Open(wide, 0);
  BY_HANDLE_FILE_INFORMATION info{};
  if (!h.valid() || GetFileInformationByHandle(h.get(), &info) == 0) return Kind::kMissing;
  return KindOfAttributes(info.dwFileAttributes);
}

bool Readable(const std::string& path) {
  const std::wstring wide = WinPath(path);
  return !wide.empty() && Open(wide, GENERIC_READ).valid();
}

std::optional<uint64_t> FileSystemOf(const std::string& path) {
  const std::wstring wide = WinPath(path);
  if (wide.empty()) return std::nullopt;
  UniqueHandle h = Open(wide, 0);
  BY_HANDLE_FILE_INFORMATION info{};
  if (!h.valid() || GetFileInformationByHandle(h.get(), &info) == 0) return std::nullopt;
  return info.dwVolumeSerialNumber;
}

std::string ReadSmallFile(const std::string& path, size_t max_bytes) {
  const std::wstring wide = WinPath(path);
  if (wide.empty()) return {};
  UniqueHandle h = Open(wide, GENERIC_READ);
  if (!h.valid() || !IsDiskFile(h.get())) return {};
  std::string out;
  char buf[8192];
  while (out.size() < max_bytes) {
    DWORD n = 0;
    if (ReadFile(h.get(), buf, sizeof buf, &n, nullptr) == 0 || n == 0) break;
    out.append(buf, n);
  }
  if (out.size() > max_bytes) out.resize(max_bytes);
  return out;
}

Result<std::optional<std::string>> ReadConfigText(const std::string& path, size_t max_bytes) {
  const std::wstring wide = WinPath(path);
  if (wide.empty()) {
    return PlainError("open", path, "not a full path with a drive (C:\\...)");
  }
  UniqueHandle h = Open(wide, GENERIC_READ);
  if (!h.valid()) {
    const DWORD code = GetLastError();
    if (IsNotFound(code)) return std::optional<std::string>();
    return sandbox::WinError("open", path, code);
  }
  if (!IsDiskFile(h.get())) {
    return PlainError("config", path, "not a regular file");
  }
  LARGE_INTEGER size{};
  if (GetFileSizeEx(h.get(), &size) == 0) {
    return sandbox::WinError("GetFileSizeEx", path, GetLastError());
  }
  if (static_cast<uint64_t>(size.QuadPart) > max_bytes) {
    return PlainError("config", path, "file is larger than 1 MiB");
  }
  std::string text;
  char buf[8192];
  while (true) {
    DWORD n = 0;
    if (ReadFile(h.get(), buf, sizeof buf, &n, nullptr) == 0) {
      return sandbox::WinError("read", path, GetLastError());
    }
    if (n == 0) break;
    text.append(buf, n);
    if (text.size() > max_bytes) {
      return PlainError("config", path, "file is larger than 1 MiB");
    }
  }
  return std::optional<std::string>(std::move(text));
}

std::vector<std::string> ListDir(const std::string& path, size_t max_entries) {
  std::vector<std::string> names;
  const std::wstring wide = WinPath(path);
  if (wide.empty()) return names;
  WIN32_FIND_DATAW data{};
  HANDLE find = FindFirstFileW((wide + L"\\*").c_str(), &data);
  if (find == INVALID_HANDLE_VALUE) return names;
  do {
    const std::wstring_view name = data.cFileName;
    if (name == L"." || name == L"..") continue;
    if (names.size() >= max_entries) break;
    names.push_back(sandbox::Narrow(name));
  } while (FindNextFileW(find, &data) != 0);
  FindClose(find);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cordon::policy::host_fs
