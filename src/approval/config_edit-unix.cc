// The user config read and replaced atomically on POSIX: the file where a
// symlink points, its permission bits kept, a temp file beside it written,
// fsynced and renamed over it (config_edit.h).
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "approval/config_edit.h"
#include "common/unique_fd.h"
#include "policy/config_file.h"

namespace cordon::approval {

Status PersistNetworkAllow(const std::string& path, std::string_view rule,
                           std::string_view comment) {
  std::string target = path;
  char real[PATH_MAX];
  if (realpath(path.c_str(), real) != nullptr) target = real;
  std::string dir = target.substr(0, target.find_last_of('/'));
  if (dir.empty()) dir = "/";

  std::string text;
  mode_t mode = 0600;
  UniqueFd in(open(target.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (in.valid()) {
    struct stat st {};
    if (fstat(in.get(), &st) != 0) return SysError("fstat", target, errno);
    if (!S_ISREG(st.st_mode)) return PlainError("approval", target, "not a regular file");
    if (st.st_size > static_cast<off_t>(policy::kMaxConfigBytes)) {
      return PlainError("approval", target, "the config file is too large to edit");
    }
    mode = st.st_mode & 07777;
    char buf[4096];
    for (;;) {
      ssize_t n = read(in.get(), buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return SysError("read", target, errno);
      if (n == 0) break;
      text.append(buf, static_cast<size_t>(n));
    }
  } else if (errno == ENOENT) {
    if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return SysError("mkdir", dir, errno);
  } else {
    return SysError("open", target, errno);
  }

  auto edited = AddNetworkAllow(text, rule, comment);
  if (!edited.ok()) {
    Error e = edited.error();
    e.object = target;
    return e;
  }
  if (edited.value() == text && in.valid()) return {};

  std::string tmp = target + ".cordon-XXXXXX";
  UniqueFd out(mkostemp(tmp.data(), O_CLOEXEC));
  if (!out.valid()) return SysError("mkostemp", tmp, errno);
  auto fail = [&](Error e) {
    unlink(tmp.c_str());
    return e;
  };
  if (fchmod(out.get(), mode) != 0) return fail(SysError("fchmod", tmp, errno));
  const std::string& data = edited.value();
  for (size_t off = 0; off < data.size();) {
    ssize_t n = write(out.get(), data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return fail(SysError("write", tmp, errno));
    off += static_cast<size_t>(n);
  }
  if (fsync(out.get()) != 0) return fail(SysError("fsync", tmp, errno));
  if (rename(tmp.c_str(), target.c_str()) != 0) return fail(SysError("rename", target, errno));
  UniqueFd d(open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (d.valid()) (void)fsync(d.get());
  return {};
}

}  // namespace cordon::approval
