// Console key events to terminal bytes (see console_keys.h).
#include "sandbox/windows/console_keys.h"

namespace cordon::sandbox::windows {
namespace {

// The Win32 virtual-key codes of the keys that type no character.
constexpr uint16_t kVkPrior = 0x21;
constexpr uint16_t kVkNext = 0x22;
constexpr uint16_t kVkEnd = 0x23;
constexpr uint16_t kVkHome = 0x24;
constexpr uint16_t kVkLeft = 0x25;
constexpr uint16_t kVkUp = 0x26;
constexpr uint16_t kVkRight = 0x27;
constexpr uint16_t kVkDown = 0x28;
constexpr uint16_t kVkInsert = 0x2d;
constexpr uint16_t kVkDelete = 0x2e;
constexpr uint16_t kVkF1 = 0x70;
constexpr uint16_t kVkF12 = 0x7b;

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out->push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
}

// xterm's modifier parameter: 1 + shift + 2 alt + 4 ctrl.
int Modifiers(const KeyPress& key) {
  return 1 + (key.shift ? 1 : 0) + (key.alt ? 2 : 0) + (key.ctrl ? 4 : 0);
}

// CSI <final> or CSI 1;m <final>.
std::string CsiLetter(char final_byte, int m) {
  return m == 1 ? std::string("\x1b[") + final_byte : "\x1b[1;" + std::to_string(m) + final_byte;
}

// CSI n ~ or CSI n;m ~.
std::string CsiTilde(int n, int m) {
  return "\x1b[" + std::to_string(n) + (m == 1 ? "" : ";" + std::to_string(m)) + "~";
}

std::string Special(const KeyPress& key) {
  const int m = Modifiers(key);
  switch (key.virtual_key) {
    case kVkUp:
      return CsiLetter('A', m);
    case kVkDown:
      return CsiLetter('B', m);
    case kVkRight:
      return CsiLetter('C', m);
    case kVkLeft:
      return CsiLetter('D', m);
    case kVkHome:
      return CsiLetter('H', m);
    case kVkEnd:
      return CsiLetter('F', m);
    case kVkInsert:
      return CsiTilde(2, m);
    case kVkDelete:
      return CsiTilde(3, m);
    case kVkPrior:
      return CsiTilde(5, m);
    case kVkNext:
      return CsiTilde(6, m);
    default:
      break;
  }
  if (key.virtual_key >= kVkF1 && key.virtual_key <= kVkF12) {
    const int f = key.virtual_key - kVkF1 + 1;
    if (f <= 4) {
      const char letter = static_cast<char>('P' + f - 1);
      return m == 1 ? std::string("\x1bO") + letter : CsiLetter(letter, m);
    }
    // F5-F12: 15, 17-21, 23, 24 (xterm skips 16 and 22).
    static constexpr int kCodes[] = {15, 17, 18, 19, 20, 21, 23, 24};
    return CsiTilde(kCodes[f - 5], m);
  }
  return {};
}

}  // namespace

std::string KeyEncoder::Encode(const KeyPress& key) {
  if (!key.down) return {};
  std::string one;
  if (key.unit != 0) {
    const char16_t u = key.unit;
    if (u >= 0xd800 && u <= 0xdbff) {
      high_surrogate_ = u;
      return {};
    }
    char32_t cp = u;
    if (u >= 0xdc00 && u <= 0xdfff) {
      if (high_surrogate_ == 0) return {};  // half a pair: nothing to send
      cp = 0x10000 + ((static_cast<char32_t>(high_surrogate_) - 0xd800) << 10) + (u - 0xdc00);
    }
    high_surrogate_ = 0;
    // Alt with a character is ESC before it; Ctrl+Alt is AltGr, which
    // typed the character itself.
    if (key.alt && !key.ctrl) one.push_back('\x1b');
    AppendUtf8(cp, &one);
  } else {
    one = Special(key);
  }
  std::string out;
  const int times = key.repeat == 0 ? 1 : key.repeat;
  for (int i = 0; i < times; ++i) out += one;
  return out;
}

}  // namespace cordon::sandbox::windows
