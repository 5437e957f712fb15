// Fuzzes the SOCKS5 greeting and request parsers on arbitrary bytes: no
// crash, consumed within the input, a complete message is incomplete one
// byte earlier, and a name never carries a NUL byte.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "check.h"
#include "proxy/socks5.h"

using cordon::fuzz::Check;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using cordon::proxy::Parse;
  std::string_view in(reinterpret_cast<const char*>(data), size);
  cordon::proxy::GreetingParse g = cordon::proxy::ParseSocks5Greeting(in);
  if (g.state == Parse::kDone) {
    Check(g.consumed >= 3 && g.consumed <= size);
    Check(cordon::proxy::ParseSocks5Greeting(in.substr(0, g.consumed - 1)).state ==
          Parse::kIncomplete);
    in.remove_prefix(g.consumed);
  }
  cordon::proxy::Socks5Parse r = cordon::proxy::ParseSocks5Request(in);
  if (r.state == Parse::kDone) {
    Check(r.consumed >= 7 && r.consumed <= in.size());
    Check(!r.request.host.empty() && r.request.host.find('\0') == std::string_view::npos);
    Check(cordon::proxy::ParseSocks5Request(in.substr(0, r.consumed - 1)).state ==
          Parse::kIncomplete);
  } else if (r.state == Parse::kError) {
    Check(r.reply_on_error != 0);
  }
  return 0;
}
