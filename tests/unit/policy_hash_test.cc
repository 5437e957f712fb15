// The policy hash remembered between runs: the same text takes the stored
// hash, any other text is hashed again and replaces it.
#include "telemetry/policy_hash.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "telemetry/ids.h"

namespace cordon::telemetry {
namespace {

namespace fs = std::filesystem;

class PolicyHashTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("cordon-policy-hash-" + std::to_string(getpid()));
    fs::create_directories(dir_);
    cache_ = (dir_ / ".policy-hash").string();
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string File() {
    std::ifstream in(cache_, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }

  fs::path dir_;
  std::string cache_;
};

TEST_F(PolicyHashTest, TheSameTextTakesTheStoredHash) {
  const std::string a = R"({"mode":"workspace-write","paths":[]})";
  const std::string want = "sha256:" + Sha256Hex(a);
  EXPECT_EQ(PolicyHash(a, cache_), want);
  EXPECT_EQ(File(), want + "\n" + a);
  EXPECT_EQ(PolicyHash(a, cache_), want);
  // Another policy: hashed, and it replaces the stored one.
  const std::string b = a + " ";
  EXPECT_EQ(PolicyHash(b, cache_), "sha256:" + Sha256Hex(b));
  EXPECT_EQ(File(), "sha256:" + Sha256Hex(b) + "\n" + b);
  // A prefix of the stored text is another text too.
  EXPECT_EQ(PolicyHash(a, cache_), want);
}

TEST_F(PolicyHashTest, ABrokenOrMissingCacheIsIgnored) {
  const std::string a = "policy";
  std::ofstream(cache_, std::ios::binary) << "garbage";
  EXPECT_EQ(PolicyHash(a, cache_), "sha256:" + Sha256Hex(a));
  EXPECT_EQ(PolicyHash(a, ""), "sha256:" + Sha256Hex(a));
  EXPECT_EQ(PolicyHash(a, (dir_ / "no-such-dir" / "f").string()), "sha256:" + Sha256Hex(a));
}

}  // namespace
}  // namespace cordon::telemetry
