// host_fs.h with POSIX calls: the Linux (and any Unix) build.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string_view>

#include "common/unique_fd.h"
#include "policy/host_fs.h"
#include "policy/lookup_memo.h"

namespace cordon::policy::host_fs {
namespace {

// What a lookup found (lstat or stat semantics, as it was asked).
Kind KindOfStat(const LookupMemo::Stat& s) {
  if (s.err != 0) return Kind::kMissing;
  if (S_ISREG(s.mode)) return Kind::kFile;
  if (S_ISDIR(s.mode)) return Kind::kDirectory;
  if (S_ISLNK(s.mode)) return Kind::kSymlink;
  return Kind::kOther;
}

}  // namespace

Kind KindOf(const std::string& path) { return KindOfStat(StatPath(path, /*follow=*/false)); }

Kind KindFollowing(const std::string& path) { return KindOfStat(StatPath(path, /*follow=*/true)); }

bool Readable(const std::string& path) { return ReadablePath(path); }

std::optional<uint64_t> FileSystemOf(const std::string& path) {
  const LookupMemo::Stat s = StatPath(path, /*follow=*/true);
  if (s.err != 0) return std::nullopt;
  return s.dev;
}

std::string ReadSmallFile(const std::string& path, size_t max_bytes) {
  NoteRead(path);
  // O_NONBLOCK: a FIFO planted under a config name must not block.
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY));
  struct stat st {};
  if (!fd.valid() || ::fstat(fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return {};
  std::string out;
  char buf[8192];
  while (out.size() < max_bytes) {
    ssize_t n = ::read(fd.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    out.append(buf, static_cast<size_t>(n));
  }
  if (out.size() > max_bytes) out.resize(max_bytes);
  return out;
}

Result<std::optional<std::string>> ReadConfigText(const std::string& path, size_t max_bytes) {
  NoteRead(path);
  UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
  if (!fd.valid()) {
    if (errno == ENOENT) return std::optional<std::string>();
    return SysError("open", path, errno);
  }
  struct stat st {};
  if (::fstat(fd.get(), &st) != 0) {
    return SysError("fstat", path, errno);
  }
  if (!S_ISREG(st.st_mode)) {
    return PlainError("config", path, "not a regular file");
  }
  if (static_cast<size_t>(st.st_size) > max_bytes) {
    return PlainError("config", path, "file is larger than 1 MiB");
  }
  std::string text;
  char buf[8192];
  while (true) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return SysError("read", path, errno);
    }
    if (n == 0) {
      break;
    }
    text.append(buf, static_cast<size_t>(n));
    if (text.size() > max_bytes) {
      return PlainError("config", path, "file is larger than 1 MiB");
    }
  }
  return std::optional<std::string>(std::move(text));
}

std::vector<std::string> ListDir(const std::string& path, size_t max_entries) {
  NoteRead(path);
  std::vector<std::string> names;
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return names;
  while (struct dirent* e = ::readdir(dir)) {
    std::string_view name = e->d_name;
    if (name == "." || name == "..") continue;
    if (names.size() >= max_entries) break;
    names.emplace_back(name);
  }
  ::closedir(dir);
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace cordon::policy::host_fs
