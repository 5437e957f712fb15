// The root-only rule's walk, on a temporary tree with chmod'ed files: what
// "other" cannot read is found, the rest is not, hidden directories are not
// entered, symlinks are not followed, the workspace stays visible, and
// another filesystem is not entered.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy/root_only.h"

namespace cordon::policy {
namespace {

namespace stdfs = std::filesystem;

class RootOnlyTest : public ::testing::Test {
 protected:
  RootOnlyTest() {
    std::string tmpl = (stdfs::temp_directory_path() / "cordon-rootonly-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    base_ = tmpl;
    root_ = base_ + "/etc";
    Dir("/etc", 0755);
  }
  ~RootOnlyTest() override {
    // Make everything removable again, whatever the test chmod'ed.
    for (auto it = stdfs::recursive_directory_iterator(base_); it != stdfs::end(it); ++it) {
      if (!it->is_symlink()) ::chmod(it->path().c_str(), 0700);
    }
    stdfs::remove_all(base_);
  }
  void Dir(const std::string& rel, mode_t mode) {
    ASSERT_EQ(::mkdir((base_ + rel).c_str(), 0700), 0) << rel;
    modes_.push_back({base_ + rel, mode});
  }
  void File(const std::string& rel, mode_t mode) {
    std::ofstream(base_ + rel) << "secret of " << rel << "\n";
    modes_.push_back({base_ + rel, mode});
  }
  // Modes are applied last, parents after children, so creating works.
  std::vector<std::string> Find(const std::vector<std::string>& roots, const std::string& keep) {
    for (auto it = modes_.rbegin(); it != modes_.rend(); ++it) {
      EXPECT_EQ(::chmod(it->first.c_str(), it->second), 0) << it->first;
    }
    std::vector<std::string> out;
    for (const RootOnlyPath& p : FindRootOnly(roots, keep)) {
      out.push_back(p.path.substr(base_.size()));
      EXPECT_TRUE(std::find(roots.begin(), roots.end(), p.root) != roots.end()) << p.root;
    }
    return out;
  }

  std::string base_;
  std::string root_;
  std::vector<std::pair<std::string, mode_t>> modes_;
};

TEST_F(RootOnlyTest, FindsWhatOtherUsersCannotRead) {
  File("/etc/passwd", 0644);
  File("/etc/key.pem", 0600);
  File("/etc/group-only.key", 0640);
  File("/etc/exec-only", 0711);
  File("/etc/readable-by-other-only", 0604);
  Dir("/etc/private", 0700);
  File("/etc/private/inner-public", 0644);  // not listed: its directory is
  Dir("/etc/no-search", 0754);              // o+r without o+x
  Dir("/etc/no-list", 0711);                // o+x without o+r
  Dir("/etc/xpra", 0755);
  File("/etc/xpra/key.pem", 0600);
  File("/etc/xpra/xpra.conf", 0644);
  Dir("/etc/wireguard", 0755);
  Dir("/etc/wireguard/deep", 0755);
  File("/etc/wireguard/deep/wg0.key", 0400);
  ASSERT_EQ(::symlink("key.pem", (root_ + "/link-to-key").c_str()), 0);
  ASSERT_EQ(::symlink("private", (root_ + "/link-to-private").c_str()), 0);
  ASSERT_EQ(::mkfifo((root_ + "/fifo").c_str(), 0600), 0);

  std::vector<std::string> want = {"/etc/exec-only",
                                   "/etc/group-only.key",
                                   "/etc/key.pem",
                                   "/etc/no-list",
                                   "/etc/no-search",
                                   "/etc/private",
                                   "/etc/wireguard/deep/wg0.key",
                                   "/etc/xpra/key.pem"};
  EXPECT_EQ(Find({root_}, ""), want);
}

TEST_F(RootOnlyTest, ARootOnlyRootIsHiddenWholeAndMissingOrSymlinkedRootsAreSkipped) {
  Dir("/opt", 0700);
  File("/opt/tool.key", 0600);
  ASSERT_EQ(::symlink("etc", (base_ + "/etc-link").c_str()), 0);
  File("/etc/key.pem", 0600);
  EXPECT_EQ(Find({base_ + "/opt", base_ + "/missing", base_ + "/etc-link"}, ""),
            std::vector<std::string>{"/opt"});
}

TEST_F(RootOnlyTest, TheWorkspaceStaysVisible) {
  // A root-only workspace, a workspace under a root-only directory, and
  // root-only files beside and inside it.
  Dir("/etc/ws", 0700);
  File("/etc/ws/.env", 0600);
  Dir("/etc/outer", 0750);
  File("/etc/outer/sibling.key", 0600);
  Dir("/etc/outer/proj", 0755);
  File("/etc/outer/proj/own.key", 0600);
  File("/etc/shadow", 0640);
  EXPECT_EQ(Find({root_}, root_ + "/ws"), (std::vector<std::string>{"/etc/outer", "/etc/shadow"}));
  EXPECT_EQ(Find({root_}, root_ + "/outer/proj"),
            (std::vector<std::string>{"/etc/outer/sibling.key", "/etc/shadow", "/etc/ws"}));
  EXPECT_EQ(Find({root_}, root_), std::vector<std::string>{});
}

// /dev/shm is a mount of its own on Linux: a root-only file there is not
// found from /dev, whose walk stays on one filesystem.
TEST(RootOnly, DoesNotEnterAnotherFilesystem) {
  struct stat dev {
  }, shm{};
  if (::stat("/dev", &dev) != 0 || ::stat("/dev/shm", &shm) != 0 || dev.st_dev == shm.st_dev ||
      (shm.st_mode & S_IROTH) == 0 || (shm.st_mode & S_IXOTH) == 0) {
    GTEST_SKIP() << "/dev/shm is not a world-readable mount of its own here";
  }
  std::string file = "/dev/shm/cordon-rootonly-" + std::to_string(::getpid());
  int fd = ::open(file.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
  ASSERT_GE(fd, 0);
  ::close(fd);
  std::vector<std::string> roots = {"/dev"};
  bool found = false;
  for (const RootOnlyPath& p : FindRootOnly(roots, "")) found |= p.path == file;
  roots = {"/dev/shm"};
  bool found_from_shm = false;
  for (const RootOnlyPath& p : FindRootOnly(roots, "")) found_from_shm |= p.path == file;
  ::unlink(file.c_str());
  EXPECT_FALSE(found);
  EXPECT_TRUE(found_from_shm);  // the twin: walked from its own root, it is found
}

TEST(RootOnly, RuleNameAndRoots) {
  EXPECT_EQ(RootOnlyRuleName("/etc"), "root-only under /etc");
  std::vector<std::string> roots(RootOnlyRoots().begin(), RootOnlyRoots().end());
  EXPECT_EQ(roots, (std::vector<std::string>{"/etc", "/opt", "/usr/local/etc"}));
}

}  // namespace
}  // namespace cordon::policy
