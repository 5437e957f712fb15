// JSON-RPC 2.0 over MCP's stdio transport: messages are single lines of
// UTF-8 JSON separated by '\n'. Pure: bytes in, typed messages and encoded
// replies out. This is the parser of untrusted input for `cordon mcp`
// (fuzzed by tests/fuzz/mcp_message_fuzz.cc).
#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace cordon::mcp {

// A message longer than this is refused (-32600) and skipped up to its
// newline: a tool call's arguments are a few KiB, and the limit keeps a
// hostile or broken client from growing the server without bound.
inline constexpr size_t kMaxMessageBytes = 4u << 20;

// JSON-RPC error codes.
inline constexpr int kParseError = -32700;
inline constexpr int kInvalidRequest = -32600;
inline constexpr int kMethodNotFound = -32601;
inline constexpr int kInvalidParams = -32602;
inline constexpr int kInternalError = -32603;

// Splits a byte stream into lines, each at most `max` bytes. A longer line
// yields one kOversized item (its bytes are dropped as they come).
class LineReader {
 public:
  explicit LineReader(size_t max = kMaxMessageBytes) : max_(max) {}
  struct Item {
    enum class Kind { kLine, kOversized } kind;
    std::string line;
  };
  // Appends `data`; complete lines (without '\n', a trailing '\r' removed)
  // are added to `out`.
  void Feed(std::string_view data, std::vector<Item>* out);

 private:
  size_t max_;
  std::string buf_;
  bool skipping_ = false;  // inside an oversized line
};

// NOLINTNEXTLINE(bugprone-exception-escape): json members, whose destructor asserts
struct Message {
  enum class Kind {
    kRequest,       // method and id
    kNotification,  // method, no id
    kResponse,      // id and result or error (an answer to our request)
    kInvalid,       // error_code/error_message say why; id when one was read
  };
  Kind kind = Kind::kInvalid;
  nlohmann::json id;  // string or integer; null when absent or unreadable
  std::string method;
  nlohmann::json params;  // object or array; null when absent
  nlohmann::json result;  // kResponse
  nlohmann::json error;   // kResponse with an error object
  int error_code = 0;     // kInvalid
  std::string error_message;
};

// Parses one line. Never throws.
[[nodiscard]] Message ParseMessage(std::string_view line);

// Encoded lines ('\n'-terminated); invalid UTF-8 is replaced, never thrown on.
[[nodiscard]] std::string EncodeResult(const nlohmann::json& id, const nlohmann::json& result);
[[nodiscard]] std::string EncodeError(const nlohmann::json& id, int code, std::string_view message);
[[nodiscard]] std::string EncodeRequest(const nlohmann::json& id, std::string_view method,
                                        const nlohmann::json& params);
[[nodiscard]] std::string EncodeNotification(std::string_view method, const nlohmann::json& params);

}  // namespace cordon::mcp
