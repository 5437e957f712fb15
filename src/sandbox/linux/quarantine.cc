// Moving what a run created under a missing protected name out of the tree.
#include "sandbox/linux/quarantine.h"

#include <dirent.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <stdlib.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <string>

#include "common/error.h"

namespace cordon::sandbox {
namespace {

constexpr char kPendingSuffix[] = ".pending";
// Bounds on a copy across filesystems (rename gives EXDEV): a sandbox must
// not make the supervisor copy without end. Beyond them the path stays and
// the report says so.
constexpr int kMaxDepth = 32;
constexpr size_t kMaxEntries = 10000;
constexpr off_t kMaxBytes = off_t{256} << 20;

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

std::string Errno(const char* op, const std::string& path, int err) {
  return SysError(op, path, err).Describe();
}

// Opens `dir` (absolute) without following any symlink on the way.
int OpenDirNoSymlinks(const std::string& dir) {
  open_how how{};
  how.flags = O_PATH | O_DIRECTORY | O_CLOEXEC;
  how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
  for (;;) {
    long fd = syscall(SYS_openat2, AT_FDCWD, dir.c_str(), &how, sizeof(how));
    if (fd >= 0 || errno != EINTR) return static_cast<int>(fd);
  }
}

// mkdir -p, 0700, of cordon's own directories.
bool MakeDirs(const std::string& dir) {
  if (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST) return true;
  if (errno != ENOENT || dir == "/") return false;
  return MakeDirs(Parent(dir)) && (mkdir(dir.c_str(), 0700) == 0 || errno == EEXIST);
}

struct CopyBudget {
  size_t entries = 0;
  off_t bytes = 0;
};

// Copies `name` in `from` to `name` in `to`, not following symlinks: regular
// files with their bytes, directories recursively, symlinks as links;
// FIFOs, sockets and devices are not copied (they hold no bytes).
bool CopyAt(int from, const char* name, int to, const char* dest, int depth, CopyBudget& budget) {
  if (depth > kMaxDepth || ++budget.entries > kMaxEntries) {
    errno = EFBIG;
    return false;
  }
  struct stat st {};
  if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
  if (S_ISLNK(st.st_mode)) {
    char target[4096];
    ssize_t n = readlinkat(from, name, target, sizeof(target) - 1);
    if (n < 0) return false;
    target[n] = '\0';
    return symlinkat(target, to, dest) == 0;
  }
  if (S_ISDIR(st.st_mode)) {
    UniqueFd src(openat(from, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!src.valid() || mkdirat(to, dest, 0700) != 0) return false;
    UniqueFd dst(openat(to, dest, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    if (!dst.valid()) return false;
    DIR* d = fdopendir(dup(src.get()));
    if (d == nullptr) return false;
    bool ok = true;
    while (struct dirent* e = readdir(d)) {
      std::string_view n = e->d_name;
      if (n == "." || n == "..") continue;
      if (!CopyAt(src.get(), e->d_name, dst.get(), e->d_name, depth + 1, budget)) {
        ok = false;
        break;
      }
    }
    const int err = errno;
    closedir(d);
    errno = err;
    return ok;
  }
  if (!S_ISREG(st.st_mode)) return true;
  budget.bytes += st.st_size;
  if (budget.bytes > kMaxBytes) {
    errno = EFBIG;
    return false;
  }
  UniqueFd src(openat(from, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC));
  if (!src.valid()) return false;
  UniqueFd dst(openat(to, dest, O_CREAT | O_EXCL | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0600));
  if (!dst.valid()) return false;
  char buf[65536];
  for (;;) {
    ssize_t n = read(src.get(), buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) return true;
    for (ssize_t off = 0; off < n;) {
      ssize_t w = write(dst.get(), buf + off, static_cast<size_t>(n - off));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) return false;
      off += w;
    }
  }
}

// rm -r of `name` in `parent`, not following symlinks.
bool RemoveAt(int parent, const char* name, int depth) {
  if (unlinkat(parent, name, 0) == 0) return true;
  if (errno != EISDIR || depth > kMaxDepth) return false;
  UniqueFd dir(openat(parent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (!dir.valid()) return false;
  DIR* d = fdopendir(dup(dir.get()));
  if (d == nullptr) return false;
  bool ok = true;
  while (struct dirent* e = readdir(d)) {
    std::string_view n = e->d_name;
    if (n == "." || n == "..") continue;
    ok = RemoveAt(dir.get(), e->d_name, depth + 1) && ok;
  }
  closedir(d);
  return ok && unlinkat(parent, name, AT_REMOVEDIR) == 0;
}

// Moves `path` to `dest` (whose parent exists and is ours). Returns an
// empty string when moved or when there was nothing to move (*existed
// false), else why not.
std::string MoveOut(const std::string& path, const std::string& dest, bool* existed) {
  *existed = false;
  const std::string name = path.substr(path.rfind('/') + 1);
  UniqueFd parent(OpenDirNoSymlinks(Parent(path)));
  if (!parent.valid()) {
    // A missing parent (or a file in its place): nothing was created.
    // Otherwise the run may have
    // put a symlink on the way, which the supervisor does not follow.
    if (errno == ENOENT || errno == ENOTDIR) return {};
    *existed = true;
    return Errno("openat2(RESOLVE_NO_SYMLINKS)", Parent(path), errno) +
           " (a parent directory is a symlink or unreadable; it was not followed)";
  }
  struct stat st {};
  if (fstatat(parent.get(), name.c_str(), &st, AT_SYMLINK_NOFOLLOW) != 0) return {};
  *existed = true;
  const std::string dest_parent = Parent(dest);
  if (!MakeDirs(dest_parent)) return Errno("mkdir", dest_parent, errno);
  UniqueFd to(OpenDirNoSymlinks(dest_parent));
  if (!to.valid()) return Errno("openat2(RESOLVE_NO_SYMLINKS)", dest_parent, errno);
  const std::string dest_name = dest.substr(dest.rfind('/') + 1);
  if (renameat2(parent.get(), name.c_str(), to.get(), dest_name.c_str(), RENAME_NOREPLACE) == 0) {
    return {};
  }
  if (errno != EXDEV) return Errno("renameat2", path, errno);
  // Another filesystem: copy, then remove the original.
  CopyBudget budget;
  if (!CopyAt(parent.get(), name.c_str(), to.get(), dest_name.c_str(), 0, budget)) {
    const int err = errno;
    (void)RemoveAt(to.get(), dest_name.c_str(), 0);
    return Errno("copy", path, err);
  }
  if (!RemoveAt(parent.get(), name.c_str(), 0)) return Errno("remove", path, errno);
  return {};
}

// One line per path: "PATH\tWHY\n". Paths holding a newline or a tab are
// refused when recorded (Begin).
std::string Serialize(const std::vector<WatchedPath>& watched) {
  std::string out;
  for (const WatchedPath& w : watched) out.append(w.path).append("\t").append(w.why).append("\n");
  return out;
}

std::vector<WatchedPath> Parse(const std::string& text) {
  std::vector<WatchedPath> out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) break;  // a torn last line: the record is partial
    std::string line = text.substr(at, end - at);
    at = end + 1;
    size_t tab = line.find('\t');
    if (tab == std::string::npos || line.empty() || line.front() != '/') continue;
    out.push_back({line.substr(0, tab), line.substr(tab + 1)});
  }
  return out;
}

std::string ReadAll(int fd) {
  std::string out;
  char buf[4096];
  for (;;) {
    ssize_t n = pread(fd, buf, sizeof(buf), static_cast<off_t>(out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0 || out.size() > (1 << 20)) return out;
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace

Result<Quarantine> Quarantine::Begin(const std::vector<WatchedPath>& watched,
                                     const std::string& root) {
  for (const WatchedPath& w : watched) {
    if (w.path.find_first_of("\n\t") != std::string::npos) {
      return PlainError("quarantine", w.path, "a protected path holds a newline or a tab");
    }
  }
  if (!MakeDirs(root)) return SysError("mkdir", root, errno);
  // The record is one file, root/run-XXXXXX.pending; the run's directory,
  // root/run-XXXXXX, is made only when something is moved into it (a mkdir
  // and an rmdir on the state's disk in every run cost more than the rest
  // of the record).
  const std::string text = Serialize(watched);
  for (int attempt = 0; attempt < 16; ++attempt) {
    std::string fresh = root + "/run-XXXXXX.new";
    UniqueFd lock(mkostemps(fresh.data(), 4, O_CLOEXEC));
    if (!lock.valid()) return SysError("mkostemps", fresh, errno);
    Quarantine q;
    q.dir_ = fresh.substr(0, fresh.size() - 4);
    q.record_ = q.dir_ + kPendingSuffix;
    q.watched_ = watched;
    const char* failed = nullptr;
    if (flock(lock.get(), LOCK_EX) != 0) {
      failed = "flock(LOCK_EX)";
    } else if (write(lock.get(), text.data(), text.size()) != static_cast<ssize_t>(text.size())) {
      failed = "write";
    }
    if (failed != nullptr) {
      const int err = errno;
      (void)unlink(fresh.c_str());  // no half record left behind
      return SysError(failed, fresh, err);
    }
    // Written under another name and renamed once locked and complete: a
    // recovering run never takes a record being written for an abandoned
    // one. A name whose directory is left from an earlier run is not
    // taken: each run's moved files stay apart.
    struct stat st {};
    if (lstat(q.dir_.c_str(), &st) != 0) {
      if (renameat2(AT_FDCWD, fresh.c_str(), AT_FDCWD, q.record_.c_str(), RENAME_NOREPLACE) == 0) {
        q.lock_ = std::move(lock);
        return q;
      }
      const int err = errno;
      (void)unlink(fresh.c_str());
      if (err != EEXIST) return SysError("renameat2", fresh, err);
    } else {
      (void)unlink(fresh.c_str());
    }
  }
  return PlainError("quarantine", root, "no free run-XXXXXX name after 16 attempts");
}

std::vector<QuarantineReport> Quarantine::Finish() {
  std::vector<QuarantineReport> reports;
  if (!lock_.valid()) return reports;
  bool moved = false;
  for (const WatchedPath& w : watched_) {
    // Mirrors the path under the run's directory: where it came from stays
    // readable in the name.
    const std::string dest = dir_ + w.path;
    bool existed = false;
    std::string error = MoveOut(w.path, dest, &existed);
    if (!existed) continue;
    reports.push_back({w.path, w.why, error.empty() ? dest : "", error});
    moved |= error.empty();
  }
  (void)unlink(record_.c_str());
  lock_.Reset();
  // A move that failed may have made the directory: it goes when empty.
  if (!moved && !reports.empty()) (void)rmdir(dir_.c_str());
  return reports;
}

std::vector<QuarantineReport> RecoverAbandoned(const std::string& root) {
  std::vector<QuarantineReport> reports;
  DIR* d = opendir(root.c_str());
  if (d == nullptr) return reports;
  std::vector<std::string> runs;
  while (struct dirent* e = readdir(d)) {
    std::string_view n = e->d_name;
    if (!n.starts_with("run-")) continue;
    if (n.ends_with(kPendingSuffix)) {
      runs.emplace_back(n.substr(0, n.size() - std::string_view(kPendingSuffix).size()));
    } else if (e->d_type == DT_DIR || e->d_type == DT_UNKNOWN) {
      runs.emplace_back(n);  // an older cordon's record: run-XXXXXX/pending
    }
  }
  closedir(d);
  for (const std::string& run : runs) {
    Quarantine q;
    q.dir_ = root;
    q.dir_.append("/").append(run);
    q.record_ = q.dir_ + kPendingSuffix;
    q.lock_ = UniqueFd(open(q.record_.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    if (!q.lock_.valid()) {
      q.record_ = q.dir_ + "/pending";
      q.lock_ = UniqueFd(open(q.record_.c_str(), O_RDWR | O_NOFOLLOW | O_CLOEXEC));
    }
    // Held by a live run, or already finished.
    if (!q.lock_.valid() || flock(q.lock_.get(), LOCK_EX | LOCK_NB) != 0) continue;
    q.watched_ = Parse(ReadAll(q.lock_.get()));
    for (QuarantineReport& r : q.Finish()) reports.push_back(std::move(r));
  }
  return reports;
}

}  // namespace cordon::sandbox
