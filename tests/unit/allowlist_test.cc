// allowlist::Build: grants carved around deny-read and protected paths.
#include "sandbox/linux/allowlist.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

namespace cordon::sandbox::allowlist {
namespace {

namespace fsys = std::filesystem;
namespace lfs = landlock::fs;

class AllowlistTest : public ::testing::Test {
 protected:
  AllowlistTest() {
    std::string tmpl = fsys::temp_directory_path().string() + "/cordon-allowlist-XXXXXX";
    root_ = mkdtemp(tmpl.data());
    root_ = fsys::canonical(root_).string();
    for (const char* d : {"home/.ssh", "home/.config/gh", "home/.config/app", "home/src"}) {
      fsys::create_directories(root_ + "/" + d);
    }
    std::ofstream(root_ + "/home/.bashrc") << "x";
    fsys::create_symlink(root_ + "/home/.ssh", root_ + "/home/link-to-ssh");
  }
  ~AllowlistTest() override { fsys::remove_all(root_); }

  // The access a rule gives exactly `path` (0 if none).
  static uint64_t RuleFor(const std::vector<landlock::PathRule>& rules, const std::string& path) {
    uint64_t access = 0;
    for (const auto& r : rules) {
      if (r.path == path) access |= r.access;
    }
    return access;
  }

  std::string root_;
};

TEST_F(AllowlistTest, GrantWithoutExceptionsIsOneRule) {
  auto rules = Build({{root_ + "/home", lfs::kRead}}, {});
  ASSERT_TRUE(rules.ok());
  ASSERT_EQ(rules.value().size(), 1u);
  EXPECT_EQ(rules.value()[0].access, lfs::kRead);
}

TEST_F(AllowlistTest, DenyReadIsCarvedOutDownToThePath) {
  const std::string home = root_ + "/home";
  auto rules =
      Build({{home, lfs::kRead}}, {{home + "/.ssh", 0, true}, {home + "/.config/gh", 0, true}});
  ASSERT_TRUE(rules.ok()) << rules.error().Describe();
  const auto& r = rules.value();
  EXPECT_EQ(RuleFor(r, home), 0u) << "the parent must not be granted";
  EXPECT_EQ(RuleFor(r, home + "/.ssh"), 0u);
  EXPECT_EQ(RuleFor(r, home + "/.config"), 0u);
  EXPECT_EQ(RuleFor(r, home + "/.config/gh"), 0u);
  EXPECT_EQ(RuleFor(r, home + "/.config/app"), lfs::kRead);
  EXPECT_EQ(RuleFor(r, home + "/.bashrc"), lfs::kRead);
  EXPECT_EQ(RuleFor(r, home + "/src"), lfs::kRead);
  EXPECT_EQ(RuleFor(r, home + "/link-to-ssh"), 0u) << "a symlink would grant its target";
}

TEST_F(AllowlistTest, ProtectedPathKeepsReadAndItsParentsReadOnly) {
  const std::string home = root_ + "/home";
  auto rules = Build({{home, lfs::kAll}}, {{home + "/.config/app", lfs::kRead, true}});
  ASSERT_TRUE(rules.ok());
  const auto& r = rules.value();
  EXPECT_EQ(RuleFor(r, home), lfs::kRead);
  EXPECT_EQ(RuleFor(r, home + "/.config"), lfs::kRead);
  EXPECT_EQ(RuleFor(r, home + "/.config/app"), lfs::kRead);
  EXPECT_EQ(RuleFor(r, home + "/.config/gh"), lfs::kAll);
  EXPECT_EQ(RuleFor(r, home + "/src"), lfs::kAll);
}

TEST_F(AllowlistTest, GrantInsideADenyReadPathIsDropped) {
  auto rules = Build({{root_ + "/home/.ssh", lfs::kRead}}, {{root_ + "/home/.ssh", 0, true}});
  ASSERT_TRUE(rules.ok());
  EXPECT_TRUE(rules.value().empty());
}

TEST_F(AllowlistTest, UnlistableDirectoryOnTheWayIsAnErrorNamingThePath) {
  // The listing of .config fails as an unreadable directory's does (root
  // could list it, so the failure is injected rather than made with modes).
  const std::string home = root_ + "/home";
  std::vector<std::string> listed;
  auto list = [&](const std::string& dir) -> Result<std::vector<std::string>> {
    listed.push_back(dir);
    if (dir == home + "/.config") return SysError("opendir", dir, EACCES);
    return ListDirectory(dir);
  };
  auto rules = Build({{home, lfs::kRead}}, {{home + "/.config/gh", 0, true}}, list);
  ASSERT_FALSE(rules.ok());
  const std::string message = rules.error().Describe();
  EXPECT_NE(message.find("opendir(" + home + "/.config)"), std::string::npos) << message;
  EXPECT_NE(message.find(home + "/.config/gh"), std::string::npos) << message;
  EXPECT_NE(message.find("EACCES"), std::string::npos) << message;
  // Fails closed: the walk stopped at the failure instead of skipping it.
  EXPECT_EQ(listed, (std::vector<std::string>{home, home + "/.config"}));
}

TEST_F(AllowlistTest, TheSameWalkWithAWorkingListerSucceeds) {
  // The twin: the same grant and exception with every listing working.
  const std::string home = root_ + "/home";
  auto rules = Build({{home, lfs::kRead}}, {{home + "/.config/gh", 0, true}}, ListDirectory);
  ASSERT_TRUE(rules.ok()) << rules.error().Describe();
  EXPECT_EQ(RuleFor(rules.value(), home + "/.config/gh"), 0u);
  EXPECT_EQ(RuleFor(rules.value(), home + "/.config/app"), lfs::kRead);
}

}  // namespace
}  // namespace cordon::sandbox::allowlist
