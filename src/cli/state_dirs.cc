// Creation of cordon's state directories.
#include "cli/state_dirs.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/unique_fd.h"
#include "policy/paths.h"

namespace cordon::cli {

namespace {

// mkdir(path, 0700) unless it exists; then the mode is set exactly (the
// umask could have taken bits away). An existing one must be a directory of
// ours; its mode is left alone (the vault checks its own).
Result<bool> MakeDir(const std::string& path) {
  if (::mkdir(path.c_str(), 0700) == 0) {
    if (::chmod(path.c_str(), 0700) != 0) return SysError("chmod", path, errno);
    return true;
  }
  if (errno != EEXIST) return SysError("mkdir", path, errno);
  struct stat st;
  if (::lstat(path.c_str(), &st) != 0) return SysError("lstat", path, errno);
  if (!S_ISDIR(st.st_mode)) return PlainError("setup", path, "exists and is not a directory");
  if (st.st_uid != ::getuid()) {
    return PlainError("setup", path, "is owned by uid " + std::to_string(st.st_uid) + ", not you");
  }
  return false;
}

}  // namespace

StateDirs StateDirs::For(const policy::HostFacts& host) {
  StateDirs d;
  d.state = policy::NormalizePath(host.xdg_state_home + "/cordon");
  d.events = d.state + "/events";
  d.vault = d.state + "/vault";
  d.created = d.state + "/setup-created";
  return d;
}

Status CreateStateDirs(const StateDirs& dirs, std::vector<std::string>* created) {
  // Missing parents first, outermost first ($XDG_STATE_HOME may not exist).
  std::vector<std::string> missing;
  for (std::string p = dirs.state; p.size() > 1;) {
    struct stat st;
    if (::lstat(p.c_str(), &st) == 0) break;
    missing.insert(missing.begin(), p);
    p = p.substr(0, p.rfind('/'));
    if (p.empty()) break;
  }
  std::vector<std::string> parents;
  for (const std::string& p : missing) {
    auto made = MakeDir(p);
    if (!made.ok()) return made.error();
    if (made.value()) {
      created->push_back(p);
      if (p != dirs.state) parents.push_back(p);
    }
  }
  for (const std::string* p : {&dirs.state, &dirs.events, &dirs.vault}) {
    auto made = MakeDir(*p);
    if (!made.ok()) return made.error();
    if (made.value()) created->push_back(*p);
  }
  if (parents.empty()) return {};
  // Appended, so a second setup after a partial uninstall keeps the record.
  UniqueFd fd(::open(dirs.created.c_str(),
                     O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0600));
  if (!fd.valid()) return SysError("open", dirs.created, errno);
  for (const std::string& p : parents) {
    std::string line = p + "\n";
    if (::write(fd.get(), line.data(), line.size()) != static_cast<ssize_t>(line.size())) {
      return SysError("write", dirs.created, errno);
    }
  }
  return {};
}

}  // namespace cordon::cli
