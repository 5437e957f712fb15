// The online identity's record (sandbox/windows/online_record.h): the
// format setup writes, read back equal; every malformed record refused,
// naming the line, with `cordon setup` as the repair; --proxy-port values.
#include <gtest/gtest.h>

#include <string>

#include "sandbox/windows/online_record.h"

namespace cordon::sandbox::windows {
namespace {

TEST(WindowsOnlineRecord, RoundTrip) {
  const OnlineRecord record{"127.0.0.1", 47128};
  const std::string text = FormatOnlineRecord(record);
  EXPECT_EQ(text, "cordon online 1\nproxy 127.0.0.1:47128\n");
  Result<OnlineRecord> back = ParseOnlineRecord(text, "online");
  ASSERT_TRUE(back.ok()) << back.error().Describe();
  EXPECT_EQ(back.value(), record);
  // Written by a Windows editor: CRLF is taken.
  back = ParseOnlineRecord("cordon online 1\r\nproxy 127.0.0.1:1\r\n", "online");
  ASSERT_TRUE(back.ok()) << back.error().Describe();
  EXPECT_EQ(back.value(), (OnlineRecord{"127.0.0.1", 1}));
  EXPECT_EQ(OnlineRecord{}.port, kDefaultProxyPort);
}

TEST(WindowsOnlineRecord, MalformedRecordsAreRefused) {
  const struct {
    const char* text;
    const char* names;
  } cases[] = {
      {"", "not a record of this cordon version"},
      {"cordon online 2\nproxy 127.0.0.1:47128\n", "not a record of this cordon version"},
      {"cordon online 1\nproxy 127.0.0.1:47128", "torn write"},
      {"cordon online 1\nproxy 127.0.0.1:47128\nproxy 127.0.0.1:1\n", "not a record"},
      {"cordon online 1\nport 47128\n", "line 2: expected \"proxy ADDRESS:PORT\""},
      {"cordon online 1\nproxy 127.0.0.1\n", "line 2: expected"},
      {"cordon online 1\nproxy 10.0.0.1:47128\n", "10.0.0.1 is not 127.0.0.1"},
      {"cordon online 1\nproxy 127.0.0.2:47128\n", "127.0.0.2 is not 127.0.0.1"},
      {"cordon online 1\nproxy [::1]:47128\n", "is not 127.0.0.1"},
      {"cordon online 1\nproxy 127.0.0.1:0\n", "line 2: not a port"},
      {"cordon online 1\nproxy 127.0.0.1:65536\n", "line 2: not a port"},
      {"cordon online 1\nproxy 127.0.0.1:+80\n", "line 2: not a port"},
  };
  for (const auto& c : cases) {
    Result<OnlineRecord> r = ParseOnlineRecord(c.text, "C:/state/cordon/online");
    ASSERT_FALSE(r.ok()) << c.text;
    const std::string why = r.error().Describe();
    EXPECT_NE(why.find(c.names), std::string::npos) << why;
    EXPECT_NE(why.find("C:/state/cordon/online"), std::string::npos) << why;
    EXPECT_NE(r.error().hint.find("cordon setup"), std::string::npos) << why;
  }
}

TEST(WindowsOnlineRecord, ProxyPortValues) {
  EXPECT_EQ(ParseProxyPort("1").value(), 1);
  EXPECT_EQ(ParseProxyPort("65535").value(), 65535);
  for (const char* bad : {"", "0", "65536", "123456", "-1", "80x", " 80"}) {
    EXPECT_FALSE(ParseProxyPort(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cordon::sandbox::windows
