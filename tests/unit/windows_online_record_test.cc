// The online identity's record (sandbox/windows/online_record.h): the
// format setup writes, read back equal; every malformed record refused,
// naming the line, with `cordon setup` as the repair; --proxy-port values.
#include <gtest/gtest.h>

#include <string>

#include "sandbox/windows/online_record.h"

namespace cordon::sandbox::windows {
namespace {

TEST(WindowsOnlineRecord, RoundTrip) {
  const OnlineRecord record{"127.0.0.1", 47128, 47143};
  const std::string text = FormatOnlineRecord(record);
  EXPECT_EQ(text, "cordon online 2\nproxy 127.0.0.1:47128-47143\n");
  Result<OnlineRecord> back = ParseOnlineRecord(text, "online");
  ASSERT_TRUE(back.ok()) << back.error().Describe();
  EXPECT_EQ(back.value(), record);
  // Written by a Windows editor: CRLF is taken. A range of one is a range.
  back = ParseOnlineRecord("cordon online 2\r\nproxy 127.0.0.1:1-1\r\n", "online");
  ASSERT_TRUE(back.ok()) << back.error().Describe();
  EXPECT_EQ(back.value(), (OnlineRecord{"127.0.0.1", 1, 1}));
  EXPECT_EQ(OnlineRecord{}.first_port, kDefaultProxyPort);
  EXPECT_EQ(OnlineRecord{}.last_port, kDefaultProxyPort + kProxyPortCount - 1);
  EXPECT_EQ(OnlineRecord{}.RangeText(), "127.0.0.1:47128-47143");
}

TEST(WindowsOnlineRecord, SetupTakesSixteenPortsFromTheFirst) {
  Result<OnlineRecord> r = RecordFrom(47128);
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  EXPECT_EQ(r.value(), (OnlineRecord{"127.0.0.1", 47128, 47143}));
  r = RecordFrom(65535 - kProxyPortCount + 1);
  ASSERT_TRUE(r.ok()) << r.error().Describe();
  EXPECT_EQ(r.value().last_port, 65535);
  // The range would pass 65535: refused, naming the highest first port.
  r = RecordFrom(65535 - kProxyPortCount + 2);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().Describe().find("1 to 65520"), std::string::npos) << r.error().Describe();
  EXPECT_FALSE(RecordFrom(0).ok());
}

TEST(WindowsOnlineRecord, MalformedRecordsAreRefused) {
  const struct {
    const char* text;
    const char* names;
  } cases[] = {
      {"", "not a record of this cordon version"},
      {"cordon online 3\nproxy 127.0.0.1:47128-47143\n", "not a record of this cordon version"},
      // An older cordon's single port: setup again (its filters permit one
      // port with FWP_MATCH_EQUAL, not the range).
      {"cordon online 1\nproxy 127.0.0.1:47128\n", "written by an older cordon: one proxy port"},
      {"cordon online 2\nproxy 127.0.0.1:47128-47143", "torn write"},
      {"cordon online 2\nproxy 127.0.0.1:47128-47143\nproxy 127.0.0.1:1-2\n", "not a record"},
      {"cordon online 2\nport 47128\n", "line 2: expected \"proxy ADDRESS:FIRST-LAST\""},
      {"cordon online 2\nproxy 127.0.0.1\n", "line 2: expected"},
      {"cordon online 2\nproxy 127.0.0.1:47128\n", "line 2: expected"},
      {"cordon online 2\nproxy 10.0.0.1:47128-47143\n", "10.0.0.1 is not 127.0.0.1"},
      {"cordon online 2\nproxy 127.0.0.2:47128-47143\n", "127.0.0.2 is not 127.0.0.1"},
      {"cordon online 2\nproxy [::1]:47128-47143\n", "is not 127.0.0.1"},
      {"cordon online 2\nproxy 127.0.0.1:0-15\n", "line 2: not a port"},
      {"cordon online 2\nproxy 127.0.0.1:65530-65536\n", "line 2: not a port"},
      {"cordon online 2\nproxy 127.0.0.1:+80-90\n", "line 2: not a port"},
      {"cordon online 2\nproxy 127.0.0.1:47143-47128\n", "ends before it starts"},
      {"cordon online 2\nproxy 127.0.0.1:1000-1064\n", "spans more than 64 ports"},
  };
  for (const auto& c : cases) {
    Result<OnlineRecord> r = ParseOnlineRecord(c.text, "C:/state/cordon/online");
    ASSERT_FALSE(r.ok()) << c.text;
    const std::string why = r.error().Describe();
    EXPECT_NE(why.find(c.names), std::string::npos) << why;
    EXPECT_NE(why.find("C:/state/cordon/online"), std::string::npos) << why;
    EXPECT_NE(r.error().hint.find("cordon setup"), std::string::npos) << why;
  }
  // The widest range taken: 64 ports.
  EXPECT_TRUE(ParseOnlineRecord("cordon online 2\nproxy 127.0.0.1:1000-1063\n", "x").ok());
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
