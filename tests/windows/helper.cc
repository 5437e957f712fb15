// The child the Windows tests start: `helper sleep` sleeps a minute;
// `helper tree` starts `helper sleep`, prints that grandchild's pid and
// sleeps; `helper console` says whether its standard output is a console
// and prints a marker there, and another on its console (CONOUT$);
// `helper escapes` writes to its console (CONOUT$, VT processing on) a
// line of plain text, a coloured line, an OSC 52 clipboard write and an
// OSC 0 title, and says whether CONOUT$ is a console;
// `helper onconsole PROGRAM ARGS...` runs PROGRAM with its own console
// (CONIN$, CONOUT$) as PROGRAM's standard handles and exits with its status;
// `helper inject` opens CONIN$ and writes into it a key record of
// kInjectedChar (what a command would type into the user's shell), saying
// whether it could, and prints inject-output-marker;
// `helper onconsole-piped PROGRAM ARGS...` runs PROGRAM with its own
// console's input (CONIN$) as stdin and a pipe as stdout and stderr, shows
// on its console (CONOUT$) what came through the pipe, then whether its
// console's input buffer holds a kInjectedChar record (injected=yes|no);
// `helper onconsole-stdin-piped PROGRAM ARGS...` the same with an empty
// pipe as stdin and its console's output (CONOUT$) as stdout and stderr;
// `helper args A...` prints each argument as [A] on a line of its own;
// `helper touch FILE` creates FILE; `helper env NAME` prints NAME's value,
// or <unset>.
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace {

// A private-use character no keyboard types.
constexpr wchar_t kInjectedChar = 0xE123;

// Writes `text` to this process's console (CONOUT$).
void ToConsole(const std::string& text) {
  HANDLE conout = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_WRITE, nullptr,
                              OPEN_EXISTING, 0, nullptr);
  if (conout == INVALID_HANDLE_VALUE) return;
  DWORD n = 0;
  WriteFile(conout, text.data(), static_cast<DWORD>(text.size()), &n, nullptr);
  CloseHandle(conout);
}

int Inject() {
  HANDLE conin =
      CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ | FILE_SHARE_WRITE,
                  nullptr, OPEN_EXISTING, 0, nullptr);
  bool wrote = false;
  if (conin != INVALID_HANDLE_VALUE) {
    INPUT_RECORD record{};
    record.EventType = KEY_EVENT;
    record.Event.KeyEvent.bKeyDown = TRUE;
    record.Event.KeyEvent.wRepeatCount = 1;
    record.Event.KeyEvent.uChar.UnicodeChar = kInjectedChar;
    DWORD n = 0;
    wrote = WriteConsoleInputW(conin, &record, 1, &n) != 0 && n == 1;
    CloseHandle(conin);
  }
  std::printf("conin=%s wrote=%s\ninject-output-marker\n",
              conin != INVALID_HANDLE_VALUE ? "opened" : "none", wrote ? "yes" : "no");
  return 0;
}

// stdout_piped: stdin the console's input, stdout and stderr a pipe;
// otherwise stdin an empty pipe, stdout and stderr the console's output.
int OnConsolePiped(bool stdout_piped) {
  SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
  HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                          FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, nullptr);
  HANDLE out = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE,
                           FILE_SHARE_READ | FILE_SHARE_WRITE, &inherit, OPEN_EXISTING, 0, nullptr);
  HANDLE read_end = nullptr;
  HANDLE write_end = nullptr;
  if (in == INVALID_HANDLE_VALUE || out == INVALID_HANDLE_VALUE ||
      !CreatePipe(&read_end, &write_end, &inherit, 0)) {
    return 3;
  }
  SetHandleInformation(stdout_piped ? read_end : write_end, HANDLE_FLAG_INHERIT, 0);
  std::wstring line = GetCommandLineW();
  const std::wstring flag = stdout_piped ? L"onconsole-piped " : L"onconsole-stdin-piped ";
  const size_t at = line.find(flag);
  if (at == std::wstring::npos) return 2;
  std::wstring command = line.substr(at + flag.size());
  STARTUPINFOW startup{};
  startup.cb = sizeof(startup);
  startup.dwFlags = STARTF_USESTDHANDLES;
  startup.hStdInput = stdout_piped ? in : read_end;
  startup.hStdOutput = stdout_piped ? write_end : out;
  startup.hStdError = startup.hStdOutput;
  PROCESS_INFORMATION info{};
  if (!CreateProcessW(nullptr, command.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr,
                      &startup, &info)) {
    return 3;
  }
  CloseHandle(write_end);  // stdin piped: it reads an empty pipe
  std::string piped;
  char buffer[4096];
  DWORD n = 0;
  while (stdout_piped && ReadFile(read_end, buffer, sizeof(buffer), &n, nullptr) && n > 0) {
    piped.append(buffer, n);
  }
  WaitForSingleObject(info.hProcess, INFINITE);
  DWORD code = 0;
  GetExitCodeProcess(info.hProcess, &code);
  bool injected = false;
  DWORD count = 0;
  if (GetNumberOfConsoleInputEvents(in, &count) && count > 0) {
    std::vector<INPUT_RECORD> records(count);
    DWORD got = 0;
    PeekConsoleInputW(in, records.data(), count, &got);
    for (DWORD i = 0; i < got; ++i) {
      injected = injected || (records[i].EventType == KEY_EVENT &&
                              records[i].Event.KeyEvent.uChar.UnicodeChar == kInjectedChar);
    }
  }
  ToConsole("piped-begin\r\n" + piped + "piped-end\r\ninjected=" + (injected ? "yes" : "no") +
            "\r\n");
  return static_cast<int>(code);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string_view mode = argc > 1 ? argv[1] : "";
  if (mode == "sleep") {
    Sleep(60000);
    return 0;
  }
  if (mode == "tree") {
    wchar_t self[MAX_PATH];
    GetModuleFileNameW(nullptr, self, MAX_PATH);
    std::wstring command = L"\"" + std::wstring(self) + L"\" sleep";
    STARTUPINFOW startup{};
    startup.cb = sizeof(startup);
    PROCESS_INFORMATION info{};
    if (!CreateProcessW(nullptr, command.data(), nullptr, nullptr, FALSE, 0, nullptr, nullptr,
                        &startup, &info)) {
      std::fprintf(stderr, "CreateProcessW failed: %lu\n", GetLastError());
      return 1;
    }
    std::printf("grandchild %lu\n", info.dwProcessId);
    std::fflush(stdout);
    Sleep(60000);
    return 0;
  }
  if (mode == "console") {
    DWORD console_mode = 0;
    const bool console = GetConsoleMode(GetStdHandle(STD_OUTPUT_HANDLE), &console_mode) != 0;
    std::printf("console=%s\nhello-from-conpty\n", console ? "yes" : "no");
    std::fflush(stdout);
    HANDLE conout = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_WRITE, nullptr,
                                OPEN_EXISTING, 0, nullptr);
    DWORD n = 0;
    if (conout != INVALID_HANDLE_VALUE) {
      WriteFile(conout, "via-conout\r\n", 12, &n, nullptr);
      CloseHandle(conout);
    }
    return 0;
  }
  if (mode == "escapes") {
    HANDLE conout = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_WRITE, nullptr,
                                OPEN_EXISTING, 0, nullptr);
    if (conout == INVALID_HANDLE_VALUE) return 3;
    DWORD console_mode = 0;
    const bool console = GetConsoleMode(conout, &console_mode) != 0;
    SetConsoleMode(conout,
                   console_mode | ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING);
    const std::string text = std::string("console=") + (console ? "yes" : "no") +
                             "\r\nplain-text-marker\r\n\x1b[31mred-marker\x1b[0m\r\n"
                             "\x1b]52;c;Y29yZG9uLW9zYzUy\x07\x1b]0;title-marker\x07"
                             "done-marker\r\n";
    DWORD n = 0;
    WriteFile(conout, text.data(), static_cast<DWORD>(text.size()), &n, nullptr);
    CloseHandle(conout);
    return 0;
  }
  if (mode == "onconsole" && argc >= 3) {
    SECURITY_ATTRIBUTES inherit{sizeof(SECURITY_ATTRIBUTES), nullptr, TRUE};
    HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_READ, &inherit,
                            OPEN_EXISTING, 0, nullptr);
    HANDLE out = CreateFileW(L"CONOUT$", GENERIC_READ | GENERIC_WRITE, FILE_SHARE_WRITE, &inherit,
                             OPEN_EXISTING, 0, nullptr);
    if (in == INVALID_HANDLE_VALUE || out == INVALID_HANDLE_VALUE) return 3;
    // The rest of this process's command line, verbatim, after "onconsole ".
    std::wstring line = GetCommandLineW();
    const size_t at = line.find(L"onconsole ");
    if (at == std::wstring::npos) return 2;
    std::wstring command = line.substr(at + 10);
    STARTUPINFOW startup{};
    startup.cb = sizeof(startup);
    startup.dwFlags = STARTF_USESTDHANDLES;
    startup.hStdInput = in;
    startup.hStdOutput = out;
    startup.hStdError = out;
    PROCESS_INFORMATION info{};
    if (!CreateProcessW(nullptr, command.data(), nullptr, nullptr, TRUE, 0, nullptr, nullptr,
                        &startup, &info)) {
      std::fprintf(stderr, "CreateProcessW failed: %lu\n", GetLastError());
      return 3;
    }
    WaitForSingleObject(info.hProcess, INFINITE);
    DWORD code = 0;
    GetExitCodeProcess(info.hProcess, &code);
    return static_cast<int>(code);
  }
  if (mode == "inject") return Inject();
  if (mode == "onconsole-piped" && argc >= 3) return OnConsolePiped(true);
  if (mode == "onconsole-stdin-piped" && argc >= 3) return OnConsolePiped(false);
  if (mode == "args") {
    for (int i = 2; i < argc; ++i) std::printf("[%s]\n", argv[i]);
    return 0;
  }
  if (mode == "touch" && argc == 3) {
    std::FILE* file = std::fopen(argv[2], "w");
    if (file == nullptr) return 1;
    std::fclose(file);
    return 0;
  }
  if (mode == "env" && argc == 3) {
    const char* value = std::getenv(argv[2]);
    std::printf("%s\n", value == nullptr ? "<unset>" : value);
    return 0;
  }
  std::fprintf(stderr,
               "usage: helper "
               "sleep|tree|console|escapes|onconsole|onconsole-piped|onconsole-stdin-piped|inject|"
               "args|touch|env\n");
  return 2;
}
