// What `cordon doctor` reads on the host: the files an ssh config depends
// on, a file's fingerprint (which must change with anything a hostile run
// could change), and a walk that never follows symlinks.
#include "cli/doctor_host.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

namespace cordon::cli::doctor_host {
namespace {

class DoctorHostTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cordon-unit-doctor.XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    root_ = tmpl;
    home_ = root_ + "/home";
    std::filesystem::create_directories(home_ + "/.ssh/config.d");
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  static void Write(const std::string& path, const std::string& text) {
    std::ofstream(path) << text;
  }
  static bool Has(const std::vector<std::string>& v, const std::string& s) {
    return std::find(v.begin(), v.end(), s) != v.end();
  }

  std::string root_, home_;
};

TEST_F(DoctorHostTest, SshConfigNamesKeysIncludesAndControlDirectories) {
  Write(home_ + "/.ssh/config",
        "# comment\nInclude config.d/*\nHost *\n  IdentityFile ~/.ssh/id_ed25519\n"
        "  CertificateFile \"~/.ssh/id_ed25519-cert.pub\"\n  ControlPath ~/.ssh/cm/%r@%h\n"
        "  IdentityFile ~/.ssh/%h_key\n  identityfile=relative_key\n");
  Write(home_ + "/.ssh/config.d/work", "Host work\n  IDENTITYFILE /keys/work\n");
  SshFiles f = ParseSshConfig(home_ + "/.ssh/config", home_);
  EXPECT_TRUE(Has(f.paths, home_ + "/.ssh/id_ed25519"));
  EXPECT_TRUE(Has(f.paths, home_ + "/.ssh/id_ed25519-cert.pub"));
  EXPECT_TRUE(Has(f.paths, home_ + "/.ssh/cm"));
  EXPECT_TRUE(Has(f.paths, home_ + "/.ssh/config.d/work"));
  EXPECT_TRUE(Has(f.paths, "/keys/work"));  // through the Include
  // %-templates and relative paths are not files it can name.
  for (const std::string& p : f.paths) {
    EXPECT_EQ(p.find('%'), std::string::npos) << p;
    EXPECT_EQ(p.front(), '/') << p;
  }
  EXPECT_EQ(f.private_keys, (std::set<std::string>{home_ + "/.ssh/id_ed25519", "/keys/work"}));
}

TEST_F(DoctorHostTest, AnIncludeLoopEnds) {
  Write(home_ + "/.ssh/config", "Include config\nIdentityFile /k\n");
  SshFiles f = ParseSshConfig(home_ + "/.ssh/config", home_);
  EXPECT_FALSE(f.paths.empty());
  EXPECT_TRUE(f.private_keys.count("/k"));
}

TEST_F(DoctorHostTest, DescribeFileChangesWithContentModeAndXattrs) {
  const std::string file = home_ + "/.ssh/id_ed25519";
  EXPECT_EQ(DescribeFile(file), "missing");
  Write(file, "key one\n");
  ASSERT_EQ(chmod(file.c_str(), 0600), 0);
  std::string first = DescribeFile(file);
  EXPECT_EQ(first.rfind("file mode=0600", 0), 0u) << first;
  EXPECT_NE(first.find(" blake2b="), std::string::npos) << first;
  EXPECT_EQ(DescribeFile(file), first);  // stable

  // Same size, other bytes, old times restored: only the hash can tell.
  struct stat st {};
  ASSERT_EQ(stat(file.c_str(), &st), 0);
  Write(file, "key two\n");
  timespec times[2] = {st.st_atim, st.st_mtim};
  ASSERT_EQ(utimensat(AT_FDCWD, file.c_str(), times, 0), 0);
  std::string rewritten = DescribeFile(file);
  EXPECT_NE(rewritten.substr(rewritten.find(" blake2b=")), first.substr(first.find(" blake2b=")));

  ASSERT_EQ(chmod(file.c_str(), 0644), 0);
  EXPECT_NE(DescribeFile(file).find("mode=0644"), std::string::npos);
  if (setxattr(file.c_str(), "user.cordon-test", "\x01\xff", 2, 0) == 0) {
    EXPECT_NE(DescribeFile(file).find("user.cordon-test=01ff"), std::string::npos)
        << DescribeFile(file);
  }
  const std::string link = home_ + "/.ssh/link";
  ASSERT_EQ(symlink("id_ed25519", link.c_str()), 0);
  EXPECT_EQ(DescribeFile(link).rfind("link ", 0), 0u);
  EXPECT_NE(DescribeFile(link).find(" -> id_ed25519"), std::string::npos);
}

TEST_F(DoctorHostTest, WalkListsWithoutFollowingSymlinksUpToTheLimit) {
  Write(home_ + "/.ssh/a", "a");
  Write(home_ + "/.ssh/config.d/b", "b");
  std::filesystem::create_directories(root_ + "/elsewhere");
  Write(root_ + "/elsewhere/secret", "s");
  ASSERT_EQ(symlink((root_ + "/elsewhere").c_str(), (home_ + "/.ssh/out").c_str()), 0);
  std::vector<std::string> all;
  Walk(home_ + "/.ssh", 100, &all);
  EXPECT_EQ(all,
            (std::vector<std::string>{home_ + "/.ssh", home_ + "/.ssh/a", home_ + "/.ssh/config.d",
                                      home_ + "/.ssh/config.d/b", home_ + "/.ssh/out"}));
  std::vector<std::string> two;
  Walk(home_ + "/.ssh", 2, &two);
  EXPECT_EQ(two.size(), 2u);
}

TEST(DoctorHost, ProcessesWithFindsThisProcessOnlyByItsMarker) {
  // This test binary's own command line carries its name.
  std::vector<pid_t> self = ProcessesWith("unit_tests");
  EXPECT_NE(std::find(self.begin(), self.end(), getpid()), self.end());
  EXPECT_TRUE(
      ProcessesWith("cordon-no-command-line-has-" + std::to_string(getpid()) + "-this").empty());
  EXPECT_FALSE(MountTable().empty());
}

}  // namespace
}  // namespace cordon::cli::doctor_host
