// The MCP server: one reader thread (this one) that dispatches messages,
// one thread per `run` call, one mutex around the output stream. Answers
// to our own requests (elicitation) go back to the broker's channel by id
// (elicitation_channel.h); the `run` tool's arguments and result are
// run_tool.h's.
#include "mcp/server.h"

#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <list>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "approval/broker.h"
#include "approval/reruns.h"
#include "common/outcome.h"
#include "mcp/elicitation_channel.h"
#include "mcp/jsonrpc.h"
#include "mcp/run_tool.h"
#include "mcp/runner.h"
#include "mcp/session.h"
#include "policy/approval.h"
#include "policy/net_rules.h"

namespace cordon::mcp {

namespace {

using nlohmann::json;

constexpr const char* kLatestRevision = "2025-06-18";
constexpr const char* kRevisions[] = {"2025-06-18", "2025-03-26", "2024-11-05"};
// The broker of the questions this server asks (the agent's requests, the
// session sandbox's), and relays (from each call's `cordon run`).
approval::BrokerOptions BrokerSetup(const ServerOptions& o,
                                    std::unique_ptr<ElicitationChannel> channel) {
  approval::BrokerOptions b;
  b.approval = o.approval;
  // Answer before cordon run's own deadline, so a late reply is never taken
  // for the next question's.
  b.timeout_ms = std::max(500, o.approval_timeout_seconds * 1000 - 500);
  b.channel = std::move(channel);
  b.events = o.events;
  b.trusted_commands = o.trusted_commands;
  return b;
}

class Server {
 public:
  Server(int in_fd, int out_fd, const ServerOptions& options)
      : in_(in_fd), out_(out_fd), options_(options) {
    auto channel =
        std::make_unique<ElicitationChannel>([this](const std::string& line) { Write(line); });
    elicitation_ = channel.get();
    broker_ = std::make_unique<approval::Broker>(BrokerSetup(options_, std::move(channel)));
  }

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
    elicitation_->Enable(revision_ == "2025-06-18" && params.is_object() &&
                         params.contains("capabilities") && params["capabilities"].is_object() &&
                         params["capabilities"].contains("elicitation"));
    return {{"protocolVersion", revision_},
            {"capabilities", {{"tools", {{"listChanged", false}}}}},
            {"serverInfo",
             {{"name", "cordon"}, {"title", "cordon sandbox"}, {"version", options_.version}}},
            {"instructions",
             std::string("Run shell commands through the `run` tool: ") +
                 (options_.session_sandbox
                      ? "they all run in one cordon sandbox for this session (OS-enforced; files "
                        "in /tmp persist between calls). "
                      : "each runs in a fresh cordon sandbox (OS-enforced). ") +
                 options_.tool_description}};
  }

  json Tools() const {
    return ToolList(options_.session_sandbox, options_.tool_description, options_.max_output);
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
    if (!options_.unavailable.empty()) {
      Write(EncodeResult(m.id, TextResult(options_.unavailable, true)));
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
    spec.argv = {options_.self_exe, "policy", "show", "--json"};
    spec.argv.insert(spec.argv.end(), options_.policy_args.begin(), options_.policy_args.end());
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
    std::string path = cwd.empty()          ? options_.workspace
                       : cwd.front() == '/' ? cwd
                                            : options_.workspace + "/" + cwd;
    char real[PATH_MAX];
    if (realpath(path.c_str(), real) == nullptr) {
      *why = "cwd " + cwd + ": " + std::string(strerror(errno));
      return std::nullopt;
    }
    std::string r = real;
    if (r != options_.workspace && r.rfind(options_.workspace + "/", 0) != 0) {
      *why = "cwd " + cwd + " is outside the workspace " + options_.workspace;
      return std::nullopt;
    }
    return r;
  }

  json RunTool(const json& args, const json& token, RunControl& control) {
    auto parsed = ParseRunRequest(args);
    if (!parsed.ok()) return TextResult(parsed.error().detail, true);
    RunRequest req = std::move(parsed).value();
    std::string why;
    auto cwd = ResolveCwd(req.cwd, &why);
    if (!cwd) return TextResult("run: " + why, true);
    const approval::Cancelled cancelled = [&control] { return control.cancelled(); };

    RunSpec spec;
    spec.argv = {options_.self_exe, "run"};
    spec.argv.insert(spec.argv.end(), options_.policy_args.begin(), options_.policy_args.end());
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
        q.command = req.shown;
        q.reason = req.reason;
        // Asked for by the model, in its words: once or for this session,
        // never saved in the user's config.
        q.offer_always = false;
        approval::Reply r = approval::Reply::kDeny;
        if (broker_->AsksLive()) r = broker_->AskNow(q, cancelled);
        if (approval::Allows(r)) {
          granted.insert(q.Key());  // a session's proxy question is answered from it
          // The same flag a person would type: the run resolves it like one.
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
          args["request_writable"], options_.check_writable, req.shown, req.reason,
          broker_->AsksLive(),
          [&](const approval::Question& q) { return broker_->AskNow(q, cancelled); }, &spec.argv,
          &refused_writable);
      if (bad) return TextResult(*bad, true);
    }
    // A writable path cannot be added to the session's mount view: such a
    // call gets a fresh sandbox of its own.
    const bool in_session = options_.session_sandbox &&
                            std::find(spec.argv.begin() + static_cast<std::ptrdiff_t>(escalations),
                                      spec.argv.end(), "--writable") == spec.argv.end();
    std::vector<std::string> command = req.command;
    if (!in_session && *cwd != options_.workspace) {
      // The sandbox starts in the workspace; the shell steps into cwd.
      std::vector<std::string> wrapped = {"/bin/sh", "-c", "cd -- \"$0\" || exit 125; exec \"$@\"",
                                          *cwd};
      wrapped.insert(wrapped.end(), command.begin(), command.end());
      command = std::move(wrapped);
    }
    spec.argv.insert(spec.argv.end(), {"--approval-fd", "3", "--timeout",
                                       std::to_string(req.timeout_seconds), "--"});
    spec.argv.insert(spec.argv.end(), command.begin(), command.end());
    spec.stdin_data = req.stdin_data;
    spec.max_output = options_.max_output;
    spec.hard_timeout_ms = (req.timeout_seconds + options_.approval_timeout_seconds + 30) * 1000;

    auto tick = [&](int64_t elapsed_ms) {
      if (token.is_null()) return;
      Write(EncodeNotification(
          "notifications/progress",
          {{"progressToken", token},
           {"progress", elapsed_ms / 1000},
           {"message", "running for " + std::to_string(elapsed_ms / 1000) + " s: " + req.shown}}));
    };
    auto r =
        in_session
            ? RunInSession(req, *cwd, std::move(granted), control, tick)
            : RunCordon(
                  spec, &control,
                  [&](const approval::Question& q) { return broker_->Relay(q, cancelled); }, tick);
    if (!r.ok()) return TextResult("cordon: " + r.error().Describe(), true);
    return RunToolResult(r.value(), req.timeout_seconds, refused, refused_writable);
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
    std::vector<std::string> argv = {options_.self_exe, "run"};
    argv.insert(argv.end(), options_.policy_args.begin(), options_.policy_args.end());
    auto started = Session::Start(
        std::move(argv),
        [this](const approval::Question& q, uint64_t call) { return SessionAsk(q, call); });
    if (!started.ok()) return started.error();
    session_sandbox_ = std::shared_ptr<Session>(std::move(started).value());
    return session_sandbox_;
  }

  Result<RunResult> RunInSession(const RunRequest& req, const std::string& cwd,
                                 std::set<std::string> granted, RunControl& control,
                                 const std::function<void(int64_t)>& tick) {
    const approval::Cancelled cancelled = [&control] { return control.cancelled(); };
    // untrusted: the gate cordon run has per command is here, per call.
    if (auto r = broker_->GateCommand(req.command, req.shown, cancelled);
        r && !approval::Allows(*r)) {
      RunResult refused;
      refused.exit_status = 125;
      refused.err.Append(std::string("cordon: not approved (") + approval::ReplyName(*r) +
                             "): the command did not run (approval policy 'untrusted')\n",
                         options_.max_output);
      return refused;
    }
    auto state = std::make_shared<SessionCallState>();
    state->shown = req.shown;
    state->granted = std::move(granted);
    {
      std::lock_guard<std::mutex> lock(session_calls_mu_);
      session_calls_.push_back(state);
    }
    SessionCall call;
    call.cwd = cwd;
    call.argv = req.command;
    call.stdin_data = req.stdin_data;
    call.max_output = options_.max_output;
    call.timeout_seconds = req.timeout_seconds;
    Result<RunResult> r = PlainError("session sandbox", "", "not started");
    auto run = [&]() -> int {
      auto session = SessionFor();
      if (!session.ok()) {
        r = session.error();
        return kExitSetupError;
      }
      const uint64_t id = ++next_call_id_;
      {
        std::lock_guard<std::mutex> lock(session_calls_mu_);
        state->id = id;
      }
      r = session.value()->Run(id, call, &control, tick);
      if (!r.ok()) return kExitSetupError;
      std::lock_guard<std::mutex> lock(session_calls_mu_);
      r.value().denied = state->denied;
      return r.value().exit_status;
    };
    // on-failure: offer the last destination denied, and run it again.
    auto offer = [&](int status) -> std::optional<approval::Question> {
      std::lock_guard<std::mutex> lock(session_calls_mu_);
      if (state->denied.empty() || control.cancelled()) return std::nullopt;
      auto rule = policy::ParseHostRule(state->denied.back());  // a Subject(): "host:port"
      if (!rule.ok() || !rule.value().port) return std::nullopt;
      approval::Question q;
      q.kind = approval::Question::Kind::kNetworkRerun;
      q.host = rule.value().host;
      q.port = *rule.value().port;
      q.command = req.shown;
      q.reason = "it failed with exit status " + std::to_string(status) + " after " +
                 state->denied.back() + " was denied";
      return q;
    };
    // The session's proxy answers this call's question from `granted`;
    // a "session" answer is the broker's to remember.
    auto widen = [&](const approval::Question& q, approval::Reply) {
      approval::Question net = q;
      net.kind = approval::Question::Kind::kNetwork;
      std::lock_guard<std::mutex> lock(session_calls_mu_);
      state->granted.insert(net.Key());
      std::erase(state->denied, q.Subject());
      return true;
    };
    (void)approval::RunWithReruns(*broker_, run, offer, widen, cancelled);
    std::lock_guard<std::mutex> lock(session_calls_mu_);
    session_calls_.remove(state);
    return r;
  }

  // The session sandbox's proxy asks about a destination no rule names,
  // for a connection of call `call` (0: of no running call, denied):
  // remembered answers first (the session's, then the call's), then the
  // approval policy, then the person, asked in that call's name.
  approval::Reply SessionAsk(approval::Question q, uint64_t call) {
    if (broker_->Remembered(q)) return approval::Reply::kSession;
    const std::string key = q.Key();
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
    // on-failure: denied now (the broker asks nothing while a command runs),
    // offered after the call failed.
    approval::Reply r = broker_->AskNow(q, [this] { return session_control_.cancelled(); });
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

  void Answered(const Message& m) { (void)elicitation_->Answered(m.id, m.result); }

  void Cancelled(const json& params) {
    if (!params.is_object() || !params.contains("requestId")) return;
    std::string id = params["requestId"].dump();
    std::lock_guard<std::mutex> lock(calls_mu_);
    for (auto& c : calls_) {
      if (c->id == id && !c->done) c->control.Cancel();
    }
    elicitation_->Wake();
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
    elicitation_->Interrupt();  // no answer will come
    Reap(/*all=*/true);
    std::lock_guard<std::mutex> lock(session_mu_);
    session_sandbox_.reset();  // ends the session sandbox
  }

  int in_, out_;
  const ServerOptions& options_;
  std::mutex out_mu_;
  std::atomic<bool> gone_{false};
  std::string revision_ = kLatestRevision;
  // Declared before what may call it (the session, the calls), so it is
  // destroyed after them; it writes through Write.
  std::unique_ptr<approval::Broker> broker_;
  ElicitationChannel* elicitation_ = nullptr;  // the broker's channel
  std::mutex calls_mu_;
  std::list<std::shared_ptr<Call>> calls_;
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
