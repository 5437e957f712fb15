// HTTP/1.x message heads for the allowlist proxy: the client's request head
// (CONNECT or absolute-form), the head sent upstream, the upstream's
// response head, chunked body framing, and the proxy's own error responses.
//
// Pure functions over bytes the caller has buffered; nothing here does I/O.
// The request side parses hostile input from inside the sandbox, so it is
// strict where lenience could let two parsers disagree about where a request
// ends (request smuggling): CRLF line endings only, no obs-fold, no NUL or
// other control characters, one Content-Length at most, Transfer-Encoding
// only "chunked" and never together with Content-Length.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proxy/parse.h"

namespace cordon::proxy {

// Longest request line accepted (414 beyond it, or beyond the head limit if
// that is smaller).
inline constexpr size_t kMaxRequestLine = 8192;

struct RequestHead {
  std::string method, target, version;  // version: "HTTP/1.0" or "HTTP/1.1"
  // The destination: for CONNECT the authority, else the absolute-form URL's
  // host (normalized as policy::NormalizeHost does: lower-case, no trailing
  // dot, IPv6 without brackets) and port (80 by default).
  std::string host;
  uint16_t port = 0;
  // Path and query for the upstream request line ("/" at least); empty for
  // CONNECT.
  std::string origin_form;
  // Header fields in order, names as sent, values without surrounding
  // whitespace.
  std::vector<std::pair<std::string, std::string>> headers;
  enum class Body { kNone, kLength, kChunked } body = Body::kNone;
  uint64_t content_length = 0;
  // Whether the client wants its connection kept after this exchange
  // (HTTP/1.1 unless "Connection: close"; HTTP/1.0 only with keep-alive).
  bool keep_alive = true;
};

struct RequestParse {
  Parse state = Parse::kIncomplete;
  size_t consumed = 0;  // kDone: bytes of the head, through the empty line
  int status = 0;       // kError: the status to answer with (400, 414, 431, 505)
  std::string reason;   // kError: what was wrong, for the log and the body
  RequestHead head;
};

// Parses the request head at the start of `buf`. kIncomplete: read more and
// call again with the whole buffer (errors are reported as early as they are
// visible, so a client cannot park a bad head by sending it slowly).
// `max_head_bytes` bounds the whole head, request line included (431).
// Accepted: "CONNECT host:port" / "CONNECT [v6]:port" (port required), and
// any other method with an "http://host[:port]/path" target. https://
// targets, origin-form ("/path") and versions other than HTTP/1.0 and 1.1
// are errors. A Host header that disagrees with the URL is replaced by the
// URL's authority (RFC 9112 §3.2.2) in UpstreamHead.
[[nodiscard]] RequestParse ParseRequestHead(std::string_view buf, size_t max_head_bytes);

// The head to send upstream: "METHOD origin-form VERSION", a Host header
// from the URL, the client's headers minus Host and hop-by-hop fields
// (Connection and the fields it lists, Proxy-Connection, Proxy-Authorization,
// Keep-Alive, TE, Trailer, Upgrade), and "Connection: close": the proxy opens
// one upstream connection per request. Content-Length and Transfer-Encoding
// are kept even when Connection lists them, so the body framing the proxy
// checked is the framing the server sees.
[[nodiscard]] std::string UpstreamHead(const RequestHead& head);

struct ResponseHead {
  int status = 0;
  // kUntilClose: no length given; the body ends when the server closes (and
  // the client connection must be closed after relaying it).
  enum class Body { kNone, kLength, kChunked, kUntilClose } body = Body::kNone;
  uint64_t content_length = 0;
};

struct ResponseParse {
  Parse state = Parse::kIncomplete;
  size_t consumed = 0;
  ResponseHead head;
};

// Parses the upstream's response head at the start of `buf` (at most `max`
// bytes). 1xx, 204, 304 and responses to HEAD have no body; after a 1xx
// (other than 101) the caller relays it and parses the next head. 101 is
// relayed until close. Transfer-Encoding ending in chunked wins over
// Content-Length (RFC 9112 §6.3); any other Transfer-Encoding reads until
// close; conflicting Content-Length values are an error.
[[nodiscard]] ResponseParse ParseResponseHead(std::string_view buf, size_t max,
                                              bool request_was_head);

// Follows a chunked body (RFC 9112 §7.1) as its bytes pass through, without
// copying them: Feed() says how many of the given bytes belong to the body,
// so the caller relays exactly those and keeps the rest (the next message).
class ChunkedTracker {
 public:
  // Bytes of extensions on one chunk-size line, and of the whole trailer
  // section, accepted before the body is declared malformed.
  static constexpr size_t kMaxLineBytes = 4096;
  static constexpr size_t kMaxTrailerBytes = 16384;

  // Consumes bytes of `data` up to the end of the body; returns how many.
  // Fewer than data.size() only when the body ended (done()) or is
  // malformed (error()); after either, Feed() returns 0.
  size_t Feed(std::string_view data);

  [[nodiscard]] bool done() const { return state_ == State::kDone; }
  [[nodiscard]] bool error() const { return state_ == State::kError; }

 private:
  enum class State {
    kSize,          // hex digits of the chunk size
    kExtension,     // after the size: extensions up to CR
    kSizeLf,        // LF after the size line
    kData,          // chunk data (remaining_ bytes)
    kDataCr,        // CR after chunk data
    kDataLf,        // LF after chunk data
    kTrailerStart,  // start of a trailer line, or the final CRLF
    kTrailer,       // inside a trailer line
    kTrailerLf,     // LF ending a trailer line
    kFinalLf,       // LF of the final empty line
    kDone,
    kError,
  };
  State state_ = State::kSize;
  uint64_t remaining_ = 0;
  size_t size_digits_ = 0;
  size_t line_bytes_ = 0;
  size_t trailer_bytes_ = 0;
  bool seen_semicolon_ = false;
};

// A complete response from the proxy itself: "HTTP/1.1 STATUS REASON",
// Content-Type text/plain, Content-Length, Connection: close, and `text` as
// the body.
[[nodiscard]] std::string DenyResponse(int status, std::string_view text);

// The reason phrase of a status the proxy sends ("Forbidden"), or "Error".
[[nodiscard]] const char* ReasonPhrase(int status);

}  // namespace cordon::proxy
