// The rules for offering a writable path.
#include "approval/writable_offer.h"

#include <sys/stat.h>

#include <array>
#include <initializer_list>
#include <string_view>

#include "policy/paths.h"

namespace cordon::approval {

namespace {

using policy::IsWithin;

// System trees: nothing inside them is offered (a one-key "make
// /usr/lib/python3/dist-packages writable" would let the command change the
// host's own programs).
constexpr std::array<std::string_view, 18> kSystemTrees = {
    "/usr",  "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc",     "/boot",
    "/proc", "/sys", "/dev",  "/run", "/snap",  "/nix",   "/opt",    "/var/lib", "/var/run",
};

// Under the home: files and directories whose contents run on the host
// (shell startup, the session's autostart and user units, the PATH's own
// bin directories, git's config with its hooks and aliases). A hostile
// command could try a write there on purpose to be offered it.
constexpr std::array<std::string_view, 22> kHostCode = {
    ".bashrc",
    ".bash_profile",
    ".bash_login",
    ".bash_logout",
    ".profile",
    ".zshrc",
    ".zshenv",
    ".zprofile",
    ".zlogin",
    ".xprofile",
    ".xinitrc",
    ".xsession",
    ".pam_environment",
    ".gitconfig",
    ".config/git",
    ".config/fish",
    ".config/autostart",
    ".config/systemd",
    ".config/environment.d",
    ".local/bin",
    "bin",
    ".local/share/systemd",
};

std::string Join(std::initializer_list<std::string_view> parts) {
  std::string out;
  for (std::string_view part : parts) out += part;
  return out;
}

std::string Parent(const std::string& path) {
  size_t slash = path.rfind('/');
  return slash == 0 || slash == std::string::npos ? "/" : path.substr(0, slash);
}

// The path and, when it resolves elsewhere, its real path.
std::vector<std::string> Forms(const std::string& path, const WritableFacts& f) {
  std::vector<std::string> forms = {path};
  if (f.real_path) {
    if (auto real = f.real_path(path); real && *real != path) forms.push_back(*real);
  }
  return forms;
}

// Why `path` (lexical) / `real` (resolved) may not be offered; empty if it may.
std::string WhyNot(const std::string& path, const std::string& real, const WritableFacts& f) {
  for (const std::string& p : {path, real}) {
    if (p == "/") return "/ is the root directory";
    for (std::string_view tree : kSystemTrees) {
      if (IsWithin(p, tree)) return p + " is a system directory";
    }
    if (policy::IsSystemRoot(p)) return p + " is a system directory";
    for (const std::string& home : Forms(f.home, f)) {
      if (p == home) return p + " is the home directory";
      if (IsWithin(home, p)) return p + " contains the home directory";
      // Directly in the home, only directories (~/.bashrc & co. run on the
      // host); and none of the startup paths above, nor what contains one.
      if (Parent(p) == home && !f.is_directory(p)) {
        return p + " is a file in the home directory (startup files there run on the host)";
      }
      for (std::string_view rel : kHostCode) {
        const std::string code = Join({home, "/", rel});
        if (IsWithin(p, code)) return Join({p, " runs on the host (", code, ")"});
        if (IsWithin(code, p)) return Join({p, " contains ", code, ", which runs on the host"});
      }
    }
    for (const std::string& d : f.deny_read) {
      for (const std::string& form : Forms(d, f)) {
        if (IsWithin(p, form)) return Join({p, " is hidden from the sandbox (deny-read ", d, ")"});
        if (IsWithin(form, p))
          return Join({p, " contains ", d, ", which is hidden from the sandbox"});
      }
    }
    for (const std::string& prot : f.protect) {
      for (const std::string& form : Forms(prot, f)) {
        if (IsWithin(p, form)) return p + " is protected";
        if (IsWithin(form, p)) return Join({p, " contains the protected path ", prot});
      }
    }
  }
  if (f.workspace_writable && IsWithin(real, f.workspace)) {
    return real + " is writable already (the workspace)";
  }
  for (const std::string& w : f.writable) {
    if (IsWithin(real, w)) return real + " is writable already";
  }
  return {};
}

}  // namespace

WritableFacts FactsFrom(const policy::Policy& policy) {
  WritableFacts f;
  f.home = policy.home;
  f.workspace = policy.workspace;
  f.workspace_writable = policy.mode != policy::Mode::kReadOnly;
  for (const auto& w : policy.writable) f.writable.push_back(w.path);
  f.protect.push_back(policy.workspace + "/.git");
  for (const auto& p : policy.protect) f.protect.push_back(p.path);
  for (const auto& d : policy.deny_read) f.deny_read.push_back(d.path);
  for (const auto& h : policy.hide) f.deny_read.push_back(h.path);
  f.real_path = [](const std::string& p) { return policy::RealPath(p); };
  f.is_directory = [](const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  return f;
}

WritableOffer ChooseWritable(const std::string& denied, const WritableFacts& facts) {
  WritableOffer offer;
  if (denied.empty() || denied.front() != '/') {
    offer.why_not = "'" + denied + "' is not an absolute path";
    return offer;
  }
  std::string path = policy::NormalizePath(denied);
  // Inside a hidden or protected path: say so (naming the innermost one),
  // rather than name the ancestor that would be offered instead.
  const std::string* inside = nullptr;
  bool inside_protected = false;
  for (const auto* list : {&facts.deny_read, &facts.protect}) {
    for (const std::string& p : *list) {
      if (IsWithin(path, p) && (inside == nullptr || p.size() > inside->size())) {
        inside = &p;
        inside_protected = list == &facts.protect;
      }
    }
  }
  if (inside != nullptr) {
    offer.why_not = inside_protected
                        ? *inside + " is protected"
                        : path + " is hidden from the sandbox (deny-read " + *inside + ")";
    return offer;
  }
  std::optional<std::string> real;
  for (;;) {
    real = facts.real_path ? facts.real_path(path) : std::nullopt;
    if (real || path == "/") break;
    path = Parent(path);
  }
  std::string why = WhyNot(path, real.value_or(path), facts);
  if (!why.empty()) {
    offer.why_not = std::move(why);
    return offer;
  }
  offer.path = real.value_or(path);
  return offer;
}

Result<std::string> CheckWritableRequest(const std::string& requested, const WritableFacts& facts) {
  if (requested.empty() || requested.find('\0') != std::string::npos) {
    return PlainError("request_writable", requested, "an entry is an empty path");
  }
  if (requested.front() == '~') {
    return PlainError("request_writable", requested,
                      "give an absolute path or one relative to the workspace");
  }
  std::string path = policy::NormalizePath(
      requested.front() == '/' ? requested : facts.workspace + "/" + requested);
  std::optional<std::string> real = facts.real_path ? facts.real_path(path) : std::nullopt;
  if (!real) return PlainError("request_writable", requested, "does not exist on the host");
  std::string why = WhyNot(path, *real, facts);
  if (!why.empty()) return PlainError("request_writable", requested, "not allowed: " + why);
  return *real;
}

}  // namespace cordon::approval
