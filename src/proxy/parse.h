// The outcome of parsing a buffered prefix of a byte stream, shared by the
// proxy's protocol parsers.
#pragma once

namespace cordon::proxy {

// kIncomplete: the bytes so far are a valid prefix; read more and call
// again with the whole buffer. kDone: a complete message was parsed.
// kError: the input can never become valid; answer and close.
enum class Parse { kIncomplete, kDone, kError };

}  // namespace cordon::proxy
