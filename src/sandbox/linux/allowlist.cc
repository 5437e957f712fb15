// Carves exceptions out of Landlock grants by granting around them.
#include "sandbox/linux/allowlist.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>

#include "common/dir_names.h"
#include "policy/paths.h"

namespace cordon::sandbox::allowlist {
namespace {

using policy::IsWithin;

bool IsStrictlyUnder(const std::string& path, const std::string& root) {
  return path != root && IsWithin(path, root);
}

class Builder {
 public:
  Builder(std::vector<Exception> exceptions, Lister list)
      : exceptions_(std::move(exceptions)), list_(std::move(list)) {}

  Status Add(const std::string& root, uint64_t access) {
    for (const Exception& e : exceptions_) {
      if (IsWithin(root, e.path) && e.caps_inner_grants) access &= e.cap;
    }
    if (access == 0) return {};
    return Around(root, access, "");
  }

  std::vector<landlock::PathRule> Take() { return std::move(rules_); }

 private:
  // The exceptions strictly beneath `dir` that take something away.
  std::vector<const Exception*> Beneath(const std::string& dir, uint64_t access) const {
    std::vector<const Exception*> out;
    for (const Exception& e : exceptions_) {
      if (IsStrictlyUnder(e.path, dir) && (access & ~e.cap) != 0) out.push_back(&e);
    }
    return out;
  }

  Status Push(const std::string& path, uint64_t access, const std::string& carving) {
    if (access == 0) return {};
    if (rules_.size() >= kMaxRules) {
      Error e = PlainError("landlock", carving,
                           "cannot be hidden without user namespaces: the allowlist around it "
                           "would need more than " +
                               std::to_string(kMaxRules) + " rules");
      e.hint = "remove it from the deny-read or protect list, or run where user namespaces work";
      return e;
    }
    rules_.push_back({path, access});
    return {};
  }

  // Grants `access` beneath `dir`, carving out the exceptions inside it.
  // `carving`: the exception being carved (for messages).
  Status Around(const std::string& dir, uint64_t access, const std::string& carving) {
    auto inside = Beneath(dir, access);
    if (inside.empty()) return Push(dir, access, carving);
    // The directory itself keeps what every exception beneath may have.
    uint64_t own = access;
    for (const Exception* e : inside) own &= e->cap;
    CORDON_RETURN_IF_ERROR(Push(dir, own, inside.front()->path));
    const std::string& why = carving.empty() ? inside.front()->path : carving;
    Result<std::vector<std::string>> listed = list_(dir);
    if (!listed.ok()) {
      Error e = listed.error();
      e.detail = "cannot list it to hide " + why + " without user namespaces";
      return e;
    }
    std::vector<std::string> names = std::move(listed).value();
    std::sort(names.begin(), names.end());
    for (const std::string& name : names) {
      std::string child = dir == "/" ? std::string() : dir;
      child += '/';
      child += name;
      struct stat st {};
      if (lstat(child.c_str(), &st) != 0 || S_ISLNK(st.st_mode)) continue;
      uint64_t child_access = access;
      bool exact = false;
      for (const Exception* e : inside) {
        if (e->path == child) {
          child_access &= e->cap;
          exact = true;
        }
      }
      if (exact) {
        // Its subtree gets the capped access; deeper exceptions cap further.
        CORDON_RETURN_IF_ERROR(Around(child, child_access, why));
        continue;
      }
      bool leads_to_exception = std::any_of(inside.begin(), inside.end(), [&](const Exception* e) {
        return IsStrictlyUnder(e->path, child);
      });
      if (leads_to_exception && S_ISDIR(st.st_mode)) {
        CORDON_RETURN_IF_ERROR(Around(child, access, why));
      } else {
        CORDON_RETURN_IF_ERROR(Push(child, access, why));
      }
    }
    return {};
  }

  std::vector<Exception> exceptions_;
  Lister list_;
  std::vector<landlock::PathRule> rules_;
};

}  // namespace

Result<std::vector<std::string>> ListDirectory(const std::string& dir) {
  DIR* d = opendir(dir.c_str());
  if (d == nullptr) return SysError("opendir", dir, errno);
  return TakeNames(d);
}

Result<std::vector<landlock::PathRule>> Build(const std::vector<Grant>& grants,
                                              const std::vector<Exception>& exceptions,
                                              const Lister& list, policy::RealPathCache* real) {
  policy::RealPathCache own;
  if (real == nullptr) real = &own;
  std::vector<Exception> resolved;
  resolved.reserve(exceptions.size());
  for (const Exception& e : exceptions)
    resolved.push_back({real->Get(e.path), e.cap, e.caps_inner_grants});
  Builder builder(std::move(resolved), list);
  for (const Grant& g : grants) {
    struct stat st {};
    if (stat(g.path.c_str(), &st) != 0) continue;  // absent toolchain dirs and the like
    CORDON_RETURN_IF_ERROR(builder.Add(real->Get(g.path), g.access));
  }
  return builder.Take();
}

}  // namespace cordon::sandbox::allowlist
