// The framing of HTTP forwarding: which bytes of a request body and of a
// response belong to the current exchange (and which are the next one's),
// 1xx interim heads, HEAD, the end by the server's close, and when a
// connection may carry another request.
#include "proxy/forwarder.h"

#include <gtest/gtest.h>

namespace cordon::proxy {
namespace {

constexpr size_t kMax = 16384;

Forwarder Started(std::string_view head_text, std::string* upstream_head = nullptr) {
  RequestParse r = ParseRequestHead(head_text, kMax);
  EXPECT_EQ(r.state, Parse::kDone) << head_text;
  Forwarder f;
  f.request = r.head;
  std::string head = f.Start();
  if (upstream_head != nullptr) *upstream_head = head;
  return f;
}

TEST(Forwarder, StartSendsTheOriginFormHead) {
  std::string head;
  Forwarder f = Started("GET http://example.com/a?b HTTP/1.1\r\nHost: example.com\r\n\r\n", &head);
  EXPECT_EQ(head.rfind("GET /a?b HTTP/1.1\r\n", 0), 0u) << head;
  EXPECT_TRUE(f.request_done);  // no body
}

TEST(Forwarder, ContentLengthBodyStopsAtItsLength) {
  Forwarder f = Started(
      "POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\nContent-Length: 5\r\n\r\n");
  EXPECT_FALSE(f.request_done);
  std::string in = "abc";
  std::string out;
  EXPECT_EQ(f.MoveRequestBody(in, out), 3u);
  EXPECT_FALSE(f.request_done);
  in = "deGET next";
  EXPECT_EQ(f.MoveRequestBody(in, out), 2u);
  EXPECT_TRUE(f.request_done);
  EXPECT_EQ(out, "abcde");
  EXPECT_EQ(in, "GET next");  // the next request stays for its own head
  EXPECT_EQ(f.MoveRequestBody(in, out), 0u);
}

TEST(Forwarder, ChunkedBodyEndsAtTheLastChunkAndRejectsGarbage) {
  const std::string head =
      "POST http://example.com/ HTTP/1.1\r\nHost: example.com\r\nTransfer-Encoding: "
      "chunked\r\n\r\n";
  Forwarder f = Started(head);
  std::string in = "3\r\nabc\r\n0\r\n\r\nNEXT";
  std::string out;
  EXPECT_EQ(f.MoveRequestBody(in, out), 13u);
  EXPECT_TRUE(f.request_done);
  EXPECT_EQ(out, "3\r\nabc\r\n0\r\n\r\n");
  EXPECT_EQ(in, "NEXT");

  Forwarder bad = Started(head);
  in = "zz\r\n";
  out.clear();
  EXPECT_EQ(bad.MoveRequestBody(in, out), std::nullopt);
  EXPECT_EQ(out, "");  // nothing of a malformed body goes upstream
}

TEST(Forwarder, ResponseWithLengthInterimHeadAndTrailingBytes) {
  Forwarder f = Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  std::string from = "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nbo";
  std::string to;
  uint64_t moved = 0;
  ASSERT_TRUE(f.MoveResponse(from, to, kMax, &moved));
  EXPECT_TRUE(f.response_head_done);
  EXPECT_FALSE(f.response_done);
  EXPECT_EQ(f.response.status, 200);
  from += "dyEXTRA";
  ASSERT_TRUE(f.MoveResponse(from, to, kMax, &moved));
  EXPECT_TRUE(f.response_done);
  EXPECT_EQ(from, "EXTRA");  // not part of this response: never relayed
  EXPECT_EQ(to.substr(to.size() - 4), "body");
  EXPECT_EQ(moved, to.size());
  EXPECT_TRUE(f.Reusable());
  EXPECT_EQ(f.OnUpstreamEof(), Forwarder::Eof::kDone);
}

TEST(Forwarder, HeadResponseHasNoBody) {
  Forwarder f = Started("HEAD http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  std::string from = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n";
  std::string to;
  uint64_t moved = 0;
  ASSERT_TRUE(f.MoveResponse(from, to, kMax, &moved));
  EXPECT_TRUE(f.response_done);
}

TEST(Forwarder, BodyUntilCloseEndsWithTheServerAndTheConnection) {
  Forwarder f = Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  std::string from = "HTTP/1.1 200 OK\r\n\r\nsome bytes";
  std::string to;
  uint64_t moved = 0;
  ASSERT_TRUE(f.MoveResponse(from, to, kMax, &moved));
  EXPECT_FALSE(f.response_done);
  EXPECT_EQ(f.OnUpstreamEof(), Forwarder::Eof::kDone);
  EXPECT_TRUE(f.response_done);
  EXPECT_FALSE(f.Reusable());
}

TEST(Forwarder, AServerCloseBeforeTheEndIsNamed) {
  Forwarder none = Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(none.OnUpstreamEof(), Forwarder::Eof::kNoResponse);

  Forwarder cut = Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  std::string from = "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc";
  std::string to;
  uint64_t moved = 0;
  ASSERT_TRUE(cut.MoveResponse(from, to, kMax, &moved));
  EXPECT_EQ(cut.OnUpstreamEof(), Forwarder::Eof::kCutShort);
}

TEST(Forwarder, MalformedResponsesAreRefused) {
  Forwarder head = Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  std::string from = "NOT HTTP\r\n\r\n";
  std::string to;
  uint64_t moved = 0;
  EXPECT_FALSE(head.MoveResponse(from, to, kMax, &moved));
  EXPECT_FALSE(head.response_head_done);
  EXPECT_EQ(to, "");

  Forwarder body = Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n\r\n");
  from = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n";
  EXPECT_FALSE(body.MoveResponse(from, to, kMax, &moved));
  EXPECT_TRUE(body.response_head_done);
}

TEST(Forwarder, ConnectionCloseOrAnHttp10RequestIsNotReused) {
  Forwarder f =
      Started("GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\nConnection: close\r\n\r\n");
  std::string from = "HTTP/1.1 204 No Content\r\n\r\n";
  std::string to;
  uint64_t moved = 0;
  ASSERT_TRUE(f.MoveResponse(from, to, kMax, &moved));
  EXPECT_TRUE(f.response_done);
  EXPECT_FALSE(f.Reusable());

  Forwarder old = Started("GET http://example.com/ HTTP/1.0\r\nHost: example.com\r\n\r\n");
  from = "HTTP/1.1 204 No Content\r\n\r\n";
  ASSERT_TRUE(old.MoveResponse(from, to, kMax, &moved));
  EXPECT_FALSE(old.Reusable());
}

}  // namespace
}  // namespace cordon::proxy
