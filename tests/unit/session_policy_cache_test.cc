// The session daemon's kept resolution (cli/session_policy_cache.h), on a
// temporary tree with real inotify watches: the walks name every directory
// a path's resolution passes through, symlink chains included; a change
// the kept resolution depends on is seen (a name made where a lookup found
// none, a file it read rewritten, a directory on a symlink's way replaced,
// a chmod), and a write it does not depend on is not; a kept policy is
// handed out only for the same options and facts, and never after a change.
#include "cli/session_policy_cache.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "policy/lookup_memo.h"

namespace cordon::cli {
namespace {

namespace stdfs = std::filesystem;

class PolicyCacheTest : public ::testing::Test {
 protected:
  PolicyCacheTest() {
    std::string tmpl = (stdfs::temp_directory_path() / "cordon-watch-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) std::abort();
    base_ = tmpl;
    stdfs::create_directories(base_ + "/real/inner");
    stdfs::create_directories(base_ + "/hop");
    std::ofstream(base_ + "/real/inner/config") << "a = 1\n";
    std::ofstream(base_ + "/real/inner/other") << "not read\n";
    // base/entry -> hop/next -> ../real: a chain through base/hop.
    stdfs::create_symlink(base_ + "/hop/next", base_ + "/entry");
    stdfs::create_symlink(base_ + "/real", base_ + "/hop/next");
  }
  ~PolicyCacheTest() override { stdfs::remove_all(base_); }

  // Watches for a lookup of `looked` and a read of `read`.
  HostWatch Watch(const std::vector<std::string>& looked, const std::vector<std::string>& read) {
    std::string why;
    auto targets = WatchTargets(looked, read, &why);
    EXPECT_TRUE(targets.has_value()) << why;
    auto watch = HostWatch::Create(targets.value_or(std::set<std::string>{}), &why);
    EXPECT_TRUE(watch.has_value()) << why;
    return std::move(*watch);
  }

  std::string base_;
};

TEST_F(PolicyCacheTest, WalksNameEveryDirectoryOnTheWay) {
  std::string why;
  auto t = WatchTargets({base_ + "/entry/inner/missing"}, {base_ + "/entry/inner/config"}, &why);
  ASSERT_TRUE(t.has_value()) << why;
  for (const std::string& want :
       {"d:" + base_, "d:" + base_ + "/hop", "d:" + base_ + "/real", "d:" + base_ + "/real/inner",
        "f:" + base_ + "/real/inner/config"}) {
    EXPECT_TRUE(t->contains(want)) << want;
  }
  // The end of a lookup is a name in its directory, not watched itself.
  EXPECT_FALSE(t->contains("f:" + base_ + "/real/inner/other"));
}

TEST_F(PolicyCacheTest, WhatCannotBeNamedIsRefused) {
  stdfs::create_symlink("../real", base_ + "/hop/up");
  std::string why;
  EXPECT_FALSE(WatchTargets({base_ + "/hop/up/inner"}, {}, &why).has_value());
  EXPECT_NE(why.find(".."), std::string::npos) << why;
  EXPECT_FALSE(WatchTargets({"relative/path"}, {}, &why).has_value());
}

TEST_F(PolicyCacheTest, ANameMadeWhereNoneWasIsSeen) {
  HostWatch w = Watch({base_ + "/entry/inner/missing"}, {});
  EXPECT_FALSE(w.Changed());
  std::ofstream(base_ + "/real/inner/missing") << "now here";
  EXPECT_TRUE(w.Changed());
  EXPECT_TRUE(w.Changed());  // and stays changed
}

TEST_F(PolicyCacheTest, AFileReadRewrittenIsSeenAndOneNotReadIsNot) {
  HostWatch w = Watch({}, {base_ + "/entry/inner/config"});
  std::ofstream(base_ + "/real/inner/other") << "written, never read\n";
  EXPECT_FALSE(w.Changed());
  std::ofstream(base_ + "/real/inner/config", std::ios::app) << "b = 2\n";
  EXPECT_TRUE(w.Changed());
}

TEST_F(PolicyCacheTest, ALinkOnTheWayRepointedIsSeen) {
  HostWatch w = Watch({base_ + "/entry/inner/config"}, {});
  stdfs::create_directories(base_ + "/elsewhere/inner");
  ASSERT_EQ(::unlink((base_ + "/hop/next").c_str()), 0);
  EXPECT_TRUE(w.Changed());
}

TEST_F(PolicyCacheTest, AChmodIsSeen) {
  HostWatch w = Watch({base_ + "/real/inner/config"}, {});
  ASSERT_EQ(::chmod((base_ + "/real/inner/config").c_str(), 0), 0);
  EXPECT_TRUE(w.Changed());
}

TEST_F(PolicyCacheTest, KeptOnlyForTheSameClientAndUntilAChange) {
  auto host = policy::HostFacts::FromProcess();
  ASSERT_TRUE(host.ok());
  host.value().cwd = base_ + "/real";
  policy::Overrides o;
  o.no_config = true;
  o.workspace = base_ + "/real";
  const std::vector<std::string> options = {"--no-config"};
  std::vector<std::string> looked, read;
  {
    policy::LookupMemo memo;
    ASSERT_TRUE(policy::Resolve(o, host.value()).ok());
    looked = memo.looked_at();
    read = memo.read();
  }
  PolicyCache cache;
  EXPECT_FALSE(cache.Find(options, host.value()).has_value());
  ASSERT_EQ(
      cache.Fill(options, o, host.value(), looked, read, [](policy::Policy&) { return true; }), "");
  auto kept = cache.Find(options, host.value());
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(kept->workspace, base_ + "/real");
  EXPECT_FALSE(cache.Find({"--no-config", "--net", "full"}, host.value()).has_value());
  policy::HostFacts other = host.value();
  other.cwd = base_ + "/real/inner";
  EXPECT_FALSE(cache.Find(options, other).has_value());
  EXPECT_EQ(cache.hits(), 1u);
  // A project config where the resolution looked for one.
  std::ofstream(base_ + "/real/.cordon.toml") << "mode = \"read-only\"\n";
  EXPECT_FALSE(cache.Find(options, host.value()).has_value());
}

}  // namespace
}  // namespace cordon::cli
