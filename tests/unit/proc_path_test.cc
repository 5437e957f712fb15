// The fixed-buffer /proc paths of the child, init and the write watcher.
#include "sandbox/linux/proc_path.h"

#include <gtest/gtest.h>

#include <string>

namespace cordon::sandbox {
namespace {

TEST(ProcPath, BuildsPidPaths) {
  char buf[64];
  EXPECT_EQ(ProcPath(buf, sizeof(buf), 4242, "stat"), 15u);
  EXPECT_EQ(std::string(buf), "/proc/4242/stat");
  size_t at = ProcPath(buf, sizeof(buf), 7, "fd/");
  AppendDecimal(buf, sizeof(buf), at, 0);
  EXPECT_EQ(std::string(buf), "/proc/7/fd/0");
  AppendDecimal(buf, sizeof(buf), 0, 18446744073709551615UL);
  EXPECT_EQ(std::string(buf), "18446744073709551615");
}

TEST(ProcPath, NeverWritesPastTheBuffer) {
  char buf[10];
  EXPECT_EQ(ProcPath(buf, sizeof(buf), 123456789, "cwd"), 9u);
  EXPECT_EQ(std::string(buf), "/proc/123");
}

}  // namespace
}  // namespace cordon::sandbox
