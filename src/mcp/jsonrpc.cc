// Line splitting and JSON-RPC 2.0 message classification.
#include "mcp/jsonrpc.h"

namespace cordon::mcp {

using nlohmann::json;

void LineReader::Feed(std::string_view data, std::vector<Item>* out) {
  while (!data.empty()) {
    size_t nl = data.find('\n');
    std::string_view part = data.substr(0, nl);
    if (!skipping_) {
      if (buf_.size() + part.size() > max_) {
        skipping_ = true;
        buf_.clear();
        out->push_back({Item::Kind::kOversized, {}});
      } else {
        buf_.append(part);
      }
    }
    if (nl == std::string_view::npos) return;
    if (!skipping_) {
      if (!buf_.empty() && buf_.back() == '\r') buf_.pop_back();
      // Blank lines between messages are tolerated, not answered.
      if (!buf_.empty()) out->push_back({Item::Kind::kLine, std::move(buf_)});
    }
    buf_.clear();
    skipping_ = false;
    data.remove_prefix(nl + 1);
  }
}

namespace {

Message Invalid(int code, std::string message, json id = nullptr) {
  Message m;
  m.kind = Message::Kind::kInvalid;
  m.error_code = code;
  m.error_message = std::move(message);
  m.id = std::move(id);
  return m;
}

bool ValidId(const json& id) { return id.is_string() || id.is_number_integer(); }

}  // namespace

Message ParseMessage(std::string_view line) {
  json j = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return Invalid(kParseError, "Parse error: not valid JSON");
  if (j.is_array()) {
    return Invalid(kInvalidRequest, "Invalid Request: batches are not supported (MCP 2025-06-18)");
  }
  if (!j.is_object()) return Invalid(kInvalidRequest, "Invalid Request: expected an object");
  json id = nullptr;
  auto id_it = j.find("id");
  bool has_id = id_it != j.end();
  if (has_id) {
    if (!ValidId(*id_it)) return Invalid(kInvalidRequest, "Invalid Request: bad id");
    id = *id_it;
  }
  auto version = j.find("jsonrpc");
  if (version == j.end() || !version->is_string() || version->get<std::string>() != "2.0") {
    return Invalid(kInvalidRequest, "Invalid Request: jsonrpc must be \"2.0\"", id);
  }
  auto method = j.find("method");
  Message m;
  m.id = id;
  if (method == j.end()) {
    auto result = j.find("result");
    auto error = j.find("error");
    if (!has_id || (result == j.end()) == (error == j.end())) {
      return Invalid(kInvalidRequest, "Invalid Request: neither a request nor a response", id);
    }
    m.kind = Message::Kind::kResponse;
    if (result != j.end()) m.result = *result;
    if (error != j.end()) {
      if (!error->is_object()) return Invalid(kInvalidRequest, "Invalid Request: bad error", id);
      m.error = *error;
    }
    return m;
  }
  if (!method->is_string()) return Invalid(kInvalidRequest, "Invalid Request: bad method", id);
  m.method = method->get<std::string>();
  auto params = j.find("params");
  if (params != j.end()) {
    if (!params->is_object() && !params->is_array()) {
      return Invalid(kInvalidRequest, "Invalid Request: params must be an object", id);
    }
    m.params = *params;
  }
  m.kind = has_id ? Message::Kind::kRequest : Message::Kind::kNotification;
  return m;
}

namespace {

std::string Line(const json& j) {
  return j.dump(-1, ' ', false, json::error_handler_t::replace) + "\n";
}

}  // namespace

std::string EncodeResult(const json& id, const json& result) {
  return Line({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}});
}

std::string EncodeError(const json& id, int code, std::string_view message) {
  return Line({{"jsonrpc", "2.0"},
               {"id", id},
               {"error", {{"code", code}, {"message", std::string(message)}}}});
}

std::string EncodeRequest(const json& id, std::string_view method, const json& params) {
  return Line(
      {{"jsonrpc", "2.0"}, {"id", id}, {"method", std::string(method)}, {"params", params}});
}

std::string EncodeNotification(std::string_view method, const json& params) {
  return Line({{"jsonrpc", "2.0"}, {"method", std::string(method)}, {"params", params}});
}

}  // namespace cordon::mcp
