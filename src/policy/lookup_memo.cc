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
  // Every proper prefix that ends before a '/' ("/a" and "/a/b" of
  // "/a/b/c"): the components the kernel walks through to reach `path`.
  for (size_t slash = path.find('/', 1); slash != std::string::npos;
       slash = path.find('/', slash + 1)) {
    const std::string above = path.substr(0, slash);
    for (const auto* known : {&lstat_, &stat_}) {
      auto it = known->find(above);
      if (it != known->end() && (it->second.err == ENOENT || it->second.err == ENOTDIR)) {
        return true;
      }
    }
  }
  return false;
}

}  // namespace cordon::policy
