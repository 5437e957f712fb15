// Path helpers: normalization, ~ expansion, containment, system roots.
#include <gtest/gtest.h>

#include "policy/paths.h"

namespace cordon::policy {
namespace {

TEST(NormalizePath, CollapsesDotsSlashesAndTrailingSlash) {
  EXPECT_EQ(NormalizePath("/a//b/./c/"), "/a/b/c");
  EXPECT_EQ(NormalizePath("/a/b/../c"), "/a/c");
  EXPECT_EQ(NormalizePath("/../.."), "/");
  EXPECT_EQ(NormalizePath("/"), "/");
  EXPECT_EQ(NormalizePath("//"), "/");
  EXPECT_EQ(NormalizePath("a/../../b"), "../b");
  EXPECT_EQ(NormalizePath(""), ".");
  EXPECT_EQ(NormalizePath("./"), ".");
  EXPECT_EQ(NormalizePath("/a/..."), "/a/...");
}

TEST(ExpandPath, ExpandsHomeAndRelative) {
  EXPECT_EQ(ExpandPath("~", "/home/u", "/ws", "t").value(), "/home/u");
  EXPECT_EQ(ExpandPath("~/", "/home/u", "/ws", "t").value(), "/home/u");
  EXPECT_EQ(ExpandPath("~/.m2/", "/home/u", "/ws", "t").value(), "/home/u/.m2");
  EXPECT_EQ(ExpandPath("deploy/", "/home/u", "/ws", "t").value(), "/ws/deploy");
  EXPECT_EQ(ExpandPath("../x", "/home/u", "/ws/p", "t").value(), "/ws/x");
  EXPECT_EQ(ExpandPath("/etc/../usr", "/home/u", "/ws", "t").value(), "/usr");
}

TEST(ExpandPath, RejectsEmptyTildeUserAndNul) {
  EXPECT_FALSE(ExpandPath("", "/h", "/ws", "t").ok());
  auto r = ExpandPath("~bob/x", "/h", "/ws", "--read");
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().Describe().find("~user"), std::string::npos);
  EXPECT_FALSE(ExpandPath(std::string_view("a\0b", 3), "/h", "/ws", "t").ok());
}

TEST(IsWithin, IsLexicalAndComponentWise) {
  EXPECT_TRUE(IsWithin("/a/b", "/a/b"));
  EXPECT_TRUE(IsWithin("/a/b/c", "/a/b"));
  EXPECT_FALSE(IsWithin("/a/bc", "/a/b"));
  EXPECT_FALSE(IsWithin("/a", "/a/b"));
  EXPECT_TRUE(IsWithin("/x", "/"));
}

TEST(IsSystemRoot, KnowsTheRoots) {
  for (const char* p : {"/", "/usr", "/etc", "/bin", "/var", "/tmp", "/proc", "/home"}) {
    EXPECT_TRUE(IsSystemRoot(p)) << p;
  }
  for (const char* p : {"/usr/src/linux", "/home/u", "/srv/app", "/tmp/ws"}) {
    EXPECT_FALSE(IsSystemRoot(p)) << p;
  }
}

}  // namespace
}  // namespace cordon::policy
