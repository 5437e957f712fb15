// Fuzzes ForTerminal on arbitrary bytes. Besides not crashing: the output
// holds no C0 control byte and no DEL, is valid UTF-8 without C1 controls
// or bidi controls, and a second pass changes nothing.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "check.h"
#include "common/terminal_text.h"

using cordon::fuzz::Check;

namespace {

// Walks `s` as UTF-8; false if it is not valid or holds a code point that
// ForTerminal must have escaped.
bool CleanUtf8(const std::string& s) {
  size_t i = 0;
  while (i < s.size()) {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) {
      if (b0 < 0x20 || b0 == 0x7f) return false;
      ++i;
      continue;
    }
    size_t len = b0 >= 0xf0 ? 4 : b0 >= 0xe0 ? 3 : b0 >= 0xc0 ? 2 : 0;
    if (len == 0 || i + len > s.size() || b0 < 0xc2 || b0 > 0xf4) return false;
    uint32_t cp = b0 & (0x7f >> len);
    for (size_t k = 1; k < len; ++k) {
      const auto b = static_cast<unsigned char>(s[i + k]);
      if ((b & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (b & 0x3f);
    }
    const uint32_t min = len == 2 ? 0x80 : len == 3 ? 0x800 : 0x10000;
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    if ((cp >= 0x80 && cp <= 0x9f) || cp == 0x061c || cp == 0x200e || cp == 0x200f ||
        (cp >= 0x2028 && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069)) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  const std::string out = cordon::ForTerminal(in);
  Check(CleanUtf8(out));
  Check(cordon::ForTerminal(out) == out);
  // Nothing is dropped: each input byte is kept or becomes a longer escape.
  Check(out.size() >= in.size());
  return 0;
}
