// The rules for offering a writable path (see writable_offer.h).
#include "approval/writable_offer.h"

#include <dirent.h>
#include <sys/stat.h>

#include <algorithm>
#include <array>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

#include "policy/paths.h"

namespace cordon::approval {

namespace {

using policy::IsWithin;

// System trees: nothing inside them is offered (a one-key "make
// /usr/lib/python3/dist-packages writable" would let the command change the
// host's own programs; as root, /var/spool/cron would run its crontabs).
// /var/tmp is the one exception (a scratch directory, below).
constexpr std::array<std::string_view, 17> kSystemTrees = {
    "/usr",  "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc", "/boot",
    "/proc", "/sys", "/dev",  "/run", "/snap",  "/nix",   "/opt",    "/var",
};

// Shared by every program on the host: only a directory inside them is
// offered.
constexpr std::array<std::string_view, 2> kScratchRoots = {"/tmp", "/var/tmp"};

// One tool's cache, relative to the home: offered with what is inside.
// ~/.cache is offered one tool at a time (~/.cache/TOOL).
constexpr std::array<std::string_view, 6> kCaches = {
    ".npm/_cacache", ".cargo/registry", ".cargo/git",
    "go/pkg/mod",    ".m2/repository",  ".gradle/caches",
};

struct HostCode {
  std::string_view rel;   // relative to a home
  std::string_view what;  // why its contents run on the host
};

// Relative to a home: places whose contents the host runs or loads. The
// dot-directories among them are refused anyway (no dot-directory is
// offered unless it is a cache above); they are named here so that the
// refusal says why.
constexpr std::array<HostCode, 49> kHostCode = {{
    {"bin", "programs on the user's PATH"},
    {".local/bin", "programs on the user's PATH"},
    {"go/bin", "programs on the user's PATH"},
    {".cargo/bin", "programs on the user's PATH"},
    {".cargo/env", "a file shell startup sources"},
    {".npm-global", "a global npm prefix (programs on PATH, modules node loads)"},
    {".local/lib", "Python's user site-packages (a .pth file there runs at every Python start)"},
    {".local/share/applications", "desktop entries the session launches"},
    {".local/share/systemd", "systemd user units"},
    {".local/share/direnv", "direnv's allow list (an allowed .envrc runs on cd)"},
    {".config/systemd", "systemd user units"},
    {".config/autostart", "programs the session starts"},
    {".config/environment.d", "the session's environment"},
    {".config/fish", "shell startup files"},
    {".config/zsh", "shell startup files"},
    {".config/git", "git's config (hooks, aliases, fsmonitor)"},
    {".config/direnv", "direnv's library and config (direnvrc runs on cd)"},
    {".config/nvim", "editor startup files and plugins"},
    {".config/emacs", "editor startup files and plugins"},
    {".config/Code", "editor settings, tasks and extensions"},
    {".config/ipython", "REPL startup files"},
    {".ipython", "REPL startup files"},
    {".jupyter", "REPL startup files"},
    {".vim", "editor startup files and plugins"},
    {".emacs.d", "editor startup files and plugins"},
    {".vscode", "editor extensions"},
    {".vscode-server", "editor extensions"},
    {".oh-my-zsh", "shell startup files"},
    {".zsh", "shell startup files"},
    {".bashrc.d", "shell startup files"},
    {".gitconfig", "git's config (hooks, aliases, fsmonitor)"},
    {".git-templates", "git templates (hooks copied into new repositories)"},
    {".git_template", "git templates (hooks copied into new repositories)"},
    {"git-templates", "git templates (hooks copied into new repositories)"},
    {".pyenv", "language runtimes on PATH"},
    {".rbenv", "language runtimes on PATH"},
    {".nvm", "language runtimes on PATH"},
    {".volta", "language runtimes on PATH"},
    {".asdf", "language runtimes on PATH"},
    {".sdkman", "language runtimes on PATH"},
    {".rustup", "toolchains on PATH"},
    {"sdk", "toolchains (go's downloaded SDKs)"},
    {"perl5", "Perl's local::lib (modules Perl loads, programs on PATH)"},
    {"R", "R's user library (packages R loads)"},
    {"dotfiles", "dotfiles (linked into the home, read at startup)"},
    {".cache/pre-commit", "git hook environments that pre-commit runs"},
    {".cache/pipx", "environments that pipx runs"},
    {".cache/uv", "tool environments that uvx runs"},
    {".cache/pypoetry/virtualenvs", "virtualenvs that poetry runs"},
}};

// Directory names that hold code a language loads, wherever they are.
constexpr std::array<std::string_view, 3> kLibraryNames = {"node_modules", "site-packages",
                                                           "dist-packages"};

// The environment variables whose directories the host searches for
// programs and code, in the order the refusal names them.
constexpr std::array<const char*, 11> kSearchVariables = {
    "PATH",     "PYTHONPATH", "NODE_PATH", "PERL5LIB", "PERLLIB",         "RUBYLIB",
    "GEM_HOME", "GEM_PATH",   "GOPATH",    "GOBIN",    "LD_LIBRARY_PATH",
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

// The home `p` is in: the user's (as given or resolved), root's, or another
// user's under /home (root can write there); empty if none.
std::string HomeOf(const std::string& p, const WritableFacts& f) {
  for (const std::string& home : Forms(f.home, f)) {
    if (!home.empty() && IsWithin(p, home)) return home;
  }
  if (IsWithin(p, "/root")) return "/root";
  if (p.starts_with("/home/") && p.size() > 6) return p.substr(0, p.find('/', 6));
  return {};
}

// A component of `p` below `base` that starts with a dot, or empty.
std::string_view DotComponent(std::string_view p, std::string_view base) {
  std::string_view rest = p.substr(base == "/" ? 0 : base.size());
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the slash
    std::string_view name = rest.substr(0, rest.find('/'));
    if (name.starts_with('.')) return name;
    rest.remove_prefix(name.size());
  }
  return {};
}

struct Refusal {
  std::string why;  // empty: allowed
  bool flag_would_work = false;
};

// What the policy itself forbids: no --writable changes it.
std::string PolicyRefusal(const std::string& p, const WritableFacts& f) {
  if (p == "/") return "/ is the root directory";
  for (std::string_view tree : kSystemTrees) {
    if (IsWithin(p, tree) && !IsWithin(p, "/var/tmp")) return p + " is a system directory";
  }
  if (policy::IsSystemRoot(p)) return p + " is a system directory";
  for (const std::string& home : Forms(f.home, f)) {
    if (p == home) return p + " is the home directory";
    if (IsWithin(home, p)) return p + " contains the home directory";
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
  return {};
}

// Whose contents the host runs or loads, or not on the allowlist: cordon's
// caution (a person may still pass --writable).
std::string HostCodeRefusal(const std::string& p, const WritableFacts& f) {
  const std::string home = HomeOf(p, f);
  if (!home.empty()) {
    if (p == home) return p + " is a home directory";
    const std::string cache = home + "/.cache";
    if (p == cache) {
      return p + " holds every tool's cache (one tool's, " + cache + "/NAME, is offered)";
    }
    // Directly in the home, only directories (~/.bashrc & co. run on the
    // host).
    if (Parent(p) == home && f.is_directory && !f.is_directory(p)) {
      return p + " is a file in the home directory (startup files there run on the host)";
    }
    for (const HostCode& code : kHostCode) {
      const std::string dir = Join({home, "/", code.rel});
      if (IsWithin(p, dir)) return Join({p, " runs on the host (", dir, ": ", code.what, ")"});
      if (IsWithin(dir, p)) {
        return Join({p, " contains ", dir, ", which runs on the host (", code.what, ")"});
      }
    }
  }
  for (const WritableFacts::SearchDir& s : f.search_dirs) {
    for (const std::string& form : Forms(s.dir, f)) {
      const bool programs = s.variable == "PATH" || s.variable == "GOBIN";
      const std::string holds =
          programs ? " holds programs the host runs (" : " holds code the host loads (";
      if (IsWithin(p, form)) {
        return Join({p, holds, form == p ? "it" : form, " is on ", s.variable, ")"});
      }
      if (IsWithin(form, p)) {
        return Join({p, " contains ", form, ", which is on ", s.variable,
                     programs ? " (programs the host runs)" : " (code the host loads)"});
      }
    }
  }
  for (std::string_view name : kLibraryNames) {
    const std::string needle = Join({"/", name});
    size_t at = p.find(needle);
    while (at != std::string::npos) {
      const size_t end = at + needle.size();
      if (end == p.size() || p[end] == '/') {
        return Join({p, " is in a ", name, " directory (code a language runtime loads)"});
      }
      at = p.find(needle, at + 1);
    }
  }
  if (f.holds_socket && f.holds_socket(p)) {
    return p + " holds a unix socket (a host program listens there: the sandbox could talk to it)";
  }
  for (std::string_view root : kScratchRoots) {
    if (p == root) {
      return p + " is shared by every program on the host (a directory inside it is offered)";
    }
  }
  // The allowlist: a tool's cache, a scratch or project directory.
  if (!home.empty()) {
    if (IsWithin(p, home + "/.cache")) return {};
    for (std::string_view rel : kCaches) {
      if (IsWithin(p, Join({home, "/", rel}))) return {};
    }
  }
  std::string_view base = "/";
  if (IsWithin(p, f.workspace)) {
    base = f.workspace;
  } else if (!home.empty()) {
    base = home;
  }
  if (std::string_view dot = DotComponent(p, base); !dot.empty()) {
    return Join({p, " is in the dot-directory ", dot,
                 " (settings and code host programs read; offered are project, cache and "
                 "scratch directories)"});
  }
  return {};
}

// Why `path` (lexical) / `real` (resolved) may not be offered; empty if it may.
Refusal WhyNot(const std::string& path, const std::string& real, const WritableFacts& f) {
  for (const std::string& p : {path, real}) {
    if (std::string why = PolicyRefusal(p, f); !why.empty()) return {why, false};
  }
  if (f.workspace_writable && IsWithin(real, f.workspace)) {
    return {real + " is writable already (the workspace)", false};
  }
  for (const std::string& w : f.writable) {
    if (IsWithin(real, w)) return {real + " is writable already", false};
  }
  for (const std::string& p : {path, real}) {
    if (std::string why = HostCodeRefusal(p, f); !why.empty()) return {why, true};
  }
  return {};
}

// The directories of a PATH-like variable (absolute entries only: a
// relative one names the current directory, which is the workspace).
void AddSearchDirs(const char* variable, std::vector<WritableFacts::SearchDir>* out) {
  const char* value = std::getenv(variable);
  if (value == nullptr) return;
  std::string_view rest = value;
  while (!rest.empty()) {
    std::string_view entry = rest.substr(0, rest.find(':'));
    rest.remove_prefix(std::min(rest.size(), entry.size() + 1));
    if (entry.starts_with('/')) {
      std::string dir = policy::NormalizePath(entry);
      // GOPATH's programs are in its bin.
      if (std::string_view(variable) == "GOPATH") dir += "/bin";
      out->push_back({std::move(dir), variable});
    }
  }
}

// The path is a socket, or has one among its entries (one level: the
// directories that servers make hold their socket directly).
bool HoldsSocket(const std::string& path) {
  struct stat st {};
  if (lstat(path.c_str(), &st) != 0) return false;
  if (S_ISSOCK(st.st_mode)) return true;
  if (!S_ISDIR(st.st_mode)) return false;
  DIR* dir = opendir(path.c_str());
  if (dir == nullptr) return false;
  bool found = false;
  int seen = 0;
  // A cache with a million entries is not read to the end: servers put
  // their socket in a small directory of their own.
  while (dirent* e = readdir(dir)) {
    if (++seen > 4096) break;
    if (e->d_type == DT_SOCK) {
      found = true;
      break;
    }
  }
  closedir(dir);
  return found;
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
  for (const char* variable : kSearchVariables) AddSearchDirs(variable, &f.search_dirs);
  f.real_path = [](const std::string& p) { return policy::RealPath(p); };
  f.is_directory = [](const std::string& p) {
    struct stat st {};
    return stat(p.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
  };
  f.holds_socket = HoldsSocket;
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
  Refusal why = WhyNot(path, real.value_or(path), facts);
  if (!why.why.empty()) {
    offer.why_not = std::move(why.why);
    offer.flag_would_work = why.flag_would_work;
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
  Refusal why = WhyNot(path, *real, facts);
  if (!why.why.empty()) {
    return PlainError("request_writable", requested,
                      "not allowed: " + why.why +
                          (why.flag_would_work ? "; the person may add it with --writable" : ""));
  }
  return *real;
}

}  // namespace cordon::approval
