// The events file's Win32 calls (see event_file.h). A day file is opened
// with FILE_APPEND_DATA and no FILE_WRITE_DATA: every WriteFile on such a
// handle goes to the end of the file, as O_APPEND does on Linux. That alone
// does not keep concurrent runs' lines whole everywhere (Wine finds the end
// and writes there in two steps, and loses a line when two runs race), so
// each line is written under an exclusive byte-range lock. The directories
// and files get no explicit DACL: they inherit %LOCALAPPDATA%'s (the user,
// SYSTEM, Administrators), which grants no AppContainer anything.
#include <windows.h>

#include "sandbox/windows/win_error-win32.h"
#include "telemetry/event_file.h"

namespace cordon::telemetry {
namespace {

using sandbox::Widen;
using sandbox::WinError;

// The policy's drive paths use '/'; Win32 is given '\'.
std::wstring WinPath(const std::string& path) {
  std::wstring wide = Widen(path);
  for (wchar_t& c : wide) {
    if (c == L'/') c = L'\\';
  }
  return wide;
}

// The byte every writer locks: far beyond any day file's end, so the lock
// (mandatory on Windows) never blocks a reader of the lines.
constexpr DWORD kLockOffsetHigh = 0x40000000;  // 2^62

// The platform-neutral header keeps the HANDLE as an integer.
HANDLE AsHandle(intptr_t h) {
  return reinterpret_cast<HANDLE>(h);  // NOLINT(performance-no-int-to-ptr)
}

// mkdir -p: every missing directory of `path` (a drive path), in order.
Status MakeDirs(const std::string& path) {
  const std::wstring wide = WinPath(path);
  for (size_t i = 3; i <= wide.size(); ++i) {  // after "C:\"
    if (i != wide.size() && wide[i] != L'\\') continue;
    const std::wstring part = wide.substr(0, i);
    if (!CreateDirectoryW(part.c_str(), nullptr) && GetLastError() != ERROR_ALREADY_EXISTS) {
      return WinError("CreateDirectoryW", sandbox::Narrow(part), GetLastError());
    }
  }
  return {};
}

HANDLE OpenForAppend(const std::string& path) {
  // FILE_FLAG_OPEN_REPARSE_POINT: a link planted in the file's place is
  // opened itself (and writing to it fails), never followed: O_NOFOLLOW.
  // FILE_READ_DATA: LockFileEx needs it (or FILE_WRITE_DATA, which would
  // let a write land anywhere but the end).
  return CreateFileW(WinPath(path).c_str(), FILE_READ_DATA | FILE_APPEND_DATA | SYNCHRONIZE,
                     FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_ALWAYS,
                     FILE_ATTRIBUTE_NORMAL | FILE_FLAG_OPEN_REPARSE_POINT, nullptr);
}

}  // namespace

void AppendFile::Close() {
  if (handle_ != -1) CloseHandle(AsHandle(handle_));
  handle_ = -1;
}

Status AppendFile::Open(const std::string& dir, const std::string& path) {
  HANDLE h = OpenForAppend(path);
  if (h == INVALID_HANDLE_VALUE && GetLastError() == ERROR_PATH_NOT_FOUND) {
    CORDON_RETURN_IF_ERROR(MakeDirs(dir));
    h = OpenForAppend(path);
  }
  if (h == INVALID_HANDLE_VALUE) return WinError("CreateFileW", path, GetLastError());
  Close();
  handle_ = reinterpret_cast<intptr_t>(h);
  return {};
}

bool AppendFile::Empty() const {
  LARGE_INTEGER size{};
  return GetFileSizeEx(AsHandle(handle_), &size) && size.QuadPart == 0;
}

Status AppendFile::AppendLine(std::string_view line, const std::string& path) {
  std::string bytes(line);
  bytes.push_back('\n');
  HANDLE h = AsHandle(handle_);
  OVERLAPPED lock{};
  lock.OffsetHigh = kLockOffsetHigh;
  if (!LockFileEx(h, LOCKFILE_EXCLUSIVE_LOCK, 0, 1, 0, &lock)) {
    return WinError("LockFileEx", path, GetLastError());
  }
  DWORD written = 0;
  const bool wrote =
      WriteFile(h, bytes.data(), static_cast<DWORD>(bytes.size()), &written, nullptr) != 0;
  const DWORD error = GetLastError();
  UnlockFileEx(h, 0, 1, 0, &lock);
  if (!wrote) return WinError("WriteFile", path, error);
  // A short write is a full disk: the line is torn, and the reader skips it.
  if (written != bytes.size()) return WinError("WriteFile", path, ERROR_DISK_FULL);
  return {};
}

// The cache manager's lazy writer writes the file back within seconds;
// FlushFileBuffers would wait for the disk, which no run should pay for.
Status AppendFile::StartWriteback(const std::string& /*path*/) { return {}; }

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  WIN32_FIND_DATAW found{};
  HANDLE h = FindFirstFileW((WinPath(dir) + L"\\*").c_str(), &found);
  if (h == INVALID_HANDLE_VALUE) return names;
  do {
    names.push_back(sandbox::Narrow(found.cFileName));
  } while (FindNextFileW(h, &found));
  FindClose(h);
  return names;
}

bool RemoveFile(const std::string& path) { return DeleteFileW(WinPath(path).c_str()) != 0; }

}  // namespace cordon::telemetry
