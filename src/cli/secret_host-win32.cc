// `cordon secret`'s host on Windows (secret_host.h): %LOCALAPPDATA%\cordon,
// GetConsoleMode to tell a console from a pipe or file, ReadFile of
// standard input, and a console line read with ENABLE_ECHO_INPUT off.
#include <fcntl.h>
#include <io.h>
#include <windows.h>

#include <cstdio>
#include <string>

#include "cli/maintenance-win32.h"
#include "cli/secret_host.h"
#include "sandbox/windows/win_error-win32.h"
#include "vault/crypto.h"
#include "vault/format.h"

namespace cordon::cli::secret_host {

namespace {

bool IsConsole(DWORD which) {
  DWORD mode = 0;
  return GetConsoleMode(GetStdHandle(which), &mode) != 0;
}

}  // namespace

Result<std::string> StateDir() {
  auto host = policy::HostFacts::FromProcess();
  if (!host.ok()) return host.error();
  return cli::StateDir(host.value());
}

void RawStdout() {
  std::fflush(stdout);
  _setmode(_fileno(stdout), _O_BINARY);
}

bool StdinIsTerminal() { return IsConsole(STD_INPUT_HANDLE); }
bool StdoutIsTerminal() { return IsConsole(STD_OUTPUT_HANDLE); }

Result<std::string> ReadStdin() {
  const HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  std::string out;
  char buf[4096];
  while (true) {
    DWORD n = 0;
    if (ReadFile(in, buf, sizeof buf, &n, nullptr) == 0) {
      // The writer closing its end of a pipe is the end of the value.
      if (GetLastError() == ERROR_BROKEN_PIPE) break;
      vault::Wipe(out.data(), out.size());
      return sandbox::WinError("ReadFile", "stdin", GetLastError());
    }
    if (n == 0) break;
    out.append(buf, n);
    if (out.size() > vault::kMaxValueBytes + 2) {
      vault::Wipe(out.data(), out.size());
      return PlainError("secret set", "stdin", "the value is larger than 1 MiB");
    }
  }
  vault::Wipe(buf, sizeof buf);
  return out;
}

Result<std::string> ReadHidden(const std::string& name) {
  const HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  DWORD old = 0;
  if (GetConsoleMode(in, &old) == 0) {
    return sandbox::WinError("GetConsoleMode", "stdin", GetLastError());
  }
  // Echo goes off before the prompt appears: what is typed after it is
  // never shown. Line input stays on, so the console still edits the line.
  if (SetConsoleMode(in, (old & ~static_cast<DWORD>(ENABLE_ECHO_INPUT)) | ENABLE_LINE_INPUT) == 0) {
    return sandbox::WinError("SetConsoleMode", "stdin", GetLastError());
  }
  std::fprintf(stderr, "Value for %s (not echoed): ", name.c_str());
  std::fflush(stderr);
  std::wstring line;
  Status s;
  while (true) {
    wchar_t c = 0;
    DWORD n = 0;
    if (ReadConsoleW(in, &c, 1, &n, nullptr) == 0) {
      s = sandbox::WinError("ReadConsoleW", "console", GetLastError());
      break;
    }
    if (n == 0 || c == L'\n') break;
    if (c == L'\r') continue;
    line.push_back(c);
    if (line.size() > vault::kMaxValueBytes) {
      s = PlainError("secret set", "terminal", "the value is larger than 1 MiB");
      break;
    }
  }
  SetConsoleMode(in, old);
  // The line break the user typed was not echoed either (ECHONL on Unix).
  std::fputc('\n', stderr);
  std::string value = s.ok() ? sandbox::Narrow(line) : std::string();
  vault::Wipe(line.data(), line.size() * sizeof(wchar_t));
  if (!s.ok()) return s.error();
  return value;
}

}  // namespace cordon::cli::secret_host
