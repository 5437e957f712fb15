// The grant-root validator (see root_validator.h).
#include "sandbox/windows/root_validator.h"

#include <utility>

namespace cordon::sandbox::windows {
namespace {

Error Refuse(std::string_view root, std::string detail, std::string hint) {
  Error e = PlainError("grant root", std::string(root), std::move(detail));
  e.hint = std::move(hint);
  return e;
}

constexpr std::string_view kNarrower =
    "grant the project directory itself, e.g. C:\\Users\\me\\src\\project";

}  // namespace

Result<NormalPath> ValidateGrantRoot(std::string_view root, const ProfileFacts& facts) {
  Result<NormalPath> parsed = Normalize(root);
  if (!parsed.ok()) return parsed.error();
  const NormalPath& r = parsed.value();
  if (!r.stream.empty()) {
    return Refuse(root, "names an alternate data stream, not a directory", "drop the \":stream\"");
  }
  if (r.kind != RootKind::kDrive) {
    // ACEs on a share are the server's, and a volume GUID path hides which
    // drive it is: neither is checked against the places below.
    return Refuse(root, "is not on a local drive letter (a share or volume path)",
                  "use a directory on a local drive");
  }
  if (r.needs_identity) {
    return Refuse(root,
                  "holds an 8.3 short name or non-ASCII characters that only the file system "
                  "can resolve",
                  "pass the long path (GetFinalPathNameByHandle)");
  }
  if (r.components.empty()) {
    return Refuse(root, "is a drive root", std::string(kNarrower));
  }

  const auto each = [](const std::vector<std::string>& paths, auto&& fn) -> Status {
    for (const std::string& p : paths) {
      Result<NormalPath> n = Normalize(p);
      if (!n.ok()) continue;
      CORDON_RETURN_IF_ERROR(fn(n.value(), p));
    }
    return {};
  };
  const auto is_or_contains = [&](const NormalPath& place, const std::string& spelled,
                                  std::string_view what) -> Status {
    if (SamePath(r, place)) return Refuse(root, "is " + std::string(what), std::string(kNarrower));
    if (IsWithin(place, r)) {
      return Refuse(root, "contains " + std::string(what) + " (" + spelled + ")",
                    std::string(kNarrower));
    }
    return {};
  };

  CORDON_RETURN_IF_ERROR(
      each(facts.drive_roots, [&](const NormalPath& d, const std::string& s) -> Status {
        return is_or_contains(d, s, "a drive root");
      }));
  for (const std::string* p : {&facts.profiles_root, &facts.profile_dir, &facts.userprofile_env}) {
    CORDON_RETURN_IF_ERROR(each({*p}, [&](const NormalPath& d, const std::string& s) -> Status {
      return is_or_contains(
          d, s, p == &facts.profiles_root ? "the user profiles folder" : "a user profile root");
    }));
  }
  CORDON_RETURN_IF_ERROR(
      each(facts.system_dirs, [&](const NormalPath& d, const std::string& s) -> Status {
        CORDON_RETURN_IF_ERROR(is_or_contains(d, s, "a system directory"));
        if (IsWithin(r, d)) {
          return Refuse(root, "lies in a system directory (" + s + ")",
                        "system directories are readable already; grant nothing there");
        }
        return Status();
      }));
  CORDON_RETURN_IF_ERROR(
      each(facts.ssh_paths, [&](const NormalPath& d, const std::string& s) -> Status {
        CORDON_RETURN_IF_ERROR(is_or_contains(d, s, "a path OpenSSH uses"));
        if (IsWithin(r, d)) {
          return Refuse(root, "lies in a path OpenSSH uses (" + s + ")",
                        "OpenSSH refuses keys whose ACL names anyone but the user; grant "
                        "nothing there");
        }
        return Status();
      }));
  CORDON_RETURN_IF_ERROR(
      each(facts.hive_files, [&](const NormalPath& d, const std::string& s) -> Status {
        return is_or_contains(d, s, "a registry hive file");
      }));
  return parsed;
}

}  // namespace cordon::sandbox::windows
