// The events file sink: $XDG_STATE_HOME/cordon/events/YYYY-MM-DD.jsonl
// (UTC dates), one OTLP/JSON request per line, and its retention.
//
// Durability contract: each line is appended with one write(2) on an
// O_APPEND descriptor (on Windows one WriteFile on a handle opened for
// FILE_APPEND_DATA only), so concurrent cordon runs interleave whole lines
// (the kernel serializes appends to a regular file on local filesystems);
// StartWriteback() starts writing them to disk without waiting (a power cut
// just after a run may lose its last lines). The directories are 0700 and the files 0600
// (on Windows they inherit %LOCALAPPDATA%'s DACL: the user, SYSTEM and
// Administrators, no AppContainer); the state dir is on every sandbox's deny list.
//
// The day-file logic is shared (event_file.cc); the file system calls are
// the platform's (event_file-unix.cc, event_file-win32.cc: AppendFile,
// ListNames, RemoveFile).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cordon::telemetry {

inline constexpr int kDefaultKeepDays = 30;

// state_home/cordon/events (state_home is policy::HostFacts::xdg_state_home).
[[nodiscard]] std::string EventsDir(const std::string& state_home);

// "2026-05-01.jsonl" for the UTC day of `unix_nano`.
[[nodiscard]] std::string DayFileName(int64_t unix_nano);

// The event files in `dir` (names YYYY-MM-DD.jsonl only), sorted oldest
// first, as full paths. A missing dir is an empty list.
[[nodiscard]] std::vector<std::string> ListDayFiles(const std::string& dir);

// Deletes day files older than keep_days days before `now_unix_nano`'s UTC
// day (today's file and the keep_days-1 before it stay). Returns how many
// were removed; failures to remove are skipped (the next run retries).
int Prune(const std::string& dir, int keep_days, int64_t now_unix_nano);

// One open day file, appended to only (the platform's part).
class AppendFile {
 public:
  AppendFile() = default;
  ~AppendFile();
  AppendFile(AppendFile&& other) noexcept;
  AppendFile& operator=(AppendFile&& other) noexcept;
  AppendFile(const AppendFile&) = delete;
  AppendFile& operator=(const AppendFile&) = delete;

  // Opens `path` (in `dir`) for appending, creating it owner-only, and
  // `dir` with its parents (owner-only) only when the file's directory is
  // missing. Refuses a symlink in the file's place.
  [[nodiscard]] Status Open(const std::string& dir, const std::string& path);
  [[nodiscard]] bool valid() const { return handle_ != -1; }
  // The open file is empty (a new day's file, almost always).
  [[nodiscard]] bool Empty() const;
  // `line` and a newline at the end of the file in one write (other runs
  // append to the same file); a short write is an error naming `path` (the
  // line is torn; the reader skips it).
  [[nodiscard]] Status AppendLine(std::string_view line, const std::string& path);
  // Starts writing the file back to disk, not waiting for it.
  [[nodiscard]] Status StartWriteback(const std::string& path);

 private:
  void Close();
  intptr_t handle_ = -1;  // a descriptor, or a HANDLE (INVALID_HANDLE_VALUE is -1)
};

// The names (not paths) in `dir`; a missing dir has none. The platform's.
[[nodiscard]] std::vector<std::string> ListNames(const std::string& dir);
// Deletes a file; false when it could not be. The platform's.
bool RemoveFile(const std::string& path);

class EventFile {
 public:
  EventFile(std::string dir, int keep_days) : dir_(std::move(dir)), keep_days_(keep_days) {}

  // Appends `line` plus a newline to the file of `time_unix_nano`'s day,
  // creating the directories (0700) and the file (0600) on first use; a
  // newly started day file triggers Prune.
  [[nodiscard]] Status Append(const std::string& line, int64_t time_unix_nano);
  // Starts the current file's writeback (sync_file_range; nothing on
  // Windows, whose lazy writer does it), without waiting.
  [[nodiscard]] Status StartWriteback();
  [[nodiscard]] std::string current_path() const { return path_; }

 private:
  Status Open(const std::string& name, int64_t now);

  std::string dir_;
  int keep_days_;
  std::string name_;  // day file currently open
  std::string path_;
  AppendFile file_;
};

}  // namespace cordon::telemetry
