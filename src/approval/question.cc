// Prompts, names and the line-delimited JSON of approval questions.
#include "approval/question.h"

#include <nlohmann/json.hpp>

#include "policy/net_rules.h"

namespace cordon::approval {

using policy::HostPort;

std::string Question::Subject() const {
  if (kind == Kind::kCommand) return command;
  if (kind == Kind::kWritable) return path;
  return HostPort(host, port);
}

std::string Question::Key() const { return std::string(KindName(kind)) + " " + Subject(); }

std::string Question::Prompt() const {
  std::string p;
  switch (kind) {
    case Kind::kNetwork:
      p = "allow " + HostPort(host, port) + " for `" + command + "`?";
      break;
    case Kind::kCommand:
      p = "run `" + command + "`?";
      break;
    case Kind::kNetworkRerun:
      p = "re-run `" + command + "` with " + HostPort(host, port) + " allowed?";
      break;
    case Kind::kWritable:
      p = (rerun ? "re-run `" : "run `") + command + "` with " + path + " writable?";
      break;
  }
  if (!reason.empty()) p += " (" + reason + ")";
  return p;
}

const char* ReplyName(Reply r) {
  switch (r) {
    case Reply::kOnce:
      return "once";
    case Reply::kSession:
      return "session";
    case Reply::kAlways:
      return "always";
    case Reply::kDeny:
      return "deny";
    case Reply::kTimeout:
      return "timeout";
    case Reply::kNoChannel:
      return "no-channel";
    case Reply::kCancelled:
      return "cancelled";
  }
  return "deny";
}

std::optional<Reply> ParseReply(std::string_view name) {
  for (Reply r : {Reply::kOnce, Reply::kSession, Reply::kAlways, Reply::kDeny, Reply::kTimeout,
                  Reply::kNoChannel, Reply::kCancelled}) {
    if (name == ReplyName(r)) return r;
  }
  return std::nullopt;
}

const char* KindName(Question::Kind k) {
  switch (k) {
    case Question::Kind::kNetwork:
      return "network";
    case Question::Kind::kCommand:
      return "command";
    case Question::Kind::kNetworkRerun:
      return "rerun";
    case Question::Kind::kWritable:
      return "writable";
  }
  return "network";
}

std::optional<Question::Kind> ParseKind(std::string_view name) {
  for (auto k : {Question::Kind::kNetwork, Question::Kind::kCommand, Question::Kind::kNetworkRerun,
                 Question::Kind::kWritable}) {
    if (name == KindName(k)) return k;
  }
  return std::nullopt;
}

std::string EncodeQuestion(const Question& q) {
  nlohmann::json j = {{"kind", KindName(q.kind)}, {"host", q.host},
                      {"port", q.port},           {"command", q.command},
                      {"reason", q.reason},       {"offer_always", q.offer_always}};
  if (q.kind == Question::Kind::kWritable) {
    j["path"] = q.path;
    j["rerun"] = q.rerun;
  }
  if (!q.client.empty()) {
    j["client"] = q.client;
    j["proxy"] = q.proxy;
  }
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

std::optional<Question> DecodeQuestion(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto str = [&](const char* key) -> std::optional<std::string> {
    auto it = j.find(key);
    if (it == j.end() || !it->is_string()) return std::nullopt;
    return it->get<std::string>();
  };
  Question q;
  auto kind = str("kind");
  auto parsed = kind ? ParseKind(*kind) : std::nullopt;
  auto host = str("host");
  auto command = str("command");
  auto reason = str("reason");
  auto port = j.find("port");
  auto always = j.find("offer_always");
  if (!parsed || !host || !command || !reason || port == j.end() || !port->is_number_unsigned() ||
      port->get<uint64_t>() > 65535 || always == j.end() || !always->is_boolean()) {
    return std::nullopt;
  }
  q.kind = *parsed;
  q.host = std::move(*host);
  q.port = static_cast<uint16_t>(port->get<uint64_t>());
  q.command = std::move(*command);
  q.reason = std::move(*reason);
  q.offer_always = always->get<bool>();
  auto client = str("client");
  auto proxy = str("proxy");
  if (client.has_value() != proxy.has_value() || (j.contains("client") && !client) ||
      (j.contains("proxy") && !proxy)) {
    return std::nullopt;
  }
  if (client) {
    q.client = std::move(*client);
    q.proxy = std::move(*proxy);
  }
  if (q.kind == Question::Kind::kWritable) {
    // An absolute path, and never "always" (it is not saved anywhere).
    auto path = str("path");
    if (!path || path->empty() || path->front() != '/' || q.offer_always) return std::nullopt;
    q.path = std::move(*path);
    auto rerun = j.find("rerun");
    if (rerun != j.end()) {
      if (!rerun->is_boolean()) return std::nullopt;
      q.rerun = rerun->get<bool>();
    }
  }
  return q;
}

std::string EncodeReply(Reply r) { return nlohmann::json{{"answer", ReplyName(r)}}.dump() + "\n"; }

std::optional<Reply> DecodeReply(std::string_view line) {
  nlohmann::json j = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return std::nullopt;
  auto it = j.find("answer");
  if (it == j.end() || !it->is_string()) return std::nullopt;
  return ParseReply(it->get<std::string>());
}

}  // namespace cordon::approval
