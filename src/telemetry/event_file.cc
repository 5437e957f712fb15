// The events file sink and its retention (see event_file.h).
#include "telemetry/event_file.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>

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
  tm t{};
  t.tm_year = y - 1900;
  t.tm_mon = m - 1;
  t.tm_mday = d;
  return static_cast<int64_t>(timegm(&t)) / 86400;
}

// mkdir -p with 0700 for every directory it creates.
Status MakeDirs(const std::string& path) {
  for (size_t i = 1; i <= path.size(); ++i) {
    if (i != path.size() && path[i] != '/') continue;
    std::string part = path.substr(0, i);
    if (mkdir(part.c_str(), 0700) != 0 && errno != EEXIST) return SysError("mkdir", part, errno);
  }
  return {};
}

}  // namespace

std::string EventsDir(const std::string& state_home) { return state_home + "/cordon/events"; }

std::string DayFileName(int64_t unix_nano) {
  // The UTC date by arithmetic (H. Hinnant's civil_from_days), not
  // gmtime_r: glibc's loads /etc/localtime on its first call, seven
  // system calls of every run for a time zone that is not used.
  int64_t secs = unix_nano / 1000000000LL;
  if (unix_nano % 1000000000LL < 0) --secs;
  int64_t days = secs / 86400;
  if (secs % 86400 < 0) --days;
  days += 719468;
  const int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const int64_t doe = days - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int64_t d = doy - (153 * mp + 2) / 5 + 1;
  const int64_t m = mp < 10 ? mp + 3 : mp - 9;
  const int64_t y = yoe + era * 400 + (m <= 2 ? 1 : 0);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d.jsonl", static_cast<int>(y % 10000),
                static_cast<int>(m), static_cast<int>(d));
  return buf;
}

std::vector<std::string> ListDayFiles(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) {
    std::string name = e->d_name;
    if (DayOfName(name) >= 0) names.push_back(name);
  }
  closedir(d);
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
    if (day >= 0 && today - day >= keep_days && unlink(path.c_str()) == 0) ++removed;
  }
  return removed;
}

Status EventFile::Open(const std::string& name, int64_t now) {
  std::string path = dir_ + "/" + name;
  constexpr int kFlags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
  UniqueFd fd(open(path.c_str(), kFlags, 0600));
  // The directories are made when missing only: a mkdir per component on
  // every run was a tenth of a full-access run's system calls.
  if (!fd.valid() && errno == ENOENT) {
    CORDON_RETURN_IF_ERROR(MakeDirs(dir_));
    fd = UniqueFd(open(path.c_str(), kFlags, 0600));
  }
  if (!fd.valid()) return SysError("open", path, errno);
  struct stat st {};
  // An empty file is (almost always) a new day: the moment to apply
  // retention, so a run costs one readdir per day, not per run.
  if (fstat(fd.get(), &st) == 0 && st.st_size == 0) Prune(dir_, keep_days_, now);
  fd_ = std::move(fd);
  name_ = name;
  path_ = std::move(path);
  return {};
}

Status EventFile::Append(const std::string& line, int64_t time_unix_nano) {
  std::string name = DayFileName(time_unix_nano);
  if (!fd_.valid() || name != name_) CORDON_RETURN_IF_ERROR(Open(name, time_unix_nano));
  std::string buf = line;
  buf.push_back('\n');
  for (;;) {
    ssize_t n = write(fd_.get(), buf.data(), buf.size());
    if (n == static_cast<ssize_t>(buf.size())) return {};
    if (n < 0 && errno == EINTR) continue;
    // A short write is a full disk (or a file size limit): the line is torn,
    // and the reader skips it.
    return SysError("write", path_, n < 0 ? errno : ENOSPC);
  }
}

Status EventFile::StartWriteback() {
  // Writeback starts now; waiting for the disk (fsync) would add a journal
  // commit to every command's exit, which no agent should pay for (journald
  // does not wait for the disk per record either).
  if (fd_.valid() && sync_file_range(fd_.get(), 0, 0, SYNC_FILE_RANGE_WRITE) != 0) {
    return SysError("sync_file_range", path_, errno);
  }
  return {};
}

}  // namespace cordon::telemetry
