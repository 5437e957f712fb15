// The events file sink and its retention (see event_file.h): the day
// files' names, which files retention removes, and when a line goes to a
// new day's file. The file system calls are event_file-unix.cc's and
// event_file-win32.cc's.
#include "telemetry/event_file.h"

#include <algorithm>
#include <cstdio>
#include <utility>

#include "telemetry/civil_date.h"

namespace cordon::telemetry {
namespace {

// Days since the epoch of a "YYYY-MM-DD.jsonl" name; -1 for other names.
int64_t DayOfName(const std::string& name) {
  int y = 0, m = 0, d = 0;
  char rest[8] = {};
  if (name.size() != 16 || std::sscanf(name.c_str(), "%4d-%2d-%2d%6s", &y, &m, &d, rest) != 4 ||
      std::string(rest) != ".jsonl" || m < 1 || m > 12 || d < 1 || d > 31) {
    return -1;
  }
  return DaysFromCivil(y, m, d);
}

}  // namespace

std::string EventsDir(const std::string& state_home) { return state_home + "/cordon/events"; }

std::string DayFileName(int64_t unix_nano) {
  int64_t secs = unix_nano / 1000000000LL;
  if (unix_nano % 1000000000LL < 0) --secs;
  int64_t days = secs / 86400;
  if (secs % 86400 < 0) --days;
  const CivilDate date = CivilFromDays(days);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d.jsonl", static_cast<int>(date.year % 10000),
                date.month, date.day);
  return buf;
}

std::vector<std::string> ListDayFiles(const std::string& dir) {
  std::vector<std::string> names = ListNames(dir);
  std::erase_if(names, [](const std::string& name) { return DayOfName(name) < 0; });
  std::sort(names.begin(), names.end());
  for (auto& n : names) {
    std::string full = dir;
    full += '/';
    full += n;
    n = std::move(full);
  }
  return names;
}

int Prune(const std::string& dir, int keep_days, int64_t now_unix_nano) {
  const int64_t today = now_unix_nano / 1000000000LL / 86400;
  int removed = 0;
  for (const auto& path : ListDayFiles(dir)) {
    int64_t day = DayOfName(path.substr(path.rfind('/') + 1));
    if (day >= 0 && today - day >= keep_days && RemoveFile(path)) ++removed;
  }
  return removed;
}

AppendFile::~AppendFile() { Close(); }

AppendFile::AppendFile(AppendFile&& other) noexcept : handle_(std::exchange(other.handle_, -1)) {}

AppendFile& AppendFile::operator=(AppendFile&& other) noexcept {
  if (this != &other) {
    Close();
    handle_ = std::exchange(other.handle_, -1);
  }
  return *this;
}

Status EventFile::Open(const std::string& name, int64_t now) {
  std::string path = dir_ + "/" + name;
  AppendFile file;
  CORDON_RETURN_IF_ERROR(file.Open(dir_, path));
  // An empty file is (almost always) a new day: the moment to apply
  // retention, so a run costs one readdir per day, not per run.
  if (file.Empty()) Prune(dir_, keep_days_, now);
  file_ = std::move(file);
  name_ = name;
  path_ = std::move(path);
  return {};
}

Status EventFile::Append(const std::string& line, int64_t time_unix_nano) {
  std::string name = DayFileName(time_unix_nano);
  if (!file_.valid() || name != name_) CORDON_RETURN_IF_ERROR(Open(name, time_unix_nano));
  return file_.AppendLine(line, path_);
}

Status EventFile::StartWriteback() {
  // Writeback starts now; waiting for the disk (fsync) would add a journal
  // commit to every command's exit, which no agent should pay for (journald
  // does not wait for the disk per record either).
  return file_.valid() ? file_.StartWriteback(path_) : Status{};
}

}  // namespace cordon::telemetry
