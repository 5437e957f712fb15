// What cordon asks a person and what the person answers: plain data shared
// by the broker, its channels (terminal, the MCP client) and the wire format
// between `cordon run --approval-fd` and `cordon mcp`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace cordon::approval {

struct Question {
  enum class Kind {
    kNetwork,       // a held connection to a destination no rule names
    kCommand,       // approval policy `untrusted`: may this command run?
    kNetworkRerun,  // on-failure: re-run with one more destination (wire name "rerun")
    // on-failure: re-run with one more writable path; on-request (cordon
    // mcp's request_writable): run with it. Never offered "always".
    kWritable,
  };
  Kind kind = Kind::kNetwork;
  std::string host;  // kNetwork, kRerun
  uint16_t port = 0;
  std::string path;          // kWritable: an existing host path (absolute, resolved)
  bool rerun = false;        // kWritable: asked for a re-run (on-failure), not up front
  std::string command;       // the command line, as DescribeCommand writes it
  std::string reason;        // why (the agent's reason, the denial seen); may be empty
  bool offer_always = true;  // "always" is offered (network destinations only)
  // kNetwork from a session sandbox: the held connection, "IP:PORT" of the
  // client's end and of the proxy's (DecisionRequest), so that cordon mcp
  // can tell which call's process opened it. Empty otherwise.
  std::string client;
  std::string proxy;

  // One line: "allow api.example.com:443 for `curl ...`?", "re-run `make`
  // with /home/u/.cache/pip writable?"
  [[nodiscard]] std::string Prompt() const;
  // "api.example.com:443" (kNetwork, kRerun), the command (kCommand), the
  // path (kWritable).
  [[nodiscard]] std::string Subject() const;
  // "network api.example.com:443": what an answer is remembered by.
  [[nodiscard]] std::string Key() const;
};

// The answer, or why there is none. Only kOnce, kSession and kAlways allow.
enum class Reply { kOnce, kSession, kAlways, kDeny, kTimeout, kNoChannel, kCancelled };

[[nodiscard]] const char* ReplyName(Reply r);  // "once", "session", ..., "no-channel"
[[nodiscard]] std::optional<Reply> ParseReply(std::string_view name);
[[nodiscard]] inline bool Allows(Reply r) {
  return r == Reply::kOnce || r == Reply::kSession || r == Reply::kAlways;
}

[[nodiscard]] const char* KindName(Question::Kind k);  // "network", "command", "rerun", "writable"
[[nodiscard]] std::optional<Question::Kind> ParseKind(std::string_view name);

// The wire format between `cordon run --approval-fd` and `cordon mcp`: one
// JSON object per line. Parsing never throws; a bad line is nullopt.
[[nodiscard]] std::string EncodeQuestion(const Question& q);
[[nodiscard]] std::optional<Question> DecodeQuestion(std::string_view line);
[[nodiscard]] std::string EncodeReply(Reply r);
[[nodiscard]] std::optional<Reply> DecodeReply(std::string_view line);

}  // namespace cordon::approval
