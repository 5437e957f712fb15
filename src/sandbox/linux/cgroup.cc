// The run's cgroup (cgroup.h): where it can go, making it, reading what it
// saw, and removing it.
#include "sandbox/linux/cgroup.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <string_view>
#include <utility>

namespace cordon::sandbox::cgroup {
namespace {

constexpr const char* kRoot = "/sys/fs/cgroup";
constexpr const char* kPrefix = "cordon-";
constexpr int64_t kCpuPeriodUs = 100000;

// Small control files only (one read: they are generated in one piece).
std::string ReadSmall(const std::string& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return "";
  char buf[4096];
  ssize_t n = read(fd, buf, sizeof(buf));
  close(fd);
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

Status WriteSmall(const std::string& path, const std::string& value) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return SysError("open", path, errno);
  ssize_t n = write(fd, value.data(), value.size());
  int err = errno;
  close(fd);
  if (n != static_cast<ssize_t>(value.size())) return SysError("write " + value, path, err);
  return {};
}

bool Exists(const std::string& path) { return access(path.c_str(), F_OK) == 0; }

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

int64_t ParseInt(std::string_view s) {
  int64_t v = -1;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

// "key value" lines (memory.events, cpu.stat): the value of `key`, or -1.
int64_t KeyedValue(const std::string& text, std::string_view key) {
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    if (line.size() > key.size() && line.starts_with(key) && line[key.size()] == ' ') {
      return ParseInt(line.substr(key.size() + 1));
    }
    at = end + 1;
  }
  return -1;
}

int64_t FileValue(const std::string& path) {
  std::string text = ReadSmall(path);
  return text.empty() ? -1 : ParseInt(text);
}

bool HasWord(std::string_view words, std::string_view word) {
  size_t at = 0;
  while ((at = words.find(word, at)) != std::string_view::npos) {
    bool starts = at == 0 || words[at - 1] == ' ';
    size_t end = at + word.size();
    if (starts && (end == words.size() || words[end] == ' ' || words[end] == '\n')) return true;
    at = end;
  }
  return false;
}

// /proc/self/cgroup: the v2 path ("0::/x") and the v1 path of each of the
// three controllers.
struct SelfCgroups {
  std::string v2;
  std::string memory;
  std::string pids;
  std::string cpu;
};

SelfCgroups ReadSelf() {
  SelfCgroups self;
  std::string text = ReadSmall("/proc/self/cgroup");
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find('\n', at);
    if (end == std::string::npos) end = text.size();
    std::string_view line(text.data() + at, end - at);
    at = end + 1;
    size_t c1 = line.find(':');
    size_t c2 = c1 == std::string_view::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string_view::npos) continue;
    std::string_view controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path(line.substr(c2 + 1));
    if (line.substr(0, c1) == "0" && controllers.empty()) {
      self.v2 = path;
      continue;
    }
    // "cpu,cpuacct" lists several.
    std::string list(controllers);
    std::replace(list.begin(), list.end(), ',', ' ');
    if (HasWord(list, "memory")) self.memory = path;
    if (HasWord(list, "pids")) self.pids = path;
    if (HasWord(list, "cpu")) self.cpu = path;
  }
  return self;
}

// Delegating a subtree to a user in a systemd session: a shell whose every
// cordon run gets a cgroup (docs/limits.md). The shell moves itself into a
// leaf, so the delegated scope holds no process and can hand controllers
// down to the runs' cgroups.
constexpr const char* kDelegateRemedy =
    "start the agent (or a shell) in a delegated cgroup: systemd-run --user --scope -p "
    "Delegate=yes sh -c 'd=/sys/fs/cgroup$(sed -n s/^0:://p /proc/self/cgroup); mkdir "
    "\"$d/leaf\" && echo $$ > \"$d/leaf/cgroup.procs\" && exec \"${SHELL:-sh}\"'";

Host ProbeV2(const SelfCgroups& self, const std::string& root) {
  Host host;
  std::string parent;
  std::string offered;
  if (geteuid() == 0) {
    // The root cgroup's children get what its subtree_control enables
    // (systemd enables all three); cordon does not change that.
    parent = root + "/cordon";
    offered = ReadSmall(root + "/cgroup.subtree_control");
    host.make_parent = true;
  } else {
    const std::string own = root + (self.v2 == "/" ? "" : self.v2);
    parent = Parent(own);
    struct stat st {};
    if (own == root || parent.size() < root.size() || stat(parent.c_str(), &st) != 0 ||
        st.st_uid != geteuid() || access((parent + "/cgroup.procs").c_str(), W_OK) != 0) {
      host.reason = "cordon's cgroup " + self.v2 + " is not in a subtree delegated to you";
      host.remedy = kDelegateRemedy;
      return host;
    }
    offered = ReadSmall(parent + "/cgroup.controllers");
  }
  if (HasWord(offered, "memory")) host.memory = parent;
  if (HasWord(offered, "pids")) host.pids = parent;
  if (HasWord(offered, "cpu")) host.cpu = parent;
  if (host.memory.empty() && host.pids.empty() && host.cpu.empty()) {
    host.reason = "the cgroup v2 subtree at " + parent + " offers none of memory, pids, cpu";
    host.remedy = geteuid() == 0 ? "enable them in " + root + "/cgroup.subtree_control"
                                 : std::string(kDelegateRemedy);
    return host;
  }
  host.version = Version::kV2;
  return host;
}

Host ProbeV1(const SelfCgroups& self) {
  Host host;
  auto place = [](const char* controller, const std::string& path) -> std::string {
    if (path.empty()) return "";
    std::string dir = std::string(kRoot) + "/" + controller + (path == "/" ? "" : path);
    return access(dir.c_str(), W_OK) == 0 ? dir : "";
  };
  host.memory = place("memory", self.memory);
  host.pids = place("pids", self.pids);
  host.cpu = place("cpu", self.cpu);
  if (!host.memory.empty() || !host.pids.empty() || !host.cpu.empty()) {
    host.version = Version::kV1;
  } else {
    host.reason = "no writable cgroup v1 hierarchy for memory, pids or cpu";
    host.remedy = "mount the controllers (cgroup v2 is best), or run as root";
  }
  return host;
}

int64_t CreatorPid(std::string_view name) {
  if (!name.starts_with(kPrefix)) return -1;
  name.remove_prefix(std::string_view(kPrefix).size());
  size_t dash = name.find('-');
  return dash == std::string_view::npos ? -1 : ParseInt(name.substr(0, dash));
}

// Kills every process in `dir` (v2's cgroup.kill where the kernel has it).
void KillMembers(const std::string& dir) {
  if (WriteSmall(dir + "/cgroup.kill", "1").ok()) return;
  std::string procs = ReadSmall(dir + "/cgroup.procs");
  size_t at = 0;
  while (at < procs.size()) {
    size_t end = procs.find('\n', at);
    if (end == std::string::npos) end = procs.size();
    int64_t pid = ParseInt(std::string_view(procs).substr(at, end - at));
    if (pid > 0) kill(static_cast<pid_t>(pid), SIGKILL);
    at = end + 1;
  }
}

// An emptied cgroup is busy until its last process has left it: a short
// wait, then give up (the next run's sweep removes it).
void RemoveDir(const std::string& dir) {
  for (int i = 0; i < 50; ++i) {
    if (rmdir(dir.c_str()) == 0 || errno == ENOENT) return;
    if (errno != EBUSY) return;
    KillMembers(dir);
    timespec ms{0, 2000000};
    nanosleep(&ms, nullptr);
  }
}

// Runs' cgroups whose cordon is gone (killed before it could remove them).
void SweepStale(const std::string& parent) {
  DIR* d = opendir(parent.c_str());
  if (d == nullptr) return;
  while (dirent* e = readdir(d)) {
    int64_t pid = CreatorPid(e->d_name);
    if (pid <= 0 || pid == getpid()) continue;
    if (kill(static_cast<pid_t>(pid), 0) == 0 || errno != ESRCH) continue;
    std::string dir = parent + "/" + e->d_name;
    KillMembers(dir);
    RemoveDir(dir);
  }
  closedir(d);
}

std::string NextName() {
  static std::atomic<int> runs{0};
  return std::string(kPrefix) + std::to_string(getpid()) + "-" + std::to_string(runs++);
}

}  // namespace

Host Probe() {
  SelfCgroups self = ReadSelf();
  for (const char* root : {"/sys/fs/cgroup", "/sys/fs/cgroup/unified"}) {
    std::string r = root;
    if (self.v2.empty() || !Exists(r + "/cgroup.controllers")) continue;
    // A hybrid host's v2 tree has none of the three: v1 holds them.
    std::string offered = ReadSmall(r + "/cgroup.controllers");
    if (!HasWord(offered, "memory") && !HasWord(offered, "pids") && !HasWord(offered, "cpu")) {
      break;
    }
    Host v2 = ProbeV2(self, r);
    if (v2.version == Version::kV2 || geteuid() != 0) return v2;
    break;
  }
  if (geteuid() == 0) return ProbeV1(self);
  Host none;
  none.reason =
      "the host mounts memory, pids and cpu as cgroup v1, which is not delegated to users";
  none.remedy =
      "boot with cgroup v2 alone (kernel parameter systemd.unified_cgroup_hierarchy=1), then " +
      std::string(kDelegateRemedy);
  return none;
}

RunGroup::RunGroup(RunGroup&& o) noexcept { *this = std::move(o); }

RunGroup& RunGroup::operator=(RunGroup&& o) noexcept {
  if (this != &o) {
    Remove();
    version_ = std::exchange(o.version_, Version::kNone);
    dirs_ = std::exchange(o.dirs_, {});
    memory_dir_ = std::exchange(o.memory_dir_, {});
    pids_dir_ = std::exchange(o.pids_dir_, {});
    cpu_dir_ = std::exchange(o.cpu_dir_, {});
    made_parent_ = std::exchange(o.made_parent_, {});
    oom_fd_ = std::move(o.oom_fd_);
  }
  return *this;
}

RunGroup::~RunGroup() { Remove(); }

void RunGroup::Remove() {
  oom_fd_.Reset();
  for (const std::string& dir : dirs_) {
    KillMembers(dir);
    RemoveDir(dir);
  }
  dirs_.clear();
  // Root's /sys/fs/cgroup/cordon goes with the last run in it (EBUSY
  // while another run has its cgroup there).
  if (!made_parent_.empty()) (void)rmdir(made_parent_.c_str());
  made_parent_.clear();
}

Result<RunGroup> RunGroup::Create(const Host& host, const Settings& s) {
  RunGroup g;
  g.version_ = host.version;
  const std::string name = NextName();
  // One directory per hierarchy: v2 has one for all three.
  auto make = [&](const std::string& parent) -> Result<std::string> {
    std::string dir = parent + "/" + name;
    for (const std::string& made : g.dirs_) {
      if (made == dir) return dir;
    }
    SweepStale(parent);
    if (mkdir(dir.c_str(), 0755) != 0) return SysError("mkdir", dir, errno);
    g.dirs_.push_back(dir);
    return dir;
  };
  const bool v2 = host.version == Version::kV2;
  // A parent cordon made may be removed by another run's end between its
  // mkdir and the run's own: make it again.
  for (int attempt = 0; v2 && attempt < 3 && g.dirs_.empty(); ++attempt) {
    const std::string& parent =
        !host.memory.empty() ? host.memory : (!host.pids.empty() ? host.pids : host.cpu);
    if (host.make_parent) {
      if (mkdir(parent.c_str(), 0755) != 0 && errno != EEXIST) {
        return SysError("mkdir", parent, errno);
      }
      g.made_parent_ = parent;
    }
    // The parent hands its controllers down to the runs' cgroups.
    std::string enabled = ReadSmall(parent + "/cgroup.subtree_control");
    std::string want;
    for (const auto& [dir, c] : {std::pair{&host.memory, "memory"}, std::pair{&host.pids, "pids"},
                                 std::pair{&host.cpu, "cpu"}}) {
      if (!dir->empty() && !HasWord(enabled, c)) want += std::string(want.empty() ? "+" : " +") + c;
    }
    if (!want.empty()) {
      Status st = WriteSmall(parent + "/cgroup.subtree_control", want);
      if (!st.ok()) {
        Error e = st.error();
        e.hint = "the delegated cgroup " + parent +
                 " must hold no process itself (move the shell into a leaf: docs/limits.md)";
        return e;
      }
    }
    auto dir = make(parent);
    if (!dir.ok() && !(host.make_parent && dir.error().err == ENOENT)) return dir.error();
  }
  if (!host.memory.empty()) {
    auto dir = make(host.memory);
    if (!dir.ok()) return dir.error();
    g.memory_dir_ = dir.value();
  }
  if (!host.pids.empty() && (s.pids > 0 || v2)) {
    auto dir = make(host.pids);
    if (!dir.ok()) return dir.error();
    g.pids_dir_ = dir.value();
  }
  if (!host.cpu.empty() && (s.cpu_millis > 0 || v2)) {
    auto dir = make(host.cpu);
    if (!dir.ok()) return dir.error();
    g.cpu_dir_ = dir.value();
  }
  const std::string& m = g.memory_dir_;
  if (s.memory_bytes > 0 && !m.empty()) {
    const std::string bytes = std::to_string(s.memory_bytes);
    if (v2) {
      CORDON_RETURN_IF_ERROR(WriteSmall(m + "/memory.max", bytes));
      // The limit is the run's RAM: it does not push the host into swap.
      if (Exists(m + "/memory.swap.max")) {
        CORDON_RETURN_IF_ERROR(WriteSmall(m + "/memory.swap.max", "0"));
      }
      CORDON_RETURN_IF_ERROR(WriteSmall(m + "/memory.oom.group", "1"));
    } else {
      CORDON_RETURN_IF_ERROR(WriteSmall(m + "/memory.limit_in_bytes", bytes));
      if (Exists(m + "/memory.memsw.limit_in_bytes")) {
        CORDON_RETURN_IF_ERROR(WriteSmall(m + "/memory.memsw.limit_in_bytes", bytes));
      }
      // v1 has no memory.oom.group: the supervisor ends the run when told.
      UniqueFd efd(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
      if (!efd.valid()) return SysError("eventfd", "oom notification", errno);
      UniqueFd control(open((m + "/memory.oom_control").c_str(), O_RDONLY | O_CLOEXEC));
      if (!control.valid()) return SysError("open", m + "/memory.oom_control", errno);
      CORDON_RETURN_IF_ERROR(
          WriteSmall(m + "/cgroup.event_control",
                     std::to_string(efd.get()) + " " + std::to_string(control.get())));
      g.oom_fd_ = std::move(efd);
    }
  }
  if (s.pids > 0 && !g.pids_dir_.empty()) {
    CORDON_RETURN_IF_ERROR(WriteSmall(g.pids_dir_ + "/pids.max", std::to_string(s.pids)));
  }
  if (s.cpu_millis > 0 && !g.cpu_dir_.empty()) {
    const int64_t quota = s.cpu_millis * kCpuPeriodUs / 1000;
    if (v2) {
      CORDON_RETURN_IF_ERROR(WriteSmall(
          g.cpu_dir_ + "/cpu.max", std::to_string(quota) + " " + std::to_string(kCpuPeriodUs)));
    } else {
      CORDON_RETURN_IF_ERROR(
          WriteSmall(g.cpu_dir_ + "/cpu.cfs_period_us", std::to_string(kCpuPeriodUs)));
      CORDON_RETURN_IF_ERROR(WriteSmall(g.cpu_dir_ + "/cpu.cfs_quota_us", std::to_string(quota)));
    }
  }
  return g;
}

Status RunGroup::Place(pid_t pid) const {
  for (const std::string& dir : dirs_) {
    CORDON_RETURN_IF_ERROR(WriteSmall(dir + "/cgroup.procs", std::to_string(pid)));
  }
  return {};
}

Usage RunGroup::Read() const {
  Usage u;
  const bool v2 = version_ == Version::kV2;
  if (!memory_dir_.empty()) {
    if (v2) {
      u.memory_peak = FileValue(memory_dir_ + "/memory.peak");
      std::string events = ReadSmall(memory_dir_ + "/memory.events");
      u.oom_kills = std::max<int64_t>(0, KeyedValue(events, "oom_kill"));
      u.memory_max_events = std::max<int64_t>(0, KeyedValue(events, "max"));
    } else {
      u.memory_peak = FileValue(memory_dir_ + "/memory.max_usage_in_bytes");
      u.oom_kills = std::max<int64_t>(
          0, KeyedValue(ReadSmall(memory_dir_ + "/memory.oom_control"), "oom_kill"));
      u.memory_max_events = std::max<int64_t>(0, FileValue(memory_dir_ + "/memory.failcnt"));
    }
  }
  if (!pids_dir_.empty()) {
    u.pids_peak = FileValue(pids_dir_ + "/pids.peak");
    u.pids_max_events =
        std::max<int64_t>(0, KeyedValue(ReadSmall(pids_dir_ + "/pids.events"), "max"));
  }
  if (!cpu_dir_.empty()) {
    std::string stat = ReadSmall(cpu_dir_ + "/cpu.stat");
    if (v2) {
      u.cpu_throttled_us = KeyedValue(stat, "throttled_usec");
    } else if (int64_t ns = KeyedValue(stat, "throttled_time"); ns >= 0) {
      u.cpu_throttled_us = ns / 1000;
    }
  }
  return u;
}

}  // namespace cordon::sandbox::cgroup
