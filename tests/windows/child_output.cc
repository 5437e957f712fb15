// RunCaptured and friends (see child_output.h).
#include "child_output.h"

#include <windows.h>
// (after windows.h)
#include <sddl.h>

#include <future>
#include <string>
#include <thread>
#include <vector>

#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

using sandbox::UniqueHandle;

std::string ReadAll(HANDLE pipe) {
  std::string data;
  char buffer[4096];
  DWORD n = 0;
  while (ReadFile(pipe, buffer, sizeof(buffer), &n, nullptr) && n > 0) data.append(buffer, n);
  return data;
}

bool InheritablePipe(UniqueHandle* read_end, UniqueHandle* write_end, bool child_reads = false) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE r = nullptr;
  HANDLE w = nullptr;
  if (!CreatePipe(&r, &w, &inherit, 0)) return false;
  read_end->Reset(r);
  write_end->Reset(w);
  // Only the child's end is inherited.
  return SetHandleInformation(child_reads ? w : r, HANDLE_FLAG_INHERIT, 0) != 0;
}

void WriteAllAndClose(UniqueHandle pipe, std::string data) {
  DWORD n = 0;
  while (!data.empty() &&
         WriteFile(pipe.get(), data.data(), static_cast<DWORD>(data.size()), &n, nullptr) &&
         n > 0) {
    data.erase(0, n);
  }
}

}  // namespace

Captured RunCaptured(const std::wstring& command_line, DWORD timeout_ms,
                     const std::optional<std::string>& input) {
  Captured result;
  UniqueHandle in_read;
  UniqueHandle in_write;
  if (input && !InheritablePipe(&in_read, &in_write, /*child_reads=*/true)) {
    result.error = "CreatePipe (stdin) failed";
    return result;
  }
  UniqueHandle out_read;
  UniqueHandle out_write;
  UniqueHandle err_read;
  UniqueHandle err_write;
  if (!InheritablePipe(&out_read, &out_write) || !InheritablePipe(&err_read, &err_write)) {
    result.error = "CreatePipe failed";
    return result;
  }
  sandbox::job::SpawnRequest request;
  request.command_line = command_line;
  request.std_output = out_write.get();
  request.std_error = err_write.get();
  request.std_input = in_read.get();
  auto spawned = sandbox::job::SpawnInJob(request);
  out_write.Reset();
  err_write.Reset();
  in_read.Reset();
  if (!spawned.ok()) {
    result.error = spawned.error().Describe();
    return result;
  }
  result.started = true;
  sandbox::job::JobProcess& child = spawned.value();
  std::future<std::string> out = std::async(std::launch::async, ReadAll, out_read.get());
  std::future<std::string> err = std::async(std::launch::async, ReadAll, err_read.get());
  std::future<void> in;
  if (input) in = std::async(std::launch::async, WriteAllAndClose, std::move(in_write), *input);
  if (WaitForSingleObject(child.process.get(), timeout_ms) != WAIT_OBJECT_0) {
    result.error = "timed out";
  }
  // Closing the job ends every process that still holds the pipes.
  child.job.Reset();
  result.out = out.get();
  result.err = err.get();
  if (in.valid()) in.get();
  GetExitCodeProcess(child.process.get(), &result.exit_code);
  return result;
}

std::wstring BinaryDir() {
  wchar_t path[MAX_PATH];
  const DWORD n = GetModuleFileNameW(nullptr, path, MAX_PATH);
  std::wstring dir(path, n);
  return dir.substr(0, dir.find_last_of(L"\\/") + 1);
}

bool UnderWine() {
  HMODULE ntdll = GetModuleHandleW(L"ntdll.dll");
  return ntdll != nullptr && GetProcAddress(ntdll, "wine_get_version") != nullptr;
}

std::string CurrentUserSid() {
  HANDLE raw = nullptr;
  if (OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &raw) == 0) return {};
  const UniqueHandle token(raw);
  std::vector<char> buf(512);
  DWORD size = 0;
  if (GetTokenInformation(token.get(), TokenUser, buf.data(), static_cast<DWORD>(buf.size()),
                          &size) == 0) {
    return {};
  }
  wchar_t* text = nullptr;
  if (!ConvertSidToStringSidW(reinterpret_cast<const TOKEN_USER*>(buf.data())->User.Sid, &text)) {
    return {};
  }
  std::string out = sandbox::Narrow(text);
  LocalFree(text);
  return out;
}

}  // namespace cordon::wintest
