// Resource limits (docs/limits.md), checked by their real effect: the host's
// available memory sampled from outside while the command allocates, the
// children a fork loop really has at once, the CPU time a spinning command
// really got, ENOSPC from the run's /tmp, and nothing left behind.
//
// How a limit is enforced depends on the host and the caller: root gets a
// cgroup (this CI machine has writable cgroups for root); an unprivileged
// user without a delegated cgroup gets what rlimits do (RLIMIT_NPROC in the
// run's user namespace, RLIMIT_DATA per process) and a refusal (exit 125,
// with the remedy) for what nothing enforces. `cordon policy show` says
// which; each test checks the claim against the effect.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

#include "harness.h"

namespace cordon::it {
namespace {

constexpr int64_t kMiB = 1 << 20;

int64_t MemAvailable() {
  std::ifstream in("/proc/meminfo");
  std::string key;
  int64_t kb = 0;
  std::string unit;
  while (in >> key >> kb >> unit) {
    if (key == "MemAvailable:") return kb * 1024;
  }
  return -1;
}

// The lowest MemAvailable seen while it lives (sampled every 5 ms).
class MemorySampler {
 public:
  MemorySampler() : before_(MemAvailable()), lowest_(before_) {
    thread_ = std::thread([this] {
      while (!stop_) {
        lowest_ = std::min<int64_t>(lowest_, MemAvailable());
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
      }
    });
  }
  ~MemorySampler() { Stop(); }
  MemorySampler(const MemorySampler&) = delete;
  MemorySampler& operator=(const MemorySampler&) = delete;
  // How far the host's available memory dropped at its lowest.
  int64_t Drop() {
    Stop();
    return before_ - lowest_;
  }

 private:
  void Stop() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
  }
  int64_t before_;
  std::atomic<int64_t> lowest_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

// Tests that sample the host's available memory must not overlap one that
// fills it (ctest -j, or the suite as root and as cordon-test at once):
// an exclusive flock on the test root's base directory, which every user
// may open, for the test's duration.
class HostMemoryLock {
 public:
  HostMemoryLock() : fd_(open(TestTmpBase().c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)) {
    if (fd_ >= 0) flock(fd_, LOCK_EX);
  }
  ~HostMemoryLock() {
    if (fd_ >= 0) close(fd_);
  }
  HostMemoryLock(const HostMemoryLock&) = delete;
  HostMemoryLock& operator=(const HostMemoryLock&) = delete;

 private:
  int fd_;
};

// Processes of the host whose comm is `name`.
int CountNamed(const std::string& name) {
  int n = 0;
  DIR* d = opendir("/proc");
  if (d == nullptr) return -1;
  while (dirent* e = readdir(d)) {
    if (e->d_name[0] < '0' || e->d_name[0] > '9') continue;
    std::ifstream comm(std::string("/proc/") + e->d_name + "/comm");
    std::string c;
    if (std::getline(comm, c) && c == name) ++n;
  }
  closedir(d);
  return n;
}

// Run cgroups whose cordon is gone: every directory cordon makes for a run
// is named cordon-<pid>-<n>, in the places cgroup.h names for this caller.
// (Other tests' live runs may have theirs meanwhile.)
std::vector<std::string> LeftCgroups() {
  std::vector<std::string> found;
  std::ifstream self("/proc/self/cgroup");
  std::string line;
  while (std::getline(self, line)) {
    size_t c1 = line.find(':');
    size_t c2 = line.find(':', c1 + 1);
    std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path = line.substr(c2 + 1);
    std::vector<std::string> dirs;
    if (controllers.empty()) {
      dirs = {"/sys/fs/cgroup/cordon", "/sys/fs/cgroup/unified/cordon"};
    } else {
      for (const char* c : {"memory", "pids", "cpu"}) {
        if (("," + controllers + ",").find(std::string(",") + c + ",") != std::string::npos) {
          dirs.push_back(std::string("/sys/fs/cgroup/") + c + (path == "/" ? "" : path));
        }
      }
    }
    for (const std::string& dir : dirs) {
      // Only where this caller's runs make theirs (root's, for root).
      if (!Exists(dir) || access(dir.c_str(), W_OK) != 0) continue;
      for (const std::string& name : ListDir(dir)) {
        // cordon-<pid>-<n>: left behind when its cordon is gone.
        if (!name.starts_with("cordon-")) continue;
        const pid_t creator = static_cast<pid_t>(std::stol(name.substr(7)));
        if (kill(creator, 0) == 0 || errno != ESRCH) continue;
        std::string left = dir;
        left += "/" + name;
        found.push_back(left);
      }
    }
  }
  return found;
}

class LimitsTest : public SandboxTest {
 protected:
  // What `cordon policy show` says of a limit's enforcement here (the line
  // under the limit's own): "whole", "per-process" or "none".
  std::string Enforcement(const std::string& limit) {
    RunResult r = Cordon(PolicyShowArgs());
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    const std::string key = "\n  " + limit + " ";
    size_t at = r.out.find(key);
    EXPECT_NE(at, std::string::npos) << "no line for " << limit << " in\n" << r.out;
    if (at == std::string::npos) return "";
    size_t next = r.out.find('\n', at + 1);
    std::string line = r.out.substr(next + 1, r.out.find('\n', next + 1) - next - 1);
    EXPECT_NE(line.find("enforced: "), std::string::npos) << line;
    if (line.find("NOT ENFORCED") != std::string::npos) return "none";
    if (line.find("per process") != std::string::npos) return "per-process";
    return "whole";
  }

  // Every events file of the test's state directory, concatenated.
  std::string AllEvents() const {
    const std::string dir = state_ + "/cordon/events";
    std::string all;
    if (!Exists(dir)) return all;
    for (const std::string& f : ListDir(dir)) {
      std::string path = dir;
      path += "/" + f;
      all += ReadFile(path);
    }
    return all;
  }

  std::vector<std::string> PolicyShowArgs() const {
    // Every limit set, so each has its enforcement line.
    return {"policy", "show", "--workspace", ws_, "--no-config", "--memory", "1G",
            "--pids", "100",  "--cpus",      "1", "--tmp-size",  "1G"};
  }

  // A limit nothing enforces here, set by a flag: refused before the
  // command runs, with the remedy, and --allow-degraded runs it.
  void ExpectRefused(const std::vector<std::string>& flag) {
    RunResult r = Probe(flag, {"getpid"});
    EXPECT_EQ(r.exit_code, 125) << r.Describe();
    EXPECT_NE(r.err.find("cannot be enforced here"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--allow-degraded"), std::string::npos) << r.err;
    std::vector<std::string> degraded = flag;
    degraded.push_back("--allow-degraded");
    RunResult d = Probe(degraded, {"getpid"});
    EXPECT_EQ(d.exit_code, 0) << d.Describe();
    EXPECT_NE(d.err.find("degraded"), std::string::npos) << d.err;
  }
};

TEST_F(LimitsTest, RootGetsAWholeRunCgroup) {
  if (geteuid() != 0) {
    // The unprivileged twin: RLIMIT_NPROC in the run's own user namespace
    // counts the run's processes only.
    if (!NamespacelessTier()) {
      EXPECT_EQ(Enforcement("pids"), "whole");
    }
    EXPECT_NE(Enforcement("memory"), "none");
    return;
  }
  EXPECT_EQ(Enforcement("memory"), "whole");
  EXPECT_EQ(Enforcement("pids"), "whole");
  EXPECT_EQ(Enforcement("cpus"), "whole");
}

TEST_F(LimitsTest, MemoryLimitStopsTheCommandAndSparesTheHost) {
  const std::string how = Enforcement("memory");
  ASSERT_NE(how, "none");
  HostMemoryLock lock;
  RunResult r;
  int64_t drop = 0;
  {
    MemorySampler sampler;
    r = Probe({"--memory", "256M"}, {"alloc", "4096"});
    drop = sampler.Drop();
  }
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.FirstLine(), "ok") << r.Describe();
  // 4 GiB were asked for; the host lost at most the limit and a margin for
  // the rest of the machine's churn.
  EXPECT_LT(drop, 256 * kMiB + 768 * kMiB)
      << "host available memory dropped by " << drop / kMiB << " MiB";
  EXPECT_NE(r.err.find("memory limit (256 MiB, flag --memory"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--memory SIZE"), std::string::npos) << r.err;

  RunResult fits = Probe({"--memory", "512M"}, {"alloc", "128"});
  EXPECT_EQ(fits.exit_code, 0) << fits.Describe();
  EXPECT_EQ(fits.FirstLine(), "ok");
  EXPECT_EQ(fits.err.find("memory limit"), std::string::npos) << fits.err;
}

TEST_F(LimitsTest, PidsLimitCapsAForkLoopAndNothingOutlivesTheRun) {
  const std::string name = "cfork" + RandomToken().substr(0, 8);
  if (Enforcement("pids") == "none") {
    ExpectRefused({"--pids", "64"});
    return;
  }
  RunResult r = Probe({"--pids", "64"}, {"fork-hold", "500", name, "300"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  auto data = r.Data();
  ASSERT_EQ(data.size(), 3u) << r.Describe();
  const long forked = std::stol(data[0].substr(7));
  const long failed = std::stol(data[1].substr(7));
  const long live = std::stol(data[2].substr(5));
  EXPECT_LE(forked, 64) << r.out;
  EXPECT_LE(live, 64) << r.out;
  EXPECT_GE(forked, 32) << r.out;
  EXPECT_EQ(forked + failed, 500) << r.out;
  EXPECT_EQ(CountNamed(name), 0) << "children outlived the run";
  // The cgroup counts forks refused at the limit and says so, on stderr
  // and in the audit trail, with the run's peak in exec.end.
  if (geteuid() == 0) {
    EXPECT_NE(r.err.find("process limit (64, flag --pids"), std::string::npos) << r.err;
    const std::string events = AllEvents();
    EXPECT_NE(events.find("\"cordon.limit.hit\""), std::string::npos) << events;
    EXPECT_NE(events.find(R"({"key":"cordon.limit","value":{"stringValue":"pids"}})"),
              std::string::npos)
        << events;
    EXPECT_NE(events.find("\"cordon.peak_processes\""), std::string::npos) << events;
  }

  const std::string name2 = "cfork" + RandomToken().substr(0, 8);
  RunResult many = Probe({"--pids", "1000"}, {"fork-hold", "100", name2, "100"});
  ASSERT_EQ(many.exit_code, 0) << many.Describe();
  EXPECT_EQ(many.Data()[0], "forked 100") << many.out;
  EXPECT_EQ(CountNamed(name2), 0);
}

TEST_F(LimitsTest, DefaultTmpSizeEndsA30GiBWriteWithENOSPC) {
  if (Enforcement("tmp_size") == "none") {
    ExpectRefused({"--tmp-size", "64M"});
    return;
  }
  HostMemoryLock lock;
  RunResult r;
  int64_t drop = 0;
  {
    MemorySampler sampler;
    r = Run({}, {"/bin/sh", "-c", "head -c 30G /dev/zero > /tmp/fill; echo rc=$?"}, 120);
    drop = sampler.Drop();
  }
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.Describe();
  EXPECT_NE(r.out.find("rc=1"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("/tmp and /dev/shm size"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("built-in default"), std::string::npos) << r.err;
  // The default is a quarter of RAM: the host kept the rest.
  const int64_t total = static_cast<int64_t>(sysconf(_SC_PHYS_PAGES)) * sysconf(_SC_PAGESIZE);
  EXPECT_LT(drop, total / 4 + 768 * kMiB) << "dropped " << drop / kMiB << " MiB";
}

TEST_F(LimitsTest, TmpSizeIsOneBudgetForTmpAndDevShm) {
  if (Enforcement("tmp_size") == "none") return;  // refusal checked above
  RunResult r = Run({"--tmp-size", "64M"}, {"/bin/sh", "-c",
                                            "head -c 40M /dev/zero > /tmp/a && echo tmp-ok; "
                                            "head -c 40M /dev/zero > /dev/shm/b && echo shm-ok; "
                                            "df -k /tmp | tail -1"});
  EXPECT_NE(r.out.find("tmp-ok"), std::string::npos) << r.Describe();
  EXPECT_EQ(r.out.find("shm-ok"), std::string::npos) << r.Describe();
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.Describe();
}

// The one tmpfs behind both shows each its own directory: neither sees the
// other's files, nor the tmpfs's root that holds both.
TEST_F(LimitsTest, TmpAndDevShmShowOnlyTheirOwnDirectory) {
  if (Enforcement("tmp_size") == "none") return;  // no private tmpfs in this tier
  RunResult r = Run({}, {"/bin/sh", "-c",
                         "touch /tmp/in-tmp /dev/shm/in-shm && ls -A /dev/shm && echo -- && "
                         "ls -A /tmp"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string shm = r.out.substr(0, r.out.find("--\n"));
  const std::string tmp = r.out.substr(r.out.find("--\n") + 3);
  EXPECT_EQ(shm, "in-shm\n") << r.Describe();
  EXPECT_NE(tmp.find("in-tmp\n"), std::string::npos) << r.Describe();
  EXPECT_EQ(tmp.find("in-shm"), std::string::npos) << r.Describe();
  EXPECT_EQ(("\n" + tmp).find("\n0\n"), std::string::npos) << r.Describe();
}

TEST_F(LimitsTest, CpusLimitHoldsASpinningCommandNearItsShare) {
  if (Enforcement("cpus") == "none") {
    ExpectRefused({"--cpus", "0.5"});
    return;
  }
  // Two spinners for 2 s: unlimited they could take 4 CPU-seconds here.
  RunResult limited = Probe({"--cpus", "0.5"}, {"spin", "2", "2"});
  ASSERT_EQ(limited.exit_code, 0) << limited.Describe();
  const double used = std::stod(limited.Data().at(0));
  EXPECT_LT(used, 0.5 * 2 * 1.25) << "CPU seconds under --cpus 0.5: " << used;
  RunResult free = Probe({}, {"spin", "2", "2"});
  ASSERT_EQ(free.exit_code, 0) << free.Describe();
  const double free_used = std::stod(free.Data().at(0));
  // Only when the machine gave the unlimited twin more than a core can the
  // limited run be expected to have had its whole share.
  if (free_used > 1.2) {
    EXPECT_GT(used, 0.5 * 2 * 0.5) << used << " vs " << free_used;
  }
}

TEST_F(LimitsTest, ALimitedRunLeavesNoCgroupEvenWhenCordonIsKilled) {
  RunResult r = Probe({"--memory", "512M"}, {"getpid"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(LeftCgroups(), std::vector<std::string>{});

  const std::string name = "csleep" + RandomToken().substr(0, 8);
  std::vector<std::string> argv =
      RunArgv({"--memory", "512M"}, {probe_, "fork-hold", "3", name, "30000"});
  Process cordon(argv, env_, ws_);
  for (int i = 0; i < 300 && CountNamed(name) < 3; ++i) usleep(10000);
  ASSERT_EQ(CountNamed(name), 3);
  kill(cordon.pid(), SIGKILL);
  (void)cordon.Wait(10);
  for (int i = 0; i < 200 && CountNamed(name) > 0; ++i) usleep(10000);
  EXPECT_EQ(CountNamed(name), 0) << "the run's processes outlived cordon";
  // What the killed cordon could not remove, the next run sweeps.
  RunResult next = Probe({"--memory", "512M"}, {"getpid"});
  ASSERT_EQ(next.exit_code, 0) << next.Describe();
  EXPECT_EQ(LeftCgroups(), std::vector<std::string>{});
}

TEST_F(LimitsTest, BadValuesAreExit125WithAClearMessage) {
  for (const auto& [flag, value] : std::vector<std::pair<std::string, std::string>>{
           {"--memory", "lots"}, {"--pids", "0"}, {"--cpus", "-1"}, {"--tmp-size", "10X"}}) {
    RunResult r = Probe({flag, value}, {"getpid"});
    EXPECT_EQ(r.exit_code, 125) << flag << " " << value << ": " << r.Describe();
    EXPECT_NE(r.err.find(flag), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << "the command ran";
  }
}

}  // namespace
}  // namespace cordon::it
