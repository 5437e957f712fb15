// A tolerant reader of git's config syntax; see git_config.h.
#include "policy/git_config.h"

#include <algorithm>
#include <array>
#include <cctype>

namespace cordon::policy::git_config {
namespace {

char Lower(char c) { return static_cast<char>(std::tolower(static_cast<unsigned char>(c))); }

std::string Lowered(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), Lower);
  return out;
}

bool IsNameChar(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-'; }
bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r'; }

// A cursor over the text; every read is bounds-checked.
class Reader {
 public:
  explicit Reader(std::string_view text) : text_(text) {}
  [[nodiscard]] bool done() const { return pos_ >= text_.size(); }
  [[nodiscard]] char peek() const { return done() ? '\0' : text_[pos_]; }
  char get() { return done() ? '\0' : text_[pos_++]; }
  void SkipBlanks() {
    while (!done() && IsBlank(peek())) ++pos_;
  }
  void SkipLine() {
    while (!done() && get() != '\n') {
    }
  }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

// After '[': "section]", "section \"sub\"]" or "section.sub]". Returns the
// key prefix ("section." or "section.sub."), or empty when malformed (the
// rest of the line is skipped then).
std::string ReadSection(Reader& r) {
  std::string section;
  while (!r.done() && (IsNameChar(r.peek()) || r.peek() == '.')) section += Lower(r.get());
  if (section.empty()) return {};
  if (r.peek() == ']') {
    r.get();
    // [section.sub] is the old form of [section "sub"], subsection lowercased.
    return section + ".";
  }
  if (!IsBlank(r.peek())) return {};
  r.SkipBlanks();
  if (r.get() != '"') return {};
  std::string sub;
  for (;;) {
    char c = r.get();
    if (c == '\0' || c == '\n') return {};
    if (c == '"') break;
    if (c == '\\') c = r.get();
    if (c == '\0' || c == '\n') return {};
    sub += c;
  }
  if (r.get() != ']') return {};
  return section + "." + sub + ".";
}

// After "name", at '=' or the end of the line: the value, unquoted and
// unescaped, with a comment and unquoted trailing blanks dropped.
std::string ReadValue(Reader& r) {
  r.SkipBlanks();
  if (r.peek() != '=') {
    r.SkipLine();
    return {};
  }
  r.get();
  r.SkipBlanks();
  std::string value;
  size_t keep = 0;  // length without trailing unquoted blanks
  bool quoted = false;
  while (!r.done()) {
    char c = r.get();
    if (c == '\n') {
      if (!quoted) break;
      return value;  // git rejects a newline inside quotes: keep what was read
    }
    if (!quoted && (c == '#' || c == ';')) {
      r.SkipLine();
      break;
    }
    if (c == '"') {
      quoted = !quoted;
      continue;
    }
    if (c == '\\') {
      char e = r.get();
      if (e == '\n') continue;  // continuation
      if (e == '\r' && r.peek() == '\n') {
        r.get();
        continue;
      }
      switch (e) {
        case 'n':
          c = '\n';
          break;
        case 't':
          c = '\t';
          break;
        case 'b':
          c = '\b';
          break;
        case '\\':
        case '"':
          c = e;
          break;
        default:
          return value;  // bad escape: git rejects the line
      }
      value += c;
      keep = value.size();
      continue;
    }
    value += c;
    if (quoted || !IsBlank(c)) keep = value.size();
  }
  value.resize(keep);
  return value;
}

bool Matches(std::string_view key, std::string_view section, std::string_view name,
             bool any_subsection) {
  // key is "section.name" or "section.sub.name" (sub may contain dots).
  if (!key.starts_with(section) || key.size() <= section.size() || key[section.size()] != '.') {
    return false;
  }
  std::string_view rest = key.substr(section.size() + 1);
  size_t dot = rest.rfind('.');
  std::string_view last = dot == std::string_view::npos ? rest : rest.substr(dot + 1);
  if (any_subsection ? dot == std::string_view::npos : dot != std::string_view::npos) return false;
  return name == "*" || last == name;
}

struct CommandKey {
  const char* section;
  const char* name;  // lowercased; "*" for any
  bool with_subsection;
};

// Variables whose value is a program or a command line git runs, from
// Documentation/config/*.adoc of git 2.55 (and 2.39.5's subset).
constexpr std::array kCommandKeys = {
    CommandKey{"core", "fsmonitor", false},
    CommandKey{"core", "sshcommand", false},
    CommandKey{"core", "pager", false},
    CommandKey{"core", "editor", false},
    CommandKey{"core", "askpass", false},
    CommandKey{"core", "gitproxy", false},
    CommandKey{"core", "alternaterefscommand", false},
    CommandKey{"sequence", "editor", false},
    CommandKey{"gpg", "program", false},
    CommandKey{"gpg", "program", true},
    CommandKey{"gpg", "defaultkeycommand", true},
    CommandKey{"gc", "recentobjectshook", false},
    CommandKey{"diff", "external", false},
    CommandKey{"diff", "textconv", true},
    CommandKey{"diff", "command", true},
    CommandKey{"filter", "clean", true},
    CommandKey{"filter", "smudge", true},
    CommandKey{"filter", "process", true},
    CommandKey{"merge", "driver", true},
    CommandKey{"credential", "helper", false},
    CommandKey{"credential", "helper", true},
    CommandKey{"interactive", "difffilter", false},
    CommandKey{"uploadpack", "packobjectshook", false},
    CommandKey{"pager", "*", false},
    CommandKey{"alias", "command", true},
    CommandKey{"hook", "command", true},
    CommandKey{"difftool", "cmd", true},
    CommandKey{"difftool", "path", true},
    CommandKey{"mergetool", "cmd", true},
    CommandKey{"mergetool", "path", true},
    CommandKey{"browser", "cmd", true},
    CommandKey{"browser", "path", true},
    CommandKey{"man", "cmd", true},
    CommandKey{"man", "path", true},
    CommandKey{"guitool", "cmd", true},
    CommandKey{"remote", "uploadpack", true},
    CommandKey{"remote", "receivepack", true},
    CommandKey{"sendemail", "sendmailcmd", false},
    CommandKey{"sendemail", "smtpserver", false},
    CommandKey{"sendemail", "tocmd", false},
    CommandKey{"sendemail", "cccmd", false},
    CommandKey{"sendemail", "headercmd", false},
    CommandKey{"instaweb", "httpd", false},
};

bool IsBooleanWord(std::string_view v) {
  std::string l = Lowered(v);
  return l.empty() || l == "true" || l == "false" || l == "yes" || l == "no" || l == "on" ||
         l == "off" || l == "0" || l == "1";
}

}  // namespace

std::vector<Entry> Parse(std::string_view text) {
  std::vector<Entry> out;
  Reader r(text);
  std::string prefix;
  while (!r.done() && out.size() < kMaxEntries) {
    r.SkipBlanks();
    char c = r.peek();
    if (c == '\n') {
      r.get();
    } else if (c == '[') {
      r.get();
      prefix = ReadSection(r);
      // A header may be followed by a variable on the same line.
      if (prefix.empty()) r.SkipLine();
    } else if (std::isalpha(static_cast<unsigned char>(c)) != 0 && !prefix.empty()) {
      std::string name;
      while (!r.done() && IsNameChar(r.peek())) name += Lower(r.get());
      out.push_back({prefix + name, ReadValue(r)});
    } else {
      r.SkipLine();  // a comment, or a line git would reject
    }
  }
  return out;
}

Use Classify(std::string_view key, std::string_view value) {
  if (key == "include.path" || Matches(key, "includeif", "path", true)) return Use::kInclude;
  if (key == "core.hookspath") return Use::kHooksDir;
  // alias.NAME is a git command unless it starts with '!' (a shell command).
  if (Matches(key, "alias", "*", false)) return value.starts_with('!') ? Use::kCommand : Use::kNone;
  // core.fsmonitor is a boolean (the built-in daemon) or a hook program.
  if (key == "core.fsmonitor" && IsBooleanWord(value)) return Use::kNone;
  for (const CommandKey& k : kCommandKeys) {
    if (Matches(key, k.section, k.name, k.with_subsection)) return Use::kCommand;
  }
  return Use::kNone;
}

std::vector<std::string> PathWords(std::string_view command) {
  std::vector<std::string> out;
  std::string word;
  auto flush = [&] {
    if (word.find('/') != std::string::npos || word.starts_with('~')) out.push_back(word);
    word.clear();
  };
  char quote = '\0';
  for (char c : command) {
    if (quote != '\0') {
      if (c == quote) {
        quote = '\0';
      } else {
        word += c;
      }
    } else if (c == '\'' || c == '"') {
      quote = c;
    } else if (IsBlank(c) || c == '\n' ||
               std::string_view(";|&<>()`$=!").find(c) != std::string_view::npos) {
      flush();
    } else {
      word += c;
    }
  }
  flush();
  return out;
}

}  // namespace cordon::policy::git_config
