// lookup_memo.h's lookups with POSIX calls.
#include <limits.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "policy/lookup_memo.h"

namespace cordon::policy {

LookupMemo::Stat LookupMemo::Lookup(const std::string& path, bool follow) {
  auto& known = follow ? stat_ : lstat_;
  looked_at_.push_back(path);
  if (auto it = known.find(path); it != known.end()) {
    ++answered_;
    return it->second;
  }
  Stat s;
  if (UnderMissing(path)) {
    ++answered_;
    s.err = ENOENT;
  } else {
    ++asked_;
    struct stat st {};
    if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0) {
      s.mode = st.st_mode;
      s.dev = static_cast<uint64_t>(st.st_dev);
    } else {
      s.err = errno;
    }
  }
  return Remember(known, path, s);
}

bool LookupMemo::Readable(const std::string& path) {
  looked_at_.push_back(path);
  if (auto it = readable_.find(path); it != readable_.end()) {
    ++answered_;
    return it->second;
  }
  bool ok = false;
  if (UnderMissing(path)) {
    ++answered_;
  } else {
    ++asked_;
    ok = ::access(path.c_str(), R_OK) == 0;
  }
  readable_.emplace(path, ok);
  return ok;
}

std::optional<std::string> LookupMemo::RealPath(const std::string& path) {
  looked_at_.push_back(path);
  if (auto it = real_.find(path); it != real_.end()) {
    ++answered_;
    return it->second;
  }
  // realpath(3) reads every component's link; a path that lstat cannot
  // reach, it cannot resolve either (one lookup, often answered here).
  std::optional<std::string> real;
  if (Lookup(path, /*follow=*/false).err == 0) {
    ++asked_;
    char buf[PATH_MAX];
    if (::realpath(path.c_str(), buf) != nullptr) real = buf;
  }
  real_.emplace(path, real);
  return real;
}

}  // namespace cordon::policy
