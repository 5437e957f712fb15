// Runs a command in a kill-on-close job (job-win32.h) with its standard
// output and error on pipes, for tests that check what a process printed.
#pragma once

#include <windows.h>

#include <optional>
#include <string>

namespace cordon::wintest {

struct Captured {
  bool started = false;
  std::string error;  // why it did not start or finish
  DWORD exit_code = 0;
  std::string out;
  std::string err;
};

// Runs `command_line`, waits up to `timeout_ms` for it to end (then the
// job is closed, killing it), and returns what it printed. With `input`,
// its standard input is a pipe that carries those bytes, then ends.
[[nodiscard]] Captured RunCaptured(const std::wstring& command_line, DWORD timeout_ms = 30000,
                                   const std::optional<std::string>& input = std::nullopt);

// The directory of this test binary, with a trailing backslash; cordon.exe
// and the helper are built there.
[[nodiscard]] std::wstring BinaryDir();

// Whether this is Wine (ntdll exports wine_get_version).
[[nodiscard]] bool UnderWine();

// The user SID of this process ("S-1-5-21-..."; the files' owner under
// Wine), or empty when it cannot be read.
[[nodiscard]] std::string CurrentUserSid();

}  // namespace cordon::wintest
