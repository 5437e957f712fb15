// The Windows command line and environment block cordon.exe starts a
// command with: quoting that the C runtime splits back into the same
// arguments (the round trip through a real process runs under Wine:
// tests/windows/container_test.cc), and a block Windows accepts.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sandbox/windows/command_line.h"

namespace cordon::sandbox::windows {
namespace {

TEST(WindowsCommandLine, PlainArgumentsAreJoinedAsTheyAre) {
  EXPECT_EQ(QuoteCommandLine({"git", "status", "--short"}), "git status --short");
  EXPECT_EQ(QuoteCommandLine({"C:\\tools\\x.exe", "a\\b\\"}), "C:\\tools\\x.exe a\\b\\");
}

TEST(WindowsCommandLine, SpacesQuotesAndEmptyArgumentsAreQuoted) {
  EXPECT_EQ(QuoteCommandLine({"echo", "a b"}), "echo \"a b\"");
  EXPECT_EQ(QuoteCommandLine({"echo", ""}), "echo \"\"");
  EXPECT_EQ(QuoteCommandLine({"echo", "a\"b"}), "echo \"a\\\"b\"");
  EXPECT_EQ(QuoteCommandLine({"echo", "tab\there"}), "echo \"tab\there\"");
}

TEST(WindowsCommandLine, BackslashesAreDoubledOnlyBeforeAQuote) {
  // A trailing backslash would escape the closing quote.
  EXPECT_EQ(QuoteCommandLine({"a b\\"}), "\"a b\\\\\"");
  // Backslashes before an embedded quote: doubled, plus the quote's own.
  EXPECT_EQ(QuoteCommandLine({"a\\\"b c"}), "\"a\\\\\\\"b c\"");
  // Elsewhere they stay single.
  EXPECT_EQ(QuoteCommandLine({"C:\\Program Files\\x"}), "\"C:\\Program Files\\x\"");
}

TEST(WindowsEnvironmentBlock, SortedWithoutCaseOneEntryPerNameDoubleNulEnded) {
  const std::string block = EnvironmentBlock(
      {"Path=C:\\bin", "TEMP=C:\\t", "alpha=1", "PATH=C:\\other", "novalue", "=C:=C:\\"});
  EXPECT_EQ(block, std::string("alpha=1\0Path=C:\\bin\0TEMP=C:\\t\0\0", 31));
}

TEST(WindowsEnvironmentBlock, AnEmptyBlockIsTwoNuls) {
  EXPECT_EQ(EnvironmentBlock({}), std::string("\0\0", 2));
}

}  // namespace
}  // namespace cordon::sandbox::windows
