// lookup_memo.h: the memo's place on its thread and what it infers; the
// lookups themselves are per platform (lookup_memo-unix.cc; Windows builds
// use no memo's lookups: its host_fs and paths ask the system each time).
#include "policy/lookup_memo.h"

#include <cerrno>

namespace cordon::policy {
namespace {

thread_local LookupMemo* active = nullptr;

}  // namespace

LookupMemo::LookupMemo() : outer_(active) { active = this; }

LookupMemo::~LookupMemo() { active = outer_; }

LookupMemo* LookupMemo::Active() { return active; }

bool LookupMemo::UnderMissing(const std::string& path) const {
  if (missing_.empty()) return false;
  // Every proper prefix that ends before a '/' ("/a" and "/a/b" of
  // "/a/b/c"): the components the kernel walks through to reach `path`.
  const std::string_view p = path;
  for (size_t slash = p.find('/', 1); slash != std::string_view::npos;
       slash = p.find('/', slash + 1)) {
    if (missing_.contains(p.substr(0, slash))) return true;
  }
  return false;
}

LookupMemo::Stat LookupMemo::Remember(std::unordered_map<std::string, Stat>& known,
                                      const std::string& path, Stat s) {
  auto [it, added] = known.emplace(path, s);
  if (added && (s.err == ENOENT || s.err == ENOTDIR)) missing_.insert(it->first);
  return s;
}

}  // namespace cordon::policy
