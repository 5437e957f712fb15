// The live checks of `cordon doctor` on Windows (see doctor_live-win32.h).
#include "cli/doctor_live-win32.h"

#include <winsock2.h>
// (winsock2.h before windows.h)
#include <windows.h>

#include <string>
#include <vector>

#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::cli {
namespace {

using sandbox::Narrow;
using sandbox::UniqueHandle;
using sandbox::confinement_probe::Check;

constexpr char kCanary[] = "cordon-doctor-canary";

std::wstring OwnPath() {
  std::wstring path(MAX_PATH, L'\0');
  const DWORD n = GetModuleFileNameW(nullptr, path.data(), static_cast<DWORD>(path.size()));
  path.resize(n);
  return path;
}

bool Exists(const std::wstring& path) {
  return GetFileAttributesW(path.c_str()) != INVALID_FILE_ATTRIBUTES;
}

std::string ReadFileText(const std::wstring& path) {
  UniqueHandle file(
      CreateFileW(path.c_str(), GENERIC_READ, FILE_SHARE_READ, nullptr, OPEN_EXISTING, 0, nullptr));
  std::string text;
  char buffer[4096];
  DWORD n = 0;
  while (file.valid() && ReadFile(file.get(), buffer, sizeof(buffer), &n, nullptr) && n > 0) {
    text.append(buffer, n);
  }
  return text;
}

// `cordon run --workspace WS -- cmd /d /c COMMAND`, its output in a file
// the run cannot see (beside the workspace). Returns what it printed, or
// the reason it did not start.
std::string RunConfined(const std::wstring& workspace, const std::wstring& out_file,
                        const std::wstring& command) {
  SECURITY_ATTRIBUTES inherit{sizeof(inherit), nullptr, TRUE};
  UniqueHandle out(CreateFileW(out_file.c_str(), GENERIC_WRITE, FILE_SHARE_READ, &inherit,
                               CREATE_ALWAYS, 0, nullptr));
  if (!out.valid())
    return sandbox::WinError("CreateFileW", Narrow(out_file), GetLastError()).Describe();
  sandbox::job::SpawnRequest request;
  request.command_line =
      L"\"" + OwnPath() + L"\" run --workspace \"" + workspace + L"\" -- cmd /d /c " + command;
  request.std_output = out.get();
  request.std_error = out.get();
  auto started = sandbox::job::SpawnInJob(request);
  out.Reset();
  if (!started.ok()) return started.error().Describe();
  WaitForSingleObject(started.value().process.get(), 60000);
  return ReadFileText(out_file);
}

// A loopback listener on an ephemeral port; Accepted() says whether any
// connection arrived within `ms`.
class Listener {
 public:
  Listener() {
    WSADATA data{};
    started_ = WSAStartup(MAKEWORD(2, 2), &data) == 0;
    socket_ = ::socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int size = sizeof(addr);
    if (socket_ == INVALID_SOCKET ||
        bind(socket_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        listen(socket_, 4) != 0 ||
        getsockname(socket_, reinterpret_cast<sockaddr*>(&addr), &size) != 0) {
      return;
    }
    port_ = ntohs(addr.sin_port);
  }
  ~Listener() {
    if (socket_ != INVALID_SOCKET) closesocket(socket_);
    if (started_) WSACleanup();
  }
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  [[nodiscard]] int port() const { return port_; }
  [[nodiscard]] bool Accepted(int ms) const {
    fd_set read_set;
    FD_ZERO(&read_set);
    FD_SET(socket_, &read_set);
    timeval timeout{ms / 1000, (ms % 1000) * 1000};
    return select(0, &read_set, nullptr, nullptr, &timeout) > 0;
  }

 private:
  bool started_ = false;
  SOCKET socket_ = INVALID_SOCKET;
  int port_ = 0;
};

}  // namespace

std::vector<Check> LiveChecks() {
  std::vector<Check> checks;
  wchar_t temp[MAX_PATH];
  GetTempPathW(MAX_PATH, temp);
  const std::wstring root =
      std::wstring(temp) + L"cordon-doctor-" + std::to_wstring(GetCurrentProcessId());
  const std::wstring ws = root + L"\\ws";
  const std::wstring sibling = root + L"\\sibling";
  const std::wstring out = root + L"\\out.txt";
  for (const std::wstring& dir : {root, ws, sibling}) CreateDirectoryW(dir.c_str(), nullptr);
  wchar_t profile[MAX_PATH] = {};
  GetEnvironmentVariableW(L"USERPROFILE", profile, MAX_PATH);
  const std::wstring canary = std::wstring(profile) + L"\\cordon-doctor-canary-" +
                              std::to_wstring(GetCurrentProcessId()) + L".txt";
  {
    UniqueHandle file(
        CreateFileW(canary.c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS, 0, nullptr));
    DWORD n = 0;
    if (file.valid()) WriteFile(file.get(), kCanary, sizeof(kCanary) - 1, &n, nullptr);
  }

  std::string said = RunConfined(ws, out, L"\"echo x> inside.txt\"");
  const bool wrote = Exists(ws + L"\\inside.txt");
  checks.push_back({"live: a confined run writes its workspace", wrote,
                    wrote ? "the file is there" : "no file was written: " + said});

  said = RunConfined(ws, out, L"\"echo x> ..\\sibling\\outside.txt\"");
  const bool escaped = Exists(sibling + L"\\outside.txt");
  checks.push_back({"live: ...and nothing beside it", !escaped,
                    escaped ? "a file appeared beside the workspace" : "no file appeared"});

  said = RunConfined(ws, out, L"type \"" + canary + L"\"");
  const bool leaked = said.find(kCanary) != std::string::npos;
  checks.push_back(
      {"live: ...and reads nothing of the profile", !leaked,
       leaked ? "the run printed a file of the profile" : "the profile file stayed unread"});

  Listener listener;
  if (listener.port() == 0) {
    checks.push_back({"live: an offline run reaches no loopback listener", false,
                      "could not open a loopback listener to test with"});
  } else {
    said = RunConfined(
        ws, out,
        L"curl.exe -s --max-time 3 http://127.0.0.1:" + std::to_wstring(listener.port()) + L"/");
    const bool reached = listener.Accepted(500);
    checks.push_back({"live: an offline run reaches no loopback listener", !reached,
                      reached ? "a connection arrived" : "no connection arrived"});
  }

  DeleteFileW(canary.c_str());
  for (const std::wstring& f : {ws + L"\\inside.txt", sibling + L"\\outside.txt", out}) {
    DeleteFileW(f.c_str());
  }
  for (const std::wstring& dir : {ws, sibling, root}) RemoveDirectoryW(dir.c_str());
  return checks;
}

}  // namespace cordon::cli
