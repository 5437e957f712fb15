// The audit trail (docs/telemetry.md): every run appends OTLP/JSON events to
// $XDG_STATE_HOME/cordon/events/DAY.jsonl, which no sandbox can read; with an
// endpoint the same records reach an OTLP/HTTP collector, and a collector
// that is down, slow or failing never changes the run; `cordon log` reads
// the files back exactly.
//
// The collector is a loopback HTTP server run by the test that checks every
// request strictly against the OTLP protobuf-JSON mapping.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "harness.h"

namespace cordon::it {
namespace {

using nlohmann::json;

bool IsHex(const std::string& s, size_t len) {
  if (s.size() != len || s.find_first_not_of("0123456789abcdef") != std::string::npos) return false;
  return s.find_first_not_of('0') != std::string::npos;
}

bool IsDecimal(const json& v, bool allow_minus) {
  if (!v.is_string()) return false;
  std::string s = v.get<std::string>();
  if (allow_minus && !s.empty() && s[0] == '-') s.erase(0, 1);
  return !s.empty() && s.find_first_not_of("0123456789") == std::string::npos;
}

// Keys of `obj` outside `allowed`, and `required` keys missing, as errors.
void Keys(const json& obj, const std::set<std::string>& allowed,
          const std::set<std::string>& required, const std::string& where,
          std::vector<std::string>* errors) {
  if (!obj.is_object()) {
    errors->push_back(where + ": not an object");
    return;
  }
  for (const auto& [k, v] : obj.items()) {
    if (!allowed.contains(k)) errors->push_back(where + ": unexpected field '" + k + "'");
  }
  for (const auto& k : required) {
    if (!obj.contains(k)) errors->push_back(where + ": missing field '" + k + "'");
  }
}

void CheckAnyValue(const json& v, const std::string& where, std::vector<std::string>* errors);

void CheckKeyValues(const json& kvs, const std::string& where, std::vector<std::string>* errors) {
  if (!kvs.is_array()) {
    errors->push_back(where + ": not an array");
    return;
  }
  for (const auto& kv : kvs) {
    Keys(kv, {"key", "value"}, {"key", "value"}, where + "[]", errors);
    if (!kv.is_object()) continue;
    if (!kv.contains("key") || !kv["key"].is_string() || kv["key"].get<std::string>().empty())
      errors->push_back(where + ": key is not a non-empty string");
    if (kv.contains("value"))
      CheckAnyValue(kv["value"], where + "." + kv.value("key", "?"), errors);
  }
}

void CheckAnyValue(const json& v, const std::string& where, std::vector<std::string>* errors) {
  if (!v.is_object() || v.size() != 1) {
    errors->push_back(where + ": an AnyValue has exactly one field");
    return;
  }
  auto only = v.begin();  // an iterator, not items(): its proxy would dangle
  const std::string k = only.key();
  const json& x = only.value();
  if (k == "stringValue") {
    if (!x.is_string()) errors->push_back(where + ": stringValue not a string");
  } else if (k == "boolValue") {
    if (!x.is_boolean()) errors->push_back(where + ": boolValue not a boolean");
  } else if (k == "intValue") {
    // int64 is a decimal string in the protobuf-JSON mapping.
    if (!IsDecimal(x, true)) errors->push_back(where + ": intValue not a decimal string");
  } else if (k == "doubleValue") {
    if (!x.is_number()) errors->push_back(where + ": doubleValue not a number");
  } else if (k == "arrayValue") {
    Keys(x, {"values"}, {}, where + ".arrayValue", errors);
    if (x.is_object() && x.contains("values")) {
      for (const auto& e : x["values"]) CheckAnyValue(e, where + "[]", errors);
    }
  } else if (k == "kvlistValue") {
    Keys(x, {"values"}, {}, where + ".kvlistValue", errors);
    if (x.is_object() && x.contains("values")) CheckKeyValues(x["values"], where, errors);
  } else {
    errors->push_back(where + ": unknown AnyValue field '" + k + "'");
  }
}

// Strict check of one ExportLogsServiceRequest; returns the errors.
std::vector<std::string> ValidateRequest(const json& req) {
  std::vector<std::string> errors;
  Keys(req, {"resourceLogs"}, {"resourceLogs"}, "request", &errors);
  if (!errors.empty() || !req["resourceLogs"].is_array() || req["resourceLogs"].empty()) {
    errors.push_back("request: resourceLogs is not a non-empty array");
    return errors;
  }
  for (const auto& rl : req["resourceLogs"]) {
    Keys(rl, {"resource", "scopeLogs", "schemaUrl"}, {"resource", "scopeLogs"}, "resourceLogs[]",
         &errors);
    if (!rl.is_object()) continue;
    Keys(rl["resource"], {"attributes", "droppedAttributesCount"}, {"attributes"}, "resource",
         &errors);
    if (rl["resource"].is_object() && rl["resource"].contains("attributes"))
      CheckKeyValues(rl["resource"]["attributes"], "resource.attributes", &errors);
    if (!rl["scopeLogs"].is_array()) {
      errors.push_back("scopeLogs: not an array");
      continue;
    }
    for (const auto& sl : rl["scopeLogs"]) {
      Keys(sl, {"scope", "logRecords", "schemaUrl"}, {"scope", "logRecords"}, "scopeLogs[]",
           &errors);
      if (!sl.is_object()) continue;
      Keys(sl["scope"], {"name", "version", "attributes", "droppedAttributesCount"}, {"name"},
           "scope", &errors);
      if (!sl["logRecords"].is_array() || sl["logRecords"].empty()) {
        errors.push_back("logRecords: not a non-empty array");
        continue;
      }
      for (const auto& r : sl["logRecords"]) {
        Keys(r,
             {"timeUnixNano", "observedTimeUnixNano", "severityNumber", "severityText", "body",
              "attributes", "droppedAttributesCount", "flags", "traceId", "spanId", "eventName"},
             {"timeUnixNano", "severityNumber", "body", "attributes", "traceId", "spanId"},
             "logRecord", &errors);
        if (!r.is_object()) continue;
        for (const char* t : {"timeUnixNano", "observedTimeUnixNano"}) {
          if (r.contains(t) && !IsDecimal(r[t], false))
            errors.push_back(std::string("logRecord.") + t + ": not a decimal string");
        }
        if (!r["severityNumber"].is_number_integer() || r["severityNumber"].get<int>() < 1 ||
            r["severityNumber"].get<int>() > 24)
          errors.push_back("logRecord.severityNumber: not an integer in 1..24");
        if (r.contains("severityText") && !r["severityText"].is_string())
          errors.push_back("logRecord.severityText: not a string");
        if (!r["traceId"].is_string() || !IsHex(r["traceId"].get<std::string>(), 32))
          errors.push_back("logRecord.traceId: not 32 lowercase hex digits");
        if (!r["spanId"].is_string() || !IsHex(r["spanId"].get<std::string>(), 16))
          errors.push_back("logRecord.spanId: not 16 lowercase hex digits");
        if (r.contains("eventName") && !r["eventName"].is_string())
          errors.push_back("logRecord.eventName: not a string");
        if (r.contains("body")) CheckAnyValue(r["body"], "logRecord.body", &errors);
        if (r.contains("attributes"))
          CheckKeyValues(r["attributes"], "logRecord.attributes", &errors);
      }
    }
  }
  return errors;
}

// The log records of a request, each with its resource attributes.
struct Rec {
  json record;
  json resource;
};
std::vector<Rec> Records(const json& req) {
  std::vector<Rec> out;
  for (const auto& rl : req["resourceLogs"]) {
    for (const auto& sl : rl["scopeLogs"]) {
      for (const auto& r : sl["logRecords"]) out.push_back({r, rl["resource"]});
    }
  }
  return out;
}

std::string Attr(const json& attrs, const std::string& key) {
  for (const auto& kv : attrs) {
    if (kv.value("key", "") == key) {
      const json& v = kv["value"];
      if (v.contains("stringValue")) return v["stringValue"].get<std::string>();
      if (v.contains("intValue")) return v["intValue"].get<std::string>();
      if (v.contains("boolValue")) return v["boolValue"].get<bool>() ? "true" : "false";
      return v.dump();
    }
  }
  return "";
}

// A loopback OTLP/HTTP collector: answers 200 (or 500, or after a delay)
// and records each request after validating it.
class Collector {
 public:
  enum class Mode { kOk, kFail500, kSlow };
  explicit Collector(Mode mode, double delay_s = 0) : mode_(mode), delay_s_(delay_s) {
    fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    if (fd_ < 0 || bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        listen(fd_, 64) != 0 || getsockname(fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
      throw std::runtime_error("collector: cannot listen on loopback");
    port_ = ntohs(a.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~Collector() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  Collector(const Collector&) = delete;
  Collector& operator=(const Collector&) = delete;

  [[nodiscard]] std::string url() const { return "http://127.0.0.1:" + std::to_string(port_); }
  [[nodiscard]] size_t RecordCount() {
    std::lock_guard<std::mutex> l(mu_);
    size_t n = 0;
    for (const auto& b : bodies_) n += Records(b).size();
    return n;
  }
  std::vector<json> bodies() {
    std::lock_guard<std::mutex> l(mu_);
    return bodies_;
  }
  std::vector<std::string> errors() {
    std::lock_guard<std::mutex> l(mu_);
    return errors_;
  }
  std::vector<std::string> heads() {
    std::lock_guard<std::mutex> l(mu_);
    return heads_;
  }

 private:
  void Serve() {
    while (!stop_) {
      pollfd p = {fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (c >= 0) {
        Handle(c);
        close(c);
      }
    }
  }

  void Handle(int c) {
    std::string data;
    char buf[65536];
    size_t head_end = std::string::npos;
    size_t length = 0;
    double deadline = Now() + 5;
    while (Now() < deadline) {
      pollfd p = {c, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) continue;
      ssize_t n = read(c, buf, sizeof buf);
      if (n <= 0) return;
      data.append(buf, static_cast<size_t>(n));
      if (head_end == std::string::npos &&
          (head_end = data.find("\r\n\r\n")) != std::string::npos) {
        std::string head = data.substr(0, head_end);
        std::string lower = head;
        for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        size_t cl = lower.find("content-length:");
        if (cl != std::string::npos) length = std::stoul(head.substr(cl + 15));
        std::lock_guard<std::mutex> l(mu_);
        heads_.push_back(head);
      }
      if (head_end != std::string::npos && data.size() >= head_end + 4 + length) break;
    }
    if (head_end == std::string::npos) return;
    std::string body = data.substr(head_end + 4, length);
    if (mode_ == Mode::kSlow) {
      for (double until = Now() + delay_s_; Now() < until && !stop_;) usleep(10000);
    }
    if (mode_ == Mode::kFail500) {
      Reply(c, "500 Internal Server Error", "{}");
      return;
    }
    json j = json::parse(body, nullptr, false);
    {
      std::lock_guard<std::mutex> l(mu_);
      if (j.is_discarded()) {
        errors_.push_back("body is not JSON");
      } else {
        for (auto& e : ValidateRequest(j)) errors_.push_back(e);
        bodies_.push_back(j);
      }
    }
    Reply(c, "200 OK", "{}");
  }

  static void Reply(int c, const std::string& status, const std::string& body) {
    std::string r = "HTTP/1.1 " + status +
                    "\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
                    std::to_string(body.size()) + "\r\n\r\n" + body;
    (void)!write(c, r.data(), r.size());
  }

  Mode mode_;
  double delay_s_;
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
  std::mutex mu_;
  std::vector<json> bodies_;
  std::vector<std::string> errors_;
  std::vector<std::string> heads_;
};

class TelemetryTest : public SandboxTest {
 protected:
  // These tests count the records of one run exactly; the namespace-less
  // tier adds its notice and a degraded event. ExportWorksInTheNamespaceless
  // TierToo forces that tier itself.
  void SetUp() override {
    CORDON_SKIP_IN_NAMESPACELESS_TIER("exact record counts; covered by a test of its own");
  }
  std::string EventsDir() const { return state_ + "/cordon/events"; }
  // Every line of every events file.
  std::vector<std::string> Lines() const {
    std::vector<std::string> out;
    if (!Exists(EventsDir())) return out;
    for (const auto& f : ListDir(EventsDir())) {
      if (f.starts_with(".")) continue;
      std::istringstream in(ReadFile(EventsDir() + "/" + f));
      for (std::string line; std::getline(in, line);) out.push_back(line);
    }
    return out;
  }
  std::string AllFiles() const {
    std::string all;
    for (const auto& f : ListDir(EventsDir())) {
      if (!f.starts_with(".")) all += ReadFile(EventsDir() + "/" + f);
    }
    return all;
  }
  // Lines parsed and strictly validated; failures are test failures.
  std::vector<Rec> FileRecords() const {
    std::vector<Rec> out;
    for (const auto& line : Lines()) {
      json j = json::parse(line, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << line;
      if (j.is_discarded()) continue;
      auto errors = ValidateRequest(j);
      EXPECT_TRUE(errors.empty()) << errors.front() << "\n" << line;
      for (auto& r : Records(j)) out.push_back(std::move(r));
    }
    return out;
  }
  RunResult RunWith(const Env& extra, const std::vector<std::string>& opts,
                    const std::vector<std::string>& cmd) {
    Env env = env_;
    for (const auto& [k, v] : extra) env[k] = v;
    return RunProcess(RunArgv(opts, cmd), env, ws_);
  }
};

TEST_F(TelemetryTest, EveryRunRecordsSessionExecStartAndEndPrivately) {
  RunResult r = Run({}, {"/bin/sh", "-c", "exit 3"});
  ASSERT_EQ(r.exit_code, 3) << r.Describe();
  struct stat st {};
  ASSERT_EQ(stat(EventsDir().c_str(), &st), 0) << EventsDir();
  EXPECT_EQ(st.st_mode & 07777, 0700u);
  auto files = ListDir(EventsDir());
  ASSERT_EQ(files.size(), 1u);
  EXPECT_TRUE(files[0].ends_with(".jsonl") && files[0].size() == 16) << files[0];
  ASSERT_EQ(stat((EventsDir() + "/" + files[0]).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);

  auto recs = FileRecords();
  ASSERT_EQ(recs.size(), 3u) << AllFiles();
  std::vector<std::string> names;
  for (const auto& x : recs) names.push_back(x.record.value("eventName", ""));
  EXPECT_EQ(names, (std::vector<std::string>{"cordon.session.start", "cordon.exec.start",
                                             "cordon.exec.end"}));
  const std::string trace = recs[0].record["traceId"];
  for (const auto& x : recs) EXPECT_EQ(x.record["traceId"], trace);
  EXPECT_EQ(Attr(recs[0].resource["attributes"], "service.name"), "cordon");
  const json& session = recs[0].record["attributes"];
  EXPECT_EQ(Attr(session, "cordon.workspace"), ws_);
  EXPECT_EQ(Attr(session, "cordon.mode"), "workspace-write");
  EXPECT_EQ(Attr(session, "cordon.network.mode"), "off");
  EXPECT_TRUE(Attr(session, "cordon.policy.hash").starts_with("sha256:"));
  EXPECT_EQ(Attr(session, "cordon.fs.denials.captured"), "false");
  EXPECT_NE(Attr(session, "cordon.policy").find(home_ + "/.ssh"), std::string::npos);
  const json& start = recs[1].record["attributes"];
  EXPECT_NE(Attr(start, "process.command_args").find("exit 3"), std::string::npos);
  EXPECT_EQ(Attr(start, "process.working_directory"), ws_);
  EXPECT_GT(std::stol(Attr(start, "process.pid")), 1);
  const json& end = recs[2].record["attributes"];
  EXPECT_EQ(Attr(end, "process.exit.code"), "3");
  EXPECT_EQ(Attr(end, "cordon.outcome"), "exited");
  EXPECT_GT(std::stol(Attr(end, "cordon.peak_rss_bytes")), 0);
  EXPECT_FALSE(Attr(end, "cordon.duration_ms").empty());
}

TEST_F(TelemetryTest, SignalsTimeoutsAndMissingCommandsAreRecorded) {
  ASSERT_EQ(Run({}, {"/bin/sh", "-c", "kill -9 $$"}).exit_code, 137);
  ASSERT_EQ(Run({"--timeout", "1"}, {"/bin/sleep", "30"}).exit_code, 124);
  ASSERT_EQ(Run({}, {"/no/such/program"}).exit_code, 127);
  std::vector<std::string> outcomes;
  for (const auto& x : FileRecords()) {
    if (x.record.value("eventName", "") == "cordon.exec.end")
      outcomes.push_back(Attr(x.record["attributes"], "cordon.outcome"));
  }
  EXPECT_EQ(outcomes, (std::vector<std::string>{"signaled", "timeout", "exec-error"}));
}

TEST_F(TelemetryTest, SecretValuesNeverAppear) {
  const std::string token = "tok" + RandomToken();
  RunResult r = Run({"--env", "API_TOKEN=" + token}, {"/bin/true"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  std::string all = AllFiles();
  EXPECT_NE(all.find("API_TOKEN"), std::string::npos) << "the name is recorded";
  EXPECT_EQ(all.find(token), std::string::npos) << "the value must never be";
  EXPECT_EQ(all.find(fake_home_.secret()), std::string::npos);
}

TEST_F(TelemetryTest, EventsFileIsInvisibleInsideTheSandbox) {
  ASSERT_EQ(Run({}, {"/bin/true"}).exit_code, 0);
  auto files = ListDir(EventsDir());
  ASSERT_FALSE(files.empty());
  EXPECT_TRUE(Denied(Probe({"read", EventsDir() + "/" + files[0]}), {"ENOENT", "EACCES"}));
  EXPECT_TRUE(Denied(Probe({"read", state_ + "/cordon"}), {"ENOENT", "EACCES", "EISDIR"}));
  // Its twin: a file next to the workspace is readable, so the probe works.
  WriteFile(ws_ + "/visible.txt", "ok\n");
  EXPECT_TRUE(Allowed(Probe({"read", ws_ + "/visible.txt"})));
}

TEST_F(TelemetryTest, VerbosePrintsOneLinePerEvent) {
  RunResult r = Run({"-v"}, {"/bin/sh", "-c", "exit 4"});
  ASSERT_EQ(r.exit_code, 4) << r.Describe();
  EXPECT_NE(r.err.find("cordon: event session.start: "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("cordon: event exec.end: exit 4"), std::string::npos) << r.err;
  RunResult quiet = Run({}, {"/bin/true"});
  EXPECT_EQ(quiet.err.find("cordon: event"), std::string::npos) << quiet.err;
}

TEST_F(TelemetryTest, ExportSendsEveryRecordWithHeadersAndResource) {
  Collector collector(Collector::Mode::kOk);
  RunResult r = RunWith({{"OTEL_EXPORTER_OTLP_ENDPOINT", collector.url()},
                         {"OTEL_EXPORTER_OTLP_HEADERS", "x-cordon-test=abc%20def,bad"},
                         {"OTEL_SERVICE_NAME", "agent-x"},
                         {"OTEL_RESOURCE_ATTRIBUTES", "deployment.environment=ci"}},
                        {}, {"/bin/sh", "-c", "exit 5"});
  ASSERT_EQ(r.exit_code, 5) << r.Describe();
  EXPECT_EQ(r.err, "") << "a working export is silent";
  ASSERT_TRUE(WaitFor([&] { return collector.RecordCount() >= 3; }, 10))
      << "records received: " << collector.RecordCount();
  auto errors = collector.errors();
  EXPECT_TRUE(errors.empty()) << errors.front();
  auto heads = collector.heads();
  ASSERT_FALSE(heads.empty());
  EXPECT_TRUE(heads[0].starts_with("POST /v1/logs HTTP/1.1\r\n")) << heads[0];
  EXPECT_NE(heads[0].find("Content-Type: application/json"), std::string::npos) << heads[0];
  EXPECT_NE(heads[0].find("x-cordon-test: abc def"), std::string::npos) << heads[0];

  std::vector<json> sent;
  for (const auto& b : collector.bodies()) {
    for (auto& x : Records(b)) {
      EXPECT_EQ(Attr(x.resource["attributes"], "service.name"), "agent-x");
      EXPECT_EQ(Attr(x.resource["attributes"], "deployment.environment"), "ci");
      sent.push_back(x.record);
    }
  }
  std::vector<json> kept;
  for (auto& x : FileRecords()) kept.push_back(x.record);
  EXPECT_EQ(sent, kept) << "the collector gets exactly what the file keeps";
}

// In the namespace-less tier the supervisor kills every leftover child at
// the end of the run; the exporter, its own child, must survive that.
TEST_F(TelemetryTest, ExportWorksInTheNamespacelessTierToo) {
  Collector collector(Collector::Mode::kOk);
  std::vector<std::string> argv = {DenySyscallBin(), "--ns", "user", "--"};
  for (auto& a : RunArgvAnyTier({}, {"/bin/sh", "-c", "exit 6"})) argv.push_back(a);
  Env env = env_;
  env["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.url();
  RunResult r = RunProcess(argv, env, ws_);
  ASSERT_EQ(r.exit_code, 6) << r.Describe();
  EXPECT_NE(r.err.find("namespace-less tier"), std::string::npos) << r.Describe();
  ASSERT_TRUE(WaitFor([&] { return collector.RecordCount() >= 4; }, 10))
      << "records received: " << collector.RecordCount();
  std::vector<std::string> names;
  for (const auto& b : collector.bodies()) {
    for (auto& x : Records(b)) names.push_back(x.record.value("eventName", ""));
  }
  EXPECT_EQ(names, (std::vector<std::string>{"cordon.session.start", "cordon.policy.degraded",
                                             "cordon.exec.start", "cordon.exec.end"}));
}

// A collector that is down, slow or failing: the run's status and duration
// are its own, the file copy is complete, and cordon says so once.
void CheckUnaffected(const RunResult& r, const std::vector<Rec>& recs) {
  EXPECT_EQ(r.exit_code, 7) << r.Describe();
  EXPECT_LT(r.seconds, 1.5) << "the exporter delayed the run";
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_EQ(recs.back().record.value("eventName", ""), "cordon.exec.end");
}

TEST_F(TelemetryTest, CollectorDownChangesNothingAndIsReportedOnce) {
  int port = 0;
  {
    TcpServer closed("127.0.0.1");
    port = closed.port();
  }
  Env env = {{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT",
              "http://127.0.0.1:" + std::to_string(port) + "/v1/logs"}};
  RunResult r = RunWith(env, {}, {"/bin/sh", "-c", "exit 7"});
  CheckUnaffected(r, FileRecords());
  const std::string marker = EventsDir() + "/.export-failed";
  if (r.err.find("OTLP export failed") == std::string::npos) {
    // Not known before this run ended: the next run says it.
    ASSERT_TRUE(WaitFor([&] { return Exists(marker); }, 10)) << "the exporter never gave up";
    RunResult next = RunWith(env, {}, {"/bin/true"});
    EXPECT_NE(next.err.find("Couldn't connect"), std::string::npos) << next.Describe();
  } else {
    EXPECT_NE(r.err.find("Couldn't connect"), std::string::npos) << r.Describe();
  }
}

TEST_F(TelemetryTest, SlowCollectorTimesOutWithoutDelayingTheRun) {
  Collector collector(Collector::Mode::kSlow, 4);
  Env env = {{"OTEL_EXPORTER_OTLP_ENDPOINT", collector.url()},
             {"OTEL_EXPORTER_OTLP_TIMEOUT", "300"}};
  RunResult r = RunWith(env, {}, {"/bin/sh", "-c", "exit 7"});
  CheckUnaffected(r, FileRecords());
  ASSERT_TRUE(WaitFor([&] { return Exists(EventsDir() + "/.export-failed"); }, 3))
      << "the exporter did not time out";
  EXPECT_NE(ReadFile(EventsDir() + "/.export-failed").find("timed out"), std::string::npos)
      << ReadFile(EventsDir() + "/.export-failed");
  RunResult next = RunWith(env, {}, {"/bin/true"});
  EXPECT_NE(next.err.find("OTLP export failed"), std::string::npos) << next.Describe();
}

TEST_F(TelemetryTest, FailingCollectorIsReported) {
  Collector collector(Collector::Mode::kFail500);
  Env env = {{"OTEL_EXPORTER_OTLP_ENDPOINT", collector.url()}};
  RunResult r = RunWith(env, {}, {"/bin/sh", "-c", "exit 7"});
  CheckUnaffected(r, FileRecords());
  ASSERT_TRUE(WaitFor([&] { return Exists(EventsDir() + "/.export-failed"); }, 10));
  RunResult next = RunWith(env, {}, {"/bin/true"});
  EXPECT_NE(next.err.find("HTTP status 500"), std::string::npos) << next.Describe();
  // Reported once: the marker is consumed.
  RunResult after = RunProcess(RunArgv({}, {"/bin/true"}), env_, ws_);
  EXPECT_EQ(after.err.find("OTLP export failed"), std::string::npos) << after.Describe();
}

TEST_F(TelemetryTest, TwentyConcurrentRunsKeepEveryRecordWhole) {
  std::vector<std::unique_ptr<Process>> procs;
  for (int i = 0; i < 20; ++i) {
    procs.push_back(std::make_unique<Process>(
        RunArgv({}, {"/bin/sh", "-c", "exit " + std::to_string(i)}), env_, ws_));
  }
  for (int i = 0; i < 20; ++i) {
    RunResult r = procs[static_cast<size_t>(i)]->Wait(60);
    EXPECT_EQ(r.exit_code, i) << r.Describe();
  }
  std::map<std::string, std::vector<std::string>> by_run;
  std::set<std::string> codes;
  auto recs = FileRecords();
  for (const auto& x : recs) {
    std::string name = x.record.value("eventName", "");
    // Concurrent runs in one workspace may race for a protected path's
    // placeholder; that is reported as degraded, which is not under test here.
    if (name == "cordon.policy.degraded") continue;
    by_run[x.record["traceId"]].push_back(name);
    if (name == "cordon.exec.end") codes.insert(Attr(x.record["attributes"], "process.exit.code"));
  }
  EXPECT_EQ(by_run.size(), 20u);
  for (const auto& [id, names] : by_run) {
    EXPECT_EQ(names, (std::vector<std::string>{"cordon.session.start", "cordon.exec.start",
                                               "cordon.exec.end"}))
        << id;
  }
  EXPECT_EQ(codes.size(), 20u);
}

TEST_F(TelemetryTest, LogJsonReturnsExactlyWhatWasWritten) {
  ASSERT_EQ(Run({}, {"/bin/true"}).exit_code, 0);
  ASSERT_EQ(Run({}, {"/bin/sh", "-c", "exit 1"}).exit_code, 1);
  RunResult all = Cordon({"log", "--json"});
  ASSERT_EQ(all.exit_code, 0) << all.Describe();
  EXPECT_EQ(all.out, AllFiles());
  EXPECT_EQ(all.err, "");

  auto lines = Lines();
  ASSERT_EQ(lines.size(), 6u);
  std::string second =
      json::parse(lines[3])["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0]["traceId"];
  RunResult one = Cordon({"log", "--json", "--run", second.substr(0, 8)});
  ASSERT_EQ(one.exit_code, 0) << one.Describe();
  EXPECT_EQ(one.out, lines[3] + "\n" + lines[4] + "\n" + lines[5] + "\n");
}

TEST_F(TelemetryTest, LogFiltersAndSkipsBadLines) {
  ASSERT_EQ(Run({}, {"/bin/true"}).exit_code, 0);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 3u);
  // A denied network decision as the proxy writes it, and lines a user broke.
  json deny = json::parse(lines[2]);
  json& rec = deny["resourceLogs"][0]["scopeLogs"][0]["logRecords"][0];
  rec["eventName"] = "cordon.net.decision";
  rec["attributes"] =
      json::parse(R"([{"key":"server.address","value":{"stringValue":"evil.example"}},)"
                  R"({"key":"server.port","value":{"intValue":"443"}},)"
                  R"({"key":"cordon.decision","value":{"stringValue":"deny"}}])");
  std::string file = EventsDir() + "/" + ListDir(EventsDir())[0];
  WriteFile(file, ReadFile(file) + "{not json\n" + deny.dump() + "\n" + "[1,2\n", 0600);

  RunResult table = Cordon({"log"});
  ASSERT_EQ(table.exit_code, 0) << table.Describe();
  EXPECT_NE(table.out.find("session.start"), std::string::npos) << table.out;
  EXPECT_NE(table.out.find("deny evil.example:443"), std::string::npos) << table.out;
  EXPECT_EQ(table.out.find("\033["), std::string::npos) << "no colour when not a terminal";
  EXPECT_NE(table.err.find(":4: skipped"), std::string::npos) << table.err;
  EXPECT_NE(table.err.find(":6: skipped"), std::string::npos) << table.err;

  RunResult denied = Cordon({"log", "--json", "--denied"});
  EXPECT_EQ(denied.out, deny.dump() + "\n");
  RunResult net = Cordon({"log", "--json", "--kind", "net"});
  EXPECT_EQ(net.out, deny.dump() + "\n");
  RunResult exec = Cordon({"log", "--json", "--kind", "exec"});
  EXPECT_EQ(exec.out, lines[1] + "\n" + lines[2] + "\n");
  EXPECT_EQ(Cordon({"log", "--json", "--since", "1h"}).out.size(),
            (lines[0] + lines[1] + lines[2] + deny.dump()).size() + 4);
  EXPECT_EQ(Cordon({"log", "--json", "--until", "2000-01-01T00:00:00Z"}).out, "");
  EXPECT_EQ(Cordon({"log", "--json", "--since", "2000-01-01"}).out.empty(), false);
  RunResult bad = Cordon({"log", "--since", "yesterday"});
  EXPECT_EQ(bad.exit_code, 125);
  EXPECT_NE(bad.err.find("--since"), std::string::npos) << bad.err;
  EXPECT_EQ(Cordon({"log", "--kind", "bogus"}).exit_code, 125);
}

TEST_F(TelemetryTest, LogFollowPrintsNewRuns) {
  ASSERT_EQ(Run({}, {"/bin/true"}).exit_code, 0);
  // Its output goes to a file the test reads while it runs: each step waits
  // for what follow has printed, not for a guess at how long it takes.
  const std::string out = root_ / "follow.out";
  Process follow({"/bin/sh", "-c", "exec \"$@\" >\"$0\"", out, CordonBin(), "log", "--follow",
                  "--json", "--kind", "exec"},
                 env_, ws_);
  auto printed_lines = [&](size_t n) {
    return WaitFor(
        [&] {
          return Exists(out) && static_cast<size_t>(std::ranges::count(ReadFile(out), '\n')) >= n;
        },
        10);
  };
  ASSERT_TRUE(printed_lines(2)) << "follow did not print the first run's exec records";
  ASSERT_EQ(Run({}, {"/bin/sh", "-c", "exit 9"}).exit_code, 9);
  ASSERT_TRUE(printed_lines(4)) << "follow did not print the new run's exec records";
  kill(follow.pid(), SIGTERM);
  follow.Wait(5);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 6u);
  EXPECT_EQ(ReadFile(out), lines[1] + "\n" + lines[2] + "\n" + lines[4] + "\n" + lines[5] + "\n");
}

}  // namespace
}  // namespace cordon::it
