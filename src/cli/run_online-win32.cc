// The online identity of a Windows run (see run_online-win32.h).
#include "cli/run_online-win32.h"

#include <winsock2.h>
#include <ws2tcpip.h>
// (after winsock2.h)
#include <windows.h>
// (after windows.h)
#include <iphlpapi.h>

#include <cstring>
#include <utility>
#include <vector>

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

// Local\cordon-proxy-PORT: the mark that a cordon proxy holds PORT
// (run_online-win32.h). By port alone: Wine's listener table reports no
// owning process, and the port needs none (only the run that bound it
// exclusively creates it).
std::wstring MarkName(uint16_t port) { return L"Local\\cordon-proxy-" + std::to_wstring(port); }

bool HasMark(uint16_t port) {
  UniqueHandle mark(OpenEventW(SYNCHRONIZE, FALSE, MarkName(port).c_str()));
  return mark.valid();
}

// One listener reachable at 127.0.0.1 with a port of the range: its port
// and owning process.
struct Listener {
  uint16_t port;
  DWORD pid;
  std::string address;
};

// The engine's table of listeners of `family` (TCP_TABLE_OWNER_PID_LISTENER),
// grown until it fits.
Result<std::vector<char>> ListenerTable(ULONG family) {
  std::vector<char> table(16384);
  for (int attempt = 0; attempt < 8; ++attempt) {
    DWORD size = static_cast<DWORD>(table.size());
    const DWORD rc =
        GetExtendedTcpTable(table.data(), &size, FALSE, family, TCP_TABLE_OWNER_PID_LISTENER, 0);
    if (rc == NO_ERROR) return table;
    if (rc != ERROR_INSUFFICIENT_BUFFER) {
      return WinError("GetExtendedTcpTable",
                      family == AF_INET ? "IPv4 listeners" : "IPv6 listeners", rc);
    }
    table.resize(size + 4096);
  }
  return PlainError("GetExtendedTcpTable", "listeners", "the table kept growing");
}

// Every listener a connection from the sandbox to 127.0.0.1:PORT of the
// range could reach: IPv4 on 127.0.0.1 or 0.0.0.0, IPv6 on :: or
// ::ffff:127.0.0.1 (a dual-stack socket takes IPv4).
Result<std::vector<Listener>> ListenersInRange(const windows::OnlineRecord& record) {
  std::vector<Listener> out;
  const auto in_range = [&](DWORD net_port) {
    const uint16_t port = ntohs(static_cast<uint16_t>(net_port));
    return port >= record.first_port && port <= record.last_port ? port : uint16_t{0};
  };
  Result<std::vector<char>> v4 = ListenerTable(AF_INET);
  if (!v4.ok()) return v4.error();
  const auto* t4 = reinterpret_cast<const MIB_TCPTABLE_OWNER_PID*>(v4.value().data());
  for (DWORD i = 0; i < t4->dwNumEntries; ++i) {
    const MIB_TCPROW_OWNER_PID& row = t4->table[i];
    const uint32_t addr = ntohl(row.dwLocalAddr);
    const uint16_t port = in_range(row.dwLocalPort);
    if (port != 0 && (addr == INADDR_LOOPBACK || addr == INADDR_ANY)) {
      out.push_back({port, row.dwOwningPid, addr == INADDR_ANY ? "0.0.0.0" : "127.0.0.1"});
    }
  }
  Result<std::vector<char>> v6 = ListenerTable(AF_INET6);
  if (!v6.ok()) return v6.error();
  const auto* t6 = reinterpret_cast<const MIB_TCP6TABLE_OWNER_PID*>(v6.value().data());
  for (DWORD i = 0; i < t6->dwNumEntries; ++i) {
    const MIB_TCP6ROW_OWNER_PID& row = t6->table[i];
    const uint16_t port = in_range(row.dwLocalPort);
    if (port == 0) continue;
    static constexpr UCHAR kAny[16] = {};
    static constexpr UCHAR kMapped[16] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 127, 0, 0, 1};
    if (std::memcmp(row.ucLocalAddr, kAny, 16) == 0) {
      out.push_back({port, row.dwOwningPid, "::"});
    } else if (std::memcmp(row.ucLocalAddr, kMapped, 16) == 0) {
      out.push_back({port, row.dwOwningPid, "::ffff:127.0.0.1"});
    }
  }
  return out;
}

// OK when every listener the sandbox could reach on a port of the range
// is a cordon proxy's (its port has the mark); else an Error naming
// the first one that is not.
Status CheckRangeIsCordons(const windows::OnlineRecord& record) {
  Result<std::vector<Listener>> listeners = ListenersInRange(record);
  if (!listeners.ok()) return listeners.error();
  for (const Listener& l : listeners.value()) {
    if (HasMark(l.port)) continue;
    const std::string who =
        l.pid == 0 ? "a process (its id not reported)" : "process " + std::to_string(l.pid);
    Error e = PlainError(
        "proxy port range", record.RangeText(),
        who + " listens on " + l.address + ":" + std::to_string(l.port) +
            " and is not a cordon proxy: the online sandbox may reach every port of the range, "
            "so it would reach that program without the proxy; nothing runs");
    e.hint = "stop what listens on " + l.address + ":" + std::to_string(l.port) +
             " (`netstat -ano | findstr :" + std::to_string(l.port) +
             "` names its process), or move cordon's proxy range away from it: `cordon setup "
             "--proxy-port N` from an elevated prompt";
    return e;
  }
  return {};
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
                        "cordon's proxy port range)");
  }
  const windows::OnlineRecord& r = *record.value();
  Result<std::string> sid = windows::AppContainerSidFromName(sandbox::appcontainer::kOnlineProfile);
  if (!sid.ok()) return sid.error();
  Result<windows::wfp::Plan> plan =
      windows::wfp::PlanOnline(sid.value(), r.address, r.first_port, r.last_port);
  if (!plan.ok()) return plan.error();
  // By key: an unelevated user may read cordon's objects (setup granted
  // FWPM_ACTRL_READ on each), not enumerate the engine.
  if (Status s = windows::wfp::VerifyByKey(plan.value()); !s.ok()) return s.error();
  if (Status s = windows::loopback::CheckExempt(sid.value()); !s.ok()) return s.error();
  return r;
}

Result<std::unique_ptr<OnlineProxy>> StartOnlineProxy(const policy::Policy& policy,
                                                      const windows::OnlineRecord& record,
                                                      EventSink* events, proxy::Decider* decider,
                                                      int decide_timeout_ms) {
  const std::string range = record.RangeText();
  WSADATA wsa{};
  if (const int rc = WSAStartup(MAKEWORD(2, 2), &wsa); rc != 0) {
    return WinError("WSAStartup", "Winsock 2.2", static_cast<DWORD>(rc));
  }
  in_addr loopback{};
  if (inet_pton(AF_INET, record.address.c_str(), &loopback) != 1) {
    return PlainError("proxy listener", range, "not an IPv4 address");
  }
  for (uint32_t port = record.first_port; port <= record.last_port; ++port) {
    const std::string where = record.address + ":" + std::to_string(port);
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
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr = loopback;
    if (bind(listener.get(), reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
      const int code = WSAGetLastError();
      // Taken (another online run, or another program): the next port.
      if (code == WSAEADDRINUSE || code == WSAEACCES) continue;
      return WinError("bind", where, static_cast<DWORD>(code));
    }
    // The mark once the port is cordon's alone, before it listens: a
    // listener of cordon's is never seen without it.
    UniqueHandle mark(
        CreateEventW(nullptr, TRUE, FALSE, MarkName(static_cast<uint16_t>(port)).c_str()));
    if (!mark.valid()) return WinError("CreateEventW(cordon-proxy mark)", where, GetLastError());
    if (listen(listener.get(), SOMAXCONN) != 0) return WsaError("listen", where);
    if (Status s = CheckRangeIsCordons(record); !s.ok()) return s.error();

    proxy::Config config;
    config.rules = policy.net_rules;
    config.resolve = policy.net_resolve;
    config.events = events;
    config.decider = decider;
    if (decide_timeout_ms > 0) config.limits.decide_timeout_ms = decide_timeout_ms;
    Result<std::unique_ptr<proxy::Server>> server =
        proxy::Server::Start(std::move(listener), std::move(config));
    if (!server.ok()) return server.error();
    return std::make_unique<OnlineProxy>(std::move(mark), std::move(server).value(),
                                         static_cast<uint16_t>(port));
  }
  const std::string count = std::to_string(record.last_port - record.first_port + 1);
  Error e = PlainError("proxy listener", range,
                       "every port of cordon's proxy range is in use (" + count +
                           " ports: other online cordon runs, or other programs, listen there)");
  e.hint = "wait for an online run to end, stop what listens on " + range +
           " (`netstat -ano | findstr :" + std::to_string(record.first_port) +
           "` and the next ports name the processes), or move cordon's proxy range: `cordon "
           "setup --proxy-port N` from an elevated prompt";
  return e;
}

}  // namespace cordon::cli
