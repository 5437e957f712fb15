// The user config (%APPDATA%\cordon\config.toml) read and replaced
// atomically on Windows (config_edit.h): the file where a symbolic link
// points (its final path), a temp file beside it written and flushed, then
// moved over it with MoveFileExW(MOVEFILE_REPLACE_EXISTING |
// MOVEFILE_WRITE_THROUGH), which replaces the name in one step on one
// volume. The new file takes the folder's inherited DACL (%APPDATA% is the
// user's own); there are no POSIX permission bits to keep.
#include <windows.h>

#include <string>

#include "approval/config_edit.h"
#include "policy/config_file.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::approval {

namespace {

using sandbox::Narrow;
using sandbox::UniqueHandle;
using sandbox::Widen;
using sandbox::WinError;

// The final path of an open file, without the "\\?\" prefix Windows puts
// on it (a drive path; a UNC path keeps "\\?\UNC\", which the calls take).
std::wstring FinalPath(HANDLE file, const std::wstring& fallback) {
  wchar_t buf[MAX_PATH * 2];
  const DWORD n = GetFinalPathNameByHandleW(file, buf, MAX_PATH * 2, FILE_NAME_NORMALIZED);
  if (n == 0 || n >= MAX_PATH * 2) return fallback;
  std::wstring path(buf, n);
  if (path.starts_with(L"\\\\?\\") && path.size() > 6 && path[5] == L':') path.erase(0, 4);
  return path;
}

std::wstring DirOf(const std::wstring& path) {
  const size_t slash = path.find_last_of(L"\\/");
  return slash == std::wstring::npos ? L"." : path.substr(0, slash);
}

// Reads all of `file` (a regular file no larger than a config may be).
Result<std::string> ReadAll(HANDLE file, const std::string& shown) {
  BY_HANDLE_FILE_INFORMATION info{};
  if (GetFileInformationByHandle(file, &info) == 0) {
    return WinError("GetFileInformationByHandle", shown, GetLastError());
  }
  if ((info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0) {
    return PlainError("approval", shown, "not a regular file");
  }
  const uint64_t size = (static_cast<uint64_t>(info.nFileSizeHigh) << 32) | info.nFileSizeLow;
  if (size > policy::kMaxConfigBytes) {
    return PlainError("approval", shown, "the config file is too large to edit");
  }
  std::string text;
  char buf[4096];
  for (;;) {
    DWORD n = 0;
    if (ReadFile(file, buf, sizeof(buf), &n, nullptr) == 0) {
      return WinError("ReadFile", shown, GetLastError());
    }
    if (n == 0) break;
    text.append(buf, n);
  }
  return text;
}

// A new file beside `target` (never an existing one: CREATE_NEW), its name
// in `*tmp`.
Result<UniqueHandle> CreateTemp(const std::wstring& target, std::wstring* tmp) {
  DWORD error = 0;
  for (unsigned attempt = 0; attempt < 16; ++attempt) {
    *tmp = target + L".cordon-" + std::to_wstring(GetCurrentProcessId()) + L"-" +
           std::to_wstring(GetTickCount64()) + L"-" + std::to_wstring(attempt);
    UniqueHandle out(CreateFileW(tmp->c_str(), GENERIC_WRITE, 0, nullptr, CREATE_NEW,
                                 FILE_ATTRIBUTE_NORMAL, nullptr));
    if (out.valid()) return out;
    error = GetLastError();
    if (error != ERROR_FILE_EXISTS && error != ERROR_ALREADY_EXISTS) break;
  }
  return WinError("CreateFileW(CREATE_NEW)", Narrow(*tmp), error);
}

}  // namespace

Status PersistNetworkAllow(const std::string& path, std::string_view rule,
                           std::string_view comment) {
  std::wstring target = Widen(path);
  std::string text;
  bool existed = false;
  {
    UniqueHandle in(CreateFileW(target.c_str(), GENERIC_READ,
                                FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
    if (in.valid()) {
      existed = true;
      target = FinalPath(in.get(), target);
      auto read = ReadAll(in.get(), Narrow(target));
      if (!read.ok()) return read.error();
      text = std::move(read).value();
    } else if (const DWORD error = GetLastError();
               error == ERROR_FILE_NOT_FOUND || error == ERROR_PATH_NOT_FOUND) {
      // The folder (%APPDATA%\cordon) is made when missing; its parent
      // must exist, as on POSIX.
      const std::wstring dir = DirOf(target);
      if (CreateDirectoryW(dir.c_str(), nullptr) == 0 && GetLastError() != ERROR_ALREADY_EXISTS) {
        return WinError("CreateDirectoryW", Narrow(dir), GetLastError());
      }
    } else {
      return WinError("CreateFileW", path, error);
    }
  }
  const std::string shown = Narrow(target);

  auto edited = AddNetworkAllow(text, rule, comment);
  if (!edited.ok()) {
    Error e = edited.error();
    e.object = shown;
    return e;
  }
  if (edited.value() == text && existed) return {};

  std::wstring tmp;
  auto out = CreateTemp(target, &tmp);
  if (!out.ok()) return out.error();
  auto fail = [&](Error e) {
    out.value().Reset();
    DeleteFileW(tmp.c_str());
    return e;
  };
  const std::string& data = edited.value();
  for (size_t off = 0; off < data.size();) {
    DWORD n = 0;
    if (WriteFile(out.value().get(), data.data() + off, static_cast<DWORD>(data.size() - off), &n,
                  nullptr) == 0 ||
        n == 0) {
      return fail(WinError("WriteFile", Narrow(tmp), GetLastError()));
    }
    off += n;
  }
  if (FlushFileBuffers(out.value().get()) == 0) {
    return fail(WinError("FlushFileBuffers", Narrow(tmp), GetLastError()));
  }
  out.value().Reset();
  if (MoveFileExW(tmp.c_str(), target.c_str(),
                  MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
    return fail(WinError("MoveFileExW", shown, GetLastError()));
  }
  return {};
}

}  // namespace cordon::approval
