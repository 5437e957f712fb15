// The writable-path offer (a pure function of the denied path and host
// facts), the wire format of the "writable" question, and the write
// watcher's path helpers.
#include "approval/writable_offer.h"

#include <gtest/gtest.h>

#include <cstring>
#include <map>

#include "approval/question.h"
#include "sandbox/linux/write_watch.h"

namespace cordon::approval {
namespace {

// A host with these existing paths (and their real paths).
WritableFacts Host(std::map<std::string, std::string> existing) {
  WritableFacts f;
  f.home = "/home/u";
  f.workspace = "/home/u/ws";
  f.writable = {"/home/u/extra"};
  f.protect = {"/home/u/ws/.git", "/home/u/ws/.git/hooks", "/home/u/ws/.envrc"};
  f.deny_read = {"/home/u/.ssh", "/home/u/.aws", "/home/u/.config/cordon", "/run"};
  existing.emplace("/", "/");
  existing.emplace("/home", "/home");
  existing.emplace("/home/u", "/home/u");
  existing.emplace("/home/u/ws", "/home/u/ws");
  existing.emplace("/home/u/ws/.git", "/home/u/ws/.git");
  existing.emplace("/home/u/ws/.git/hooks", "/home/u/ws/.git/hooks");
  existing.emplace("/home/u/.ssh", "/home/u/.ssh");
  existing.emplace("/home/u/.config", "/home/u/.config");
  existing.emplace("/home/u/.config/cordon", "/home/u/.config/cordon");
  existing.emplace("/usr", "/usr");
  existing.emplace("/usr/lib", "/usr/lib");
  existing.emplace("/var", "/var");
  existing.emplace("/var/tmp", "/var/tmp");
  f.real_path = [existing](const std::string& p) -> std::optional<std::string> {
    auto it = existing.find(p);
    if (it == existing.end()) return std::nullopt;
    return it->second;
  };
  // Files here are named like files: a dot-extension or an rc suffix.
  f.is_directory = [existing](const std::string& p) {
    return existing.count(p) != 0 && p.find(".txt") == std::string::npos && !p.ends_with("rc") &&
           !p.ends_with("/f");
  };
  return f;
}

TEST(WritableOffer, TheDeepestExistingAncestorIsOffered) {
  auto f =
      Host({{"/home/u/.cache", "/home/u/.cache"}, {"/home/u/.cache/pip", "/home/u/.cache/pip"}});
  auto o = ChooseWritable("/home/u/.cache/pip/http/x.tmp", f);
  EXPECT_EQ(o.path, "/home/u/.cache/pip");
  EXPECT_EQ(o.why_not, "");
  // Not every tool's cache at once.
  auto f2 = Host({{"/home/u/.cache", "/home/u/.cache"}});
  EXPECT_EQ(
      ChooseWritable("/home/u/.cache/pip/http/x.tmp", f2).why_not,
      "/home/u/.cache holds every tool's cache (one tool's, /home/u/.cache/NAME, is offered)");
}

TEST(WritableOffer, AnExistingPathIsOfferedItself) {
  auto f = Host({{"/var/tmp/out", "/var/tmp/out"}, {"/var/tmp/out/f", "/var/tmp/out/f"}});
  EXPECT_EQ(ChooseWritable("/var/tmp/out/f", f).path, "/var/tmp/out/f");
  EXPECT_EQ(ChooseWritable("/var/tmp/out/./g/../new", f).path, "/var/tmp/out");
}

TEST(WritableOffer, ASymlinkIsOfferedAsItsTarget) {
  auto f = Host({{"/home/u/cache", "/data/cache"}});
  EXPECT_EQ(ChooseWritable("/home/u/cache/x", f).path, "/data/cache");
}

TEST(WritableOffer, NeverRootHomeOrSystemTrees) {
  auto f = Host({});
  EXPECT_EQ(ChooseWritable("/nonexistent/x", f).why_not, "/ is the root directory");
  EXPECT_EQ(ChooseWritable("/home/u/newfile", f).why_not, "/home/u is the home directory");
  EXPECT_EQ(ChooseWritable("/home/v/x", f).why_not, "/home is a system directory");
  EXPECT_EQ(ChooseWritable("/usr/lib/python3/x.pyc", f).why_not, "/usr/lib is a system directory");
  EXPECT_EQ(ChooseWritable("/var/x", f).why_not, "/var is a system directory");
  EXPECT_TRUE(ChooseWritable("/var/x", f).path.empty());
}

TEST(WritableOffer, NeverDenyReadOrProtectedPaths) {
  auto f = Host({});
  auto o = ChooseWritable("/home/u/.ssh/authorized_keys", f);
  EXPECT_TRUE(o.path.empty());
  EXPECT_EQ(o.why_not,
            "/home/u/.ssh/authorized_keys is hidden from the sandbox (deny-read /home/u/.ssh)");
  EXPECT_EQ(ChooseWritable("/home/u/ws/.git/hooks/pre-commit", f).why_not,
            "/home/u/ws/.git/hooks is protected");
  EXPECT_EQ(ChooseWritable("/home/u/ws/.git/config", f).why_not, "/home/u/ws/.git is protected");
  EXPECT_EQ(ChooseWritable("/home/u/ws/.envrc", f).why_not, "/home/u/ws/.envrc is protected");
}

TEST(WritableOffer, NeverWhatRunsOnTheHost) {
  auto f = Host({{"/home/u/.bashrc", "/home/u/.bashrc"},
                 {"/home/u/notes.txt", "/home/u/notes.txt"},
                 {"/home/u/.local", "/home/u/.local"},
                 {"/home/u/.local/bin", "/home/u/.local/bin"},
                 {"/home/u/.config/autostart", "/home/u/.config/autostart"}});
  EXPECT_EQ(ChooseWritable("/home/u/.bashrc", f).why_not,
            "/home/u/.bashrc is a file in the home directory (startup files there run on the "
            "host)");
  EXPECT_TRUE(ChooseWritable("/home/u/notes.txt", f).path.empty());
  EXPECT_EQ(ChooseWritable("/home/u/.local/bin/tool", f).why_not,
            "/home/u/.local/bin runs on the host (/home/u/.local/bin: programs on the user's "
            "PATH)");
  EXPECT_EQ(ChooseWritable("/home/u/.local/newdir/x", f).why_not,
            "/home/u/.local contains /home/u/.local/bin, which runs on the host (programs on the "
            "user's PATH)");
  EXPECT_EQ(ChooseWritable("/home/u/.config/autostart/evil.desktop", f).why_not,
            "/home/u/.config/autostart runs on the host (/home/u/.config/autostart: programs the "
            "session starts)");
  // A new file directly in the home: its ancestor is the home itself.
  EXPECT_EQ(ChooseWritable("/home/u/.zshrc", f).why_not, "/home/u is the home directory");
  // cordon's caution, not the policy: the person may still pass --writable.
  EXPECT_TRUE(ChooseWritable("/home/u/.local/bin/tool", f).flag_would_work);
  EXPECT_FALSE(ChooseWritable("/home/u/.ssh/x", f).flag_would_work);
  EXPECT_FALSE(ChooseWritable("/home/u/ws/.git/config", f).flag_would_work);
}

// Every one of these exists on the host; none may be offered, whichever
// path inside it the command was denied.
TEST(WritableOffer, HostCodeDirectoriesAreRefused) {
  const std::vector<std::string> refused = {
      "/home/u/.local/lib/python3.11/site-packages",
      "/home/u/.local/lib",
      "/home/u/.cargo/bin",
      "/home/u/.cargo",
      "/home/u/.cargo/env",
      "/home/u/go/bin",
      "/home/u/go",
      "/home/u/bin",
      "/home/u/.config/nvim",
      "/home/u/.config/nvim/lua",
      "/home/u/.vim/pack",
      "/home/u/.emacs.d",
      "/home/u/.ipython/profile_default/startup",
      "/home/u/.jupyter",
      "/home/u/.config/direnv",
      "/home/u/.config/direnv/lib",
      "/home/u/.local/share/direnv/allow",
      "/home/u/.npm-global/lib/node_modules",
      "/home/u/.npm-global/bin",
      "/home/u/.bashrc.d",
      "/home/u/.config/fish/conf.d",
      "/home/u/.oh-my-zsh/custom",
      "/home/u/.config/systemd/user",
      "/home/u/.local/share/systemd/user",
      "/home/u/.config/autostart",
      "/home/u/.local/share/applications",
      "/home/u/.config/git",
      "/home/u/.git-templates/hooks",
      "/home/u/git-templates",
      "/home/u/.pyenv/versions",
      "/home/u/.nvm/versions",
      "/home/u/.rustup/toolchains",
      "/home/u/.vscode/extensions",
      "/home/u/.config/Code/User",
      "/home/u/perl5/lib/perl5",
      "/home/u/R/x86_64-pc-linux-gnu-library",
      "/home/u/dotfiles/nvim",
      "/home/u/sdk/go1.22.0",
      "/home/u/.cache/pre-commit",
      "/home/u/.cache/pre-commit/repoabc",
      "/home/u/.cache/pipx",
      "/home/u/.cache/uv",
      "/home/u/.cache/pypoetry/virtualenvs/app-py3.11",
      "/home/u/.cache",
      "/home/u/.local/share/newtool",
      "/home/u/.someapp",
      "/home/u/.config/newapp",
      "/home/u/src/p/.venv/lib",
      "/home/u/src/p/node_modules/left-pad",
      "/home/u/src/p/venv/lib/python3.11/site-packages",
      "/home/u/node_modules",
      "/data/lib/python3/dist-packages/x",
      "/tmp",
      "/var/tmp",
      "/dev/shm",
      "/tmp/.X11-unix",
      "/var/spool/cron/crontabs",
      "/var/log",
      "/var/cache/apt",
      "/opt/tool/bin",
      "/usr/local/lib/node_modules",
      "/root/.bashrc.d",
      "/root/bin",
      "/home/v",
      "/home/v/.bashrc",
      "/home/v/.config/nvim",
      "/home/v/bin",
  };
  std::map<std::string, std::string> existing;
  for (const std::string& p : refused) existing.emplace(p, p);
  auto f = Host(existing);
  for (const std::string& p : refused) {
    auto o = ChooseWritable(p + "/new-file", f);
    EXPECT_EQ(o.path, "") << p << " was offered";
    EXPECT_FALSE(o.why_not.empty()) << p;
    EXPECT_FALSE(CheckWritableRequest(p, f).ok()) << p << " was accepted as a request";
  }
}

TEST(WritableOffer, CachesScratchAndProjectsAreOffered) {
  const std::vector<std::string> offered = {
      "/home/u/.cache/pip",
      "/home/u/.cache/pip/http",
      "/home/u/.cache/go-build",
      "/home/u/.cache/ms-playwright",
      "/home/u/.npm/_cacache",
      "/home/u/.cargo/registry",
      "/home/u/.cargo/git",
      "/home/u/go/pkg/mod",
      "/home/u/.m2/repository",
      "/home/u/.gradle/caches",
      "/home/u/src/other-project",
      "/home/u/src/other-project/build",
      "/home/u/Downloads",
      "/home/u/go/src/example.com/p",
      "/tmp/build-123",
      "/var/tmp/out",
      "/data/cache",
      "/srv/www/site",
      "/mnt/scratch",
      "/home/v/project",  // root's run, another user's project
  };
  std::map<std::string, std::string> existing;
  for (const std::string& p : offered) existing.emplace(p, p);
  auto f = Host(existing);
  for (const std::string& p : offered) {
    auto o = ChooseWritable(p + "/new-file", f);
    EXPECT_EQ(o.path, p) << o.why_not;
    auto r = CheckWritableRequest(p, f);
    EXPECT_TRUE(r.ok()) << p << ": " << (r.ok() ? "" : r.error().Describe());
  }
}

TEST(WritableOffer, DirectoriesOnPathOrLibraryPathsAreRefused) {
  auto f = Host({{"/home/u/tools", "/home/u/tools"},
                 {"/home/u/tools/bin", "/home/u/tools/bin"},
                 {"/home/u/tools/share", "/home/u/tools/share"},
                 {"/home/u/pylib", "/home/u/pylib"},
                 {"/home/u/linked-bin", "/home/u/tools/bin"},
                 {"/data/opt", "/data/opt"},
                 {"/data/opt/sub", "/data/opt/sub"}});
  f.search_dirs = {{"/home/u/tools/bin", "PATH"},
                   {"/home/u/pylib", "PYTHONPATH"},
                   {"/data/opt/sub/bin", "PATH"}};
  auto bin = ChooseWritable("/home/u/tools/bin/x", f);
  EXPECT_EQ(bin.why_not, "/home/u/tools/bin holds programs the host runs (it is on PATH)");
  EXPECT_TRUE(bin.flag_would_work);
  EXPECT_EQ(ChooseWritable("/home/u/tools/new/x", f).why_not,
            "/home/u/tools contains /home/u/tools/bin, which is on PATH (programs the host runs)");
  EXPECT_EQ(ChooseWritable("/home/u/pylib/mod.py", f).why_not,
            "/home/u/pylib holds code the host loads (it is on PYTHONPATH)");
  // Through a symlink, and an ancestor of a PATH entry that does not exist.
  EXPECT_EQ(ChooseWritable("/home/u/linked-bin/x", f).why_not,
            "/home/u/tools/bin holds programs the host runs (it is on PATH)");
  EXPECT_TRUE(ChooseWritable("/data/opt/sub/x", f).path.empty());
  // A sibling is fine.
  EXPECT_EQ(ChooseWritable("/home/u/tools/share/x", f).path, "/home/u/tools/share");
}

TEST(WritableOffer, ADirectoryHoldingASocketIsRefused) {
  auto f = Host({{"/tmp/tmux-1000", "/tmp/tmux-1000"}, {"/tmp/build", "/tmp/build"}});
  f.holds_socket = [](const std::string& p) { return p == "/tmp/tmux-1000"; };
  EXPECT_EQ(ChooseWritable("/tmp/tmux-1000/x", f).why_not,
            "/tmp/tmux-1000 holds a unix socket (a host program listens there: the sandbox could "
            "talk to it)");
  EXPECT_EQ(ChooseWritable("/tmp/build/x", f).path, "/tmp/build");
}

TEST(WritableOffer, ASymlinkToHostCodeIsRefusedEitherWay) {
  // ~/src/nvim-config -> ~/.config/nvim: the real path is refused.
  auto f = Host({{"/home/u/src/nvim-config", "/home/u/.config/nvim"},
                 // ~/.config/nvim -> ~/dotfiles-free/nvim: the path as written is.
                 {"/home/u/.config/nvim", "/home/u/cfg/nvim"}});
  EXPECT_TRUE(ChooseWritable("/home/u/src/nvim-config/init.lua", f).path.empty());
  EXPECT_TRUE(ChooseWritable("/home/u/.config/nvim/init.lua", f).path.empty());
}

TEST(WritableOffer, InAReadOnlyWorkspaceDotDirectoriesAreRefused) {
  auto f = Host(
      {{"/home/u/ws/build", "/home/u/ws/build"}, {"/home/u/ws/.vscode", "/home/u/ws/.vscode"}});
  f.workspace_writable = false;
  EXPECT_EQ(ChooseWritable("/home/u/ws/build/x", f).path, "/home/u/ws/build");
  EXPECT_TRUE(ChooseWritable("/home/u/ws/.vscode/tasks.json", f).path.empty());
}

TEST(WritableOffer, NeverAnAncestorOfAHiddenPath) {
  auto f = Host({{"/home/u/data", "/home/u/data"}});
  f.deny_read.push_back("/home/u/data/secret");
  EXPECT_EQ(ChooseWritable("/home/u/data/new/x", f).why_not,
            "/home/u/data contains /home/u/data/secret, which is hidden from the sandbox");
  // ~/.config would open cordon's own config, autostart entries, user units.
  EXPECT_TRUE(ChooseWritable("/home/u/.config/newapp/settings", f).path.empty());
}

TEST(WritableOffer, ASymlinkIntoAHiddenPathIsRefused) {
  auto f = Host({{"/var/tmp/keys", "/home/u/.ssh"}});
  auto o = ChooseWritable("/var/tmp/keys/id", f);
  EXPECT_TRUE(o.path.empty());
  EXPECT_EQ(o.why_not, "/home/u/.ssh is hidden from the sandbox (deny-read /home/u/.ssh)");
}

TEST(WritableOffer, AlreadyWritableIsNotOfferedAgain) {
  auto f = Host({{"/home/u/ws/build", "/home/u/ws/build"}});
  EXPECT_EQ(ChooseWritable("/home/u/ws/build/x", f).why_not,
            "/home/u/ws/build is writable already (the workspace)");
  f.workspace_writable = false;
  EXPECT_EQ(ChooseWritable("/home/u/ws/build/x", f).path, "/home/u/ws/build");
}

TEST(WritableOffer, RelativeOrEmptyIsRefused) {
  auto f = Host({});
  EXPECT_TRUE(ChooseWritable("relative/x", f).path.empty());
  EXPECT_TRUE(ChooseWritable("", f).path.empty());
}

TEST(WritableRequest, ResolvesAndChecks) {
  auto f = Host({{"/var/tmp/out", "/var/tmp/out"}, {"/home/u/ws/sub", "/home/u/ws/sub"}});
  auto ok = CheckWritableRequest("/var/tmp/out/", f);
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok.value(), "/var/tmp/out");
  auto missing = CheckWritableRequest("/var/tmp/nope", f);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().Describe().find("does not exist"), std::string::npos);
  EXPECT_FALSE(CheckWritableRequest("/", f).ok());
  EXPECT_FALSE(CheckWritableRequest("/home/u", f).ok());
  EXPECT_FALSE(CheckWritableRequest("~/x", f).ok());
  EXPECT_FALSE(CheckWritableRequest("/home/u/.ssh", f).ok());
  EXPECT_FALSE(CheckWritableRequest(".git/hooks", f).ok());  // workspace-relative
  auto ws = CheckWritableRequest("sub", f);
  ASSERT_FALSE(ws.ok());
  EXPECT_NE(ws.error().Describe().find("writable already"), std::string::npos);
}

TEST(WritableQuestion, PromptAndWireFormat) {
  Question q;
  q.kind = Question::Kind::kWritable;
  q.path = "/home/u/.cache/pip";
  q.command = "pip install x";
  q.reason = "it failed";
  q.offer_always = false;
  EXPECT_EQ(q.Prompt(), "run `pip install x` with /home/u/.cache/pip writable? (it failed)");
  q.rerun = true;
  EXPECT_EQ(q.Prompt(), "re-run `pip install x` with /home/u/.cache/pip writable? (it failed)");
  EXPECT_EQ(q.Subject(), "/home/u/.cache/pip");
  EXPECT_STREQ(KindName(q.kind), "writable");
  auto back = DecodeQuestion(EncodeQuestion(q));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->kind, Question::Kind::kWritable);
  EXPECT_EQ(back->path, q.path);
  EXPECT_EQ(back->command, q.command);
  EXPECT_FALSE(back->offer_always);
  EXPECT_TRUE(back->rerun);
}

TEST(WritableQuestion, BadWireLinesAreRejected) {
  const std::string base =
      R"({"kind":"writable","host":"","port":0,"command":"c","reason":"","offer_always":false)";
  EXPECT_FALSE(DecodeQuestion(base + "}").has_value());                    // no path
  EXPECT_FALSE(DecodeQuestion(base + R"(,"path":"rel/x"})").has_value());  // not absolute
  EXPECT_FALSE(DecodeQuestion(base + R"(,"path":""})").has_value());       // empty
  EXPECT_TRUE(DecodeQuestion(base + R"(,"path":"/x"})").has_value());
  const std::string always =
      R"({"kind":"writable","host":"","port":0,"command":"c","reason":"","offer_always":true,"path":"/x"})";
  EXPECT_FALSE(DecodeQuestion(always).has_value());  // never "always" for a path
}

}  // namespace
}  // namespace cordon::approval

namespace cordon::sandbox::write_watch {
namespace {

std::string Normalized(std::string p) {
  std::vector<char> buf(p.begin(), p.end());
  buf.push_back('\0');
  size_t n = NormalizeInPlace(buf.data(), p.size());
  EXPECT_EQ(std::strlen(buf.data()), n);
  return std::string(buf.data(), n);
}

TEST(WriteWatch, NormalizesInPlace) {
  EXPECT_EQ(Normalized("/a/b/../c/./d//e/"), "/a/c/d/e");
  EXPECT_EQ(Normalized("/.."), "/");
  EXPECT_EQ(Normalized("/../../x"), "/x");
  EXPECT_EQ(Normalized("//"), "/");
  EXPECT_EQ(Normalized("/ws/..hidden/.x"), "/ws/..hidden/.x");
}

TEST(WriteWatch, DeniedWritesAreOutsideWritableRootsOrProtected) {
  Roots roots;
  roots.writable = {"/home/u/ws", "/tmp"};
  roots.read_only = {"/home/u/ws/.git/hooks"};
  EXPECT_FALSE(IsDeniedWrite("/home/u/ws/f", roots));
  EXPECT_FALSE(IsDeniedWrite("/tmp/x", roots));
  EXPECT_TRUE(IsDeniedWrite("/home/u/wsx", roots));
  EXPECT_TRUE(IsDeniedWrite("/home/u/.cache/x", roots));
  EXPECT_TRUE(IsDeniedWrite("/home/u/ws/.git/hooks/pre-commit", roots));
  // Never escalations, and their magic links look like denials.
  EXPECT_FALSE(IsDeniedWrite("/dev/stdout", roots));
  EXPECT_FALSE(IsDeniedWrite("/proc/self/fd/1", roots));
  EXPECT_FALSE(IsDeniedWrite("/sys/kernel/x", roots));
}

}  // namespace
}  // namespace cordon::sandbox::write_watch
