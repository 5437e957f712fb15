// Pre-parse screen for inputs that crash toml++ 3.3.0 (see toml_guard.h).
#include "policy/toml_guard.h"

#include <string>
#include <utility>

namespace cordon::policy {

namespace {

bool IsKeyStart(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '-' || c == '"' || c == '\'';
}

bool IsAscii(char c) { return static_cast<unsigned char>(c) < 0x80; }

// Table headers whose first key character is not a key start ("[[[a]]",
// "[=", "[" at the end of a line). Looks at every line that starts with '['
// after blanks.
std::optional<TomlGuardError> FindBadTableHeader(std::string_view text) {
  int line = 1;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string_view::npos) end = text.size();
    std::string_view l = text.substr(pos, end - pos);
    size_t i = 0;
    while (i < l.size() && (l[i] == ' ' || l[i] == '\t' || !IsAscii(l[i]))) ++i;
    if (i < l.size() && l[i] == '[') {
      size_t j = i + 1;
      auto skip_blanks = [&] {
        while (j < l.size() && (l[j] == ' ' || l[j] == '\t')) ++j;
      };
      skip_blanks();
      if (j < l.size() && l[j] == '[') {
        ++j;
        skip_blanks();
      }
      const bool at_eof = j == l.size() && end == text.size();
      if (!at_eof && (j == l.size() || (l[j] != ']' && !IsKeyStart(l[j])))) {
        return TomlGuardError{line, static_cast<int>(j + 1),
                              "expected a table name (a bare key or a quoted string)"};
      }
    }
    pos = end + 1;
    ++line;
  }
  return std::nullopt;
}

// Follows TOML's structure closely enough to know where toml++ opens a
// string (only where a key or a value starts: a quote inside a bare token,
// as in 1"x", is scanned as part of the token) and refuses non-ASCII bytes
// outside strings and comments, and a '}' where an array expects a value
// (toml++'s array parser hands it to parse_value() unchecked), and a date
// followed by a lone digit (see IsDateThenDigitThenEnd). After an
// error toml++ stops, so the screen only has to agree with it up to there.
class AsciiScreen {
 public:
  explicit AsciiScreen(std::string_view text) : t_(text) {}

  std::optional<TomlGuardError> Run() {
    // A leading byte-order mark is fine: toml++ classifies U+FEFF correctly.
    if (t_.substr(0, 3) == "\xEF\xBB\xBF") Advance(3);
    while (i_ < t_.size()) {
      const char c = t_[i_];
      if (!IsAscii(c)) return Fail("non-ASCII character outside a string or comment");
      if (c == '#') {
        while (i_ < t_.size() && t_[i_] != '\n') Advance(1);
        continue;
      }
      if (c == '"' || c == '\'') {
        if (token_ == Token::kNone && (expect_ == Expect::kKey || expect_ == Expect::kValue)) {
          const bool key = expect_ == Expect::kKey;
          if (auto e = String()) return e;
          expect_ = key ? Expect::kAfterKey : Expect::kAfterValue;
        } else {
          Advance(1);  // part of a bare token, or an error toml++ stops at
        }
        continue;
      }
      if (auto e = Structure(c)) return e;
      Advance(1);
    }
    return std::nullopt;
  }

 private:
  enum class Expect { kKey, kAfterKey, kValue, kAfterValue };
  enum class Token { kNone, kKey, kValue };

  bool InArray() const { return !stack_.empty() && stack_.back() == '['; }

  // One ASCII character outside strings and comments.
  std::optional<TomlGuardError> Structure(char c) {
    const bool blank = c == ' ' || c == '\t' || c == '\r' || c == '\n';
    // A bare value token runs to a value terminator: blank ] } , #.
    if (token_ == Token::kValue && !blank && c != ']' && c != '}' && c != ',') return std::nullopt;
    if (token_ == Token::kValue && c == ' ' && IsDateThenDigitThenEnd()) {
      return Fail("a date followed by a lone digit");
    }
    if (token_ == Token::kKey && (IsKeyStart(c) && c != '"' && c != '\'')) return std::nullopt;
    token_ = Token::kNone;
    if (c == '\n') {
      // Arrays may span lines; anything else ends with the line.
      expect_ = InArray() ? Expect::kValue : Expect::kKey;
      if (!InArray()) stack_.clear();
      header_ = false;
      return std::nullopt;
    }
    if (blank) return std::nullopt;
    switch (c) {
      case '=':
        expect_ = Expect::kValue;
        return std::nullopt;
      case '.':
        if (expect_ == Expect::kAfterKey) expect_ = Expect::kKey;
        return std::nullopt;
      case '[':
        if (expect_ == Expect::kKey && stack_.empty()) {
          header_ = true;  // [table] or [[array-of-tables]]: a key follows
        } else {
          stack_.push_back('[');
          expect_ = Expect::kValue;
        }
        return std::nullopt;
      case '{':
        stack_.push_back('{');
        expect_ = Expect::kKey;
        return std::nullopt;
      case ',':
        expect_ = InArray() ? Expect::kValue : Expect::kKey;
        return std::nullopt;
      case ']':
        if (header_ && stack_.empty()) {
          expect_ = Expect::kAfterValue;
        } else if (InArray()) {
          stack_.pop_back();
          expect_ = Expect::kAfterValue;
        }
        return std::nullopt;
      case '}':
        if (InArray() && expect_ == Expect::kValue) return Fail("expected a value, saw '}'");
        if (!stack_.empty() && stack_.back() == '{') stack_.pop_back();
        expect_ = Expect::kAfterValue;
        return std::nullopt;
      default:
        if (expect_ == Expect::kValue) {
          token_ = Token::kValue;
          token_start_ = i_;
          expect_ = Expect::kAfterValue;
        } else {
          token_ = Token::kKey;
          expect_ = Expect::kAfterKey;
        }
        return std::nullopt;
    }
  }

  // toml++ reads "YYYY-MM-DD D" as the start of a date-time with a space
  // and then scans on from a value terminator with a broken precondition.
  // Called on the blank that ends a value token; '_' is ignored, as toml++
  // ignores it while scanning.
  bool IsDateThenDigitThenEnd() const {
    std::string token;
    for (size_t k = token_start_; k < i_; ++k) {
      if (t_[k] != '_') token += t_[k];
    }
    // toml++'s own test is looser than a date (letters pass in the digit
    // places), so this one is too: ten characters, '-' at 4 and 7.
    if (token.size() != 10 || token[0] < '0' || token[0] > '9' || token[4] != '-' ||
        token[7] != '-') {
      return false;
    }
    if (i_ + 2 >= t_.size() || t_[i_ + 1] < '0' || t_[i_ + 1] > '9') return false;
    const char end = t_[i_ + 2];
    return end == ' ' || end == '\t' || end == '\n' || end == '\r' || end == '\v' || end == '\f' ||
           end == ']' || end == '}' || end == ',' || end == '#';
  }

  // A string of any of TOML's four kinds, from its opening quote.
  std::optional<TomlGuardError> String() {
    if (StartsWith("\"\"\"")) {
      Advance(3);
      return MultiLineBasic();
    }
    if (StartsWith("\'\'\'")) {
      Advance(3);
      SkipPast("\'\'\'", /*allow_newline=*/true);
      return std::nullopt;
    }
    if (t_[i_] == '"') {
      Advance(1);
      SingleLineBasic();
      return std::nullopt;
    }
    Advance(1);
    SkipPast("'", /*allow_newline=*/false);
    return std::nullopt;
  }

  bool StartsWith(std::string_view s) const { return t_.substr(i_, s.size()) == s; }

  void Advance(size_t n) {
    for (size_t k = 0; k < n && i_ < t_.size(); ++k, ++i_) {
      if (t_[i_] == '\n') {
        ++line_;
        line_start_ = i_ + 1;
      }
    }
  }

  TomlGuardError Fail(std::string message) const {
    return TomlGuardError{line_, static_cast<int>(i_ - line_start_ + 1), std::move(message)};
  }

  // Skips to just past `close` (and up to two more quote characters, which
  // TOML counts as content of a multi-line string), or to the end of the
  // line when newlines are not allowed (toml++ stops there with an error).
  void SkipPast(std::string_view close, bool allow_newline) {
    while (i_ < t_.size()) {
      if (!allow_newline && t_[i_] == '\n') return;
      if (StartsWith(close)) {
        Advance(close.size());
        if (close.size() == 3) {
          for (int extra = 0; extra < 2 && i_ < t_.size() && t_[i_] == close[0]; ++extra) {
            Advance(1);
          }
        }
        return;
      }
      Advance(1);
    }
  }

  void SingleLineBasic() {
    while (i_ < t_.size() && t_[i_] != '\n') {
      if (t_[i_] == '\\') {
        Advance(2);
        continue;
      }
      if (t_[i_] == '"') {
        Advance(1);
        return;
      }
      Advance(1);
    }
  }

  // In a multi-line basic string, toml++ classifies the character after a
  // backslash, and every character of the whitespace run that follows a
  // line-ending backslash, with its broken whitespace table.
  std::optional<TomlGuardError> MultiLineBasic() {
    while (i_ < t_.size()) {
      if (t_[i_] == '\\') {
        Advance(1);
        if (i_ >= t_.size()) return std::nullopt;
        if (!IsAscii(t_[i_])) return Fail("non-ASCII character after a backslash");
        const char c = t_[i_];
        if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
          while (i_ < t_.size() &&
                 (t_[i_] == ' ' || t_[i_] == '\t' || t_[i_] == '\r' || t_[i_] == '\n')) {
            Advance(1);
          }
          if (i_ < t_.size() && !IsAscii(t_[i_])) {
            return Fail("non-ASCII character after a line-ending backslash");
          }
        } else {
          Advance(1);
        }
        continue;
      }
      if (StartsWith("\"\"\"")) {
        SkipPast("\"\"\"", true);
        return std::nullopt;
      }
      Advance(1);
    }
    return std::nullopt;
  }

  std::string_view t_;
  size_t i_ = 0;
  int line_ = 1;
  size_t line_start_ = 0;
  Expect expect_ = Expect::kKey;
  Token token_ = Token::kNone;
  size_t token_start_ = 0;
  std::string stack_;  // open '[' (arrays) and '{' (inline tables)
  bool header_ = false;
};

}  // namespace

std::optional<TomlGuardError> ScreenToml(std::string_view text) {
  if (auto e = FindBadTableHeader(text)) return e;
  return AsciiScreen(text).Run();
}

}  // namespace cordon::policy
