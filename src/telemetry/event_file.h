// The events file sink: $XDG_STATE_HOME/cordon/events/YYYY-MM-DD.jsonl
// (UTC dates), one OTLP/JSON request per line, and its retention.
//
// Durability contract: each line is appended with one write(2) on an
// O_APPEND descriptor, so concurrent cordon runs interleave whole lines
// (the kernel serializes appends to a regular file on local filesystems);
// StartWriteback() starts writing them to disk without waiting (a power cut
// just after a run may lose its last lines). The directories are 0700 and the files 0600;
// the state dir is on every sandbox's deny list.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/result.h"
#include "common/unique_fd.h"

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

class EventFile {
 public:
  EventFile(std::string dir, int keep_days) : dir_(std::move(dir)), keep_days_(keep_days) {}

  // Appends `line` plus a newline to the file of `time_unix_nano`'s day,
  // creating the directories (0700) and the file (0600) on first use; a
  // newly started day file triggers Prune.
  [[nodiscard]] Status Append(const std::string& line, int64_t time_unix_nano);
  // Starts the current file's writeback (sync_file_range), without waiting.
  [[nodiscard]] Status StartWriteback();
  [[nodiscard]] std::string current_path() const { return path_; }

 private:
  Status Open(const std::string& name, int64_t now);

  std::string dir_;
  int keep_days_;
  std::string name_;  // day file currently open
  std::string path_;
  UniqueFd fd_;
};

}  // namespace cordon::telemetry
