// The events file's POSIX calls (see event_file.h): an O_APPEND descriptor
// per day file, 0700 directories made only when missing, readdir, unlink.
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>

#include "telemetry/event_file.h"

namespace cordon::telemetry {
namespace {

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

void AppendFile::Close() {
  if (handle_ >= 0) close(static_cast<int>(handle_));
  handle_ = -1;
}

Status AppendFile::Open(const std::string& dir, const std::string& path) {
  constexpr int kFlags = O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
  int fd = open(path.c_str(), kFlags, 0600);
  // The directories are made when missing only: a mkdir per component on
  // every run was a tenth of a full-access run's system calls.
  if (fd < 0 && errno == ENOENT) {
    CORDON_RETURN_IF_ERROR(MakeDirs(dir));
    fd = open(path.c_str(), kFlags, 0600);
  }
  if (fd < 0) return SysError("open", path, errno);
  Close();
  handle_ = fd;
  return {};
}

bool AppendFile::Empty() const {
  struct stat st {};
  return fstat(static_cast<int>(handle_), &st) == 0 && st.st_size == 0;
}

Status AppendFile::AppendLine(std::string_view line, const std::string& path) {
  // Two pieces, one write: a copy of a 10 KB session.start record with its
  // newline was three fresh heap pages, each a page fault at every start.
  char newline = '\n';
  iovec pieces[2] = {{const_cast<char*>(line.data()), line.size()}, {&newline, 1}};
  for (;;) {
    ssize_t n = writev(static_cast<int>(handle_), pieces, 2);
    if (n == static_cast<ssize_t>(line.size() + 1)) return {};
    if (n < 0 && errno == EINTR) continue;
    // A short write is a full disk (or a file size limit): the line is torn,
    // and the reader skips it.
    return SysError("writev", path, n < 0 ? errno : ENOSPC);
  }
}

Status AppendFile::StartWriteback(const std::string& path) {
  if (sync_file_range(static_cast<int>(handle_), 0, 0, SYNC_FILE_RANGE_WRITE) != 0) {
    return SysError("sync_file_range", path, errno);
  }
  return {};
}

std::vector<std::string> ListNames(const std::string& dir) {
  std::vector<std::string> names;
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return names;
  while (dirent* e = readdir(d)) names.emplace_back(e->d_name);
  closedir(d);
  return names;
}

bool RemoveFile(const std::string& path) { return unlink(path.c_str()) == 0; }

}  // namespace cordon::telemetry
