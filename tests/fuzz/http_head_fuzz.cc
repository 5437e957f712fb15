// Fuzzes the proxy's HTTP parsers on arbitrary bytes: request heads (and the
// head rebuilt for upstream), response heads and chunked framing. Besides
// not crashing, it checks properties the proxy relies on: a parsed head is
// never also rejected when it arrives in pieces, the rebuilt head has only
// CRLF line ends and no NUL (no header injection), and the chunked tracker
// gives the same answer whatever the split of its input.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "check.h"
#include "policy/net_rules.h"
#include "proxy/http_head.h"

namespace {

using cordon::fuzz::Check;
using cordon::proxy::ChunkedTracker;
using cordon::proxy::Parse;

void Request(std::string_view in) {
  constexpr size_t kMax = 4096;
  cordon::proxy::RequestParse r = cordon::proxy::ParseRequestHead(in, kMax);
  if (r.state != Parse::kDone) {
    Check(r.state == Parse::kIncomplete || r.status >= 400);
    return;
  }
  Check(r.consumed > 0 && r.consumed <= in.size() && r.consumed <= kMax);
  Check(cordon::policy::NormalizeHost(r.head.host) == r.head.host && r.head.port != 0);
  Check(cordon::proxy::ParseRequestHead(in.substr(0, r.consumed - 1), kMax).state ==
        Parse::kIncomplete);
  if (r.head.method != "CONNECT") {
    std::string up = cordon::proxy::UpstreamHead(r.head);
    Check(up.find('\0') == std::string::npos);
    for (size_t i = 0; i < up.size(); ++i) {
      Check((up[i] == '\n') == (i > 0 && up[i - 1] == '\r'));
      Check(up[i] != '\r' || (i + 1 < up.size() && up[i + 1] == '\n'));
    }
  }
}

void Chunked(std::string_view in, size_t split) {
  ChunkedTracker whole;
  size_t used_whole = whole.Feed(in);
  ChunkedTracker parts;
  size_t used = parts.Feed(in.substr(0, split));
  if (used == split && !parts.done() && !parts.error()) {
    used += parts.Feed(in.substr(split));
  }
  Check(used_whole <= in.size());
  Check(whole.done() == parts.done() && whole.error() == parts.error());
  if (!whole.error()) {
    Check(used == used_whole);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view in(reinterpret_cast<const char*>(data), size);
  Request(in);
  cordon::proxy::ResponseParse resp =
      cordon::proxy::ParseResponseHead(in, 4096, size > 0 && (data[0] & 1) != 0);
  Check(resp.consumed <= in.size());
  Chunked(in, size > 0 ? data[0] % (size + 1) : 0);
  return 0;
}
