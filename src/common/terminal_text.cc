// Escaping for the terminal (see terminal_text.h).
#include "common/terminal_text.h"

#include <cstdint>

namespace cordon {
namespace {

constexpr char kHex[] = "0123456789abcdef";

void AppendByteEscape(std::string* out, unsigned char c) {
  *out += "\\x";
  *out += kHex[c >> 4];
  *out += kHex[c & 0xf];
}

void AppendCodePointEscape(std::string* out, uint32_t cp) {
  *out += "\\u";
  for (int shift = 12; shift >= 0; shift -= 4) *out += kHex[(cp >> shift) & 0xf];
}

// Code points a terminal acts on or that reorder the text around them.
bool IsHiddenControl(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) ||      // C1 controls
         cp == 0x061c ||                    // Arabic letter mark
         cp == 0x200e || cp == 0x200f ||    // LRM, RLM
         cp == 0x2028 || cp == 0x2029 ||    // line, paragraph separator
         (cp >= 0x202a && cp <= 0x202e) ||  // embeddings, overrides
         (cp >= 0x2066 && cp <= 0x2069);    // isolates
}

// The length of the valid UTF-8 sequence at the start of `s` (2 to 4) and
// its code point, or 0 when it is not one (RFC 3629, table 3-7 of Unicode).
size_t DecodeMultibyte(std::string_view s, uint32_t* cp) {
  const auto b0 = static_cast<unsigned char>(s[0]);
  size_t len = 0;
  uint32_t value = 0;
  unsigned char lo = 0x80;  // the range of the second byte
  unsigned char hi = 0xbf;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    len = 2;
    value = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    len = 3;
    value = b0 & 0x0f;
    if (b0 == 0xe0) lo = 0xa0;  // overlong
    if (b0 == 0xed) hi = 0x9f;  // surrogates
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    len = 4;
    value = b0 & 0x07;
    if (b0 == 0xf0) lo = 0x90;  // overlong
    if (b0 == 0xf4) hi = 0x8f;  // above U+10FFFF
  } else {
    return 0;  // ASCII, a continuation byte, 0xc0, 0xc1 or 0xf5-0xff
  }
  if (s.size() < len) return 0;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < (i == 1 ? lo : 0x80) || b > (i == 1 ? hi : 0xbf)) return 0;
    value = (value << 6) | (b & 0x3f);
  }
  *cp = value;
  return len;
}

}  // namespace

std::string ForTerminal(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7f) {
        AppendByteEscape(&out, c);
      } else {
        out += static_cast<char>(c);
      }
      ++i;
      continue;
    }
    uint32_t cp = 0;
    const size_t len = DecodeMultibyte(text.substr(i), &cp);
    if (len == 0) {
      // Not UTF-8: this byte alone, and the next one is looked at afresh
      // (a truncated sequence before ASCII keeps the ASCII).
      AppendByteEscape(&out, c);
      ++i;
    } else if (IsHiddenControl(cp)) {
      AppendCodePointEscape(&out, cp);
      i += len;
    } else {
      out.append(text.substr(i, len));
      i += len;
    }
  }
  return out;
}

std::string ErrorForTerminal(const Error& e, std::string_view prefix) {
  Error head = e;
  head.hint.clear();
  std::string text = "cordon: " + ForTerminal(prefix) + ForTerminal(head.Describe());
  if (!e.hint.empty()) {
    text += "\n  hint: ";
    std::string_view rest = e.hint;
    for (size_t nl; (nl = rest.find('\n')) != std::string_view::npos; rest.remove_prefix(nl + 1)) {
      text += ForTerminal(rest.substr(0, nl)) + "\n";
    }
    text += ForTerminal(rest);
  }
  text += "\n";
  return text;
}

}  // namespace cordon
