// HTTP/1.x heads: request and response parsing, the upstream head, chunked
// framing and the proxy's own responses (RFC 9110, RFC 9112).
#include "proxy/http_head.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>
#include <optional>

#include "policy/net_rules.h"

namespace cordon::proxy {

namespace {

bool IsTchar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) {
    return true;
  }
  return std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

bool IsToken(std::string_view s) { return !s.empty() && std::all_of(s.begin(), s.end(), IsTchar); }

// VCHAR, SP, HTAB and obs-text: what a field value may hold.
bool IsFieldValueChar(char ch) {
  auto c = static_cast<unsigned char>(ch);
  return c == '\t' || (c >= 0x20 && c != 0x7f);
}

char LowerChar(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

bool IEquals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return LowerChar(x) == LowerChar(y);
         });
}

std::string LowerCopy(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), LowerChar);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

// Comma-separated list elements, trimmed, empty ones skipped.
std::vector<std::string_view> ListElements(std::string_view v) {
  std::vector<std::string_view> out;
  while (true) {
    size_t comma = v.find(',');
    std::string_view item = Trim(v.substr(0, comma));
    if (!item.empty()) {
      out.push_back(item);
    }
    if (comma == std::string_view::npos) {
      return out;
    }
    v.remove_prefix(comma + 1);
  }
}

std::optional<uint64_t> ParseDecimal(std::string_view s) {
  if (s.empty() || !std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    return std::nullopt;
  }
  uint64_t v = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) {
    return std::nullopt;  // overflow
  }
  return v;
}

std::optional<uint16_t> ParsePort(std::string_view s) {
  if (s.empty() || s.size() > 5 || s.front() == '0') {
    return std::nullopt;
  }
  std::optional<uint64_t> v = ParseDecimal(s);
  if (!v || *v == 0 || *v > 65535) {
    return std::nullopt;
  }
  return static_cast<uint16_t>(*v);
}

struct Authority {
  std::string host;
  std::optional<uint16_t> port;
};

// "host[:port]" or "[v6][:port]"; the host normalized by the policy's rules.
std::optional<Authority> ParseAuthority(std::string_view s) {
  std::string_view host = s;
  std::optional<std::string_view> port;
  if (!s.empty() && s.front() == '[') {
    size_t close = s.find(']');
    if (close == std::string_view::npos) {
      return std::nullopt;
    }
    host = s.substr(0, close + 1);
    std::string_view rest = s.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') {
        return std::nullopt;
      }
      port = rest.substr(1);
    }
  } else if (size_t colon = s.find(':'); colon != std::string_view::npos) {
    host = s.substr(0, colon);
    port = s.substr(colon + 1);
  }
  Authority out;
  std::optional<std::string> normal = policy::NormalizeHost(host);
  if (!normal) {
    return std::nullopt;
  }
  out.host = std::move(*normal);
  if (port) {
    out.port = ParsePort(*port);
    if (!out.port) {
      return std::nullopt;
    }
  }
  return out;
}

RequestParse Fail(int status, std::string reason) {
  RequestParse r;
  r.state = Parse::kError;
  r.status = status;
  r.reason = std::move(reason);
  return r;
}

// "HTTP/1.0" or "HTTP/1.1": 0; another well-formed version: 505; else 400.
int CheckVersion(std::string_view v) {
  if (v == "HTTP/1.1" || v == "HTTP/1.0") {
    return 0;
  }
  bool well_formed =
      v.size() >= 6 && v.substr(0, 5) == "HTTP/" && v[5] >= '0' && v[5] <= '9' &&
      (v.size() == 6 || (v.size() == 8 && v[6] == '.' && v[7] >= '0' && v[7] <= '9'));
  return well_formed ? 505 : 400;
}

// Fills method, target, version, host, port and origin_form; nullopt when
// the line is acceptable, else the failure.
std::optional<RequestParse> ParseRequestLine(std::string_view line, RequestHead* head) {
  size_t sp1 = line.find(' ');
  size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos) {
    return Fail(400, "malformed request line (expected METHOD SP TARGET SP VERSION)");
  }
  std::string_view method = line.substr(0, sp1);
  std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  std::string_view version = line.substr(sp2 + 1);
  if (!IsToken(method)) {
    return Fail(400, "invalid method");
  }
  if (target.empty() || !std::all_of(target.begin(), target.end(), [](char c) {
        return static_cast<unsigned char>(c) > 0x20 && static_cast<unsigned char>(c) < 0x7f;
      })) {
    return Fail(400, "invalid request target");
  }
  if (int status = CheckVersion(version); status != 0) {
    return Fail(status, status == 505 ? "only HTTP/1.0 and HTTP/1.1 are supported"
                                      : "malformed HTTP version");
  }
  head->method = std::string(method);
  head->target = std::string(target);
  head->version = std::string(version);

  if (method == "CONNECT") {
    std::optional<Authority> a = ParseAuthority(target);
    if (!a || !a->port) {
      return Fail(400, "CONNECT needs HOST:PORT with a valid host and port");
    }
    head->host = std::move(a->host);
    head->port = *a->port;
    return std::nullopt;
  }
  if (target.size() >= 8 && IEquals(target.substr(0, 8), "https://")) {
    return Fail(400, "https:// URLs must go through CONNECT");
  }
  if (target.size() < 7 || !IEquals(target.substr(0, 7), "http://")) {
    return Fail(400, target.front() == '/' || target == "*"
                         ? "not a proxy request (origin-form target)"
                         : "unsupported request target (expected http://HOST/PATH)");
  }
  std::string_view rest = target.substr(7);
  size_t auth_end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, auth_end);
  std::string_view path = auth_end == std::string_view::npos ? "" : rest.substr(auth_end);
  if (authority.find('@') != std::string_view::npos) {
    return Fail(400, "user information in the URL is not supported");
  }
  if (path.find('#') != std::string_view::npos) {
    return Fail(400, "a fragment has no place in a request target");
  }
  std::optional<Authority> a = ParseAuthority(authority);
  if (!a) {
    return Fail(400, "invalid host or port in the URL");
  }
  head->host = std::move(a->host);
  head->port = a->port.value_or(80);
  head->origin_form = path.empty()          ? "/"
                      : path.front() == '?' ? "/" + std::string(path)
                                            : std::string(path);
  return std::nullopt;
}

std::optional<RequestParse> ParseFieldLine(std::string_view line,
                                           std::vector<std::pair<std::string, std::string>>* out) {
  if (line.front() == ' ' || line.front() == '\t') {
    return Fail(400, "obsolete line folding in the header section");
  }
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || !IsToken(line.substr(0, colon))) {
    return Fail(400, "invalid header field name");
  }
  std::string_view value = Trim(line.substr(colon + 1));
  if (!std::all_of(value.begin(), value.end(), IsFieldValueChar)) {
    return Fail(400, "invalid character in a header field value");
  }
  out->emplace_back(std::string(line.substr(0, colon)), std::string(value));
  return std::nullopt;
}

// The checks that need the whole head: framing, Host, keep-alive.
RequestParse FinishRequest(RequestParse r) {
  RequestHead& h = r.head;
  const bool connect = h.method == "CONNECT";
  int hosts = 0;
  std::optional<uint64_t> length;
  bool chunked = false, close = false, keep_alive = false;
  for (const auto& [name, value] : h.headers) {
    if (IEquals(name, "Host")) {
      ++hosts;
    } else if (IEquals(name, "Content-Length")) {
      if (length) {
        return Fail(400, "more than one Content-Length");
      }
      length = ParseDecimal(value);
      if (!length) {
        return Fail(400, "invalid Content-Length");
      }
    } else if (IEquals(name, "Transfer-Encoding")) {
      if (chunked || !IEquals(value, "chunked")) {
        return Fail(400, "Transfer-Encoding other than a single 'chunked'");
      }
      chunked = true;
    } else if (IEquals(name, "Connection") || IEquals(name, "Proxy-Connection")) {
      for (std::string_view token : ListElements(value)) {
        close |= IEquals(token, "close");
        keep_alive |= IEquals(token, "keep-alive");
      }
    }
  }
  if (chunked && length) {
    return Fail(400, "both Transfer-Encoding and Content-Length");
  }
  if (chunked && h.version == "HTTP/1.0") {
    return Fail(400, "Transfer-Encoding in an HTTP/1.0 request");
  }
  if (hosts > 1) {
    return Fail(400, "more than one Host header");
  }
  if (hosts == 0 && !connect && h.version == "HTTP/1.1") {
    return Fail(400, "HTTP/1.1 request without a Host header");
  }
  if (connect && (chunked || (length && *length > 0))) {
    return Fail(400, "CONNECT with a body");
  }
  if (chunked) {
    h.body = RequestHead::Body::kChunked;
  } else if (length && *length > 0) {
    h.body = RequestHead::Body::kLength;
    h.content_length = *length;
  }
  h.keep_alive = !close && (h.version == "HTTP/1.1" || keep_alive);
  r.state = Parse::kDone;
  return r;
}

// Walks the CRLF-terminated lines of a head from `start`, calling
// on_line(line, first) for each line before the empty one and stopping at
// the first failure it returns. The result is that failure, or the bytes
// consumed through the empty line, or `incomplete`.
struct LineScan {
  std::optional<RequestParse> failure;
  size_t consumed = 0;
  bool incomplete = false;
};

template <typename OnLine>
LineScan ScanLines(std::string_view buf, size_t start, size_t max, size_t first_line_max,
                   OnLine on_line) {
  LineScan scan;
  bool first = true;
  size_t pos = start;
  while (true) {
    size_t nl = buf.find('\n', pos);
    size_t line_end = nl == std::string_view::npos ? buf.size() : nl;
    size_t head_end = nl == std::string_view::npos ? buf.size() : nl + 1;
    if (first && head_end - pos > first_line_max) {
      scan.failure = Fail(414, "request line too long");
      return scan;
    }
    if (head_end > max || (nl == std::string_view::npos && buf.size() >= max)) {
      scan.failure = first ? Fail(414, "request line too long")
                           : Fail(431, "request header section too large");
      return scan;
    }
    std::string_view line = buf.substr(pos, line_end - pos);
    if (line.find('\0') != std::string_view::npos) {
      scan.failure = Fail(400, "NUL byte in the head");
      return scan;
    }
    if (!first && !line.empty() && (line.front() == ' ' || line.front() == '\t')) {
      scan.failure = Fail(400, "obsolete line folding in the header section");
      return scan;
    }
    if (nl == std::string_view::npos) {
      // A CR may only be the last byte so far (its LF still to come).
      size_t cr = line.find('\r');
      if (cr != std::string_view::npos && cr + 1 != line.size()) {
        scan.failure = Fail(400, "CR not followed by LF");
        return scan;
      }
      scan.incomplete = true;
      return scan;
    }
    if (line.empty() || line.back() != '\r') {
      scan.failure = Fail(400, "bare LF: lines must end in CRLF");
      return scan;
    }
    line.remove_suffix(1);
    if (line.find('\r') != std::string_view::npos) {
      scan.failure = Fail(400, "CR not followed by LF");
      return scan;
    }
    if (!first && line.empty()) {
      scan.consumed = nl + 1;
      return scan;
    }
    if (std::optional<RequestParse> f = on_line(line, first)) {
      scan.failure = std::move(f);
      return scan;
    }
    first = false;
    pos = nl + 1;
  }
}

std::string HostHeaderValue(const std::string& host, uint16_t port) {
  std::string out = host.find(':') != std::string::npos ? "[" + host + "]" : host;
  if (port != 80) {
    out += ":" + std::to_string(port);
  }
  return out;
}

}  // namespace

RequestParse ParseRequestHead(std::string_view buf, size_t max_head_bytes) {
  // RFC 9112 §2.2: empty lines before the request line are ignored.
  size_t start = 0;
  while (buf.substr(start, 2) == "\r\n" && start < max_head_bytes) {
    start += 2;
  }
  RequestParse r;
  LineScan scan = ScanLines(buf, start, max_head_bytes, std::min(kMaxRequestLine, max_head_bytes),
                            [&](std::string_view line, bool first) {
                              return first ? ParseRequestLine(line, &r.head)
                                           : ParseFieldLine(line, &r.head.headers);
                            });
  if (scan.failure) {
    return std::move(*scan.failure);
  }
  if (scan.incomplete) {
    return RequestParse{};
  }
  r.consumed = scan.consumed;
  return FinishRequest(std::move(r));
}

std::string UpstreamHead(const RequestHead& head) {
  std::vector<std::string> listed;  // fields Connection names: hop-by-hop too
  for (const auto& [name, value] : head.headers) {
    if (IEquals(name, "Connection")) {
      for (std::string_view token : ListElements(value)) {
        listed.push_back(LowerCopy(token));
      }
    }
  }
  static constexpr std::array<std::string_view, 8> kDropped = {
      "host",       "connection", "proxy-connection", "proxy-authorization",
      "keep-alive", "te",         "trailer",          "upgrade"};
  std::string out = head.method + " " + head.origin_form + " " + head.version + "\r\n";
  out += "Host: " + HostHeaderValue(head.host, head.port) + "\r\n";
  for (const auto& [name, value] : head.headers) {
    std::string lower = LowerCopy(name);
    bool framing = lower == "content-length" || lower == "transfer-encoding";
    if (std::find(kDropped.begin(), kDropped.end(), lower) != kDropped.end() ||
        (!framing && std::find(listed.begin(), listed.end(), lower) != listed.end())) {
      continue;
    }
    out += name;
    out += ": ";
    out += value;
    out += "\r\n";
  }
  out += "Connection: close\r\n\r\n";
  return out;
}

ResponseParse ParseResponseHead(std::string_view buf, size_t max, bool request_was_head) {
  ResponseParse r;
  std::vector<std::pair<std::string, std::string>> headers;
  LineScan scan = ScanLines(buf, 0, max, max,
                            [&](std::string_view line, bool first) -> std::optional<RequestParse> {
                              if (!first) {
                                return ParseFieldLine(line, &headers);
                              }
                              // HTTP-version SP 3DIGIT SP [reason]; a missing last SP is tolerated.
                              if (line.size() < 12 || CheckVersion(line.substr(0, 8)) != 0 ||
                                  line[8] != ' ' || (line.size() > 12 && line[12] != ' ')) {
                                return Fail(502, "malformed status line");
                              }
                              std::optional<uint64_t> status = ParseDecimal(line.substr(9, 3));
                              if (!status || *status < 100 || *status > 599) {
                                return Fail(502, "malformed status code");
                              }
                              r.head.status = static_cast<int>(*status);
                              return std::nullopt;
                            });
  if (scan.failure) {
    r.state = Parse::kError;
    return r;
  }
  if (scan.incomplete) {
    return r;
  }
  std::optional<uint64_t> length;
  bool has_te = false, chunked_last = false;
  for (const auto& [name, value] : headers) {
    if (IEquals(name, "Content-Length")) {
      // Repeated identical values ("42, 42") are allowed; different ones are
      // not (RFC 9112 §6.3).
      std::vector<std::string_view> items = ListElements(value);
      if (items.empty()) {
        r.state = Parse::kError;
        return r;
      }
      for (std::string_view item : items) {
        std::optional<uint64_t> v = ParseDecimal(item);
        if (!v || (length && *length != *v)) {
          r.state = Parse::kError;
          return r;
        }
        length = v;
      }
    } else if (IEquals(name, "Transfer-Encoding")) {
      std::vector<std::string_view> codings = ListElements(value);
      has_te = true;
      chunked_last = !codings.empty() && IEquals(codings.back(), "chunked");
    }
  }
  ResponseHead& h = r.head;
  const bool switched = h.status == 101;  // whatever follows is relayed until close
  if (!switched && (request_was_head || h.status < 200 || h.status == 204 || h.status == 304)) {
    h.body = ResponseHead::Body::kNone;
  } else if (!switched && has_te) {
    h.body = chunked_last ? ResponseHead::Body::kChunked : ResponseHead::Body::kUntilClose;
  } else if (!switched && length) {
    h.body = *length > 0 ? ResponseHead::Body::kLength : ResponseHead::Body::kNone;
    h.content_length = *length;
  } else {
    h.body = ResponseHead::Body::kUntilClose;
  }
  r.consumed = scan.consumed;
  r.state = Parse::kDone;
  return r;
}

size_t ChunkedTracker::Feed(std::string_view data) {
  size_t i = 0;
  while (i < data.size() && state_ != State::kDone && state_ != State::kError) {
    if (state_ == State::kData) {
      uint64_t n = std::min<uint64_t>(remaining_, data.size() - i);
      i += static_cast<size_t>(n);
      remaining_ -= n;
      if (remaining_ == 0) {
        state_ = State::kDataCr;
      }
      continue;
    }
    const char c = data[i];
    if ((state_ == State::kTrailerStart || state_ == State::kTrailer ||
         state_ == State::kTrailerLf || state_ == State::kFinalLf) &&
        ++trailer_bytes_ > kMaxTrailerBytes) {
      state_ = State::kError;
      return i;
    }
    switch (state_) {
      case State::kSize: {
        int digit = -1;
        if (c >= '0' && c <= '9') {
          digit = c - '0';
        } else if (c >= 'a' && c <= 'f') {
          digit = c - 'a' + 10;
        } else if (c >= 'A' && c <= 'F') {
          digit = c - 'A' + 10;
        }
        if (digit >= 0) {
          if (remaining_ > (std::numeric_limits<uint64_t>::max() >> 4)) {
            state_ = State::kError;  // the size overflows 64 bits
            return i;
          }
          remaining_ = remaining_ << 4 | static_cast<uint64_t>(digit);
          ++size_digits_;
        } else if (size_digits_ > 0 && c == '\r') {
          state_ = State::kSizeLf;
        } else if (size_digits_ > 0 && (c == ';' || c == ' ' || c == '\t')) {
          // chunk-ext = *( BWS ";" BWS ext-name [ BWS "=" BWS ext-val ] )
          state_ = State::kExtension;
          seen_semicolon_ = c == ';';
          line_bytes_ = 1;
        } else {
          state_ = State::kError;
          return i;
        }
        break;
      }
      case State::kExtension:
        if (c == '\r' && seen_semicolon_) {
          state_ = State::kSizeLf;
        } else if ((!seen_semicolon_ && c != ';' && c != ' ' && c != '\t') ||
                   !IsFieldValueChar(c) || ++line_bytes_ > kMaxLineBytes) {
          state_ = State::kError;
          return i;
        }
        seen_semicolon_ |= c == ';';
        break;
      case State::kSizeLf:
        if (c != '\n') {
          state_ = State::kError;
          return i;
        }
        state_ = remaining_ == 0 ? State::kTrailerStart : State::kData;
        size_digits_ = 0;
        break;
      case State::kDataCr:
        state_ = c == '\r' ? State::kDataLf : State::kError;
        break;
      case State::kDataLf:
        state_ = c == '\n' ? State::kSize : State::kError;
        remaining_ = 0;
        break;
      case State::kTrailerStart:
        if (c == '\r') {
          state_ = State::kFinalLf;
        } else if (IsTchar(c)) {
          state_ = State::kTrailer;
        } else {
          state_ = State::kError;
        }
        break;
      case State::kTrailer:
        if (c == '\r') {
          state_ = State::kTrailerLf;
        } else if (!IsFieldValueChar(c)) {
          state_ = State::kError;
        }
        break;
      case State::kTrailerLf:
        state_ = c == '\n' ? State::kTrailerStart : State::kError;
        break;
      case State::kFinalLf:
        state_ = c == '\n' ? State::kDone : State::kError;
        break;
      case State::kData:
      case State::kDone:
      case State::kError:
        break;
    }
    if (state_ == State::kError) {
      return i;
    }
    ++i;
  }
  return i;
}

const char* ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 407:
      return "Proxy Authentication Required";
    case 408:
      return "Request Timeout";
    case 413:
      return "Content Too Large";
    case 414:
      return "URI Too Long";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    case 505:
      return "HTTP Version Not Supported";
    default:
      return "Error";
  }
}

std::string DenyResponse(int status, std::string_view text) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + ReasonPhrase(status) + "\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  out += "Content-Length: " + std::to_string(text.size()) + "\r\n";
  out += "Connection: close\r\n\r\n";
  out += text;
  return out;
}

}  // namespace cordon::proxy
