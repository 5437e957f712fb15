// The online identity of a Windows run (see run_online-win32.h).
#include "cli/run_online-win32.h"

#include <winsock2.h>
#include <ws2tcpip.h>
// (after winsock2.h)
#include <windows.h>

#include <utility>

#include "sandbox/windows/appcontainer-win32.h"
#include "sandbox/windows/loopback_exemption-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/wfp-win32.h"
#include "sandbox/windows/wfp_plan.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::cli {
namespace {

namespace windows = sandbox::windows;
using sandbox::UniqueHandle;
using sandbox::Widen;
using sandbox::WinError;

// The record's size is two short lines; anything longer is not one.
constexpr DWORD kMaxRecord = 4096;

Error SetupMissing(std::string object, std::string detail) {
  Error e = PlainError("online identity", std::move(object), std::move(detail));
  e.hint =
      "run `cordon setup` from an elevated prompt (it installs the network filters and the "
      "loopback exemption once); --net off runs the command offline";
  return e;
}

Error WsaError(const std::string& op, const std::string& object) {
  return WinError(op, object, static_cast<DWORD>(WSAGetLastError()));
}

}  // namespace

std::string OnlineRecordPath(const policy::HostFacts& host) {
  return host.xdg_state_home + "\\cordon\\online";
}

Result<std::optional<windows::OnlineRecord>> ReadOnlineRecord(const std::string& path) {
  UniqueHandle file(CreateFileW(Widen(path).c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr,
                                OPEN_EXISTING, FILE_ATTRIBUTE_NORMAL, nullptr));
  if (!file.valid()) {
    const DWORD code = GetLastError();
    if (code == ERROR_FILE_NOT_FOUND || code == ERROR_PATH_NOT_FOUND) {
      return std::optional<windows::OnlineRecord>();
    }
    return WinError("CreateFileW", path, code);
  }
  std::string text(kMaxRecord, '\0');
  DWORD got = 0;
  if (!ReadFile(file.get(), text.data(), kMaxRecord, &got, nullptr)) {
    return WinError("ReadFile", path, GetLastError());
  }
  text.resize(got);
  Result<windows::OnlineRecord> record = windows::ParseOnlineRecord(text, path);
  if (!record.ok()) return record.error();
  return std::optional<windows::OnlineRecord>(std::move(record).value());
}

Status WriteOnlineRecord(const std::string& path, const windows::OnlineRecord& record) {
  const std::string text = windows::FormatOnlineRecord(record);
  {
    UniqueHandle file(CreateFileW(Widen(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                                  FILE_ATTRIBUTE_NORMAL, nullptr));
    if (!file.valid()) return WinError("CreateFileW", path, GetLastError());
    DWORD wrote = 0;
    if (!WriteFile(file.get(), text.data(), static_cast<DWORD>(text.size()), &wrote, nullptr) ||
        wrote != text.size() || !FlushFileBuffers(file.get())) {
      return WinError("WriteFile", path, GetLastError());
    }
  }
  Result<std::optional<windows::OnlineRecord>> back = ReadOnlineRecord(path);
  if (!back.ok()) return back.error();
  if (!back.value() || !(*back.value() == record)) {
    return PlainError("online record", path, "does not read back as written");
  }
  return {};
}

Status DeleteOnlineRecord(const std::string& path) {
  if (!DeleteFileW(Widen(path).c_str()) && GetLastError() != ERROR_FILE_NOT_FOUND &&
      GetLastError() != ERROR_PATH_NOT_FOUND) {
    return WinError("DeleteFileW", path, GetLastError());
  }
  return {};
}

Result<windows::OnlineRecord> CheckOnlineSetup(const policy::HostFacts& host) {
  const std::string path = OnlineRecordPath(host);
  Result<std::optional<windows::OnlineRecord>> record = ReadOnlineRecord(path);
  if (!record.ok()) return record.error();
  if (!record.value()) {
    return SetupMissing(path,
                        "the online identity is not set up on this machine (no record of "
                        "cordon's proxy port)");
  }
  const windows::OnlineRecord& r = *record.value();
  Result<std::string> sid = windows::AppContainerSidFromName(sandbox::appcontainer::kOnlineProfile);
  if (!sid.ok()) return sid.error();
  Result<windows::wfp::Plan> plan = windows::wfp::PlanOnline(sid.value(), r.address, r.port);
  if (!plan.ok()) return plan.error();
  // By key: an unelevated user may read cordon's objects (setup granted
  // FWPM_ACTRL_READ on each), not enumerate the engine.
  if (Status s = windows::wfp::VerifyByKey(plan.value()); !s.ok()) return s.error();
  if (Status s = windows::loopback::CheckExempt(sid.value()); !s.ok()) return s.error();
  return r;
}

Result<std::unique_ptr<proxy::Server>> StartOnlineProxy(const policy::Policy& policy,
                                                        const windows::OnlineRecord& record,
                                                        EventSink* events, proxy::Decider* decider,
                                                        int decide_timeout_ms) {
  const std::string where = record.address + ":" + std::to_string(record.port);
  WSADATA wsa{};
  if (const int rc = WSAStartup(MAKEWORD(2, 2), &wsa); rc != 0) {
    return WinError("WSAStartup", "Winsock 2.2", static_cast<DWORD>(rc));
  }
  proxy::UniqueSocket listener(WSASocketW(AF_INET, SOCK_STREAM, IPPROTO_TCP, nullptr, 0,
                                          WSA_FLAG_OVERLAPPED | WSA_FLAG_NO_HANDLE_INHERIT));
  if (!listener.valid()) return WsaError("WSASocketW(TCP)", where);
  // Exclusive: no other program may bind the port beside the proxy (with
  // SO_REUSEADDR) and take the sandbox's connections.
  BOOL on = TRUE;
  if (setsockopt(listener.get(), SOL_SOCKET, SO_EXCLUSIVEADDRUSE, reinterpret_cast<char*>(&on),
                 sizeof on) != 0) {
    return WsaError("setsockopt(SO_EXCLUSIVEADDRUSE)", where);
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(record.port);
  if (inet_pton(AF_INET, record.address.c_str(), &address.sin_addr) != 1) {
    return PlainError("proxy listener", where, "not an IPv4 address");
  }
  if (bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    const int code = WSAGetLastError();
    Error e = WinError("bind", where, static_cast<DWORD>(code));
    if (code == WSAEADDRINUSE || code == WSAEACCES) {
      e.detail =
          "the port of cordon's proxy is in use (another program, or another online "
          "cordon run, listens there): " +
          e.detail;
      e.hint = "stop what listens on " + where +
               " (`netstat -ano | findstr :" + std::to_string(record.port) +
               "` names its process), or move cordon's proxy to a free port: `cordon setup "
               "--proxy-port N` from an elevated prompt";
    }
    return e;
  }
  if (listen(listener.get(), SOMAXCONN) != 0) return WsaError("listen", where);

  proxy::Config config;
  config.rules = policy.net_rules;
  config.resolve = policy.net_resolve;
  config.events = events;
  config.decider = decider;
  if (decide_timeout_ms > 0) config.limits.decide_timeout_ms = decide_timeout_ms;
  return proxy::Server::Start(std::move(listener), std::move(config));
}

}  // namespace cordon::cli
