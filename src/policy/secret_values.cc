// Recognizing credentials by the shape of a value (see secret_values.h).
//
// Every check is a scan over the value with fixed-size state: no allocation,
// no backtracking, linear in the value's length times the number of shapes.
#include "policy/secret_values.h"

#include <array>
#include <cstddef>
#include <cstdint>

namespace cordon::policy {

namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsUpper(char c) { return c >= 'A' && c <= 'Z'; }
bool IsLower(char c) { return c >= 'a' && c <= 'z'; }
bool IsAlnum(char c) { return IsDigit(c) || IsUpper(c) || IsLower(c); }
bool IsUpperAlnum(char c) { return IsDigit(c) || IsUpper(c); }
bool IsWordChar(char c) { return IsAlnum(c) || c == '_'; }
bool IsB64Url(char c) { return IsAlnum(c) || c == '-' || c == '_'; }
bool IsDashAlnum(char c) { return IsAlnum(c) || c == '-'; }
// RFC 7235 token68, without the trailing '=' padding.
bool IsToken68(char c) {
  return IsAlnum(c) || c == '-' || c == '.' || c == '_' || c == '~' || c == '+' || c == '/';
}
bool IsB64Std(char c) { return IsAlnum(c) || c == '+' || c == '/'; }
bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f'; }

// Length of the run of characters accepted by `pred` starting at `pos`,
// counted up to `cap`: every shape has a maximum length, and the cap keeps
// the scan linear on values like "sk-sk-sk-..." where each start would
// otherwise rescan the rest.
template <typename Pred>
size_t Run(std::string_view s, size_t pos, Pred pred, size_t cap) {
  size_t end = pos;
  while (end < s.size() && end - pos < cap && pred(s[end])) ++end;
  return end - pos;
}

// A token may start only at the beginning or after a character that is not
// a letter or digit: "ghp_" inside a word, or "sk-" in "desk-top", is no
// token.
bool AtBoundary(std::string_view s, size_t pos) { return pos == 0 || !IsAlnum(s[pos - 1]); }

char Lower(char c) { return IsUpper(c) ? static_cast<char>(c - 'A' + 'a') : c; }

bool StartsWithNoCase(std::string_view s, size_t pos, std::string_view prefix) {
  if (s.size() - pos < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Lower(s[pos + i]) != prefix[i]) return false;
  }
  return true;
}

// A token format with a fixed prefix: the body is the longest run of
// `body` characters after the prefix, and must be min..max long and not be
// followed by a letter or digit (the run would otherwise have been cut).
struct TokenShape {
  std::string_view prefix;
  std::string_view name;
  bool (*body)(char);
  size_t min;
  size_t max;
  // Random bodies mix upper and lower case and digits; words and option
  // names ("sk-learn-extension") do not.
  bool needs_mixed = false;
  bool needs_digit = false;
};

constexpr size_t kLong = 512;
// JWT segments: headers are small; payloads of identity tokens reach a few KiB.
constexpr size_t kJwtHeaderMax = 1024;
constexpr size_t kJwtPayloadMax = 16384;

// Formats as their issuers document them (GitHub: prefix + 36 base62;
// AWS: AKIA/ASIA + 16; Google: AIza + 35; npm: npm_ + 36 ...), with the
// lower bounds a little loose where formats have grown over time.
constexpr TokenShape kTokens[] = {
    {"ghp_", "GitHub token", IsAlnum, 36, 255},
    {"gho_", "GitHub token", IsAlnum, 36, 255},
    {"ghu_", "GitHub token", IsAlnum, 36, 255},
    {"ghs_", "GitHub token", IsAlnum, 36, 255},
    {"ghr_", "GitHub token", IsAlnum, 36, 255},
    {"github_pat_", "GitHub token", IsWordChar, 40, 255},
    {"sk-", "OpenAI or Anthropic API key", IsB64Url, 20, kLong, true},
    {"xoxb-", "Slack token", IsDashAlnum, 10, 255, false, true},
    {"xoxp-", "Slack token", IsDashAlnum, 10, 255, false, true},
    {"xoxa-", "Slack token", IsDashAlnum, 10, 255, false, true},
    {"xoxr-", "Slack token", IsDashAlnum, 10, 255, false, true},
    {"xoxs-", "Slack token", IsDashAlnum, 10, 255, false, true},
    {"xapp-", "Slack token", IsDashAlnum, 10, 255, false, true},
    {"AKIA", "AWS access key id", IsUpperAlnum, 16, 16},
    {"ASIA", "AWS access key id", IsUpperAlnum, 16, 16},
    {"glpat-", "GitLab token", IsB64Url, 20, 255},
    {"npm_", "npm token", IsAlnum, 36, 36},
    {"pypi-", "PyPI token", IsB64Url, 50, kLong},
    {"sk_live_", "Stripe key", IsAlnum, 20, 255},
    {"rk_live_", "Stripe key", IsAlnum, 20, 255},
    {"AIza", "Google API key", IsB64Url, 35, 35},
};

bool IsMixed(std::string_view body) {
  bool upper = false, lower = false, digit = false;
  for (char c : body) {
    upper |= IsUpper(c);
    lower |= IsLower(c);
    digit |= IsDigit(c);
  }
  return upper && lower && digit;
}

bool HasDigit(std::string_view body) {
  for (char c : body) {
    if (IsDigit(c)) return true;
  }
  return false;
}

// The first characters of kTokens' prefixes: most positions of a value
// start none of them (the scan runs over every host variable, every run).
constexpr std::array<bool, 256> kTokenStart = [] {
  std::array<bool, 256> starts{};
  for (const TokenShape& t : kTokens) starts[static_cast<unsigned char>(t.prefix.front())] = true;
  return starts;
}();

std::optional<std::string_view> TokenAt(std::string_view s, size_t pos) {
  if (pos >= s.size() || !kTokenStart[static_cast<unsigned char>(s[pos])]) return std::nullopt;
  for (const TokenShape& t : kTokens) {
    if (s.substr(pos, t.prefix.size()) != t.prefix) continue;
    size_t start = pos + t.prefix.size();
    size_t len = Run(s, start, t.body, t.max + 1);
    if (len < t.min || len > t.max) continue;
    if (start + len < s.size() && IsAlnum(s[start + len])) continue;
    std::string_view body = s.substr(start, len);
    if (t.needs_mixed && !IsMixed(body)) continue;
    if (t.needs_digit && !HasDigit(body)) continue;
    return t.name;
  }
  return std::nullopt;
}

int Base64Digit(char c) {
  if (IsUpper(c)) return c - 'A';
  if (IsLower(c)) return c - 'a' + 26;
  if (IsDigit(c)) return c - '0' + 52;
  if (c == '+' || c == '-') return 62;
  if (c == '/' || c == '_') return 63;
  return -1;
}

// Decodes up to out.size() bytes of base64 or base64url (no padding) from
// `in`; returns how many were written.
template <size_t N>
size_t DecodeBase64(std::string_view in, std::array<char, N>& out) {
  size_t n = 0;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : in) {
    int d = Base64Digit(c);
    if (d < 0) break;
    acc = (acc << 6) | static_cast<uint32_t>(d);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      if (n == out.size()) break;
      out[n++] = static_cast<char>((acc >> bits) & 0xff);
    }
  }
  return n;
}

// header.payload.signature, the header a JSON object naming its "alg"
// ({"alg":... encodes to eyJ...). The signature is required: an unsigned
// token authenticates nothing.
bool IsJwtAt(std::string_view s, size_t pos) {
  if (s.substr(pos, 3) != "eyJ") return false;
  size_t header = Run(s, pos, IsB64Url, kJwtHeaderMax);
  if (header < 10 || pos + header >= s.size() || s[pos + header] != '.') return false;
  size_t p2 = pos + header + 1;
  size_t payload = Run(s, p2, IsB64Url, kJwtPayloadMax);
  if (payload < 2 || p2 + payload >= s.size() || s[p2 + payload] != '.') return false;
  size_t signature = Run(s, p2 + payload + 1, IsB64Url, 16);
  if (signature < 16) return false;
  std::array<char, 192> json{};
  size_t n = DecodeBase64(s.substr(pos, header), json);
  std::string_view decoded(json.data(), n);
  return decoded.starts_with("{\"") && decoded.find("\"alg\"") != std::string_view::npos;
}

// "-----BEGIN [RSA |EC |OPENSSH |ENCRYPTED |PGP ]PRIVATE KEY[ BLOCK]-----".
bool IsPrivateKeyAt(std::string_view s, size_t pos) {
  constexpr std::string_view kBegin = "-----BEGIN ";
  if (s.substr(pos, kBegin.size()) != kBegin) return false;
  size_t start = pos + kBegin.size();
  size_t len = Run(
      s, start, [](char c) { return IsUpperAlnum(c) || c == ' '; }, 64);
  std::string_view label = s.substr(start, len);
  return label.find("PRIVATE KEY") != std::string_view::npos && s.substr(start + len, 5) == "-----";
}

// scheme://user:password@host or scheme://:password@host, `pos` at "://".
// The authority ends at the first '/', '?', '#' or white space; its userinfo
// ends at the last '@' (passwords with an unescaped '@' are common).
// scheme://user@host names a user and no secret.
bool IsUrlWithPasswordAt(std::string_view s, size_t pos) {
  if (s.substr(pos, 3) != "://") return false;
  size_t scheme = pos;
  while (scheme > 0 && (IsAlnum(s[scheme - 1]) || s[scheme - 1] == '+' || s[scheme - 1] == '.' ||
                        s[scheme - 1] == '-')) {
    --scheme;
  }
  while (scheme < pos && !IsUpper(s[scheme]) && !IsLower(s[scheme])) ++scheme;
  if (scheme == pos) return false;
  size_t start = pos + 3;
  size_t end = start;
  while (end < s.size() && s[end] != '/' && s[end] != '?' && s[end] != '#' && !IsSpace(s[end])) {
    ++end;
  }
  std::string_view authority = s.substr(start, end - start);
  size_t at = authority.rfind('@');
  if (at == std::string_view::npos) return false;
  size_t colon = authority.substr(0, at).find(':');
  return colon != std::string_view::npos && colon + 1 < at;
}

// "Bearer <token>" (its first 20 characters mixing letters and digits) and
// "Basic <base64 of user:password>", the scheme name in any case.
std::optional<std::string_view> AuthorizationAt(std::string_view s, size_t pos) {
  if (StartsWithNoCase(s, pos, "bearer ")) {
    size_t start = pos + 7;
    // A token of a known shape is named as such.
    if (auto token = TokenAt(s, start)) return token;
    if (IsJwtAt(s, start)) return "JWT";
    size_t len = Run(s, start, IsToken68, 20);
    std::string_view token = s.substr(start, len);
    bool letter = false;
    for (char c : token) letter |= IsUpper(c) || IsLower(c);
    if (len == 20 && letter && HasDigit(token)) return "HTTP bearer credentials";
  }
  if (StartsWithNoCase(s, pos, "basic ")) {
    size_t start = pos + 6;
    size_t len = Run(s, start, IsB64Std, 256);
    if (len < 8) return std::nullopt;
    std::array<char, 192> decoded{};
    size_t n = DecodeBase64(s.substr(start, len), decoded);
    bool printable = n > 0;
    bool colon = false;
    for (size_t i = 0; i < n; ++i) {
      printable &= decoded[i] >= 0x20 && decoded[i] <= 0x7e;
      colon |= decoded[i] == ':';
    }
    if (printable && colon) return "HTTP basic credentials";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string_view> SecretValueShape(std::string_view value) {
  for (size_t pos = 0; pos < value.size(); ++pos) {
    if (IsUrlWithPasswordAt(value, pos)) return "URL with a password";
    if (IsPrivateKeyAt(value, pos)) return "private key";
    if (!AtBoundary(value, pos)) continue;
    if (auto token = TokenAt(value, pos)) return token;
    if (IsJwtAt(value, pos)) return "JWT";
    if (auto auth = AuthorizationAt(value, pos)) return auth;
  }
  return std::nullopt;
}

}  // namespace cordon::policy
