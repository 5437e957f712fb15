// The vault's files on Windows (store_files.h). The directory and every
// file are created with a protected DACL naming only the user and SYSTEM
// (no inherited ACE) in their SECURITY_ATTRIBUTES, so they never exist with
// another DACL, read back before anything is written into them, and
// checked again on every read: a DACL that grants anyone else anything, or
// inherits an ACE, is refused with the path and the ACE. The DACL is not
// set again afterwards with SetSecurityInfo: under Wine that widens the
// file's mode to rwxrwxr-x (Everyone reads), which this read-back caught
// (docs/windows.md, "Credentials"). Locks are LockFileEx on the lock file; a change is
// written to a temp file, flushed, and moved over the vault with
// MoveFileExW(MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH).
#include <windows.h>
// (after windows.h, which they need)
#include <aclapi.h>
#include <sddl.h>

#include <cstdio>
#include <string>
#include <utility>

#include "sandbox/windows/security_descriptor-win32.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"
#include "vault/crypto.h"
#include "vault/store_files.h"
#include "vault/token_user-win32.h"

namespace cordon::vault {

namespace {

namespace sd = sandbox::security_descriptor;
using sandbox::UniqueHandle;
using sandbox::Widen;
using sandbox::WinError;

constexpr const char* kSystem = "S-1-5-18";
constexpr const char* kAdministrators = "S-1-5-32-544";

// Full control for SYSTEM and the user, nothing inherited from above;
// a directory passes both ACEs on to what is created in it.
Result<sd::Owned> PrivateDescriptor(bool dir) {
  auto user = CurrentUserSid();
  if (!user.ok()) return user.error();
  const std::string flags = dir ? "OICI" : "";
  return sd::FromSddl("D:P(A;" + flags + ";FA;;;SY)(A;" + flags + ";FA;;;" + user.value() + ")");
}

// Reads the DACL and owner of an open file or directory back and refuses
// anything but allow ACEs for the user and SYSTEM, none inherited, owned
// by the user (or SYSTEM or Administrators, who control the machine
// anyway). The protected flag is written but not required here: Wine
// drops it (docs/windows.md), and an ACE inherited later would be refused
// by this very check on the next use.
Status CheckPrivate(HANDLE h, const std::string& path) {
  auto user = CurrentUserSid();
  if (!user.ok()) return user.error();
  PSECURITY_DESCRIPTOR raw = nullptr;
  PSID owner = nullptr;
  const DWORD rc =
      GetSecurityInfo(h, SE_FILE_OBJECT, DACL_SECURITY_INFORMATION | OWNER_SECURITY_INFORMATION,
                      &owner, nullptr, nullptr, nullptr, &raw);
  if (rc != ERROR_SUCCESS) return WinError("GetSecurityInfo", path, rc);
  const sd::Owned descriptor(raw);
  wchar_t* owner_text = nullptr;
  std::string owner_sid;
  if (owner != nullptr && ConvertSidToStringSidW(owner, &owner_text) != 0) {
    owner_sid = sandbox::Narrow(owner_text);
    LocalFree(owner_text);
  }
  if (owner_sid != user.value() && owner_sid != kSystem && owner_sid != kAdministrators) {
    return PlainError("vault", path, "owned by " + owner_sid + ", not by you");
  }
  auto dacl = sd::ReadDacl(descriptor.get());
  if (!dacl.ok()) return dacl.error();
  if (!dacl.value().present) {
    return PlainError("vault", path, "has no DACL: everyone may open it");
  }
  for (const sd::AceRead& ace : dacl.value().aces) {
    const bool ours =
        ace.type == ACCESS_ALLOWED_ACE_TYPE && (ace.sid == user.value() || ace.sid == kSystem);
    const bool inherited = (ace.flags & INHERITED_ACE) != 0;
    if (!ours || inherited) {
      Error e = PlainError(
          "vault", path,
          std::string("its DACL ") + (inherited ? "inherits" : "has") + " an ACE of type " +
              std::to_string(ace.type) + " for " +
              (ace.sid.empty() ? "another kind of trustee" : ace.sid) + " (mask 0x" +
              [&] {
                char hex[16];
                std::snprintf(hex, sizeof hex, "%x", ace.mask);
                return std::string(hex);
              }() +
              "): only you and SYSTEM may be named");
      e.hint = "the file was kept as is; move the vault folder away and run 'cordon setup'";
      return e;
    }
  }
  return {};
}

bool Missing(DWORD err) { return err == ERROR_FILE_NOT_FOUND || err == ERROR_PATH_NOT_FOUND; }

// Opens an existing file or directory without following a reparse point.
UniqueHandle OpenExisting(const std::string& path, DWORD access, bool dir) {
  return UniqueHandle(
      CreateFileW(Widen(path).c_str(), access,
                  FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE, nullptr, OPEN_EXISTING,
                  FILE_FLAG_OPEN_REPARSE_POINT | (dir ? FILE_FLAG_BACKUP_SEMANTICS : 0), nullptr));
}

Status CheckKind(HANDLE h, const std::string& path, bool want_dir) {
  BY_HANDLE_FILE_INFORMATION info;
  if (GetFileInformationByHandle(h, &info) == 0) {
    return WinError("GetFileInformationByHandle", path, GetLastError());
  }
  if ((info.dwFileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) != 0) {
    return PlainError("vault", path, "is a reparse point (a link or junction)");
  }
  const bool is_dir = (info.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY) != 0;
  if (is_dir != want_dir) {
    return PlainError("vault", path, want_dir ? "not a directory" : "not a regular file");
  }
  return {};
}

// A new private file at `tmp` holding `data`, flushed; a stale one from a
// crash is removed first (one writer holds the lock).
Status WriteTemp(const std::string& tmp, std::string_view data) {
  DeleteFileW(Widen(tmp).c_str());
  auto descriptor = PrivateDescriptor(false);
  if (!descriptor.ok()) return descriptor.error();
  SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), descriptor.value().get(), FALSE};
  UniqueHandle h(CreateFileW(Widen(tmp).c_str(), GENERIC_WRITE | READ_CONTROL, 0, &sa, CREATE_NEW,
                             FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!h.valid()) return WinError("CreateFileW", tmp, GetLastError());
  Status s = CheckPrivate(h.get(), tmp);
  while (s.ok() && !data.empty()) {
    DWORD n = 0;
    const DWORD chunk = data.size() > 1u << 20 ? 1u << 20 : static_cast<DWORD>(data.size());
    if (WriteFile(h.get(), data.data(), chunk, &n, nullptr) == 0) {
      s = WinError("WriteFile", tmp, GetLastError());
    }
    data.remove_prefix(n);
  }
  if (s.ok() && FlushFileBuffers(h.get()) == 0)
    s = WinError("FlushFileBuffers", tmp, GetLastError());
  h.Reset();
  if (!s.ok()) DeleteFileW(Widen(tmp).c_str());
  return s;
}

class FileLock final : public files::LockGuard {
 public:
  explicit FileLock(UniqueHandle h) : h_(std::move(h)) {}
  // Closing the handle releases the lock too; unlocking first says so.
  ~FileLock() override {
    OVERLAPPED ov{};
    UnlockFileEx(h_.get(), 0, 1, 0, &ov);
  }

 private:
  UniqueHandle h_;
};

}  // namespace

Paths Paths::ForState(const std::string& state) {
  Paths p;
  p.dir = state + "\\vault";
  p.key = p.dir + "\\key";
  p.secrets = p.dir + "\\secrets";
  p.lock = p.dir + "\\lock";
  return p;
}

namespace files {

Result<std::unique_ptr<LockGuard>> Lock(const Paths& paths, bool exclusive) {
  auto descriptor = PrivateDescriptor(false);
  if (!descriptor.ok()) return descriptor.error();
  SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), descriptor.value().get(), FALSE};
  UniqueHandle h(CreateFileW(Widen(paths.lock).c_str(), GENERIC_READ | GENERIC_WRITE,
                             FILE_SHARE_READ | FILE_SHARE_WRITE, &sa, OPEN_ALWAYS,
                             FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!h.valid()) return WinError("CreateFileW", paths.lock, GetLastError());
  OVERLAPPED ov{};
  if (LockFileEx(h.get(), exclusive ? LOCKFILE_EXCLUSIVE_LOCK : 0, 0, 1, 0, &ov) == 0) {
    return WinError(exclusive ? "LockFileEx(LOCKFILE_EXCLUSIVE_LOCK)" : "LockFileEx(shared)",
                    paths.lock, GetLastError());
  }
  return std::unique_ptr<LockGuard>(new FileLock(std::move(h)));
}

Status CheckDir(const Paths& paths, bool create) {
  if (create) {
    // cordon's state folder takes what %LOCALAPPDATA% passes down (the
    // user, SYSTEM, Administrators); the vault folder inside gets its own.
    const std::string state = paths.dir.substr(0, paths.dir.rfind('\\'));
    if (CreateDirectoryW(Widen(state).c_str(), nullptr) == 0 &&
        GetLastError() != ERROR_ALREADY_EXISTS) {
      return WinError("CreateDirectoryW", state, GetLastError());
    }
    auto descriptor = PrivateDescriptor(true);
    if (!descriptor.ok()) return descriptor.error();
    SECURITY_ATTRIBUTES sa{sizeof(SECURITY_ATTRIBUTES), descriptor.value().get(), FALSE};
    if (CreateDirectoryW(Widen(paths.dir).c_str(), &sa) == 0 &&
        GetLastError() != ERROR_ALREADY_EXISTS) {
      return WinError("CreateDirectoryW", paths.dir, GetLastError());
    }
  }
  UniqueHandle h = OpenExisting(paths.dir, READ_CONTROL | FILE_READ_ATTRIBUTES, true);
  if (!h.valid()) {
    const DWORD err = GetLastError();
    Error e = WinError("CreateFileW", paths.dir, err);
    if (Missing(err)) e.hint = "run 'cordon setup' first";
    return e;
  }
  CORDON_RETURN_IF_ERROR(CheckKind(h.get(), paths.dir, true));
  return CheckPrivate(h.get(), paths.dir);
}

Result<std::optional<std::string>> ReadPrivate(const std::string& path, size_t limit) {
  UniqueHandle h = OpenExisting(path, GENERIC_READ | READ_CONTROL, false);
  if (!h.valid()) {
    const DWORD err = GetLastError();
    if (Missing(err)) return std::optional<std::string>();
    return WinError("CreateFileW", path, err);
  }
  CORDON_RETURN_IF_ERROR(CheckKind(h.get(), path, false));
  CORDON_RETURN_IF_ERROR(CheckPrivate(h.get(), path));
  std::string out;
  char buf[8192];
  while (true) {
    DWORD n = 0;
    if (ReadFile(h.get(), buf, sizeof buf, &n, nullptr) == 0) {
      Wipe(out.data(), out.size());
      return WinError("ReadFile", path, GetLastError());
    }
    if (n == 0) break;
    out.append(buf, n);
    if (out.size() > limit) {
      Wipe(out.data(), out.size());
      return PlainError("vault", path, "file is too large");
    }
  }
  Wipe(buf, sizeof buf);
  return std::optional<std::string>(std::move(out));
}

Result<bool> CreatePrivate(const Paths& /*paths*/, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  CORDON_RETURN_IF_ERROR(WriteTemp(tmp, data));
  // Without MOVEFILE_REPLACE_EXISTING: a key a concurrent setup made wins.
  if (MoveFileExW(Widen(tmp).c_str(), Widen(path).c_str(), MOVEFILE_WRITE_THROUGH) == 0) {
    const DWORD err = GetLastError();
    DeleteFileW(Widen(tmp).c_str());
    if (err == ERROR_ALREADY_EXISTS || err == ERROR_FILE_EXISTS) return false;
    return WinError("MoveFileExW", tmp + " -> " + path, err);
  }
  return true;
}

Status ReplacePrivate(const Paths& /*paths*/, const std::string& path, std::string_view data) {
  const std::string tmp = path + ".tmp";
  CORDON_RETURN_IF_ERROR(WriteTemp(tmp, data));
  if (MoveFileExW(Widen(tmp).c_str(), Widen(path).c_str(),
                  MOVEFILE_REPLACE_EXISTING | MOVEFILE_WRITE_THROUGH) == 0) {
    const DWORD err = GetLastError();
    DeleteFileW(Widen(tmp).c_str());
    return WinError("MoveFileExW", tmp + " -> " + path, err);
  }
  return {};
}

}  // namespace files
}  // namespace cordon::vault
