// session_policy_cache.h: the walks, the watches and the kept resolution.
#include "cli/session_policy_cache.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>

#include "policy/lookup_memo.h"

namespace cordon::cli {
namespace {

// Symlinks followed in one walk, as the kernel's limit for a path.
constexpr int kMaxLinks = 40;
// More than a resolution looks at (about 60 directories on a developer's
// machine, and a root user's /etc, /opt and /usr/local/etc, which the
// root-only rule walks: 154 more here): a bound within the kernel's
// smallest default of max_user_watches (8192), so that a strange host
// cannot exhaust them.
constexpr size_t kMaxWatches = 4096;

// A directory's entries and its own attributes (search permission);
// children's attributes come with it. Not IN_MODIFY: a file written in
// the workspace or in HOME changes nothing a resolution saw, unless it
// read that file, which has its own watch.
constexpr uint32_t kDirMask = IN_ATTRIB | IN_CREATE | IN_DELETE | IN_DELETE_SELF | IN_MOVE_SELF |
                              IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR | IN_DONT_FOLLOW;
// A file read: its content and its attributes, wherever it is changed from
// (another hard link's directory reports nothing to this file's).
constexpr uint32_t kFileMask =
    IN_ATTRIB | IN_MODIFY | IN_CLOSE_WRITE | IN_DELETE_SELF | IN_MOVE_SELF | IN_DONT_FOLLOW;

std::string Join(const std::string& dir, std::string_view name) {
  std::string out = dir;
  if (out.back() != '/') out += '/';
  out += name;
  return out;
}

class Walker {
 public:
  explicit Walker(std::set<std::string>* out) : out_(out) {}

  // Walks `path` as the kernel would, one component at a time; `read`: its
  // end is a file whose content counts. False (why_) when it cannot be
  // named as paths.
  bool Walk(const std::string& path, bool read) {
    if (path.empty() || path.front() != '/') return Fail("a relative path: " + path);
    std::vector<std::string_view> parts;
    std::string_view rest = path;
    while (!rest.empty()) {
      const size_t slash = rest.find('/');
      std::string_view part = rest.substr(0, slash);
      rest = slash == std::string_view::npos ? std::string_view() : rest.substr(slash + 1);
      if (part.empty()) continue;
      // ".." after a symlink goes up from where the link led, not from
      // where it was: a lexical walk would watch the wrong directory.
      if (part == "." || part == "..") return Fail("'.' or '..' in " + path);
      parts.push_back(part);
    }
    std::string dir = "/";
    out_->insert("d:/");
    for (size_t i = 0; i < parts.size(); ++i) {
      const std::string next = Join(dir, parts[i]);
      struct stat st {};
      // Missing, or not reachable: the name is made in `dir` (watched), or
      // `dir`'s search permission changes (its own IN_ATTRIB).
      if (::lstat(next.c_str(), &st) != 0) return true;
      if (S_ISLNK(st.st_mode)) {
        if (++links_ > kMaxLinks) return Fail("too many symlinks: " + path);
        char buf[PATH_MAX];
        const ssize_t n = ::readlink(next.c_str(), buf, sizeof(buf) - 1);
        if (n <= 0) return Fail("readlink " + next + " failed");
        std::string target(buf, static_cast<size_t>(n));
        std::string resumed = target.front() == '/' ? target : Join(dir, target);
        for (size_t j = i + 1; j < parts.size(); ++j) resumed = Join(resumed, parts[j]);
        return Walk(resumed, read);
      }
      const bool last = i + 1 == parts.size();
      if (!S_ISDIR(st.st_mode)) {
        // Nothing can be under a file (ENOTDIR); a file read at the end.
        if (last && read) out_->insert("f:" + next);
        return true;
      }
      // A directory walked through, or listed. The end of a lookup is a
      // name in `dir`, and its attributes come with `dir`'s watch.
      if (!last || read) out_->insert("d:" + next);
      dir = next;
    }
    return true;
  }

  bool Fail(std::string why) {
    why_ = std::move(why);
    return false;
  }
  [[nodiscard]] const std::string& why() const { return why_; }

 private:
  std::set<std::string>* out_;
  int links_ = 0;
  std::string why_;
};

}  // namespace

std::optional<std::set<std::string>> WatchTargets(const std::vector<std::string>& looked_at,
                                                  const std::vector<std::string>& read,
                                                  std::string* why) {
  std::set<std::string> out;
  std::set<std::string> walked;
  for (const auto* list : {&looked_at, &read}) {
    const bool reads = list == &read;
    for (const std::string& path : *list) {
      if (!walked.insert((reads ? "r:" : "l:") + path).second) continue;
      Walker walker(&out);
      if (!walker.Walk(path, reads)) {
        *why = walker.why();
        return std::nullopt;
      }
      if (out.size() > kMaxWatches) {
        *why = "more than " + std::to_string(kMaxWatches) + " paths to watch";
        return std::nullopt;
      }
    }
  }
  return out;
}

std::optional<HostWatch> HostWatch::Create(const std::set<std::string>& targets, std::string* why) {
  HostWatch w;
  w.inotify_ = UniqueFd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!w.inotify_.valid()) {
    *why = "inotify_init1: " + std::string(strerror(errno));
    return std::nullopt;
  }
  // poll(2) on it reports POLLPRI once the mount table has changed.
  w.mounts_ = UniqueFd(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  if (!w.mounts_.valid()) {
    *why = "open /proc/self/mountinfo: " + std::string(strerror(errno));
    return std::nullopt;
  }
  for (const std::string& t : targets) {
    const bool dir = t.starts_with("d:");
    const std::string path = t.substr(2);
    if (inotify_add_watch(w.inotify_.get(), path.c_str(), dir ? kDirMask : kFileMask) < 0) {
      *why = "inotify_add_watch " + path + ": " + strerror(errno);
      return std::nullopt;
    }
  }
  w.targets_ = targets;
  return w;
}

bool HostWatch::Changed() {
  if (changed_) return true;
  struct pollfd fds[2] = {{inotify_.get(), POLLIN, 0}, {mounts_.get(), POLLPRI, 0}};
  // Any event, an overflow, or an error: changed. Nothing is read: the
  // watch is dropped once it has fired.
  if (poll(fds, 2, 0) != 0) changed_ = true;
  return changed_;
}

std::optional<policy::Policy> PolicyCache::Find(const std::vector<std::string>& options,
                                                const policy::HostFacts& host) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!entry_) return std::nullopt;
  if (entry_->watch.Changed()) {
    entry_.reset();
    return std::nullopt;
  }
  if (entry_->options != options || !(entry_->host == host)) return std::nullopt;
  ++hits_;
  return entry_->policy;
}

std::string PolicyCache::Fill(const std::vector<std::string>& options,
                              const policy::Overrides& overrides, const policy::HostFacts& host,
                              const std::vector<std::string>& looked_at,
                              const std::vector<std::string>& read,
                              const std::function<bool(policy::Policy&)>& accept) {
  std::string why = Keep(options, overrides, host, looked_at, read, accept);
  std::lock_guard<std::mutex> lock(mu_);
  why_ = why;
  return why;
}

std::string PolicyCache::Keep(const std::vector<std::string>& options,
                              const policy::Overrides& overrides, const policy::HostFacts& host,
                              const std::vector<std::string>& looked_at,
                              const std::vector<std::string>& read,
                              const std::function<bool(policy::Policy&)>& accept) {
  std::string why;
  auto targets = WatchTargets(looked_at, read, &why);
  if (!targets) return why;
  auto watch = HostWatch::Create(*targets, &why);
  if (!watch) return why;
  // Resolved again, now that the watches stand: this is what is kept.
  policy::LookupMemo memo;
  auto policy = policy::Resolve(overrides, host);
  if (!policy.ok()) return "it does not resolve";
  auto seen = WatchTargets(memo.looked_at(), memo.read(), &why);
  if (!seen) return why;
  for (const std::string& t : *seen) {
    if (!targets->contains(t)) return "the host changed while it was resolved (" + t + ")";
  }
  if (!accept(policy.value())) return "not accepted";
  if (watch->Changed()) return "the host changed while it was resolved";
  std::lock_guard<std::mutex> lock(mu_);
  entry_.emplace(Entry{options, host, std::move(policy).value(), std::move(*watch)});
  return "";
}

std::string PolicyCache::Why() {
  std::lock_guard<std::mutex> lock(mu_);
  return why_;
}

uint64_t PolicyCache::hits() {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

}  // namespace cordon::cli
