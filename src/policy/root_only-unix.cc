// The walk behind the root-only rule (see root_only.h), with POSIX modes;
// Windows has no such rule (root_only-win32.cc).
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>

#include "common/unique_fd.h"
#include "policy/lookup_memo.h"
#include "policy/paths.h"
#include "policy/root_only.h"

namespace cordon::policy {

namespace {

constexpr int kDirFlags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;

// Readable only through root's privileges (or by owner and group, which
// the sandbox does not need either): what "other" may not read.
bool OtherCannotRead(const struct stat& st) {
  if (S_ISDIR(st.st_mode)) return (st.st_mode & S_IROTH) == 0 || (st.st_mode & S_IXOTH) == 0;
  return S_ISREG(st.st_mode) && (st.st_mode & S_IROTH) == 0;
}

struct Dir {
  UniqueFd fd;
  std::string path;
};

class Walk {
 public:
  Walk(const std::string& root, const std::string& keep, std::vector<RootOnlyPath>* out)
      : root_(root), keep_(keep), out_(out) {}

  void Run() {
    // What the walk saw, by path, for whoever keeps the result
    // (lookup_memo.h): the root, then every directory it lists.
    memo_ = LookupMemo::Active();
    if (memo_ != nullptr) memo_->Saw(root_);
    UniqueFd fd(::open(root_.c_str(), kDirFlags));
    struct stat st {};
    if (!fd.valid() || ::fstat(fd.get(), &st) != 0) return;  // missing, or a symlink
    dev_ = st.st_dev;
    if (!Visit(std::move(fd), root_, st)) return;
    while (!stack_.empty()) {
      Dir dir = std::move(stack_.back());
      stack_.pop_back();
      ReadDir(std::move(dir));
    }
  }

 private:
  bool Kept(const std::string& path) const { return !keep_.empty() && IsWithin(path, keep_); }
  bool HoldsKept(const std::string& path) const { return !keep_.empty() && IsWithin(keep_, path); }

  // Hides or queues the directory `path`, opened as `fd` (invalid when the
  // open failed); false when it is not walked.
  bool Visit(UniqueFd fd, const std::string& path, const struct stat& st) {
    if (Kept(path)) return false;
    if (!HoldsKept(path) && (OtherCannotRead(st) || !fd.valid())) {
      Hide(path);  // a directory that cannot be read: fail closed
      return false;
    }
    if (!fd.valid()) return false;
    if (st.st_dev != dev_ && path != root_) return false;  // another filesystem
    stack_.push_back({std::move(fd), path});
    return true;
  }

  void ReadDir(Dir dir) {
    if (memo_ != nullptr) memo_->Touch(dir.path);
    // fdopendir takes the descriptor; the entries are stat'ed relative to
    // a second one, so a rename above cannot redirect the walk.
    int listing = ::dup(dir.fd.get());
    DIR* d = listing < 0 ? nullptr : ::fdopendir(listing);
    if (d == nullptr) {
      if (listing >= 0) ::close(listing);
      if (!HoldsKept(dir.path)) Hide(dir.path);  // cannot tell what it holds: fail closed
      return;
    }
    while (struct dirent* e = ::readdir(d)) {
      std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string path = dir.path + "/" + std::string(name);
      struct stat st {};
      if (::fstatat(dir.fd.get(), e->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) continue;  // gone
      if (S_ISLNK(st.st_mode)) continue;  // its target is checked where it lives
      if (!S_ISDIR(st.st_mode)) {
        if (OtherCannotRead(st) && !Kept(path)) Hide(path);
        continue;
      }
      UniqueFd child;
      if (!OtherCannotRead(st) || HoldsKept(path)) {
        child.Reset(::openat(dir.fd.get(), e->d_name, kDirFlags));
      }
      Visit(std::move(child), path, st);
    }
    ::closedir(d);
  }

  void Hide(const std::string& path) { out_->push_back({path, root_}); }

  const std::string& root_;
  const std::string& keep_;
  std::vector<RootOnlyPath>* out_;
  dev_t dev_ = 0;
  std::vector<Dir> stack_;
  LookupMemo* memo_ = nullptr;
};

}  // namespace

std::vector<RootOnlyPath> FindRootOnly(std::span<const std::string> roots,
                                       const std::string& keep) {
  std::vector<RootOnlyPath> out;
  for (const std::string& root : roots) {
    Walk(root, keep, &out).Run();
  }
  std::sort(out.begin(), out.end(),
            [](const RootOnlyPath& a, const RootOnlyPath& b) { return a.path < b.path; });
  out.erase(
      std::unique(out.begin(), out.end(),
                  [](const RootOnlyPath& a, const RootOnlyPath& b) { return a.path == b.path; }),
      out.end());
  return out;
}

std::span<const std::string> RootOnlyRoots() {
  static const std::array<std::string, 3> kRoots = {"/etc", "/opt", "/usr/local/etc"};
  return kRoots;
}

std::string RootOnlyRuleName(const std::string& root) { return "root-only under " + root; }

}  // namespace cordon::policy
