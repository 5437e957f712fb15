// The JSON-RPC layer of `cordon mcp` with hand-written messages: line
// splitting, the size limit, malformed and unknown messages.
#include <gtest/gtest.h>

#include "mcp/jsonrpc.h"
#include "mcp/runner.h"

namespace cordon::mcp {
namespace {

using Kind = Message::Kind;

TEST(LineReader, SplitsLinesAcrossFeedsAndDropsCrAndBlankLines) {
  LineReader r(100);
  std::vector<LineReader::Item> items;
  r.Feed("{\"a\":", &items);
  EXPECT_TRUE(items.empty());
  r.Feed("1}\r\n\n{\"b\":2}\n{\"c\"", &items);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].line, "{\"a\":1}");
  EXPECT_EQ(items[1].line, "{\"b\":2}");
}

TEST(LineReader, AnOversizedLineIsReportedOnceAndSkipped) {
  LineReader r(10);
  std::vector<LineReader::Item> items;
  r.Feed(std::string(8, 'x'), &items);
  r.Feed(std::string(8, 'y'), &items);
  r.Feed(std::string(100, 'z'), &items);
  r.Feed("\n{}\n", &items);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0].kind, LineReader::Item::Kind::kOversized);
  EXPECT_EQ(items[1].kind, LineReader::Item::Kind::kLine);
  EXPECT_EQ(items[1].line, "{}");
}

TEST(ParseMessage, RequestsNotificationsAndResponses) {
  Message m = ParseMessage(R"({"jsonrpc":"2.0","id":7,"method":"tools/list","params":{}})");
  EXPECT_EQ(m.kind, Kind::kRequest);
  EXPECT_EQ(m.id, 7);
  EXPECT_EQ(m.method, "tools/list");
  m = ParseMessage(
      R"({"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"a"}})");
  EXPECT_EQ(m.kind, Kind::kNotification);
  m = ParseMessage(R"({"jsonrpc":"2.0","id":"e1","result":{"action":"accept"}})");
  EXPECT_EQ(m.kind, Kind::kResponse);
  EXPECT_EQ(m.result["action"], "accept");
  m = ParseMessage(R"({"jsonrpc":"2.0","id":"e1","error":{"code":-1,"message":"no"}})");
  EXPECT_EQ(m.kind, Kind::kResponse);
}

TEST(ParseMessage, MalformedInputGetsTheRightErrorCode) {
  struct Case {
    const char* line;
    int code;
  } cases[] = {
      {"{not json", kParseError},
      {"\"\\xff\"", kParseError},
      {"[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]", kInvalidRequest},
      {"42", kInvalidRequest},
      {R"({"id":1,"method":"ping"})", kInvalidRequest},
      {R"({"jsonrpc":"1.0","id":1,"method":"ping"})", kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":{"x":1},"method":"ping"})", kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})", kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1,"method":3})", kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})", kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1})", kInvalidRequest},
      {R"({"jsonrpc":"2.0","id":1,"result":1,"error":{}})", kInvalidRequest},
  };
  for (const Case& c : cases) {
    Message m = ParseMessage(c.line);
    EXPECT_EQ(m.kind, Kind::kInvalid) << c.line;
    EXPECT_EQ(m.error_code, c.code) << c.line;
  }
  // The id is echoed when it could be read.
  EXPECT_EQ(ParseMessage(R"({"jsonrpc":"1.0","id":"q","method":"ping"})").id, "q");
}

TEST(Encode, RepliesAreSingleLinesEvenWithInvalidUtf8) {
  std::string e = EncodeError(5, kMethodNotFound, "Method not found: \xff\n");
  EXPECT_EQ(e.find('\n'), e.size() - 1);
  Message back = ParseMessage(e.substr(0, e.size() - 1));
  EXPECT_EQ(back.kind, Kind::kResponse);
  EXPECT_EQ(back.error["code"], kMethodNotFound);
}

TEST(Captured, KeepsHeadAndTailAndSaysWhatWasCut) {
  Captured c;
  for (int i = 0; i < 100; ++i) c.Append(std::string(100, static_cast<char>('a' + i % 26)), 1000);
  EXPECT_EQ(c.total, 10000u);
  EXPECT_TRUE(c.truncated());
  std::string t = c.Text();
  EXPECT_EQ(t.substr(0, 3), "aaa");
  EXPECT_NE(t.find("10000 bytes written, 9000 bytes cut"), std::string::npos) << t;
  Captured small;
  small.Append("hello", 1000);
  EXPECT_FALSE(small.truncated());
  EXPECT_EQ(small.Text(), "hello");
}

}  // namespace
}  // namespace cordon::mcp
