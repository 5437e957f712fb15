// policy::LookupMemo on a temporary tree: with a memo active, every lookup
// answers as the system calls do (files, directories, symlinks, a dangling
// link, missing names, unreadable files); a path under a missing one is
// answered without asking the kernel; a repeated lookup is asked once; the
// memo records what was looked at and read; a resolution inside a caller's
// memo records into it; memos nest and end with their scope. RealPathCache,
// which resolves a path from its parent's resolution, agrees with
// realpath(3) on every path of the tree (links to links, absolute and
// relative, through "..", dangling, unreadable, missing, not normalized),
// and what it looks at is in the memo.
#include "policy/lookup_memo.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy/host_fs.h"
#include "policy/loader.h"
#include "policy/paths.h"
#include "policy/root_only.h"

namespace cordon::policy {
namespace {

namespace stdfs = std::filesystem;

class LookupMemoTest : public ::testing::Test {
 protected:
  LookupMemoTest() {
    std::string tmpl = (stdfs::temp_directory_path() / "cordon-memo-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    base_ = tmpl;
    stdfs::create_directories(base_ + "/dir/sub");
    std::ofstream(base_ + "/dir/file") << "text";
    std::ofstream(base_ + "/locked") << "secret";
    ::chmod((base_ + "/locked").c_str(), 0);
    stdfs::create_symlink("dir", base_ + "/link");
    stdfs::create_symlink("nowhere", base_ + "/dangling");
  }
  ~LookupMemoTest() override { stdfs::remove_all(base_); }

  // Every question host_fs.h and paths.h answer about `path`, as text.
  static std::string Answers(const std::string& path) {
    std::string out;
    out += std::to_string(static_cast<int>(host_fs::KindOf(path)));
    out += std::to_string(static_cast<int>(host_fs::KindFollowing(path)));
    out += host_fs::Readable(path) ? "r" : "-";
    out += host_fs::FileSystemOf(path) ? "f" : "-";
    out += Exists(path) ? "e" : "-";
    out += RealPath(path).value_or("(none)");
    return out;
  }

  std::vector<std::string> Paths() const {
    std::vector<std::string> out;
    for (const char* rel : {"", "/dir", "/dir/sub", "/dir/file", "/dir/file/under", "/locked",
                            "/link", "/link/file", "/link/sub", "/dangling", "/dangling/x",
                            "/missing", "/missing/deeper/still", "/dir/missing"}) {
      out.push_back(base_ + rel);
    }
    return out;
  }

  std::string base_;
};

TEST_F(LookupMemoTest, AnswersAsTheSystemCallsDo) {
  std::vector<std::string> plain;
  for (const std::string& p : Paths()) plain.push_back(Answers(p));
  LookupMemo memo;
  for (int round = 0; round < 2; ++round) {
    for (size_t i = 0; i < Paths().size(); ++i) {
      EXPECT_EQ(Answers(Paths()[i]), plain[i]) << Paths()[i] << " round " << round;
    }
  }
  // The second round was answered from the memo.
  EXPECT_GT(memo.answered(), memo.asked());
}

TEST_F(LookupMemoTest, UnderAMissingPathNothingIsAsked) {
  LookupMemo memo;
  EXPECT_FALSE(Exists(base_ + "/missing"));
  const int asked = memo.asked();
  EXPECT_FALSE(Exists(base_ + "/missing/a"));
  EXPECT_EQ(host_fs::KindOf(base_ + "/missing/a/b"), host_fs::Kind::kMissing);
  EXPECT_FALSE(host_fs::Readable(base_ + "/missing/c"));
  EXPECT_FALSE(RealPath(base_ + "/missing/d").has_value());
  EXPECT_EQ(memo.asked(), asked);
  // A sibling that exists is still asked, and found.
  EXPECT_TRUE(Exists(base_ + "/dir/file"));
  EXPECT_GT(memo.asked(), asked);
}

TEST_F(LookupMemoTest, RecordsWhatWasLookedAtAndRead) {
  LookupMemo memo;
  (void)Exists(base_ + "/dir/file");
  (void)host_fs::ReadSmallFile(base_ + "/dir/file", 100);
  (void)host_fs::ListDir(base_ + "/dir", 100);
  const std::vector<std::string>& seen = memo.looked_at();
  EXPECT_NE(std::find(seen.begin(), seen.end(), base_ + "/dir/file"), seen.end());
  const std::vector<std::string> read = {base_ + "/dir/file", base_ + "/dir"};
  EXPECT_EQ(memo.read(), read);
}

TEST_F(LookupMemoTest, TheRootOnlyWalkNamesWhatItLists) {
  ASSERT_EQ(::chmod(base_.c_str(), 0755), 0);  // mkdtemp's 0700 is not walked
  LookupMemo memo;
  const std::string roots[] = {base_};
  (void)FindRootOnly(roots, "");
  const std::vector<std::string>& read = memo.read();
  EXPECT_NE(std::find(read.begin(), read.end(), base_), read.end());
  EXPECT_NE(std::find(read.begin(), read.end(), base_ + "/dir/sub"), read.end());
}

TEST_F(LookupMemoTest, AResolutionRecordsIntoTheCallersMemo) {
  auto host = HostFacts::FromProcess();
  ASSERT_TRUE(host.ok());
  host.value().cwd = base_;
  Overrides o;
  o.no_config = true;
  LookupMemo memo;
  ASSERT_TRUE(Resolve(o, host.value()).ok());
  EXPECT_EQ(LookupMemo::Active(), &memo);
  const std::vector<std::string>& seen = memo.looked_at();
  EXPECT_NE(std::find(seen.begin(), seen.end(), base_ + "/.git"), seen.end());
}

TEST_F(LookupMemoTest, RealPathCacheAgreesWithRealpath) {
  stdfs::create_symlink("link", base_ + "/link2");                 // a link to a link
  stdfs::create_symlink(base_ + "/dir/sub", base_ + "/absolute");  // absolute
  stdfs::create_symlink("../file", base_ + "/dir/sub/up");         // through ..
  stdfs::create_directories(base_ + "/shut/in");
  ASSERT_EQ(::chmod((base_ + "/shut").c_str(), 0), 0);  // unsearchable (but to root)
  std::vector<std::string> paths = Paths();
  for (const char* rel :
       {"/link2", "/link2/sub", "/link2/sub/up", "/absolute", "/absolute/up", "/dir/sub/up",
        "/dir/sub/up/x", "/shut", "/shut/in", "/dir//sub/", "/dir/./sub", "/link/../dir"}) {
    paths.push_back(base_ + rel);
  }
  paths.push_back("/");
  paths.push_back("relative/path");
  // In both orders: a path's parents resolved before it, and after it.
  for (bool reversed : {false, true}) {
    RealPathCache cache;
    for (size_t i = 0; i < paths.size(); ++i) {
      const std::string& p = paths[reversed ? paths.size() - 1 - i : i];
      EXPECT_EQ(cache.Get(p), RealPath(p).value_or(p)) << p;
    }
  }
  ::chmod((base_ + "/shut").c_str(), 0755);
}

TEST_F(LookupMemoTest, RealPathCacheRecordsTheLinksOnTheWay) {
  LookupMemo memo;
  RealPathCache cache;
  EXPECT_EQ(cache.Get(base_ + "/link/sub"), base_ + "/dir/sub");
  const std::vector<std::string>& seen = memo.looked_at();
  // The link the path goes through, which a session's kept resolution
  // must watch, and where it led.
  EXPECT_NE(std::find(seen.begin(), seen.end(), base_ + "/link"), seen.end());
  EXPECT_NE(std::find(seen.begin(), seen.end(), base_ + "/dir/sub"), seen.end());
}

TEST_F(LookupMemoTest, MemosNestAndEndWithTheirScope) {
  EXPECT_EQ(LookupMemo::Active(), nullptr);
  {
    LookupMemo outer;
    {
      LookupMemo inner;
      EXPECT_EQ(LookupMemo::Active(), &inner);
    }
    EXPECT_EQ(LookupMemo::Active(), &outer);
  }
  EXPECT_EQ(LookupMemo::Active(), nullptr);
  // Without a memo, a path made now is seen now.
  EXPECT_FALSE(Exists(base_ + "/later"));
  std::ofstream(base_ + "/later") << "x";
  EXPECT_TRUE(Exists(base_ + "/later"));
}

}  // namespace
}  // namespace cordon::policy
