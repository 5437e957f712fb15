// The MCP server: one reader thread (this one) that dispatches messages,
// one thread per `run` call, one mutex around the output stream. Answers
// to our own requests (elicitation) are routed back by id.
#include "mcp/server.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "approval/events.h"
#include "common/clock.h"
#include "mcp/jsonrpc.h"
#include "mcp/runner.h"
#include "mcp/session.h"
#include "policy/approval.h"
#include "policy/net_rules.h"

namespace cordon::mcp {

namespace {

using nlohmann::json;

constexpr const char* kLatestRevision = "2025-06-18";
constexpr const char* kRevisions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};
constexpr int kDefaultTimeoutSeconds = 300;
constexpr int kMaxTimeoutSeconds = 3600;
constexpr int kMaxReruns = 4;  // on-failure re-runs of one call in the session sandbox

json TextResult(const std::string& text, bool is_error) {
  return {{"content", json::array({{{"type", "text"}, {"text", text}}})}, {"isError", is_error}};
}

class Server {
 public:
  Server(int in_fd, int out_fd, const ServerOptions& o) : in_(in_fd), out_(out_fd), o_(o) {}

  int Run() {
    LineReader reader;
    std::vector<LineReader::Item> items;
    char buf[65536];
    while (!gone_) {
      ssize_t n = read(in_, buf, sizeof(buf));
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // the client vanished or closed stdin: shut down
      items.clear();
      reader.Feed(std::string_view(buf, static_cast<size_t>(n)), &items);
      for (auto& item : items) {
        if (item.kind == LineReader::Item::Kind::kOversized) {
          Write(EncodeError(nullptr, kInvalidRequest,
                            "Invalid Request: message larger than " +
                                std::to_string(kMaxMessageBytes) + " bytes"));
          continue;
        }
        Handle(ParseMessage(item.line));
      }
      Reap(/*all=*/false);
    }
    Shutdown();
    return 0;
  }

 private:
  struct Call {
    RunControl control;
    std::thread thread;
    std::atomic<bool> done{false};
    std::string id;  // the request id, dumped
  };
  // NOLINTNEXTLINE(bugprone-exception-escape): json members, whose destructor asserts
  struct Waiter {
    bool answered = false;
    json result;
    json error;
  };

  void Write(const std::string& line) {
    std::lock_guard<std::mutex> lock(out_mu_);
    if (gone_) return;
    size_t off = 0;
    while (off < line.size()) {
      ssize_t n = write(out_, line.data() + off, line.size() - off);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) {
        gone_ = true;  // EPIPE: the client went away
        return;
      }
      off += static_cast<size_t>(n);
    }
  }

  void Handle(const Message& m) {
    switch (m.kind) {
      case Message::Kind::kInvalid:
        Write(EncodeError(m.id, m.error_code, m.error_message));
        return;
      case Message::Kind::kResponse:
        Answered(m);
        return;
      case Message::Kind::kNotification:
        if (m.method == "notifications/cancelled") Cancelled(m.params);
        return;  // others (initialized, roots changed...) need nothing
      case Message::Kind::kRequest:
        break;
    }
    if (m.params.is_array()) {
      Write(EncodeError(m.id, kInvalidParams, "Invalid params: expected an object"));
      return;
    }
    if (m.method == "initialize") {
      Write(EncodeResult(m.id, Initialize(m.params)));
    } else if (m.method == "ping") {
      Write(EncodeResult(m.id, json::object()));
    } else if (m.method == "tools/list") {
      Write(EncodeResult(m.id, {{"tools", Tools()}}));
    } else if (m.method == "tools/call") {
      ToolsCall(m);
    } else {
      Write(EncodeError(m.id, kMethodNotFound, "Method not found: " + m.method));
    }
  }

  json Initialize(const json& params) {
    std::string asked = kLatestRevision;
    if (params.is_object() && params.contains("protocolVersion") &&
        params["protocolVersion"].is_string()) {
      asked = params["protocolVersion"].get<std::string>();
    }
    revision_ = kLatestRevision;
    for (const char* r : kRevisions) {
      if (asked == r) revision_ = r;
    }
    // Elicitation exists from 2025-06-18 on.
    elicitation_ = revision_ == "2025-06-18" && params.is_object() &&
                   params.contains("capabilities") && params["capabilities"].is_object() &&
                   params["capabilities"].contains("elicitation");
    return {
        {"protocolVersion", revision_},
        {"capabilities", {{"tools", {{"listChanged", false}}}}},
        {"serverInfo", {{"name", "cordon"}, {"title", "cordon sandbox"}, {"version", o_.version}}},
        {"instructions",
         std::string("Run shell commands through the `run` tool: ") +
             (o_.session_sandbox
                  ? "they all run in one cordon sandbox for this session (OS-enforced; files "
                    "in /tmp persist between calls). "
                  : "each runs in a fresh cordon sandbox (OS-enforced). ") +
             o_.tool_description}};
  }

  json Tools() const {
    json run_schema = {
        {"type", "object"},
        {"properties",
         {{"command",
           {{"type", "string"}, {"description", "A shell command line, run by /bin/sh -c"}}},
          {"argv",
           {{"type", "array"},
            {"items", {{"type", "string"}}},
            {"description", "The command as an argument vector (instead of `command`)"}}},
          {"cwd",
           {{"type", "string"},
            {"description",
             "Working directory: relative to the workspace, or an absolute path "
             "inside it (default: the workspace)"}}},
          {"timeout_seconds",
           {{"type", "integer"},
            {"minimum", 1},
            {"maximum", kMaxTimeoutSeconds},
            {"description", "Kill the command and everything it started after this (default " +
                                std::to_string(kDefaultTimeoutSeconds) + ")"}}},
          {"stdin", {{"type", "string"}, {"description", "Text fed to the command's stdin"}}},
          {"request_network",
           {{"type", "array"},
            {"items", {{"type", "string"}}},
            {"description",
             "HOST:PORT destinations this command needs beyond the policy; "
             "the user is asked first (approval policy on-request or untrusted)"}}},
          {"request_writable",
           {{"type", "array"},
            {"items", {{"type", "string"}}},
            {"description",
             "Existing paths (absolute, or relative to the workspace) this command must write "
             "besides the workspace and /tmp; the user is asked first (approval policy "
             "on-request or untrusted). Never /, the home directory, system directories, or "
             "protected and hidden paths"}}},
          {"reason",
           {{"type", "string"},
            {"description", "Why the requested destinations or paths are needed"}}}}}};
    return json::array(
        {{{"name", "run"},
          {"title", "Run a command in the cordon sandbox"},
          {"description", std::string("Run a command in ") +
                              (o_.session_sandbox ? "this session's OS-enforced sandbox"
                                                  : "a fresh OS-enforced sandbox") +
                              " (cordon) and return its stdout, stderr and exit code. " +
                              o_.tool_description + " Output beyond " +
                              std::to_string(o_.max_output) +
                              " bytes per stream is cut in the middle, and the result says so."},
          {"inputSchema", run_schema}},
         {{"name", "policy"},
          {"title", "Show the sandbox policy"},
          {"description",
           "The resolved sandbox policy as JSON (like `cordon policy show --json`): what runs "
           "may read and write, the network rules, the approval policy."},
          {"inputSchema", {{"type", "object"}, {"properties", json::object()}}}}});
  }

  void ToolsCall(const Message& m) {
    const json& p = m.params;
    if (!p.is_object() || !p.contains("name") || !p["name"].is_string()) {
      Write(EncodeError(m.id, kInvalidParams, "Invalid params: tools/call needs a tool name"));
      return;
    }
    std::string name = p["name"].get<std::string>();
    json args = p.contains("arguments") ? p["arguments"] : json::object();
    if (!args.is_object()) {
      Write(EncodeError(m.id, kInvalidParams, "Invalid params: arguments must be an object"));
      return;
    }
    json token = nullptr;
    if (p.contains("_meta") && p["_meta"].is_object() && p["_meta"].contains("progressToken")) {
      token = p["_meta"]["progressToken"];
    }
    if (name != "run" && name != "policy") {
      Write(EncodeError(m.id, kInvalidParams, "Unknown tool: " + name));
      return;
    }
    auto call = std::make_shared<Call>();
    call->id = m.id.dump();
    {
      std::lock_guard<std::mutex> lock(calls_mu_);
      calls_.push_back(call);
    }
    json id = m.id;
    call->thread = std::thread([this, call, id, name, args, token] {
      json result = name == "run" ? RunTool(args, token, call->control) : PolicyTool(call->control);
      // A cancelled request gets no response (MCP, cancellation).
      if (!call->control.cancelled()) Write(EncodeResult(id, result));
      call->done = true;
    });
  }

  json PolicyTool(RunControl& control) {
    RunSpec spec;
    spec.argv = {o_.self_exe, "policy", "show", "--json"};
    spec.argv.insert(spec.argv.end(), o_.policy_args.begin(), o_.policy_args.end());
    spec.max_output = 1 << 20;
    spec.hard_timeout_ms = 30'000;
    auto r = RunCordon(
        spec, &control, [](const approval::Question&) { return approval::Reply::kDeny; }, nullptr);
    if (!r.ok()) return TextResult("cordon: " + r.error().Describe(), true);
    if (r.value().exit_status != 0) return TextResult(r.value().err.Text(), true);
    json result = TextResult(r.value().out.Text(), false);
    json parsed = json::parse(r.value().out.Text(), nullptr, false);
    if (parsed.is_object()) result["structuredContent"] = parsed;
    return result;
  }

  // Where the command runs: the workspace, or a directory inside it.
  std::optional<std::string> ResolveCwd(const std::string& cwd, std::string* why) const {
    std::string path = cwd.empty()          ? o_.workspace
                       : cwd.front() == '/' ? cwd
                                            : o_.workspace + "/" + cwd;
    char real[PATH_MAX];
    if (realpath(path.c_str(), real) == nullptr) {
      *why = "cwd " + cwd + ": " + std::string(strerror(errno));
      return std::nullopt;
    }
    std::string r = real;
    if (r != o_.workspace && r.rfind(o_.workspace + "/", 0) != 0) {
      *why = "cwd " + cwd + " is outside the workspace " + o_.workspace;
      return std::nullopt;
    }
    return r;
  }

  json RunTool(const json& args, const json& token, RunControl& control) {
    auto str = [&](const char* k) -> std::optional<std::string> {
      if (!args.contains(k) || !args[k].is_string()) return std::nullopt;
      return args[k].get<std::string>();
    };
    std::vector<std::string> command;
    if (auto c = str("command")) {
      command = {"/bin/sh", "-c", *c};
    } else if (args.contains("argv") && args["argv"].is_array() && !args["argv"].empty()) {
      for (const auto& a : args["argv"]) {
        if (!a.is_string()) return TextResult("run: argv must be an array of strings", true);
        command.push_back(a.get<std::string>());
      }
    } else {
      return TextResult("run: give `command` (a shell command line) or `argv`", true);
    }
    int timeout = kDefaultTimeoutSeconds;
    if (args.contains("timeout_seconds")) {
      const json& t = args["timeout_seconds"];
      if (!t.is_number_integer() || t.get<int64_t>() < 1 || t.get<int64_t>() > kMaxTimeoutSeconds) {
        return TextResult("run: timeout_seconds must be a whole number from 1 to " +
                              std::to_string(kMaxTimeoutSeconds),
                          true);
      }
      timeout = t.get<int>();
    }
    std::string why;
    auto cwd = ResolveCwd(str("cwd").value_or(""), &why);
    if (!cwd) return TextResult("run: " + why, true);
    const std::string shown =
        command.size() == 3 && command[0] == "/bin/sh" ? command[2] : command[0];

    RunSpec spec;
    spec.argv = {o_.self_exe, "run"};
    spec.argv.insert(spec.argv.end(), o_.policy_args.begin(), o_.policy_args.end());
    const size_t escalations = spec.argv.size();  // what this call adds starts here
    // on-request: the agent asks for destinations, the person decides.
    std::vector<std::string> refused;
    std::set<std::string> granted;  // session sandbox: destinations allowed for this call
    if (args.contains("request_network") && args["request_network"].is_array()) {
      for (const auto& d : args["request_network"]) {
        if (!d.is_string()) continue;
        // The rule syntax, so "[::1]:8080" works and a bad host is refused here.
        auto dest = policy::ParseHostRule(d.get<std::string>());
        if (!dest.ok()) return TextResult("run: request_network entries are HOST:PORT", true);
        approval::Question q;
        q.kind = approval::Question::Kind::kNetwork;
        q.host = (dest.value().wildcard ? "*." : "") + dest.value().host;
        q.port = dest.value().port.value_or(443);
        q.command = shown;
        q.reason = str("reason").value_or("");
        // Asked for by the model, in its words: once or for this session,
        // never saved in the user's config.
        q.offer_always = false;
        approval::Reply r = approval::Reply::kDeny;
        if (o_.approval == "on-request" || o_.approval == "untrusted") r = AskLogged(q, control);
        if (approval::Allows(r)) {
          granted.insert(Key(q));  // a session's proxy question is answered from it
          spec.argv.push_back("--allow-domain");
          spec.argv.push_back(q.Subject());
        } else {
          refused.push_back(q.Subject() + " (" + approval::ReplyName(r) + ")");
        }
      }
    }
    std::vector<std::string> refused_writable;
    if (args.contains("request_writable")) {
      auto bad = RequestWritable(
          args["request_writable"], o_.check_writable, shown, str("reason").value_or(""),
          o_.approval == "on-request" || o_.approval == "untrusted",
          [&](const approval::Question& q) { return AskLogged(q, control); }, &spec.argv,
          &refused_writable);
      if (bad) return TextResult(*bad, true);
    }
    // A writable path cannot be added to the session's mount view: such a
    // call gets a fresh sandbox of its own.
    const bool in_session = o_.session_sandbox &&
                            std::find(spec.argv.begin() + static_cast<std::ptrdiff_t>(escalations),
                                      spec.argv.end(), "--writable") == spec.argv.end();
    const std::vector<std::string> unwrapped = command;
    if (!in_session && *cwd != o_.workspace) {
      // The sandbox starts in the workspace; the shell steps into cwd.
      std::vector<std::string> wrapped = {"/bin/sh", "-c", "cd -- \"$0\" || exit 125; exec \"$@\"",
                                          *cwd};
      wrapped.insert(wrapped.end(), command.begin(), command.end());
      command = std::move(wrapped);
    }
    spec.argv.insert(spec.argv.end(),
                     {"--approval-fd", "3", "--timeout", std::to_string(timeout), "--"});
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.stdin_data = str("stdin").value_or("");
    spec.max_output = o_.max_output;
    spec.hard_timeout_ms = (timeout + o_.approval_timeout_seconds + 30) * 1000;

    auto tick = [&](int64_t elapsed_ms) {
      if (token.is_null()) return;
      Write(EncodeNotification(
          "notifications/progress",
          {{"progressToken", token},
           {"progress", elapsed_ms / 1000},
           {"message", "running for " + std::to_string(elapsed_ms / 1000) + " s: " + shown}}));
    };
    auto r = in_session ? RunInSession(unwrapped, *cwd, shown, std::move(granted), timeout,
                                       spec.stdin_data, control, tick)
                        : RunCordon(
                              spec, &control,
                              [&](const approval::Question& q) { return Ask(q, control); }, tick);
    if (!r.ok()) return TextResult("cordon: " + r.error().Describe(), true);
    const RunResult& res = r.value();

    // What the model should make of it; also in structuredContent, which
    // some clients pass on instead of the text.
    std::string advice;
    if (res.exit_status == 124)
      advice += "Timed out after " + std::to_string(timeout) + " s; killed. ";
    if (res.exit_status == 125) advice += "cordon could not run the command; see stderr. ";
    if (!res.denied.empty() || !refused.empty()) {
      advice +=
          "Network destinations outside the policy were not approved. If the task needs them, "
          "ask the user to allow them (they can answer an approval prompt, or add \"HOST:PORT\" "
          "to [network] allow in cordon's config), then run the command again. ";
    }
    if (!refused_writable.empty()) {
      advice +=
          "Writable paths were not approved: the command may write only the workspace and "
          "its temp dir unless the user allows more. ";
    }
    if (!advice.empty()) advice.pop_back();
    std::string text = "exit code: " + std::to_string(res.exit_status) + "\n";
    if (!res.denied.empty() || !refused.empty()) {
      text += "network denied by the sandbox:";
      for (const auto& d : res.denied) text += " " + d;
      for (const auto& d : refused) text += " " + d;
      text += "\n";
    }
    if (!refused_writable.empty()) {
      text += "writable paths not approved:";
      for (const auto& w : refused_writable) text += " " + w;
      text += "\n";
    }
    if (!advice.empty()) text += advice + "\n";
    text += "--- stdout";
    if (res.out.truncated()) text += " (truncated: " + std::to_string(res.out.total) + " bytes)";
    text += " ---\n" + res.out.Text();
    text += "\n--- stderr";
    if (res.err.truncated()) text += " (truncated: " + std::to_string(res.err.total) + " bytes)";
    text += " ---\n" + res.err.Text();
    json result = TextResult(text, res.exit_status == 124 || res.exit_status == 125);
    json denied = res.denied;
    for (const auto& d : refused) denied.push_back(d);
    result["structuredContent"] = {{"exit_code", res.exit_status},
                                   {"stdout", res.out.Text()},
                                   {"stderr", res.err.Text()},
                                   {"stdout_truncated", res.out.truncated()},
                                   {"stderr_truncated", res.err.truncated()},
                                   {"stdout_bytes", res.out.total},
                                   {"stderr_bytes", res.err.total},
                                   {"timed_out", res.exit_status == 124},
                                   {"network_denied", denied},
                                   {"writable_refused", refused_writable}};
    if (!advice.empty()) result["structuredContent"]["advice"] = advice;
    return result;
  }

  static std::string Key(const approval::Question& q) {
    return std::string(approval::KindName(q.kind)) + " " + q.Subject();
  }

  // A call in the session sandbox, while it runs: the proxy's questions are
  // put to the person in its name, and its denials go in its result.
  struct SessionCallState {
    uint64_t id = 0;  // of its current run in the session (Session::Run)
    std::string shown;
    std::set<std::string> granted;  // keys allowed for this call only
    std::set<std::string> refused;  // keys refused for this call: not asked again
    std::vector<std::string> denied;
  };

  // The session sandbox, started at the first call and again if it ended.
  Result<std::shared_ptr<Session>> SessionFor() {
    std::lock_guard<std::mutex> lock(session_mu_);
    if (session_sandbox_ && session_sandbox_->alive()) return session_sandbox_;
    session_sandbox_.reset();
    std::vector<std::string> argv = {o_.self_exe, "run"};
    argv.insert(argv.end(), o_.policy_args.begin(), o_.policy_args.end());
    auto started = Session::Start(
        std::move(argv),
        [this](const approval::Question& q, uint64_t call) { return SessionAsk(q, call); });
    if (!started.ok()) return started.error();
    session_sandbox_ = std::shared_ptr<Session>(std::move(started).value());
    return session_sandbox_;
  }

  Result<RunResult> RunInSession(const std::vector<std::string>& command, const std::string& cwd,
                                 const std::string& shown, std::set<std::string> granted,
                                 int timeout, const std::string& stdin_data, RunControl& control,
                                 const std::function<void(int64_t)>& tick) {
    // untrusted: the gate cordon run has per command is here, per call.
    if (o_.approval == "untrusted" && !policy::IsTrustedCommand(command, o_.trusted_commands)) {
      approval::Question q;
      q.kind = approval::Question::Kind::kCommand;
      q.command = shown;
      q.offer_always = false;
      approval::Reply r = AskLogged(q, control);
      if (!approval::Allows(r)) {
        RunResult refused;
        refused.exit_status = 125;
        refused.err.Append(std::string("cordon: not approved (") + approval::ReplyName(r) +
                               "): the command did not run (approval policy 'untrusted')\n",
                           o_.max_output);
        return refused;
      }
    }
    auto state = std::make_shared<SessionCallState>();
    state->shown = shown;
    state->granted = std::move(granted);
    {
      std::lock_guard<std::mutex> lock(session_calls_mu_);
      session_calls_.push_back(state);
    }
    SessionCall call;
    call.cwd = cwd;
    call.argv = command;
    call.stdin_data = stdin_data;
    call.max_output = o_.max_output;
    call.timeout_seconds = timeout;
    Result<RunResult> r = PlainError("session sandbox", "", "not started");
    for (int attempt = 0; attempt <= kMaxReruns; ++attempt) {
      auto session = SessionFor();
      if (!session.ok()) {
        r = session.error();
        break;
      }
      const uint64_t id = ++next_call_id_;
      {
        std::lock_guard<std::mutex> lock(session_calls_mu_);
        state->id = id;
      }
      r = session.value()->Run(id, call, &control, tick);
      if (!r.ok()) break;
      std::unique_lock<std::mutex> lock(session_calls_mu_);
      r.value().denied = state->denied;
      const int status = r.value().exit_status;
      // on-failure: offer the last destination denied, and run it again.
      if (o_.approval != "on-failure" || status == 0 || status == 124 || status == 125 ||
          state->denied.empty() || control.cancelled() || attempt == kMaxReruns) {
        break;
      }
      approval::Question q;
      q.kind = approval::Question::Kind::kRerun;
      const std::string dest = state->denied.back();  // a Subject(): "host:port"
      auto rule = policy::ParseHostRule(dest);
      if (!rule.ok() || !rule.value().port) break;
      q.host = rule.value().host;
      q.port = *rule.value().port;
      q.command = shown;
      q.reason =
          "it failed with exit status " + std::to_string(status) + " after " + dest + " was denied";
      lock.unlock();  // the proxy's questions go on meanwhile
      approval::Reply reply = AskLogged(q, control);
      lock.lock();
      if (!approval::Allows(reply)) break;
      approval::Question net = q;
      net.kind = approval::Question::Kind::kNetwork;
      state->granted.insert(Key(net));
      if (reply != approval::Reply::kOnce) {
        std::lock_guard<std::mutex> wait_lock(wait_mu_);
        session_.insert(Key(net));
      }
      std::erase(state->denied, dest);
    }
    std::lock_guard<std::mutex> lock(session_calls_mu_);
    session_calls_.remove(state);
    return r;
  }

  // The session sandbox's proxy asks about a destination no rule names,
  // for a connection of call `call` (0: of no running call, denied):
  // remembered answers first (the session's, then the call's), then the
  // approval policy, then the person, asked in that call's name.
  approval::Reply SessionAsk(approval::Question q, uint64_t call) {
    const std::string key = Key(q);
    {
      std::lock_guard<std::mutex> lock(wait_mu_);
      if (session_.count(key) != 0) return approval::Reply::kSession;
    }
    std::shared_ptr<SessionCallState> state;
    {
      std::lock_guard<std::mutex> lock(session_calls_mu_);
      for (const auto& c : session_calls_) {
        if (call != 0 && c->id == call) state = c;
      }
      if (!state) return approval::Reply::kDeny;
      if (state->granted.count(key) != 0) return approval::Reply::kOnce;
      if (state->refused.count(key) != 0) return approval::Reply::kDeny;
      q.command = state->shown;
    }
    // on-failure: denied now, offered after the call failed.
    approval::Reply r =
        o_.approval == "on-failure" ? approval::Reply::kDeny : AskLogged(q, session_control_);
    std::lock_guard<std::mutex> lock(session_calls_mu_);
    if (approval::Allows(r)) {
      state->granted.insert(key);
    } else {
      state->refused.insert(key);
      if (std::find(state->denied.begin(), state->denied.end(), q.Subject()) ==
          state->denied.end()) {
        state->denied.push_back(q.Subject());
      }
    }
    return r;
  }

  // A question of this server's own (not relayed from a cordon run, whose
  // broker records those), recorded as cordon.approval events.
  approval::Reply AskLogged(const approval::Question& q, RunControl& control) {
    const std::string channel = elicitation_ ? "mcp" : "none";
    {
      std::lock_guard<std::mutex> lock(wait_mu_);
      if (session_.count(Key(q)) != 0) return approval::Reply::kSession;
    }
    if (o_.events != nullptr) o_.events->Emit(approval::RequestEvent(q, channel, o_.approval));
    const int64_t started = MonotonicMs();
    approval::Reply r = Ask(q, control);
    if (o_.events != nullptr) {
      o_.events->Emit(approval::DecisionEvent(q, r, channel, MonotonicMs() - started, ""));
    }
    return r;
  }

  // A question from a run: answered from the session's memory, else by the
  // person through elicitation, else nobody can answer.
  approval::Reply Ask(const approval::Question& q, RunControl& control) {
    const std::string key = Key(q);
    {
      std::lock_guard<std::mutex> lock(wait_mu_);
      if (session_.count(key) != 0) return approval::Reply::kSession;
    }
    if (!elicitation_) return approval::Reply::kNoChannel;
    std::string id = "cordon-approval-" + std::to_string(++next_id_);
    auto waiter = std::make_shared<Waiter>();
    {
      std::lock_guard<std::mutex> lock(wait_mu_);
      waiters_[id] = waiter;
    }
    json answers = q.offer_always ? json::array({"once", "session", "always", "deny"})
                                  : json::array({"once", "session", "deny"});
    json names = q.offer_always ? json::array({"Allow once", "Allow for this session",
                                               "Always allow (saved in cordon's config)", "Deny"})
                                : json::array({"Allow once", "Allow for this session", "Deny"});
    Write(EncodeRequest(id, "elicitation/create",
                        {{"message", "cordon: " + q.Prompt()},
                         {"requestedSchema",
                          {{"type", "object"},
                           {"properties",
                            {{"answer",
                              {{"type", "string"},
                               {"title", "Answer"},
                               {"description", q.Prompt()},
                               {"enum", answers},
                               {"enumNames", names}}}}},
                           {"required", json::array({"answer"})}}}}));
    // Answer before cordon run's own deadline, so a late reply is never
    // taken for the next question's.
    auto deadline =
        std::chrono::steady_clock::now() +
        std::chrono::milliseconds(std::max(500, o_.approval_timeout_seconds * 1000 - 500));
    std::unique_lock<std::mutex> lock(wait_mu_);
    wait_cv_.wait_until(lock, deadline,
                        [&] { return waiter->answered || control.cancelled() || gone_; });
    waiters_.erase(id);
    if (!waiter->answered)
      return control.cancelled() ? approval::Reply::kCancelled : approval::Reply::kTimeout;
    const json& res = waiter->result;
    if (!res.is_object() || !res.contains("action") || res["action"] != "accept" ||
        !res.contains("content") || !res["content"].is_object() ||
        !res["content"].contains("answer") || !res["content"]["answer"].is_string()) {
      return approval::Reply::kDeny;
    }
    auto reply = approval::ParseReply(res["content"]["answer"].get<std::string>());
    if (!reply || (*reply == approval::Reply::kAlways && !q.offer_always) ||
        !(approval::Allows(*reply) || *reply == approval::Reply::kDeny)) {
      return approval::Reply::kDeny;
    }
    if (*reply == approval::Reply::kSession || *reply == approval::Reply::kAlways)
      session_.insert(key);
    return *reply;
  }

  void Answered(const Message& m) {
    if (!m.id.is_string()) return;
    std::lock_guard<std::mutex> lock(wait_mu_);
    auto it = waiters_.find(m.id.get<std::string>());
    if (it == waiters_.end()) return;
    it->second->answered = true;
    it->second->result = m.result;
    it->second->error = m.error;
    wait_cv_.notify_all();
  }

  void Cancelled(const json& params) {
    if (!params.is_object() || !params.contains("requestId")) return;
    std::string id = params["requestId"].dump();
    std::lock_guard<std::mutex> lock(calls_mu_);
    for (auto& c : calls_) {
      if (c->id == id && !c->done) c->control.Cancel();
    }
    std::lock_guard<std::mutex> wait_lock(wait_mu_);
    wait_cv_.notify_all();
  }

  void Reap(bool all) {
    std::list<std::shared_ptr<Call>> finished;
    {
      std::lock_guard<std::mutex> lock(calls_mu_);
      for (auto it = calls_.begin(); it != calls_.end();) {
        if (all || (*it)->done) {
          finished.push_back(*it);
          it = calls_.erase(it);
        } else {
          ++it;
        }
      }
    }
    for (auto& c : finished) c->thread.join();
  }

  void Shutdown() {
    {
      std::lock_guard<std::mutex> lock(out_mu_);
      gone_ = true;
    }
    {
      std::lock_guard<std::mutex> lock(calls_mu_);
      for (auto& c : calls_) c->control.Cancel();
    }
    {
      std::lock_guard<std::mutex> lock(wait_mu_);
      wait_cv_.notify_all();
    }
    Reap(/*all=*/true);
    std::lock_guard<std::mutex> lock(session_mu_);
    session_sandbox_.reset();  // ends the session sandbox
  }

  int in_, out_;
  const ServerOptions& o_;
  std::mutex out_mu_;
  std::atomic<bool> gone_{false};
  std::string revision_ = kLatestRevision;
  std::atomic<bool> elicitation_{false};
  std::atomic<int> next_id_{0};
  std::mutex calls_mu_;
  std::list<std::shared_ptr<Call>> calls_;
  std::mutex wait_mu_;
  std::condition_variable wait_cv_;
  std::map<std::string, std::shared_ptr<Waiter>> waiters_;
  std::set<std::string> session_;  // keys answered "session" or "always"
  std::mutex session_mu_;
  std::shared_ptr<Session> session_sandbox_;
  std::mutex session_calls_mu_;
  std::list<std::shared_ptr<SessionCallState>> session_calls_;
  std::atomic<uint64_t> next_call_id_{0};
  RunControl session_control_;  // the proxy's questions belong to no one call
};

}  // namespace

int Serve(int in_fd, int out_fd, const ServerOptions& options) {
  // A client that goes away must not kill us mid-cleanup: writes then fail
  // with EPIPE instead, and the runs are killed and reaped.
  signal(SIGPIPE, SIG_IGN);
  Server server(in_fd, out_fd, options);
  return server.Run();
}

}  // namespace cordon::mcp
