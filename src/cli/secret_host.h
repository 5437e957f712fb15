// What `cordon secret` needs of the host, one interface over two halves:
// cordon's state directory, whether the standard streams are terminals,
// and reading a value (secret_host-unix.cc: termios; secret_host-win32.cc:
// the console API). The command itself (secret.cc) is shared.
#pragma once

#include <string>

#include "common/result.h"

namespace cordon::cli::secret_host {

// cordon's state directory (Unix: $XDG_STATE_HOME/cordon; Windows:
// %LOCALAPPDATA%\cordon), where the vault lives.
[[nodiscard]] Result<std::string> StateDir();

// Makes standard output carry the bytes written as they are (Windows:
// binary mode, so a value's "\n" does not become "\r\n"; Unix: nothing).
void RawStdout();

[[nodiscard]] bool StdinIsTerminal();
[[nodiscard]] bool StdoutIsTerminal();

// Standard input to its end (at most the largest value and a line break).
[[nodiscard]] Result<std::string> ReadStdin();

// One line from the terminal on standard input with echo off, after the
// prompt "Value for NAME (not echoed): " on stderr; echo is restored
// before returning. The line break is not part of the value.
[[nodiscard]] Result<std::string> ReadHidden(const std::string& name);

}  // namespace cordon::cli::secret_host
