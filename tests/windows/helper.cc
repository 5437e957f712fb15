// The child the Windows tests start: `helper sleep` sleeps a minute;
// `helper tree` starts `helper sleep`, prints that grandchild's pid and
// sleeps; `helper console` says whether its standard output is a console
// and prints a marker there, and another on its console (CONOUT$);
// `helper args A...` prints each argument as [A] on a line of its own;
// `helper touch FILE` creates FILE; `helper env NAME` prints NAME's value,
// or <unset>.
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

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
  std::fprintf(stderr, "usage: helper sleep|tree|console|args|touch|env\n");
  return 2;
}
