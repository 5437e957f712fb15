// Resource limits in the policy: the parsers of sizes, counts and cores,
// the RAM-derived defaults, the [limits] table, the flags, the layering
// (built-in < user file < project file, which may only lower < flags) and
// the renderings.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "policy/config_file.h"
#include "policy/limits.h"
#include "policy/loader.h"
#include "policy/render.h"

namespace cordon::policy {
namespace {

namespace fs = std::filesystem;

int64_t Ok(LimitKind kind, std::string_view text) {
  auto r = ParseLimit(kind, text, Spec(kind).flag);
  EXPECT_TRUE(r.ok()) << text << ": " << (r.ok() ? "" : r.error().Describe());
  return r.ok() ? r.value() : -1;
}

std::string Err(LimitKind kind, std::string_view text) {
  auto r = ParseLimit(kind, text, Spec(kind).flag);
  EXPECT_FALSE(r.ok()) << text << " parsed as " << (r.ok() ? r.value() : 0);
  return r.ok() ? "" : r.error().detail;
}

TEST(ParseLimit, Sizes) {
  for (LimitKind k : {LimitKind::kMemory, LimitKind::kTmp}) {
    EXPECT_EQ(Ok(k, "256M"), 256 * kMiB);
    EXPECT_EQ(Ok(k, "256m"), 256 * kMiB);
    EXPECT_EQ(Ok(k, "256MiB"), 256 * kMiB);
    EXPECT_EQ(Ok(k, "256mb"), 256 * kMiB);
    EXPECT_EQ(Ok(k, "1.5G"), 3 * kGiB / 2);
    EXPECT_EQ(Ok(k, "1.5gib"), 3 * kGiB / 2);
    EXPECT_EQ(Ok(k, "2T"), 2 * kTiB);
    EXPECT_EQ(Ok(k, "65536K"), 64 * kMiB);
    EXPECT_EQ(Ok(k, "1073741824"), kGiB);
    EXPECT_EQ(Ok(k, "1073741824B"), kGiB);
    EXPECT_EQ(Ok(k, "none"), 0);
    EXPECT_EQ(Ok(k, "NONE"), 0);
  }
}

TEST(ParseLimit, BadSizesNameTheFlagAndTheForms) {
  std::string e = Err(LimitKind::kMemory, "lots");
  EXPECT_NE(e.find("--memory: expected a size such as 512M"), std::string::npos) << e;
  EXPECT_NE(e.find("(got 'lots')"), std::string::npos) << e;
  e = Err(LimitKind::kTmp, "10X");
  EXPECT_NE(e.find("--tmp-size: unknown unit 'X'"), std::string::npos) << e;
  for (const char* bad : {"", "M", "-1G", "+1G", " 1G", "1G ", "1 G", "1.G", ".5G", "1e9", "0x10",
                          "1.5", "1GG", "1KiBB", "nan", "inf", "1,5G", "1.0000001G"}) {
    Err(LimitKind::kMemory, bad);
  }
  // Overflow at every step: the digits, the unit, the fraction.
  EXPECT_NE(Err(LimitKind::kMemory, "99999999999999999999999").find("too large"),
            std::string::npos);
  EXPECT_NE(Err(LimitKind::kMemory, "9999999999T").find("too large"), std::string::npos);
  EXPECT_NE(Err(LimitKind::kMemory, "2000T").find("above the ceiling of 1024 TiB"),
            std::string::npos);
}

TEST(ParseLimit, SizeFloors) {
  EXPECT_EQ(Ok(LimitKind::kMemory, "16M"), 16 * kMiB);
  std::string e = Err(LimitKind::kMemory, "15M");
  EXPECT_NE(e.find("--memory: 15 MiB is below the floor of 16 MiB"), std::string::npos) << e;
  EXPECT_NE(Err(LimitKind::kMemory, "0").find("0 bytes is below the floor"), std::string::npos);
  EXPECT_EQ(Ok(LimitKind::kTmp, "1M"), kMiB);
  EXPECT_NE(Err(LimitKind::kTmp, "1023K").find("below the floor of 1 MiB"), std::string::npos);
}

TEST(ParseLimit, Pids) {
  EXPECT_EQ(Ok(LimitKind::kPids, "64"), 64);
  EXPECT_EQ(Ok(LimitKind::kPids, "1"), 1);
  EXPECT_EQ(Ok(LimitKind::kPids, "none"), 0);
  std::string e = Err(LimitKind::kPids, "0");
  EXPECT_NE(e.find("--pids: 0 would stop every run"), std::string::npos) << e;
  EXPECT_NE(e.find("none lifts the limit"), std::string::npos) << e;
  for (const char* bad : {"-1", "1.5", "64k", "", "lots", "99999999999999999999"}) {
    e = Err(LimitKind::kPids, bad);
    EXPECT_NE(e.find("--pids: "), std::string::npos) << e;
  }
  EXPECT_NE(Err(LimitKind::kPids, "5000000").find("above the ceiling"), std::string::npos);
}

TEST(ParseLimit, Cpus) {
  EXPECT_EQ(Ok(LimitKind::kCpus, "0.5"), 500);
  EXPECT_EQ(Ok(LimitKind::kCpus, "1.5"), 1500);
  EXPECT_EQ(Ok(LimitKind::kCpus, "2"), 2000);
  EXPECT_EQ(Ok(LimitKind::kCpus, "0.001"), 1);
  EXPECT_EQ(Ok(LimitKind::kCpus, "1.25"), 1250);
  EXPECT_EQ(Ok(LimitKind::kCpus, "none"), 0);
  std::string e = Err(LimitKind::kCpus, "-1");
  EXPECT_NE(e.find("--cpus: expected a number of cores such as 0.5"), std::string::npos) << e;
  EXPECT_NE(Err(LimitKind::kCpus, "0").find("0 would stop every run"), std::string::npos);
  EXPECT_NE(Err(LimitKind::kCpus, "0.000").find("0 would stop every run"), std::string::npos);
  EXPECT_NE(Err(LimitKind::kCpus, "0.0005").find("at most 3 decimals"), std::string::npos);
  // 9223372036854775.807 cores overflows only when the fraction is added.
  EXPECT_NE(Err(LimitKind::kCpus, "9223372036854775.999").find("too large"), std::string::npos);
  for (const char* bad : {"", ".5", "1.", "1e3", "1,5", "half", "5000", "9999999999999999999"}) {
    Err(LimitKind::kCpus, bad);
  }
}

TEST(FormatLimit, HumanUnits) {
  EXPECT_EQ(FormatLimit(LimitKind::kMemory, 6 * kGiB), "6 GiB");
  EXPECT_EQ(FormatLimit(LimitKind::kMemory, 3 * kGiB / 2), "1.5 GiB");
  EXPECT_EQ(FormatLimit(LimitKind::kMemory, 256 * kMiB), "256 MiB");
  EXPECT_EQ(FormatLimit(LimitKind::kTmp, 2 * kTiB), "2 TiB");
  EXPECT_EQ(FormatLimit(LimitKind::kTmp, 0), "none");
  EXPECT_EQ(FormatLimit(LimitKind::kPids, 8192), "8192");
  EXPECT_EQ(FormatLimit(LimitKind::kCpus, 500), "0.5 CPU");
  EXPECT_EQ(FormatLimit(LimitKind::kCpus, 1000), "1 CPU");
  EXPECT_EQ(FormatLimit(LimitKind::kCpus, 1500), "1.5 CPUs");
  EXPECT_EQ(FormatLimit(LimitKind::kCpus, 1), "0.001 CPU");
  EXPECT_EQ(FormatLimit(LimitKind::kCpus, 0), "none");
}

// What FormatLimit prints parses back to the value (the sizes where it is
// exact), so a policy show line can be pasted into a flag.
TEST(FormatLimit, RoundTrips) {
  for (int64_t v : {16 * kMiB, 3 * kGiB / 2, 6 * kGiB, 2 * kTiB}) {
    std::string shown = FormatLimit(LimitKind::kMemory, v);
    shown.erase(shown.find(' '), 1);
    EXPECT_EQ(Ok(LimitKind::kMemory, shown), v) << shown;
  }
}

TEST(DefaultLimits, SharesOfTheHostsRam) {
  Limits l = DefaultLimits(24 * kGiB);
  EXPECT_EQ(l.memory_bytes, 18 * kGiB);
  EXPECT_EQ(l.tmp_bytes, 6 * kGiB);
  EXPECT_EQ(l.pids, 8192);
  EXPECT_EQ(l.cpu_millis, 0);
  for (const Origin* o : {&l.memory_origin, &l.pids_origin, &l.cpus_origin, &l.tmp_origin}) {
    EXPECT_EQ(o->kind, Origin::Kind::kBuiltin);
    EXPECT_FALSE(o->note.empty());
  }
  EXPECT_NE(l.memory_origin.Describe().find("3/4 of this host's 24 GiB of RAM"), std::string::npos);
  EXPECT_NE(l.tmp_origin.Describe().find("/tmp and /dev/shm"), std::string::npos);
  // Rounded down to whole MiB.
  l = DefaultLimits(8 * kGiB + 12345);
  EXPECT_EQ(l.memory_bytes, 6 * kGiB);
  EXPECT_EQ(l.tmp_bytes, 2 * kGiB);
  // Unknown RAM: no share of it.
  l = DefaultLimits(0);
  EXPECT_EQ(l.memory_bytes, 0);
  EXPECT_EQ(l.tmp_bytes, 0);
  EXPECT_EQ(l.pids, 8192);
}

TEST(ParseConfig, LimitsTable) {
  auto r =
      ParseConfig("[limits]\nmemory = \"256M\"\npids = 64\ncpus = 0.5\ntmp_size = 1073741824\n",
                  "/c.toml", ConfigKind::kUser);
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  const LimitSettings& l = r.value().limits;
  ASSERT_TRUE(l[Index(LimitKind::kMemory)]);
  EXPECT_EQ(l[Index(LimitKind::kMemory)]->value, 256 * kMiB);
  EXPECT_EQ(l[Index(LimitKind::kMemory)]->origin.Describe(), "/c.toml:2:10");
  EXPECT_EQ(l[Index(LimitKind::kPids)]->value, 64);
  EXPECT_EQ(l[Index(LimitKind::kCpus)]->value, 500);
  EXPECT_EQ(l[Index(LimitKind::kTmp)]->value, kGiB);
  r = ParseConfig("limits.cpus = \"1.5\"\nlimits.pids = \"none\"\nlimits.memory = \"none\"\n",
                  "/c.toml", ConfigKind::kProject);
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  EXPECT_EQ(r.value().limits[Index(LimitKind::kCpus)]->value, 1500);
  EXPECT_EQ(r.value().limits[Index(LimitKind::kPids)]->value, 0);
  EXPECT_EQ(r.value().limits[Index(LimitKind::kMemory)]->value, 0);
  EXPECT_FALSE(r.value().limits[Index(LimitKind::kTmp)]);
  r = ParseConfig("limits.cpus = 2\n", "/c.toml", ConfigKind::kUser);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r.value().limits[Index(LimitKind::kCpus)]->value, 2000);
}

TEST(ParseConfig, BadLimits) {
  auto err = [](std::string_view text) {
    auto r = ParseConfig(text, "/c.toml", ConfigKind::kUser);
    EXPECT_FALSE(r.ok()) << text;
    return r.ok() ? "" : r.error().Describe();
  };
  std::string e = err("[limits]\nmemroy = \"1G\"\n");
  EXPECT_NE(e.find("/c.toml:2:1"), std::string::npos) << e;
  EXPECT_NE(e.find("unknown key 'memroy' in [limits] (known keys: memory, pids, cpus, tmp_size)"),
            std::string::npos)
      << e;
  e = err("[limits]\nmemory = \"lots\"\n");
  EXPECT_NE(e.find("config(/c.toml:2:10): limits.memory: expected a size"), std::string::npos) << e;
  e = err("[limits]\npids = 0\n");
  EXPECT_NE(e.find("limits.pids: 0 would stop every run"), std::string::npos) << e;
  e = err("[limits]\ncpus = -1\n");
  EXPECT_NE(e.find("limits.cpus: expected a number of cores"), std::string::npos) << e;
  e = err("[limits]\ncpus = 1e-9\n");
  EXPECT_NE(e.find("limits.cpus"), std::string::npos) << e;
  e = err("[limits]\ncpus = 0.0001\n");
  EXPECT_NE(e.find("at most 3 decimals"), std::string::npos) << e;
  e = err("[limits]\nmemory = true\n");
  EXPECT_NE(e.find("limits.memory: expected a string or a number, got a boolean"),
            std::string::npos)
      << e;
  e = err("limits = 5\n");
  EXPECT_NE(e.find("limits: expected a table"), std::string::npos) << e;
  e = err("[limits]\nmemory = 1.5\n");
  EXPECT_NE(e.find("a number of bytes is whole"), std::string::npos) << e;
}

TEST(AddFlag, Limits) {
  Overrides ov;
  ASSERT_TRUE(AddFlag(&ov, "--memory", "1.5G").ok());
  ASSERT_TRUE(AddFlag(&ov, "--pids", "64").ok());
  ASSERT_TRUE(AddFlag(&ov, "--cpus", "0.5").ok());
  ASSERT_TRUE(AddFlag(&ov, "--tmp-size", "none").ok());
  const LimitSettings& l = ov.flags.limits;
  EXPECT_EQ(l[Index(LimitKind::kMemory)]->value, 3 * kGiB / 2);
  EXPECT_EQ(l[Index(LimitKind::kMemory)]->origin.Describe(), "flag --memory");
  EXPECT_EQ(l[Index(LimitKind::kPids)]->value, 64);
  EXPECT_EQ(l[Index(LimitKind::kCpus)]->value, 500);
  EXPECT_EQ(l[Index(LimitKind::kTmp)]->value, 0);
  Status s = AddFlag(&ov, "--pids", "0");
  ASSERT_FALSE(s.ok());
  EXPECT_NE(s.error().Describe().find("--pids: 0 would stop every run"), std::string::npos);
}

// Layering against a fake home and workspace, with 16 GiB of RAM.
class LimitsResolveTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/cordon-limits-XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    root_ = fs::canonical(tmpl).string();
    home_ = root_ + "/home";
    ws_ = home_ + "/src/proj";
    fs::create_directories(ws_);
    host_.home = home_;
    host_.cwd = ws_;
    host_.xdg_config_home = home_ + "/.config";
    host_.xdg_state_home = home_ + "/.local/state";
    host_.mem_total_bytes = 16 * kGiB;
  }
  void TearDown() override { fs::remove_all(root_); }

  void Write(const std::string& path, const std::string& text) {
    fs::create_directories(fs::path(path).parent_path());
    std::ofstream(path) << text;
  }
  void WriteUser(const std::string& text) { Write(home_ + "/.config/cordon/config.toml", text); }
  void WriteProject(const std::string& text) { Write(ws_ + "/.cordon.toml", text); }
  Overrides Flags(const std::vector<std::pair<std::string, std::string>>& flags) {
    Overrides ov;
    for (const auto& [f, v] : flags) EXPECT_TRUE(AddFlag(&ov, f, v).ok()) << f << " " << v;
    return ov;
  }
  Limits Ok(const Overrides& ov = {}) {
    auto r = Resolve(ov, host_);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().Describe());
    return r.ok() ? r.value().limits : Limits{};
  }
  std::string Err(const Overrides& ov = {}) {
    auto r = Resolve(ov, host_);
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : r.error().Describe();
  }

  std::string root_, home_, ws_;
  HostFacts host_;
};

TEST_F(LimitsResolveTest, BuiltinDefaultsFromTheHostsRam) {
  Limits l = Ok();
  EXPECT_EQ(l.memory_bytes, 12 * kGiB);
  EXPECT_EQ(l.tmp_bytes, 4 * kGiB);
  EXPECT_EQ(l.pids, 8192);
  EXPECT_EQ(l.cpu_millis, 0);
  EXPECT_EQ(l.memory_origin.kind, Origin::Kind::kBuiltin);
  EXPECT_NE(l.memory_origin.Describe().find("16 GiB"), std::string::npos);
}

TEST_F(LimitsResolveTest, UserFileRaisesLowersAndLifts) {
  WriteUser("[limits]\nmemory = \"14G\"\npids = 100\ncpus = \"none\"\ntmp_size = \"none\"\n");
  Limits l = Ok();
  EXPECT_EQ(l.memory_bytes, 14 * kGiB);
  EXPECT_EQ(l.memory_origin.kind, Origin::Kind::kUserConfig);
  EXPECT_EQ(l.pids, 100);
  EXPECT_EQ(l.tmp_bytes, 0);
  EXPECT_EQ(l.tmp_origin.kind, Origin::Kind::kUserConfig);
}

TEST_F(LimitsResolveTest, ProjectFileMayLower) {
  WriteUser("[limits]\npids = 1000\n");
  WriteProject("[limits]\nmemory = \"2G\"\npids = 512\ncpus = 1.5\ntmp_size = \"4G\"\n");
  Limits l = Ok();
  EXPECT_EQ(l.memory_bytes, 2 * kGiB);
  EXPECT_EQ(l.memory_origin.kind, Origin::Kind::kProjectConfig);
  EXPECT_EQ(l.memory_origin.file, ws_ + "/.cordon.toml");
  EXPECT_EQ(l.pids, 512);
  EXPECT_EQ(l.cpu_millis, 1500);     // from no limit to a cap: lower
  EXPECT_EQ(l.tmp_bytes, 4 * kGiB);  // equal: kept, the project's origin
  EXPECT_EQ(l.tmp_origin.kind, Origin::Kind::kProjectConfig);
}

TEST_F(LimitsResolveTest, ProjectFileMayNotRaiseOrLift) {
  WriteUser("[limits]\npids = 1000\n");
  WriteProject("[limits]\npids = 2000\n");
  std::string e = Err();
  EXPECT_NE(e.find("limits.pids 2000 is higher than 1000 (" + home_ +
                   "/.config/cordon/config.toml:2:8): a project file may only narrow"),
            std::string::npos)
      << e;
  EXPECT_NE(e.find("trusted = true"), std::string::npos) << e;
  WriteProject("[limits]\nmemory = \"none\"\n");
  e = Err();
  EXPECT_NE(e.find("limits.memory none would lift the limit of 12 GiB (built-in default"),
            std::string::npos)
      << e;
  WriteProject("[limits]\nmemory = \"13G\"\n");
  EXPECT_NE(Err().find("limits.memory 13 GiB is higher than 12 GiB"), std::string::npos);
}

TEST_F(LimitsResolveTest, TrustedProjectFileMayRaise) {
  WriteUser("[workspaces.\"" + ws_ + "\"]\ntrusted = true\n");
  WriteProject("[limits]\nmemory = \"none\"\npids = 20000\n");
  Limits l = Ok();
  EXPECT_EQ(l.memory_bytes, 0);
  EXPECT_EQ(l.memory_origin.kind, Origin::Kind::kProjectConfig);
  EXPECT_EQ(l.pids, 20000);
}

TEST_F(LimitsResolveTest, FlagsBeatEveryFile) {
  WriteUser("[limits]\nmemory = \"4G\"\n");
  WriteProject("[limits]\nmemory = \"1G\"\ncpus = 1\n");
  Limits l = Ok(Flags({{"--memory", "8G"}, {"--cpus", "none"}, {"--pids", "64"}}));
  EXPECT_EQ(l.memory_bytes, 8 * kGiB);
  EXPECT_EQ(l.memory_origin.Describe(), "flag --memory");
  EXPECT_EQ(l.cpu_millis, 0);
  EXPECT_EQ(l.cpus_origin.Describe(), "flag --cpus");
  EXPECT_EQ(l.pids, 64);
  EXPECT_EQ(l.tmp_bytes, 4 * kGiB);
  EXPECT_EQ(l.tmp_origin.kind, Origin::Kind::kBuiltin);
}

TEST_F(LimitsResolveTest, NoConfigKeepsTheDefaults) {
  WriteUser("[limits]\nmemory = \"4G\"\n");
  Overrides ov = Flags({{"--no-config", ""}});
  EXPECT_EQ(Ok(ov).memory_bytes, 12 * kGiB);
}

TEST_F(LimitsResolveTest, RenderedWithOriginsAndInTheHash) {
  auto r = Resolve(Flags({{"--cpus", "0.5"}}), host_);
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  const Policy& p = r.value();
  LimitEnforcementText how = {"cgroup v2 memory.max", "cgroup v2 pids.max", "NOT ENFORCED here: x",
                              "tmpfs size="};
  std::string text = RenderText(p, false, &how);
  EXPECT_NE(text.find("Limits (docs/limits.md):\n  memory 12 GiB"), std::string::npos) << text;
  EXPECT_NE(text.find("built-in default (3/4 of this host's 16 GiB of RAM"), std::string::npos);
  EXPECT_NE(text.find("      enforced: cgroup v2 memory.max\n"), std::string::npos) << text;
  EXPECT_NE(text.find("  cpus 0.5 CPU"), std::string::npos) << text;
  EXPECT_NE(text.find("flag --cpus\n      enforced: NOT ENFORCED here: x\n"), std::string::npos)
      << text;
  EXPECT_NE(text.find("  pids 8192"), std::string::npos) << text;
  EXPECT_NE(text.find("  tmp_size 4 GiB"), std::string::npos) << text;

  auto j = nlohmann::json::parse(RenderJson(p));
  EXPECT_EQ(j["limits"]["memory"]["value"], 12 * kGiB);
  EXPECT_EQ(j["limits"]["memory"]["unit"], "bytes");
  EXPECT_EQ(j["limits"]["memory"]["shown"], "12 GiB");
  EXPECT_EQ(j["limits"]["cpus"]["value"], 500);
  EXPECT_EQ(j["limits"]["cpus"]["unit"], "millicpus");
  EXPECT_EQ(j["limits"]["cpus"]["origin"], "flag --cpus");
  EXPECT_EQ(j["limits"]["pids"]["unit"], "processes");

  // The session event's compact rendering, which is hashed, changes with
  // a limit.
  auto r2 = Resolve(Flags({{"--cpus", "0.6"}}), host_);
  ASSERT_TRUE(r2.ok());
  EXPECT_NE(RenderJson(p, -1), RenderJson(r2.value(), -1));
  auto none = Resolve(Flags({{"--cpus", "none"}}), host_);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(nlohmann::json::parse(RenderJson(none.value()))["limits"]["cpus"]["value"].is_null());
}

}  // namespace
}  // namespace cordon::policy
