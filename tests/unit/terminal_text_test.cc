// ForTerminal: every byte a terminal would act on is shown, every other
// character passes unchanged.
#include "common/terminal_text.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

namespace cordon {
namespace {

std::string Byte(int c) { return std::string(1, static_cast<char>(c)); }

std::string HexEscape(int c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "\\x%02x", c);
  return buf;
}

// U+XXXX as UTF-8.
std::string Utf8(uint32_t cp) {
  std::string s;
  if (cp < 0x80) {
    s += static_cast<char>(cp);
  } else if (cp < 0x800) {
    s += static_cast<char>(0xc0 | (cp >> 6));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else if (cp < 0x10000) {
    s += static_cast<char>(0xe0 | (cp >> 12));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  } else {
    s += static_cast<char>(0xf0 | (cp >> 18));
    s += static_cast<char>(0x80 | ((cp >> 12) & 0x3f));
    s += static_cast<char>(0x80 | ((cp >> 6) & 0x3f));
    s += static_cast<char>(0x80 | (cp & 0x3f));
  }
  return s;
}

bool HasControlByte(const std::string& s) {
  for (unsigned char c : s) {
    if (c < 0x20 || c == 0x7f) return true;
  }
  return false;
}

TEST(TerminalTextTest, EveryAsciiByte) {
  for (int c = 0; c < 0x80; ++c) {
    const std::string out = ForTerminal(Byte(c));
    if (c < 0x20 || c == 0x7f) {
      EXPECT_EQ(out, HexEscape(c)) << c;
    } else {
      EXPECT_EQ(out, Byte(c)) << c;
    }
  }
}

TEST(TerminalTextTest, BoundaryBytes) {
  EXPECT_EQ(ForTerminal(Byte(0x1f)), "\\x1f");
  EXPECT_EQ(ForTerminal(" "), " ");
  EXPECT_EQ(ForTerminal("~"), "~");
  EXPECT_EQ(ForTerminal(Byte(0x7f)), "\\x7f");
  EXPECT_EQ(ForTerminal(std::string(1, '\0')), "\\x00");
  EXPECT_EQ(ForTerminal("\t\n\r\b\a\033"), "\\x09\\x0a\\x0d\\x08\\x07\\x1b");
}

TEST(TerminalTextTest, EveryHighByteAloneIsEscaped) {
  // No byte 0x80-0xff is valid UTF-8 on its own: raw 8-bit C1 controls
  // (0x9b is CSI to a terminal in 8-bit mode) included.
  for (int c = 0x80; c <= 0xff; ++c) EXPECT_EQ(ForTerminal(Byte(c)), HexEscape(c)) << c;
}

TEST(TerminalTextTest, TheIssuesReproducer) {
  const std::string path = "/home/u/.cache/x\033[1A\r\033[2K/home/u/.cache/pip\a";
  const std::string out = ForTerminal(path);
  EXPECT_EQ(out, "/home/u/.cache/x\\x1b[1A\\x0d\\x1b[2K/home/u/.cache/pip\\x07");
  EXPECT_FALSE(HasControlByte(out));
}

TEST(TerminalTextTest, C1ControlsAsCodePoints) {
  for (uint32_t cp = 0x80; cp <= 0x9f; ++cp) {
    char want[8];
    std::snprintf(want, sizeof want, "\\u%04x", cp);
    EXPECT_EQ(ForTerminal(Utf8(cp)), want) << cp;
  }
  // The neighbours are ordinary characters.
  EXPECT_EQ(ForTerminal(Utf8(0xa0)), Utf8(0xa0));
  EXPECT_EQ(ForTerminal(Utf8(0xe9)), "\xc3\xa9");
}

TEST(TerminalTextTest, BidiAndSeparators) {
  const uint32_t hidden[] = {0x061c, 0x200e, 0x200f, 0x2028, 0x2029, 0x202a, 0x202b,
                             0x202c, 0x202d, 0x202e, 0x2066, 0x2067, 0x2068, 0x2069};
  for (uint32_t cp : hidden) {
    char want[8];
    std::snprintf(want, sizeof want, "\\u%04x", cp);
    EXPECT_EQ(ForTerminal(Utf8(cp)), want) << cp;
  }
  // The code points around each range pass unchanged.
  const uint32_t shown[] = {0x061b, 0x061d, 0x200d, 0x2010, 0x2027, 0x202f, 0x2065, 0x206a, 0x2030};
  for (uint32_t cp : shown) EXPECT_EQ(ForTerminal(Utf8(cp)), Utf8(cp)) << cp;
  // "evil\u202eexe.txt" shows the override instead of reversing the name.
  EXPECT_EQ(ForTerminal("evil" + Utf8(0x202e) + "txt.exe"), "evil\\u202etxt.exe");
}

TEST(TerminalTextTest, ValidMultibytePassesUnchanged) {
  const std::string texts[] = {
      "caf\xc3\xa9",               // 2 bytes
      "\xe6\x97\xa5\xe6\x9c\xac",  // 3 bytes
      "\xf0\x9f\x98\x80",          // 4 bytes (U+1F600)
      Utf8(0x7ff) + Utf8(0x800) + Utf8(0xd7ff) + Utf8(0xe000) + Utf8(0xfffd) + Utf8(0xffff),
      Utf8(0x10000) + Utf8(0x10ffff),
      "/home/u/\xd0\xbf\xd1\x80\xd0\xbe\xd0\xb5\xd0\xba\xd1\x82/src",
  };
  for (const std::string& t : texts) EXPECT_EQ(ForTerminal(t), t);
}

TEST(TerminalTextTest, InvalidUtf8ByteByByte) {
  // Overlong forms.
  EXPECT_EQ(ForTerminal("\xc0\xaf"), "\\xc0\\xaf");
  EXPECT_EQ(ForTerminal("\xc1\xbf"), "\\xc1\\xbf");
  EXPECT_EQ(ForTerminal("\xe0\x80\xaf"), "\\xe0\\x80\\xaf");
  EXPECT_EQ(ForTerminal("\xe0\x9f\xbf"), "\\xe0\\x9f\\xbf");
  EXPECT_EQ(ForTerminal("\xf0\x8f\xbf\xbf"), "\\xf0\\x8f\\xbf\\xbf");
  // An overlong ESC (0xc0 0x9b would be CSI to a lax decoder).
  EXPECT_EQ(ForTerminal("\xc0\x9b"), "\\xc0\\x9b");
  // Surrogates.
  EXPECT_EQ(ForTerminal("\xed\xa0\x80"), "\\xed\\xa0\\x80");
  EXPECT_EQ(ForTerminal("\xed\xbf\xbf"), "\\xed\\xbf\\xbf");
  EXPECT_EQ(ForTerminal("\xed\x9f\xbf"), "\xed\x9f\xbf");  // U+D7FF is fine
  // Above U+10FFFF, and lead bytes that never start anything.
  EXPECT_EQ(ForTerminal("\xf4\x90\x80\x80"), "\\xf4\\x90\\x80\\x80");
  EXPECT_EQ(ForTerminal("\xf5\x80\x80\x80"), "\\xf5\\x80\\x80\\x80");
  EXPECT_EQ(ForTerminal("\xff\xfe"), "\\xff\\xfe");
  // A continuation byte without a lead.
  EXPECT_EQ(ForTerminal("a\x80z"), "a\\x80z");
}

TEST(TerminalTextTest, TruncatedSequences) {
  EXPECT_EQ(ForTerminal("\xc3"), "\\xc3");
  EXPECT_EQ(ForTerminal("\xe2\x80"), "\\xe2\\x80");
  EXPECT_EQ(ForTerminal("\xf0\x9f\x98"), "\\xf0\\x9f\\x98");
  // Cut short by ASCII: the ASCII survives, and a control after it is
  // still escaped (it is not swallowed as a "continuation").
  EXPECT_EQ(ForTerminal("\xe2\x80x"), "\\xe2\\x80x");
  EXPECT_EQ(ForTerminal("\xe2\033[2K"), "\\xe2\\x1b[2K");
  EXPECT_EQ(ForTerminal("\xf0\x9f\x98\n"), "\\xf0\\x9f\\x98\\x0a");
  // A truncated sequence right before a valid one.
  EXPECT_EQ(ForTerminal("\xe2\xc3\xa9"), "\\xe2\xc3\xa9");
  // A bidi override cut to two bytes is no override, just two bad bytes.
  EXPECT_EQ(ForTerminal("\xe2\x80"), "\\xe2\\x80");
}

TEST(TerminalTextTest, IdempotentAndBackslashKept) {
  const std::string samples[] = {
      "plain", "a\\x1bb", "\033[31mred\033[0m", "evil" + Utf8(0x202e) + "x", "\xff\xc3", "\\",
  };
  for (const std::string& s : samples) {
    const std::string once = ForTerminal(s);
    EXPECT_EQ(ForTerminal(once), once) << s;
    EXPECT_FALSE(HasControlByte(once));
  }
  EXPECT_EQ(ForTerminal("C:\\dir"), "C:\\dir");
  EXPECT_EQ(ForTerminal(""), "");
}

}  // namespace
}  // namespace cordon

// cordon's one way of printing an error: the hint on its own line, and
// every part of it (op, object, detail, hint) made safe for the terminal.
TEST(TerminalTextTest, ErrorForTerminalPutsTheHintBelowAndEscapesEveryPart) {
  cordon::Error e = cordon::PlainError("open", "/ws/\x1b[2Kevil", "No such file");
  e.hint = "first line\nsecond \x07 line";
  EXPECT_EQ(cordon::ErrorForTerminal(e, "run: "),
            "cordon: run: open(/ws/\\x1b[2Kevil): No such file\n"
            "  hint: first line\nsecond \\x07 line\n");
  e.hint.clear();
  EXPECT_EQ(cordon::ErrorForTerminal(e), "cordon: open(/ws/\\x1b[2Kevil): No such file\n");
}
