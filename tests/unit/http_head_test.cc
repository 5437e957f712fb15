// HTTP heads: CONNECT and absolute-form requests, the strictness that keeps
// request smuggling out, the upstream head, responses, chunked framing.
#include "proxy/http_head.h"

#include <gtest/gtest.h>

namespace cordon::proxy {
namespace {

constexpr size_t kMax = 16384;

RequestHead Ok(std::string_view text, size_t* consumed = nullptr) {
  RequestParse r = ParseRequestHead(text, kMax);
  EXPECT_EQ(r.state, Parse::kDone) << text << " -> " << r.status << " " << r.reason;
  if (consumed != nullptr) {
    *consumed = r.consumed;
  }
  return r.head;
}

// The status of a rejected head (0 when it was not rejected).
int Status(std::string_view text, size_t max = kMax) {
  RequestParse r = ParseRequestHead(text, max);
  EXPECT_EQ(r.state, Parse::kError) << text;
  EXPECT_FALSE(r.reason.empty());
  return r.state == Parse::kError ? r.status : 0;
}

std::string Get(std::string_view headers) {
  return "GET http://example.com/ HTTP/1.1\r\nHost: example.com\r\n" + std::string(headers) +
         "\r\n";
}

TEST(ParseRequestHead, Connect) {
  size_t consumed = 0;
  std::string text = "CONNECT Example.COM.:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\nTLS...";
  RequestHead h = Ok(text, &consumed);
  EXPECT_EQ(consumed, text.size() - 6);
  EXPECT_EQ(h.method, "CONNECT");
  EXPECT_EQ(h.host, "example.com");
  EXPECT_EQ(h.port, 443);
  EXPECT_EQ(h.origin_form, "");
  EXPECT_EQ(h.body, RequestHead::Body::kNone);
  EXPECT_TRUE(h.keep_alive);

  h = Ok("CONNECT [2001:DB8::1]:8443 HTTP/1.0\r\n\r\n");
  EXPECT_EQ(h.host, "2001:db8::1");
  EXPECT_EQ(h.port, 8443);
  EXPECT_FALSE(h.keep_alive);  // HTTP/1.0 without keep-alive
  EXPECT_EQ(Ok("CONNECT 1.2.3.4:22 HTTP/1.1\r\n\r\n").host, "1.2.3.4");

  for (const char* bad :
       {"CONNECT example.com HTTP/1.1\r\n\r\n", "CONNECT example.com: HTTP/1.1\r\n\r\n",
        "CONNECT example.com:0 HTTP/1.1\r\n\r\n", "CONNECT example.com:70000 HTTP/1.1\r\n\r\n",
        "CONNECT [::1] HTTP/1.1\r\n\r\n", "CONNECT ::1:443 HTTP/1.1\r\n\r\n",
        "CONNECT http://example.com:443 HTTP/1.1\r\n\r\n",
        "CONNECT exa_mple.com:443 HTTP/1.1\r\n\r\n", "CONNECT 2130706433:443 HTTP/1.1\r\n\r\n",
        "CONNECT user@example.com:443 HTTP/1.1\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 5\r\n\r\n",
        "CONNECT example.com:443 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"}) {
    EXPECT_EQ(Status(bad), 400) << bad;
  }
  EXPECT_EQ(Ok("CONNECT example.com:443 HTTP/1.1\r\nContent-Length: 0\r\n\r\n").port, 443);
}

TEST(ParseRequestHead, AbsoluteForm) {
  RequestHead h = Ok("GET HTTP://Example.com/a/b?c=d HTTP/1.1\r\nHost: example.com\r\n\r\n");
  EXPECT_EQ(h.host, "example.com");
  EXPECT_EQ(h.port, 80);
  EXPECT_EQ(h.origin_form, "/a/b?c=d");
  EXPECT_EQ(h.target, "HTTP://Example.com/a/b?c=d");
  EXPECT_EQ(Ok("GET http://example.com HTTP/1.1\r\nHost: x\r\n\r\n").origin_form, "/");
  EXPECT_EQ(Ok("GET http://example.com?q HTTP/1.1\r\nHost: x\r\n\r\n").origin_form, "/?q");
  h = Ok("POST http://[::1]:8080/x HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n");
  EXPECT_EQ(h.host, "::1");
  EXPECT_EQ(h.port, 8080);
  h = Ok("GET http://10.0.0.1:81/ HTTP/1.0\r\n\r\n");  // HTTP/1.0 needs no Host
  EXPECT_EQ(h.host, "10.0.0.1");
  EXPECT_EQ(h.port, 81);
}

TEST(ParseRequestHead, NotAProxyRequest) {
  RequestParse r = ParseRequestHead("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n", kMax);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.reason.find("not a proxy request"), std::string::npos);
  r = ParseRequestHead("GET https://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n", kMax);
  EXPECT_EQ(r.status, 400);
  EXPECT_NE(r.reason.find("CONNECT"), std::string::npos);
  EXPECT_EQ(Status("OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET ftp://example.com/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://user:pw@example.com/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://example.com/#frag HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http:///path HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://bücher.example/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://example.com:/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://ex%61mple.com/ HTTP/1.1\r\nHost: x\r\n\r\n"), 400);
}

TEST(ParseRequestHead, Versions) {
  EXPECT_EQ(Status("GET http://a.com/ HTTP/2.0\r\nHost: a.com\r\n\r\n"), 505);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/0.9\r\n\r\n"), 505);
  EXPECT_EQ(Status("CONNECT a.com:443 HTTP/3\r\n\r\n"), 505);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1x\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/ http/1.1\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/\r\n\r\n"), 400);
}

TEST(ParseRequestHead, RequestLineShape) {
  EXPECT_EQ(Status("GET  http://a.com/ HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/  HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1 \r\n\r\n"), 400);
  EXPECT_EQ(Status("GET\thttp://a.com/ HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(Status("G(T http://a.com/ HTTP/1.1\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/\x7f HTTP/1.1\r\n\r\n"), 400);
  // Empty lines before the request line are ignored (RFC 9112 §2.2).
  EXPECT_EQ(Ok("\r\n\r\nGET http://a.com/ HTTP/1.1\r\nHost: a.com\r\n\r\n").host, "a.com");
}

TEST(ParseRequestHead, Incomplete) {
  std::string full = Get("Accept: */*\r\n");
  for (size_t n = 0; n < full.size(); ++n) {
    RequestParse r = ParseRequestHead(full.substr(0, n), kMax);
    EXPECT_EQ(r.state, Parse::kIncomplete) << n;
  }
  EXPECT_EQ(ParseRequestHead(full, kMax).state, Parse::kDone);
}

TEST(ParseRequestHead, ErrorsAreReportedBeforeTheHeadIsComplete) {
  // A client must not be able to park a bad head by sending it slowly.
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\nHost"), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/9.9\r\nHo"), 505);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\n fold"), 400);
  EXPECT_EQ(Status(std::string_view("GET http://a\0", 13)), 400);
}

TEST(ParseRequestHead, Limits) {
  std::string long_target = "GET http://a.com/" + std::string(kMaxRequestLine, 'x');
  EXPECT_EQ(Status(long_target), 414);  // even before the line ends
  EXPECT_EQ(Status(long_target + " HTTP/1.1\r\nHost: a.com\r\n\r\n"), 414);
  // A smaller head limit bounds the request line too.
  EXPECT_EQ(Status("GET http://a.com/" + std::string(100, 'x') + " HTTP/1.1\r\n\r\n", 64), 414);
  std::string big = Get("X-Big: " + std::string(kMax, 'y') + "\r\n");
  EXPECT_EQ(Status(big), 431);
  EXPECT_EQ(Status(big.substr(0, kMax + 10)), 431);  // before the head ends
  std::string many = "GET http://a.com/ HTTP/1.1\r\nHost: a.com\r\n";
  while (many.size() < kMax) {
    many += "X-A: b\r\n";
  }
  EXPECT_EQ(Status(many), 431);
  // Exactly at the limit is fine.
  std::string exact = Get("");
  EXPECT_EQ(ParseRequestHead(exact, exact.size()).state, Parse::kDone);
  EXPECT_EQ(ParseRequestHead(exact, exact.size() - 1).state, Parse::kError);
}

TEST(ParseRequestHead, StrictLineEndingsAndCharacters) {
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\nHost: a.com\n\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\nHost: a.com\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\nHost: a.com\r\n\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\nHost: a.com\rX: y\r\n\r\n"), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\nHost: a.com\r\nX: a\x01z\r\n\r\n"), 400);
  EXPECT_EQ(Status(std::string_view("GET http://a.com/ HTTP/1.1\r\nX: a\0b\r\n\r\n", 39)), 400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\nHost: a.com\r\nX: a\x7f\r\n\r\n"), 400);
  // obs-text (bytes >= 0x80) is allowed in values.
  EXPECT_EQ(Ok(Get("X: caf\xc3\xa9\r\n")).headers.back().second, "caf\xc3\xa9");
}

TEST(ParseRequestHead, HeaderNames) {
  EXPECT_EQ(Status(Get("Bad Name: x\r\n")), 400);
  EXPECT_EQ(Status(Get("X-Space : x\r\n")), 400);  // whitespace before the colon
  EXPECT_EQ(Status(Get(": x\r\n")), 400);
  EXPECT_EQ(Status(Get("NoColon\r\n")), 400);
  EXPECT_EQ(Status(Get("X(y): x\r\n")), 400);
  EXPECT_EQ(Status(Get(" Continued: x\r\n")), 400);  // obs-fold
  EXPECT_EQ(Status(Get("X: a\r\n\tfolded\r\n")), 400);
  RequestHead h = Ok(Get("X-Trim: \t  v a l  \t\r\nX-Empty:\r\n"));
  ASSERT_EQ(h.headers.size(), 3u);
  EXPECT_EQ(h.headers[1], (std::pair<std::string, std::string>{"X-Trim", "v a l"}));
  EXPECT_EQ(h.headers[2].second, "");
}

TEST(ParseRequestHead, BodyFraming) {
  RequestHead h = Ok(Get("Content-Length: 42\r\n"));
  EXPECT_EQ(h.body, RequestHead::Body::kLength);
  EXPECT_EQ(h.content_length, 42u);
  EXPECT_EQ(Ok(Get("Content-Length: 0\r\n")).body, RequestHead::Body::kNone);
  EXPECT_EQ(Ok(Get("Transfer-Encoding: Chunked\r\n")).body, RequestHead::Body::kChunked);
  EXPECT_EQ(Ok(Get("")).body, RequestHead::Body::kNone);
  EXPECT_EQ(Ok(Get("Content-Length: 18446744073709551615\r\n")).content_length,
            18446744073709551615u);
}

TEST(ParseRequestHead, SmugglingVectorsAreRejected) {
  for (const char* bad : {
           "Content-Length: 42\r\nContent-Length: 42\r\n",  // duplicate, even if equal
           "Content-Length: 42\r\nContent-Length: 7\r\n",
           "Content-Length: 42, 42\r\n",
           "Content-Length: +42\r\n",
           "Content-Length: -1\r\n",
           "Content-Length: 0x10\r\n",
           "Content-Length: 4 2\r\n",
           "Content-Length:\r\n",
           "Content-Length: 18446744073709551616\r\n",  // overflow
           "Transfer-Encoding: chunked\r\nContent-Length: 5\r\n",
           "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: gzip\r\n",
           "Transfer-Encoding: gzip, chunked\r\n",
           "Transfer-Encoding: chunked, chunked\r\n",
           "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n",
           "Transfer-Encoding: xchunked\r\n",
           "Transfer-Encoding: \"chunked\"\r\n",
           "Transfer-Encoding\t: chunked\r\n",
           "Host: b.com\r\n",  // a second Host
       }) {
    EXPECT_EQ(Status(Get(bad)), 400) << bad;
  }
  EXPECT_EQ(Status("POST http://a.com/ HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
            400);
  EXPECT_EQ(Status("GET http://a.com/ HTTP/1.1\r\n\r\n"), 400);  // HTTP/1.1 needs Host
}

TEST(ParseRequestHead, KeepAlive) {
  EXPECT_TRUE(Ok(Get("")).keep_alive);
  EXPECT_FALSE(Ok(Get("Connection: close\r\n")).keep_alive);
  EXPECT_FALSE(Ok(Get("Connection: Keep-Alive, CLOSE\r\n")).keep_alive);
  EXPECT_FALSE(Ok(Get("Proxy-Connection: close\r\n")).keep_alive);
  EXPECT_FALSE(Ok("GET http://a.com/ HTTP/1.0\r\n\r\n").keep_alive);
  EXPECT_TRUE(Ok("GET http://a.com/ HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").keep_alive);
  EXPECT_TRUE(Ok("GET http://a.com/ HTTP/1.0\r\nProxy-Connection: Keep-Alive\r\n\r\n").keep_alive);
}

TEST(ParseRequestHead, PipelinedRequestsAreSeparate) {
  std::string two = Get("") + "GET http://b.com/ HTTP/1.1\r\nHost: b.com\r\n\r\n";
  size_t consumed = 0;
  EXPECT_EQ(Ok(two, &consumed).host, "example.com");
  EXPECT_EQ(Ok(std::string_view(two).substr(consumed)).host, "b.com");
}

TEST(UpstreamHead, OriginFormHostAndHopByHop) {
  RequestHead h =
      Ok("POST http://Example.com:8080/p?q=1 HTTP/1.1\r\n"
         "Host: evil.example\r\n"
         "Connection: keep-alive, X-Secret, Content-Length\r\n"
         "Proxy-Connection: keep-alive\r\n"
         "Proxy-Authorization: Basic abc\r\n"
         "Keep-Alive: timeout=5\r\n"
         "TE: trailers\r\n"
         "Trailer: X-T\r\n"
         "Upgrade: websocket\r\n"
         "X-Secret: 1\r\n"
         "Content-Length: 3\r\n"
         "User-Agent: curl/8\r\n\r\n");
  EXPECT_EQ(UpstreamHead(h),
            "POST /p?q=1 HTTP/1.1\r\n"
            "Host: example.com:8080\r\n"
            "Content-Length: 3\r\n"
            "User-Agent: curl/8\r\n"
            "Connection: close\r\n\r\n");
}

TEST(UpstreamHead, DefaultPortIpv6AndVersion) {
  EXPECT_EQ(UpstreamHead(Ok("GET http://a.com/ HTTP/1.0\r\n\r\n")),
            "GET / HTTP/1.0\r\nHost: a.com\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(UpstreamHead(Ok("GET http://[::1]:81/ HTTP/1.1\r\nHost: x\r\n\r\n")),
            "GET / HTTP/1.1\r\nHost: [::1]:81\r\nConnection: close\r\n\r\n");
  // The rewritten head parses as an origin-form request with the same framing.
  RequestHead h = Ok(Get("Transfer-Encoding: chunked\r\nConnection: transfer-encoding\r\n"));
  EXPECT_NE(UpstreamHead(h).find("Transfer-Encoding: chunked\r\n"), std::string::npos);
}

ResponseParse Resp(std::string_view text, bool head = false) {
  return ParseResponseHead(text, kMax, head);
}

TEST(ParseResponseHead, BodyKinds) {
  ResponseParse r = Resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhello");
  ASSERT_EQ(r.state, Parse::kDone);
  EXPECT_EQ(r.head.status, 200);
  EXPECT_EQ(r.head.body, ResponseHead::Body::kLength);
  EXPECT_EQ(r.head.content_length, 5u);
  EXPECT_EQ(r.consumed, 38u);
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\n").head.content_length, 5u);
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n").head.body,
            ResponseHead::Body::kNone);
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n").head.body,
            ResponseHead::Body::kChunked);
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n").head.body,
            ResponseHead::Body::kChunked);
  EXPECT_EQ(
      Resp("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nTransfer-Encoding: chunked\r\n\r\n").head.body,
      ResponseHead::Body::kChunked);
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n").head.body,
            ResponseHead::Body::kUntilClose);
  EXPECT_EQ(Resp("HTTP/1.0 200 OK\r\n\r\n").head.body, ResponseHead::Body::kUntilClose);
  EXPECT_EQ(Resp("HTTP/1.1 200\r\n\r\n").head.status, 200);  // no reason phrase
  EXPECT_EQ(Resp("HTTP/1.1 404 \r\n\r\n").head.status, 404);
}

TEST(ParseResponseHead, NoBody) {
  for (const char* s : {"HTTP/1.1 204 No Content\r\nContent-Length: 5\r\n\r\n",
                        "HTTP/1.1 304 Not Modified\r\nTransfer-Encoding: chunked\r\n\r\n",
                        "HTTP/1.1 100 Continue\r\n\r\n", "HTTP/1.1 103 Early Hints\r\n\r\n"}) {
    EXPECT_EQ(Resp(s).head.body, ResponseHead::Body::kNone) << s;
  }
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n", true).head.body,
            ResponseHead::Body::kNone);
  EXPECT_EQ(Resp("HTTP/1.1 101 Switching\r\n\r\n").head.body, ResponseHead::Body::kUntilClose);
}

TEST(ParseResponseHead, Errors) {
  for (const char* bad :
       {"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length:\r\n\r\n", "HTTP/2 200 OK\r\n\r\n",
        "HTTP/1.1 20 OK\r\n\r\n", "HTTP/1.1 2000 OK\r\n\r\n", "HTTP/1.1 099 X\r\n\r\n",
        "HTTP/1.1 600 X\r\n\r\n", "HTTP/1.1 200 OK\nContent-Length: 1\n\n",
        "HTTP/1.1 200 OK\r\n folded\r\n\r\n", "ICY 200 OK\r\n\r\n"}) {
    EXPECT_EQ(Resp(bad).state, Parse::kError) << bad;
  }
  EXPECT_EQ(Resp("HTTP/1.1 200 OK\r\nContent-Le").state, Parse::kIncomplete);
  std::string big = "HTTP/1.1 200 OK\r\nX: " + std::string(kMax, 'a');
  EXPECT_EQ(Resp(big).state, Parse::kError);
}

// Feeds `body` to a tracker in pieces of `step` bytes; returns the bytes the
// body used, or -1 on error.
long FeedAll(std::string_view body, size_t step, bool* done) {
  ChunkedTracker t;
  size_t used = 0;
  while (used < body.size() && !t.done() && !t.error()) {
    std::string_view piece = body.substr(used, step);
    size_t n = t.Feed(piece);
    used += n;
    if (n < piece.size()) {
      break;
    }
  }
  *done = t.done();
  return t.error() ? -1 : static_cast<long>(used);
}

TEST(ChunkedTracker, FindsTheEndInAnySplit) {
  const std::string body =
      "5\r\nhello\r\n1A;name=val;x\r\nabcdefghijklmnopqrstuvwxyz\r\n0\r\nX-T: 1\r\n\r\n";
  const std::string next = "GET http://a.com/ HTTP/1.1\r\n";
  for (size_t step = 1; step <= body.size() + next.size(); ++step) {
    bool done = false;
    EXPECT_EQ(FeedAll(body + next, step, &done), static_cast<long>(body.size())) << step;
    EXPECT_TRUE(done) << step;
  }
  bool done = false;
  EXPECT_EQ(FeedAll("0\r\n\r\n", 100, &done), 5);
  EXPECT_TRUE(done);
  EXPECT_EQ(FeedAll("000\r\n\r\nX", 100, &done), 7);
  EXPECT_EQ(FeedAll("a ; ext\r\n0123456789\r\n0\r\n\r\n", 100, &done), 26);
  EXPECT_TRUE(done);
  // Incomplete: all bytes belong to the body, not done yet.
  EXPECT_EQ(FeedAll("5\r\nhel", 100, &done), 6);
  EXPECT_FALSE(done);
}

TEST(ChunkedTracker, LargeChunksWithoutCopying) {
  ChunkedTracker t;
  EXPECT_EQ(t.Feed("40000000\r\n"), 10u);  // 1 GiB, fed 1 MiB at a time
  std::string block(1 << 20, 'x');
  for (int i = 0; i < 1023; ++i) {
    ASSERT_EQ(t.Feed(block), block.size());
  }
  // The last block carries the end of the body and the next message.
  std::string last = block + "\r\n0\r\n\r\nrest";
  EXPECT_EQ(t.Feed(last), last.size() - 4);
  EXPECT_TRUE(t.done());
  EXPECT_EQ(t.Feed("more"), 0u);
}

TEST(ChunkedTracker, MalformedBodies) {
  for (const char* bad : {
           "\r\n",                   // no size
           "x\r\n",                  // not hex
           "0x5\r\nhello\r\n",       // no 0x prefix
           "-1\r\n",                 //
           "5\nhello\r\n",           // bare LF
           "5\r\nhelloX\r\n",        // data longer than the size
           "5\r\nhello\n0\r\n\r\n",  // bare LF after data
           "5 x\r\n",                // junk after BWS
           "5 \r\n",                 // BWS without an extension
           "5;a\x01\r\n",            // control character in an extension
           "0\r\nX-T: 1\n\r\n",      // bare LF in a trailer
           "0\r\n X: 1\r\n\r\n",     // folded trailer
           "0\r\n\rX",               // CR not followed by LF
           "10000000000000000\r\n",  // 2^64: overflow
       }) {
    bool done = false;
    EXPECT_EQ(FeedAll(bad, 100, &done), -1) << bad;
    EXPECT_FALSE(done) << bad;
  }
  bool done = false;
  EXPECT_EQ(FeedAll("ffffffffffffffff\r\n", 100, &done), 18);  // 2^64-1 is fine
  std::string ext = "1;" + std::string(ChunkedTracker::kMaxLineBytes, 'e') + "\r\n";
  EXPECT_EQ(FeedAll(ext, 100, &done), -1);
  std::string trailers = "0\r\n";
  while (trailers.size() < ChunkedTracker::kMaxTrailerBytes + 100) {
    trailers += "X-T: 1\r\n";
  }
  EXPECT_EQ(FeedAll(trailers, 100, &done), -1);
}

TEST(DenyResponse, WellFormedAndClosing) {
  std::string r = DenyResponse(403, "cordon: example.com is not allowed\n");
  EXPECT_EQ(r,
            "HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\n"
            "Content-Length: 35\r\nConnection: close\r\n\r\n"
            "cordon: example.com is not allowed\n");
  ResponseParse p = ParseResponseHead(r, kMax, false);
  ASSERT_EQ(p.state, Parse::kDone);
  EXPECT_EQ(p.head.status, 403);
  EXPECT_EQ(p.head.content_length, 35u);
  EXPECT_EQ(r.size() - p.consumed, 35u);
  EXPECT_EQ(DenyResponse(505, "").find("HTTP/1.1 505 HTTP Version Not Supported\r\n"), 0u);
  EXPECT_EQ(DenyResponse(431, "x").find("HTTP/1.1 431 Request Header Fields Too Large\r\n"), 0u);
  EXPECT_EQ(DenyResponse(599, "x").find("HTTP/1.1 599 Error\r\n"), 0u);
}

}  // namespace
}  // namespace cordon::proxy
