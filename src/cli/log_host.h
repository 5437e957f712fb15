// What `cordon log` (cli/log.cc) needs of the platform, one pair of files:
// log_host-unix.cc (POSIX) and log_host-win32.cc (Win32). Everything else
// of the command (the day files, the filters, the table and --json) is
// shared.
#pragma once

#include <cstdint>
#include <ctime>
#include <string>

#include "common/error.h"

namespace cordon::cli::log_host {

// The local time of `unix_seconds` (localtime_r / localtime_s).
[[nodiscard]] std::tm LocalTime(int64_t unix_seconds);

// Whether stdout is a terminal that shows colour escapes (on Windows: a
// console that VT processing could be turned on for).
[[nodiscard]] bool StdoutTakesColor();

// The bytes of the file at `path` (a day file, '/'-separated) from `offset`
// to its end; false when it cannot be opened.
[[nodiscard]] bool ReadFrom(const std::string& path, uint64_t offset, std::string* data);

// The pause between two polls of --follow (250 ms).
void PauseBeforePoll();

// A line on stderr, "cordon: " first, escaped for the terminal.
void Say(const std::string& text);
void Say(const Error& e);

}  // namespace cordon::cli::log_host
