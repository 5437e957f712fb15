// Package caches (issue 14, point 5; docs/caches.md): a run reads the
// user's real caches and writes to a per-workspace layer; the host's real
// cache never changes, a second run in the same workspace sees the layer,
// another workspace does not, and `--writable ~/.npm` opts into the real
// cache. In the namespace-less tier the tools are pointed at the layer by
// their own settings (npm_config_cache, PIP_CACHE_DIR ...), so the commands
// below name the cache as the tool would find it:
// "${npm_config_cache:-$HOME/.npm}".
#include <sys/stat.h>

#include <algorithm>
#include <thread>

#include "harness.h"

namespace cordon::it {
namespace {

constexpr const char* kNpmCache = "\"${npm_config_cache:-$HOME/.npm}\"";
constexpr const char* kPipCache = "\"${PIP_CACHE_DIR:-$HOME/.cache/pip}\"";

class CacheTest : public SandboxTest {
 protected:
  CacheTest() {
    MakeDirs(home_ + "/.npm", 0755);
    WriteFile(home_ + "/.npm/somefile", "real npm cache\n");
    MakeDirs(home_ + "/.cache/pip", 0755);
    WriteFile(home_ + "/.cache/pip/x", "real pip cache\n");
  }

  RunResult Sh(const std::vector<std::string>& opts, const std::string& script) {
    return Run(opts, {"/bin/sh", "-c", script});
  }

  // The upper directories of this workspace's layer of `cache`, found on
  // the host (one per workspace that wrote to it).
  std::vector<std::string> Uppers(const std::string& cache) {
    std::vector<std::string> out;
    const std::string root = home_ + "/.cache/cordon/layers";
    if (!Exists(root)) return out;
    for (const std::string& ws : ListDir(root)) {
      std::string upper = root + "/" + ws + "/" + cache + "/upper";
      if (Exists(upper)) out.push_back(upper);
    }
    return out;
  }

  Snapshot RealCaches() {
    Snapshot s = TakeSnapshot(home_ + "/.npm");
    for (auto& [path, desc] : TakeSnapshot(home_ + "/.cache/pip")) s["pip/" + path] = desc;
    return s;
  }
};

TEST_F(CacheTest, RealCacheIsReadable) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER(
      "the real caches stay unreadable; the tools get a private cache of their own");
  RunResult r = Sh({}, "cat \"$HOME/.npm/somefile\" \"$HOME/.cache/pip/x\"");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "real npm cache\nreal pip cache\n");
  // The twin: the tools' other files stay hidden.
  EXPECT_TRUE(Denied(Probe({"read", home_ + "/.npmrc"}), {"ENOENT", "EACCES"}));
}

TEST_F(CacheTest, WritesGoToTheLayerNotTheRealCache) {
  Snapshot before = RealCaches();
  std::string script = std::string("echo new > ") + kNpmCache + "/newfile && echo new2 > " +
                       kPipCache + "/y && mkdir -p " + kNpmCache + "/_cacache/index";
  if (!NamespacelessTier()) {
    // Changing and removing a real cache's file changes only the layer.
    script += " && echo changed > \"$HOME/.npm/somefile\" && rm \"$HOME/.cache/pip/x\"";
  }
  RunResult r = Sh({}, script);
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(DiffSnapshots(before, RealCaches()), "");
  EXPECT_FALSE(Exists(home_ + "/.npm/newfile"));
  std::vector<std::string> npm = Uppers("npm");
  ASSERT_EQ(npm.size(), 1U);
  EXPECT_EQ(ReadFile(npm[0] + "/newfile"), "new\n");
  std::vector<std::string> pip = Uppers("pip");
  ASSERT_EQ(pip.size(), 1U);
  EXPECT_EQ(ReadFile(pip[0] + "/y"), "new2\n");
  // The layer is the user's alone.
  struct stat st {};
  ASSERT_EQ(stat((home_ + "/.cache/cordon/layers").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700U);
}

TEST_F(CacheTest, SecondRunSeesTheLayerAnotherWorkspaceDoesNot) {
  RunResult r = Sh({}, std::string("echo layered > ") + kNpmCache + "/newfile");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  r = Sh({}, std::string("cat ") + kNpmCache + "/newfile");
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "layered\n");

  TempDir other_root;
  std::string other = other_root / "other-ws";
  MakeDirs(other, 0755);
  std::vector<std::string> argv =
      RunArgv({}, {"/bin/sh", "-c", std::string("cat ") + kNpmCache + "/newfile; echo rc=$?"});
  auto ws = std::find(argv.begin(), argv.end(), "--workspace");
  ASSERT_NE(ws, argv.end());
  *(ws + 1) = other;
  RunResult o = RunProcess(argv, env_, other);
  EXPECT_EQ(o.exit_code, 0) << o.Describe();
  EXPECT_EQ(o.out.find("layered"), std::string::npos) << o.Describe();
  EXPECT_NE(o.out.find("rc=1"), std::string::npos) << o.Describe();
  EXPECT_EQ(Uppers("npm").size(), 2U);
}

// overlayfs leaves two mounts sharing an upper directory undefined: while
// one run has the layer, a second run in the same workspace writes to a
// private tmpfs (its writes are gone at its end), and the layer keeps only
// the first run's.
TEST_F(CacheTest, ConcurrentRunsDoNotShareAnOverlayLayer) {
  CORDON_SKIP_IN_NAMESPACELESS_TIER("no overlay: the tools share the layer directory itself");
  const std::string marker = ws_ + "/second-done";
  RunResult first;
  std::thread holder([&] {
    first = Sh({},
               "echo a > \"$HOME/.npm/from-first\" && "
               "for i in $(seq 200); do [ -e " +
                   marker +
                   " ] && exit 0; sleep 0.05; done; "
                   "exit 3");
  });
  // The second starts once the first has written (so it holds the layer).
  RunResult second;
  for (int i = 0; i < 200; ++i) {
    if (!Uppers("npm").empty() && Exists(Uppers("npm")[0] + "/from-first")) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  second = Sh({"-v"},
              "echo b > \"$HOME/.npm/from-second\" && cat \"$HOME/.npm/from-second\" "
              "\"$HOME/.npm/somefile\" && touch " +
                  marker);
  holder.join();
  EXPECT_EQ(first.exit_code, 0) << first.Describe();
  ASSERT_EQ(second.exit_code, 0) << second.Describe();
  EXPECT_EQ(second.out, "b\nreal npm cache\n");
  EXPECT_NE(second.err.find("another run in this workspace has its layer"), std::string::npos)
      << second.Describe();
  std::vector<std::string> npm = Uppers("npm");
  ASSERT_EQ(npm.size(), 1U);
  EXPECT_EQ(ReadFile(npm[0] + "/from-first"), "a\n");
  EXPECT_FALSE(Exists(npm[0] + "/from-second"));
  EXPECT_FALSE(Exists(home_ + "/.npm/from-second"));
  // The twin: once the first has ended, the next run has the layer again.
  RunResult third = Sh({}, "cat \"$HOME/.npm/from-first\"");
  EXPECT_EQ(third.exit_code, 0) << third.Describe();
  EXPECT_EQ(third.out, "a\n");
}

TEST_F(CacheTest, WritableOptsIntoTheRealCache) {
  RunResult r =
      Sh({"--writable", home_ + "/.npm"},
         std::string("echo real > ") + kNpmCache + "/newfile && cat " + kNpmCache + "/somefile");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "real npm cache\n");
  EXPECT_EQ(ReadFile(home_ + "/.npm/newfile"), "real\n");
  EXPECT_TRUE(Uppers("npm").empty());
}

TEST_F(CacheTest, MissingCacheGetsAPrivateWritablePlace) {
  // No go build cache on the host: the run gets one, the host none.
  RunResult r =
      Sh({}, "d=\"${GOCACHE:-$HOME/.cache/go-build}\"; echo built > \"$d/f\" && cat \"$d/f\"");
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "built\n");
  EXPECT_FALSE(Exists(home_ + "/.cache/go-build"));
  std::vector<std::string> go = Uppers("go-build");
  ASSERT_EQ(go.size(), 1U);
  EXPECT_EQ(ReadFile(go[0] + "/f"), "built\n");
}

TEST_F(CacheTest, CacheSecretsStayHidden) {
  // Only the cache is layered, never the tool's directory.
  RunResult r = Sh({}, "cat \"$HOME/.cargo/credentials.toml\"");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  r = Sh({}, "cat \"$HOME/.npmrc\"");
  EXPECT_NE(r.exit_code, 0) << r.Describe();
}

TEST_F(CacheTest, PolicyShowListsTheLayers) {
  RunResult r = Cordon({"policy", "show", "--workspace", ws_, "--no-config"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out.find("Package caches"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(home_ + "/.npm "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find(home_ + "/.cache/cordon/layers/ws-"), std::string::npos) << r.out;
  // The twin: a writable root that holds a cache opts out of its layer.
  r = Cordon({"policy", "show", "--workspace", ws_, "--no-config", "--writable", home_ + "/.npm"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out.find("  npm cache, writes go to"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  pip cache, writes go to"), std::string::npos) << r.out;
}

TEST_F(CacheTest, PipCacheIsEnabled) {
  RunResult probe = Host({"/bin/sh", "-c", "python3 -m pip --version"});
  if (probe.exit_code != 0) GTEST_SKIP() << "no pip on this host";
  RunResult r = Run({}, {"/bin/sh", "-c", "python3 -m pip cache dir"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.err.find("disabled"), std::string::npos) << r.Describe();
}

TEST_F(CacheTest, NpmInstallsALocalTarball) {
  if (!Exists("/usr/bin/npm")) GTEST_SKIP() << "no npm on this host";
  // A fresh home: npm has no cache yet.
  RemoveAll(home_ + "/.npm");
  std::string pkg = outside_ + "/tinypkg";
  MakeDirs(pkg, 0755);
  WriteFile(pkg + "/package.json", "{\"name\": \"tinypkg\", \"version\": \"1.0.0\"}\n");
  WriteFile(pkg + "/index.js", "module.exports = 42;\n");
  Env env = env_;
  env["npm_config_cache"] = outside_ + "/npm-cache";  // the host's pack leaves the home alone
  RunResult packed = RunProcess({"/usr/bin/npm", "pack", "--silent", pkg}, env, ws_, 60);
  ASSERT_EQ(packed.exit_code, 0) << packed.Describe();
  ASSERT_TRUE(Exists(ws_ + "/tinypkg-1.0.0.tgz")) << packed.Describe();
  RunResult r =
      Run({},
          {"/bin/sh", "-c",
           "npm install --offline --no-audit --no-fund --no-update-notifier ./tinypkg-1.0.0.tgz && "
           "node -e 'process.stdout.write(String(require(\"tinypkg\")))'"},
          120);
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(r.out.ends_with("42")) << r.Describe();
  EXPECT_FALSE(Exists(home_ + "/.npm"));
}

}  // namespace
}  // namespace cordon::it
