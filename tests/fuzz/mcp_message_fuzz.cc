// Fuzzes `cordon mcp`'s message reader: bytes split into lines (with a small
// size limit, so the oversized path is reached) and each line classified.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "approval/question.h"
#include "mcp/jsonrpc.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view input(reinterpret_cast<const char*>(data), size);
  cordon::mcp::LineReader reader(4096);
  std::vector<cordon::mcp::LineReader::Item> items;
  // Two feeds, so that lines cross buffer boundaries.
  reader.Feed(input.substr(0, size / 2), &items);
  reader.Feed(input.substr(size / 2), &items);
  for (const auto& item : items) {
    cordon::mcp::Message m = cordon::mcp::ParseMessage(item.line);
    if (m.kind == cordon::mcp::Message::Kind::kInvalid) {
      (void)cordon::mcp::EncodeError(m.id, m.error_code, m.error_message);
    }
    // The same lines, as cordon run's answers and questions.
    (void)cordon::approval::DecodeQuestion(item.line);
    (void)cordon::approval::DecodeReply(item.line);
  }
  return 0;
}
