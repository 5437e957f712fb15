// Sandbox-chosen text on the user's terminal, and writable offers for host
// paths whose contents run code.
//
// A command names paths (by failing to write them), hosts (by asking the
// proxy) and its own command line; cordon shows them in the approval
// question on the terminal, its notices, `cordon run -v` and `cordon log`.
// Each test plants ESC, BEL, backspace, DEL, a C1 control and a bidi
// override in such a name and checks what really reached the terminal (a
// pseudo-terminal) or stderr: no raw control byte, the escaped form
// instead; and that the exact bytes are still what cordon acted on (the
// re-run really wrote into the directory with that name) and what
// `cordon log --json` keeps.
//
// Then the writable offers (docs/approvals.md): a real on-failure run that
// failed on a write into a directory the host runs code from (on PATH,
// Python's user site-packages, an editor's config) is not offered it; one
// that failed on a write into a tool's cache is.
#include <nlohmann/json.hpp>

#include "harness.h"

namespace cordon::it {
namespace {

// Moves the cursor up, returns, erases the line, rings, backspaces, DEL,
// a right-to-left override and the C1 control CSI (U+009B): every one of
// them valid UTF-8, so the events files keep them exactly.
const std::string kEvil = "x\033[1A\r\033[2K\a\b\x7f\xe2\x80\xae\xc2\x9b";
const std::string kEvilShown = "x\\x1b[1A\\x0d\\x1b[2K\\x07\\x08\\x7f\\u202e\\u009b";

// What a terminal would act on, described; empty if none. A pty turns
// "\n" into "\r\n", so a CR right before LF is the terminal's own.
std::string RawControls(const std::string& text) {
  std::string found;
  for (size_t i = 0; i < text.size(); ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    const bool newline = c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n');
    if ((c < 0x20 && !newline) || c == 0x7f || c == 0x9b) {
      found += "byte " + std::to_string(c) + " at " + std::to_string(i) + "; ";
    }
  }
  for (const char* seq : {"\xe2\x80\xae", "\xc2\x9b"}) {
    if (text.find(seq) != std::string::npos) found += "raw U+202E or U+009B; ";
  }
  return found;
}

// Every string in a JSON value, recursively.
void Strings(const nlohmann::json& j, std::vector<std::string>* out) {
  if (j.is_string()) {
    out->push_back(j.get<std::string>());
  } else if (j.is_structured()) {
    for (const auto& v : j) Strings(v, out);
  }
}

class TerminalEscapeTest : public SandboxTest {
 protected:
  static std::vector<std::string> OnFailure() {
    return {"--approval", "on-failure", "--approval-timeout", "20"};
  }
  // sh writing into `path`, its own errors silenced (what reaches the
  // terminal is cordon's alone).
  static std::vector<std::string> WriteInto(const std::string& path) {
    return {"/bin/sh", "-c", "exec 2>/dev/null; echo hi > \"$1\"", "sh", path};
  }
  // `cordon log --json`: whether some line holds `value` as one string.
  bool JsonLogHolds(const std::string& value) {
    RunResult r = Cordon({"log", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.Describe();
    for (size_t pos = 0; pos < r.out.size();) {
      size_t nl = r.out.find('\n', pos);
      if (nl == std::string::npos) nl = r.out.size();
      auto j = nlohmann::json::parse(r.out.substr(pos, nl - pos), nullptr, false);
      std::vector<std::string> strings;
      Strings(j, &strings);
      for (const std::string& s : strings) {
        if (s == value) return true;
      }
      pos = nl + 1;
    }
    return false;
  }
};

TEST_F(TerminalEscapeTest, TheApprovalQuestionShowsTheOfferedPathEscaped) {
  // The offered directory itself carries the bytes (it exists on the host).
  const std::string dir = outside_ + "/" + kEvil + "\xff";
  MakeDirs(dir);
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), WriteInto(dir + "/made")), "writable?", "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_EQ(RawControls(shown), "") << shown;
  // The question names the path as it is, visibly.
  EXPECT_NE(shown.find(" with " + outside_ + "/" + kEvilShown + "\\xff writable?"),
            std::string::npos)
      << shown;
  EXPECT_NE(shown.find("cordon: re-running with " + outside_ + "/" + kEvilShown + "\\xff writable"),
            std::string::npos)
      << shown;
  // Escaping is for the eyes only: the re-run got the real directory.
  EXPECT_EQ(ReadFile(dir + "/made"), "hi\n");
}

TEST_F(TerminalEscapeTest, DenyingTheEscapedQuestionLeavesTheHostUntouched) {
  const std::string dir = outside_ + "/" + kEvil;
  MakeDirs(dir);
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), WriteInto(dir + "/made")), "writable?", "d\n");
  EXPECT_NE(status, 0) << shown;
  EXPECT_EQ(RawControls(shown), "") << shown;
  EXPECT_FALSE(Exists(dir + "/made"));
}

TEST_F(TerminalEscapeTest, TheNotOfferedNoticeIsEscaped) {
  const std::string dir = home_ + "/.config/nvim/" + kEvil;
  MakeDirs(dir);
  auto [status, shown] = OnTerminal(RunArgv(OnFailure(), WriteInto(dir + "/init.lua")), "", "");
  EXPECT_NE(status, 0) << shown;
  EXPECT_EQ(shown.find("writable?"), std::string::npos) << shown;
  EXPECT_NE(shown.find("not offered: "), std::string::npos) << shown;
  EXPECT_NE(shown.find(kEvilShown), std::string::npos) << shown;
  EXPECT_EQ(RawControls(shown), "") << shown;
  EXPECT_FALSE(Exists(dir + "/init.lua"));
}

TEST_F(TerminalEscapeTest, VerboseLinesAndTheLogTableAreEscapedTheJsonIsExact) {
  const std::string target = outside_ + "/" + kEvil;
  // Not interactive: nobody is asked, the denial is recorded.
  RunResult r = Run({"--approval", "on-failure", "-v"}, WriteInto(target));
  EXPECT_NE(r.exit_code, 0) << r.Describe();
  EXPECT_FALSE(Exists(target));
  EXPECT_NE(r.err.find("event fs.denial: " + outside_ + "/" + kEvilShown), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("sh -c 'exec 2>/dev/null; echo hi > \"$1\"' sh"), std::string::npos)
      << r.err;
  EXPECT_EQ(RawControls(r.err), "") << r.err;

  RunResult table = Cordon({"log"});
  EXPECT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_NE(table.out.find(outside_ + "/" + kEvilShown), std::string::npos) << table.out;
  EXPECT_EQ(RawControls(table.out), "") << table.out;
  EXPECT_EQ(RawControls(table.err), "") << table.err;
  // The trail keeps what the sandbox really named, byte for byte.
  EXPECT_TRUE(JsonLogHolds(target));
}

TEST_F(TerminalEscapeTest, AHostNameWithControlsIsEscapedInVerboseLinesAndTheLog) {
  // SOCKS5 carries any bytes as a host name; the proxy refuses it and
  // records what it was asked for.
  const std::string host = "evil" + kEvil + ".test";
  std::string py_host;
  for (unsigned char c : host) {
    char buf[8];
    std::snprintf(buf, sizeof buf, "\\x%02x", c);
    py_host += buf;
  }
  const std::string script =
      "import os, socket\n"
      "proxy = os.environ['HTTP_PROXY'].rsplit(':', 1)\n"
      "s = socket.create_connection(('127.0.0.1', int(proxy[1])))\n"
      "s.sendall(b'\\x05\\x01\\x00'); s.recv(2)\n"
      "name = b'" +
      py_host +
      "'\n"
      "s.sendall(b'\\x05\\x01\\x00\\x03' + bytes([len(name)]) + name + b'\\x01\\xbb')\n"
      "print(s.recv(10)[1])\n";
  RunResult r =
      Run({"--net", "proxy", "--approval", "never", "-v"}, {"/usr/bin/python3", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_NE(r.out, "0\n") << r.Describe();  // refused
  EXPECT_NE(r.err.find("net.decision: deny evil" + kEvilShown + ".test:443"), std::string::npos)
      << r.err;
  EXPECT_EQ(RawControls(r.err), "") << r.err;

  RunResult table = Cordon({"log", "--kind", "net"});
  EXPECT_NE(table.out.find("evil" + kEvilShown + ".test"), std::string::npos) << table.out;
  EXPECT_EQ(RawControls(table.out), "") << table.out;
  EXPECT_TRUE(JsonLogHolds(host));
}

// ---- writable offers for host code (class: what may be offered) ----

TEST_F(TerminalEscapeTest, ADirectoryOnPathIsNotOffered) {
  const std::string bin = home_ + "/mybin";
  MakeDirs(bin);
  env_["PATH"] = bin + ":" + env_["PATH"];
  auto [status, shown] = OnTerminal(RunArgv(OnFailure(), WriteInto(bin + "/ls")), "", "");
  EXPECT_NE(status, 0) << shown;
  EXPECT_EQ(shown.find("writable?"), std::string::npos) << shown;
  EXPECT_NE(shown.find("not offered: " + bin +
                       " holds programs the host runs (it is on PATH); add it with --writable if "
                       "you mean it"),
            std::string::npos)
      << shown;
  EXPECT_FALSE(Exists(bin + "/ls"));
}

TEST_F(TerminalEscapeTest, HostCodeDirectoriesAreNotOffered) {
  for (const char* rel :
       {".local/lib/python3.11/site-packages", ".cargo/bin", "go/bin", ".config/nvim",
        ".ipython/profile_default/startup", ".config/direnv", ".npm-global/lib/node_modules",
        ".bashrc.d", ".config/systemd/user", ".cache/pre-commit"}) {
    const std::string dir = home_ + "/" + std::string(rel);
    MakeDirs(dir);
    auto [status, shown] = OnTerminal(RunArgv(OnFailure(), WriteInto(dir + "/planted")), "", "");
    EXPECT_NE(status, 0) << rel << "\n" << shown;
    EXPECT_EQ(shown.find("writable?"), std::string::npos) << rel << "\n" << shown;
    EXPECT_NE(shown.find("not offered: "), std::string::npos) << rel << "\n" << shown;
    EXPECT_FALSE(Exists(dir + "/planted")) << rel;
  }
}

TEST_F(TerminalEscapeTest, AToolsCacheIsOffered) {
  // A cache cordon does not layer (docs/caches.md: pip's, npm's ... take
  // writes without asking).
  const std::string cache = home_ + "/.cache/huggingface";
  MakeDirs(cache + "/http");
  auto [status, shown] =
      OnTerminal(RunArgv(OnFailure(), WriteInto(cache + "/http/entry")), "writable?", "o\n");
  EXPECT_EQ(status, 0) << shown;
  EXPECT_NE(shown.find("with " + cache + "/http writable?"), std::string::npos) << shown;
  EXPECT_EQ(ReadFile(cache + "/http/entry"), "hi\n");
}

}  // namespace
}  // namespace cordon::it
