// lookup_memo.h's lookups with POSIX calls.
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>

#include "policy/lookup_memo.h"

namespace cordon::policy {
namespace {

LookupMemo::Stat AskKernel(const std::string& path, bool follow) {
  LookupMemo::Stat s;
  struct stat st {};
  if ((follow ? ::stat(path.c_str(), &st) : ::lstat(path.c_str(), &st)) == 0) {
    s.mode = st.st_mode;
    s.dev = static_cast<uint64_t>(st.st_dev);
  } else {
    s.err = errno;
  }
  return s;
}

}  // namespace

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
    s = AskKernel(path, follow);
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

LookupMemo::Stat StatPath(const std::string& path, bool follow) {
  if (LookupMemo* memo = LookupMemo::Active()) return memo->Lookup(path, follow);
  return AskKernel(path, follow);
}

bool ReadablePath(const std::string& path) {
  if (LookupMemo* memo = LookupMemo::Active()) return memo->Readable(path);
  return ::access(path.c_str(), R_OK) == 0;
}

void NoteRead(const std::string& path) {
  if (LookupMemo* memo = LookupMemo::Active()) memo->Touch(path);
}

}  // namespace cordon::policy
