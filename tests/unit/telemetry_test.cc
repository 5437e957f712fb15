// Pure parts of telemetry: OTLP/JSON encoding, the OTEL_* variables, SHA-256,
// the log reader and its time syntax, day files and retention.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>

#include "telemetry/civil_date.h"
#include "telemetry/event_file.h"
#include "telemetry/ids.h"
#include "telemetry/log_reader.h"
#include "telemetry/otlp_env.h"
#include "telemetry/otlp_json.h"
#include "telemetry/summary.h"

namespace cordon::telemetry {
namespace {

using nlohmann::json;

Getenv FakeEnv(std::map<std::string, std::string> vars) {
  return [vars](const char* name) {
    auto it = vars.find(name);
    return it == vars.end() ? std::string() : it->second;
  };
}

Event Sample() {
  Event e;
  e.name = "cordon.exec.end";
  e.time_unix_nano = 1777000000123456789;
  e.severity = Severity::kWarn;
  e.body = "exited with 3 \xff";
  e.Add("process.exit.code", int64_t{3});
  e.Add("process.command_args", std::vector<std::string>{"sh", "-c", "exit 3"});
  e.Add("cordon.ratio", 0.5);
  e.Add("cordon.confined", true);
  e.Add("cordon.text", std::string("a\"b\n"));
  return e;
}

TEST(OtlpJson, FollowsTheProtobufJsonMapping) {
  Resource res{{{"service.name", std::string("cordon")}}};
  RunIds ids{"0123456789abcdef0123456789abcdef", "0123456789abcdef"};
  std::string line = EncodeRequest(res, ids, Sample());
  EXPECT_EQ(line.find('\n'), std::string::npos);
  json j = json::parse(line);
  const json& rl = j["resourceLogs"][0];
  EXPECT_EQ(rl["resource"]["attributes"][0]["key"], "service.name");
  EXPECT_EQ(rl["scopeLogs"][0]["scope"]["name"], "cordon");
  const json& r = rl["scopeLogs"][0]["logRecords"][0];
  EXPECT_EQ(r["timeUnixNano"], "1777000000123456789");
  EXPECT_EQ(r["observedTimeUnixNano"], "1777000000123456789");
  EXPECT_EQ(r["severityNumber"], 13);
  EXPECT_EQ(r["severityText"], "WARN");
  EXPECT_EQ(r["eventName"], "cordon.exec.end");
  EXPECT_EQ(r["traceId"], ids.trace_id);
  EXPECT_EQ(r["spanId"], ids.span_id);
  EXPECT_TRUE(r["body"]["stringValue"].is_string());
  const json& a = r["attributes"];
  EXPECT_EQ(a[0], json::parse(R"({"key":"event.name","value":{"stringValue":"cordon.exec.end"}})"));
  EXPECT_EQ(a[1], json::parse(R"({"key":"process.exit.code","value":{"intValue":"3"}})"));
  EXPECT_EQ(a[2]["value"]["arrayValue"]["values"][2]["stringValue"], "exit 3");
  EXPECT_EQ(a[3]["value"]["doubleValue"], 0.5);
  EXPECT_EQ(a[4]["value"]["boolValue"], true);
  EXPECT_EQ(a[5]["value"]["stringValue"], "a\"b\n");
}

// The encoder before issue 16, which built a nlohmann::json tree and
// dumped it: EncodeRequest writes the string directly and must give the
// same bytes (the events files, the exporter and `cordon log` read them).
std::string TreeEncode(const Resource& resource, const RunIds& ids, const Event& event) {
  auto any = [](const AttrValue& v) -> json {
    struct Visitor {
      json operator()(const std::string& s) const { return {{"stringValue", s}}; }
      json operator()(int64_t i) const { return {{"intValue", std::to_string(i)}}; }
      json operator()(double d) const { return {{"doubleValue", d}}; }
      json operator()(bool b) const { return {{"boolValue", b}}; }
      json operator()(const std::vector<std::string>& a) const {
        json values = json::array();
        for (const auto& s : a) values.push_back({{"stringValue", s}});
        return {{"arrayValue", {{"values", std::move(values)}}}};
      }
    };
    return std::visit(Visitor{}, v);
  };
  auto kvs = [&](const std::vector<Attribute>& attrs) {
    json out = json::array();
    for (const auto& a : attrs)
      out.push_back(json::object({{"key", a.key}, {"value", any(a.value)}}));
    return out;
  };
  json attrs = kvs(event.attributes);
  attrs.insert(attrs.begin(),
               json::object({{"key", "event.name"}, {"value", {{"stringValue", event.name}}}}));
  const std::string time = std::to_string(event.time_unix_nano);
  json record = {
      {"timeUnixNano", time},
      {"observedTimeUnixNano", time},
      {"severityNumber", SeverityNumber(event.severity)},
      {"severityText", SeverityText(event.severity)},
      {"eventName", event.name},
      {"body", {{"stringValue", event.body}}},
      {"attributes", std::move(attrs)},
      {"traceId", ids.trace_id},
      {"spanId", ids.span_id},
  };
  json request = {
      {"resourceLogs",
       json::array({{{"resource", {{"attributes", kvs(resource.attributes)}}},
                     {"scopeLogs",
                      json::array({{{"scope", {{"name", "cordon"}, {"version", CORDON_VERSION}}},
                                    {"logRecords", json::array({std::move(record)})}}})}}})},
  };
  return request.dump(-1, ' ', false, json::error_handler_t::replace);
}

TEST(OtlpJson, WritesTheBytesTheJsonTreeDid) {
  Resource res{{{"service.name", std::string("cordon")}, {"host.name", std::string("h\"q")}}};
  RunIds ids{"0123456789abcdef0123456789abcdef", "0123456789abcdef"};
  std::string every_byte;
  for (int c = 1; c < 256; ++c) every_byte.push_back(static_cast<char>(c));
  const std::vector<std::string> strings = {
      "",
      "plain",
      "quote \" backslash \\ slash / tab \t newline \n cr \r bs \b ff \f del \x7f",
      std::string("nul \0 and \x01 \x1f", 13),
      "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",  // valid UTF-8
      "bad \xff \xc3 \xe2\x82 tail",                // invalid UTF-8: replaced
      // UTF-8's edges: the smallest and largest of each length, overlong
      // forms, surrogates, beyond U+10FFFF, truncated at the end.
      "\xc2\x80 \xdf\xbf \xe0\xa0\x80 \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf",
      "\xf0\x90\x80\x80 \xf4\x8f\xbf\xbf",
      "\xc0\x80",
      "\xc1\xbf",
      "\xe0\x9f\xbf",
      "\xed\xa0\x80",
      "\xf0\x8f\xbf\xbf",
      "\xf4\x90\x80\x80",
      "\xf5\x80\x80\x80",
      "end \xc3",
      "end \xe2\x82",
      "\x80 lead",
      every_byte,
      R"({"json":"inside","n":[1,2]})",
  };
  for (const std::string& s : strings) {
    Event e;
    e.name = "cordon.test" + s;
    e.time_unix_nano = 1700000000123456789;
    e.severity = Severity::kWarn;
    e.body = s;
    e.Add("s", s).Add(s, int64_t{-42}).Add("i", int64_t{9007199254740993});
    e.Add("d", 0.1).Add("d2", 1e300).Add("d3", -0.0).Add("t", true).Add("f", false);
    e.Add("a", std::vector<std::string>{s, "x", ""}).Add("empty", std::vector<std::string>{});
    for (Severity sev : {Severity::kInfo, Severity::kWarn, Severity::kError}) {
      e.severity = sev;
      EXPECT_EQ(EncodeRequest(res, ids, e), TreeEncode(res, ids, e)) << s;
    }
  }
  EXPECT_EQ(EncodeRequest({}, ids, Event{}), TreeEncode({}, ids, Event{}));
}

TEST(OtlpJson, RoundTripsThroughTheLogReader) {
  RunIds ids{"0123456789abcdef0123456789abcdef", "0123456789abcdef"};
  auto back = ParseLine(EncodeRequest({}, ids, Sample()));
  ASSERT_TRUE(back.ok()) << back.error().Describe();
  ASSERT_EQ(back.value().size(), 1u);
  const Record& r = back.value()[0];
  EXPECT_EQ(r.trace_id, ids.trace_id);
  EXPECT_EQ(r.event.name, "cordon.exec.end");
  EXPECT_EQ(r.event.time_unix_nano, 1777000000123456789);
  EXPECT_EQ(r.event.severity, Severity::kWarn);
  EXPECT_EQ(r.event.Find("event.name"), nullptr);
  ASSERT_NE(r.event.Find("process.exit.code"), nullptr);
  EXPECT_EQ(std::get<int64_t>(*r.event.Find("process.exit.code")), 3);
  EXPECT_EQ(std::get<std::vector<std::string>>(*r.event.Find("process.command_args")).size(), 3u);
  EXPECT_EQ(KeyFacts(r.event), "exited with 3 \xef\xbf\xbd");
}

// KeyFacts is for a terminal: a path, host or command line the sandbox
// chose comes out escaped, whatever the event holds (the event keeps it).
TEST(Summary, KeyFactsEscapesSandboxChosenText) {
  Event denial;
  denial.name = "cordon.fs.denial";
  denial.Add("file.path", std::string("/x\033[2K\a\b\xe2\x80\xae/y"));
  denial.Add("cordon.fs.access", std::string("write"));
  EXPECT_EQ(KeyFacts(denial), "/x\\x1b[2K\\x07\\x08\\u202e/y, write");
  Event start;
  start.name = "cordon.exec.start";
  start.Add("process.pid", int64_t{7});
  start.Add("process.command_args", std::vector<std::string>{"sh", "-c", "printf '\033]0;t\a'"});
  EXPECT_EQ(KeyFacts(start).find('\033'), std::string::npos);
  Event net;
  net.name = "cordon.net.decision";
  net.Add("cordon.decision", std::string("deny"));
  net.Add("server.address", std::string("a\rb.test"));
  net.Add("server.port", int64_t{443});
  EXPECT_EQ(KeyFacts(net), "deny a\\x0db.test:443");
  Event other;  // the body, when nothing else is known
  other.name = "x";
  other.body = "line\nbreak";
  EXPECT_EQ(KeyFacts(other), "line\\x0abreak");
}

TEST(LogReader, RejectsWhatIsNotARequest) {
  for (const char* bad :
       {"", "{", "[]", "{}", R"({"resourceLogs":[]})", "null",
        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{}]}]}]})",
        R"({"resourceLogs":[{"scopeLogs":[{"logRecords":[{"timeUnixNano":"x"}]}]}]})"}) {
    EXPECT_FALSE(ParseLine(bad).ok()) << bad;
  }
  EXPECT_FALSE(ParseLine(std::string(100, '[') + std::string(100, ']')).ok());
  // Foreign but valid: numbers where strings are due, unknown fields.
  auto ok = ParseLine(
      R"({"resourceLogs":[{"x":1,"scopeLogs":[{"logRecords":[{"timeUnixNano":5,"attributes":[{"key":"k","value":{"kvlistValue":{}}}]}]}]}]})");
  ASSERT_TRUE(ok.ok()) << ok.error().Describe();
  EXPECT_EQ(ok.value()[0].event.time_unix_nano, 5);
}

TEST(LogReader, TimeArguments) {
  const int64_t now = 1777000000LL * 1000000000LL;
  auto at = [&](const char* s) {
    auto r = ParseTimeArg(s, now);
    EXPECT_TRUE(r.ok()) << s;
    return r.ok() ? r.value() : -1;
  };
  EXPECT_EQ(at("1h"), now - 3600LL * 1000000000LL);
  EXPECT_EQ(at("2d"), now - 2 * 86400LL * 1000000000LL);
  EXPECT_EQ(at("90s"), now - 90LL * 1000000000LL);
  EXPECT_EQ(at("1970-01-02"), 86400LL * 1000000000LL);
  EXPECT_EQ(at("1970-01-01T01:00:00Z"), 3600LL * 1000000000LL);
  EXPECT_EQ(at("1970-01-01T01:00:00.5+01:00"), 500000000LL);
  for (const char* bad :
       {"", "h", "1", "1y", "-1h", "yesterday", "2026-13-01", "2026-01-01T25:00:00Z",
        "2026-01-01T10:00:00", "2026-01-01T10:00:00+0100", "2026-01-01x"}) {
    EXPECT_FALSE(ParseTimeArg(bad, now).ok()) << bad;
  }
}

TEST(LogReader, Filters) {
  Record r;
  r.trace_id = "abcdef0123456789abcdef0123456789";
  r.event.name = "cordon.net.decision";
  r.event.time_unix_nano = 100;
  r.event.Add("cordon.decision", std::string("deny"));
  LogFilter f;
  EXPECT_TRUE(f.Matches(r));
  f.kind = "net";
  f.run = "abcdef";
  f.denied = true;
  f.since = 100;
  f.until = 101;
  EXPECT_TRUE(f.Matches(r));
  f.until = 100;
  EXPECT_FALSE(f.Matches(r));
  f.until.reset();
  f.kind = "exec";
  EXPECT_FALSE(f.Matches(r));
  f.kind = "net";
  f.run = "abd";
  EXPECT_FALSE(f.Matches(r));
  f.run.clear();
  r.event.attributes[0].value = std::string("allow");
  EXPECT_FALSE(f.Matches(r));
  EXPECT_TRUE(IsLogKind("approval"));
  EXPECT_FALSE(IsLogKind("cordon"));
}

TEST(OtlpEnv, EndpointHeadersResource) {
  EXPECT_EQ(LogsEndpoint("", FakeEnv({})), "");
  EXPECT_EQ(LogsEndpoint("", FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://h:4318/"}})),
            "http://h:4318/v1/logs");
  EXPECT_EQ(LogsEndpoint("", FakeEnv({{"OTEL_EXPORTER_OTLP_ENDPOINT", "http://h:4318"},
                                      {"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://l/x"}})),
            "http://l/x");
  EXPECT_EQ(
      LogsEndpoint("http://c:1", FakeEnv({{"OTEL_EXPORTER_OTLP_LOGS_ENDPOINT", "http://l/x"}})),
      "http://c:1/v1/logs");
  auto h = ExportHeaders(FakeEnv({{"OTEL_EXPORTER_OTLP_HEADERS", " a = 1%2C2 ,junk,=x,b=2"},
                                  {"OTEL_EXPORTER_OTLP_LOGS_HEADERS", "b=3"}}));
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[0], (std::pair<std::string, std::string>{"a", "1,2"}));
  EXPECT_EQ(h[1], (std::pair<std::string, std::string>{"b", "3"}));
  EXPECT_EQ(ExportTimeoutMs(FakeEnv({})), 10000);
  EXPECT_EQ(ExportTimeoutMs(FakeEnv({{"OTEL_EXPORTER_OTLP_TIMEOUT", "250"}})), 250);
  EXPECT_EQ(ExportTimeoutMs(FakeEnv({{"OTEL_EXPORTER_OTLP_TIMEOUT", "-1"}})), 10000);
  Resource r = MakeResource(
      FakeEnv({{"OTEL_RESOURCE_ATTRIBUTES", "service.name=x,team=sec,host.name=h2"}}), "h1");
  EXPECT_EQ(std::get<std::string>(r.attributes[0].value), "x");
  Resource named = MakeResource(
      FakeEnv({{"OTEL_SERVICE_NAME", "svc"}, {"OTEL_RESOURCE_ATTRIBUTES", "service.name=x"}}), "");
  EXPECT_EQ(std::get<std::string>(named.attributes[0].value), "svc");
  bool team = false;
  for (const auto& a : r.attributes) {
    if (a.key == "team") team = std::get<std::string>(a.value) == "sec";
    if (a.key == "host.name") {
      EXPECT_EQ(std::get<std::string>(a.value), "h2");
    }
  }
  EXPECT_TRUE(team);
}

TEST(Ids, Sha256AndRandomIds) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(Sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
  EXPECT_EQ(Sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  auto a = NewRunIds();
  auto b = NewRunIds();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a.value().trace_id.size(), 32u);
  EXPECT_EQ(a.value().span_id.size(), 16u);
  EXPECT_NE(a.value().trace_id, b.value().trace_id);
}

// The padding boundaries of SHA-256 (55 bytes fit one block with the
// length, 56 do not, 64 fill a block, 119 and 120 need a second one), checked
// against sha256sum.
TEST(Ids, Sha256AtBlockBoundaries) {
  EXPECT_EQ(Sha256Hex(std::string(55, 'a')),
            "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
  EXPECT_EQ(Sha256Hex(std::string(56, 'a')),
            "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
  EXPECT_EQ(Sha256Hex(std::string(64, 'a')),
            "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
  EXPECT_EQ(Sha256Hex(std::string(119, 'a')),
            "31eba51c313a5c08226adf18d4a359cfdfd8d2e816b13f4af952f7ea6584dcfb");
  EXPECT_EQ(Sha256Hex(std::string(120, 'a')),
            "2f3d335432c70b580af0e8e1b3674a7c020d683aa5f73aaaedfdc55af904c21c");
  // Binary input: a NUL does not end it.
  EXPECT_EQ(Sha256Hex(std::string("\0\xff", 2)),
            "06eb7d6a69ee19e5fbdf749018d3d2abfa04bcbd1365db312eb86dc7169389b8");
}

// Run ids are lowercase hex of the right length, never all zero.
TEST(Ids, RunIdsAreLowercaseHex) {
  for (int i = 0; i < 50; ++i) {
    auto ids = NewRunIds();
    ASSERT_TRUE(ids.ok());
    for (const std::string& id : {ids.value().trace_id, ids.value().span_id}) {
      EXPECT_EQ(id.find_first_not_of("0123456789abcdef"), std::string::npos) << id;
      EXPECT_NE(id.find_first_not_of('0'), std::string::npos) << id;
    }
    EXPECT_EQ(ids.value().trace_id.size(), 32u);
    EXPECT_EQ(ids.value().span_id.size(), 16u);
  }
}

// DayFileName computes the UTC date itself (no gmtime_r, which loads the
// time zone): the same names as gmtime_r gives, leap years and the
// centuries included, from 1960 to 2200, at every hour of the day.
TEST(EventFile, DayFileNameIsGmtimesDate) {
  for (int64_t secs = -315619200; secs < 7258118400; secs += 3600 * 7 + 13) {
    time_t t = static_cast<time_t>(secs);
    tm parts{};
    ASSERT_NE(gmtime_r(&t, &parts), nullptr);
    char want[64];
    std::snprintf(want, sizeof want, "%04d-%02d-%02d.jsonl", parts.tm_year + 1900, parts.tm_mon + 1,
                  parts.tm_mday);
    ASSERT_EQ(DayFileName(secs * 1000000000LL + 999999999), want) << secs;
    ASSERT_EQ(DayFileName(secs * 1000000000LL), want) << secs;
  }
}

// DaysFromCivil replaced timegm (which mingw lacks) in retention and in
// `cordon log`'s times: the same day for every date from 1960 to 2200, and
// a day past the month's end normalised into the next month as timegm does.
TEST(EventFile, DaysFromCivilIsTimegms) {
  for (int y = 1960; y <= 2200; ++y) {
    for (int m = 1; m <= 12; ++m) {
      for (int d = 1; d <= 31; ++d) {
        tm parts{};
        parts.tm_year = y - 1900;
        parts.tm_mon = m - 1;
        parts.tm_mday = d;
        ASSERT_EQ(DaysFromCivil(y, m, d) * 86400, static_cast<int64_t>(timegm(&parts)))
            << y << "-" << m << "-" << d;
        const CivilDate back = CivilFromDays(DaysFromCivil(y, m, d));
        ASSERT_EQ(back.year, parts.tm_year + 1900);
        ASSERT_EQ(back.month, parts.tm_mon + 1);
        ASSERT_EQ(back.day, parts.tm_mday);
      }
    }
  }
}

TEST(EventFile, DayFilesAndRetention) {
  char tmpl[] = "/tmp/cordon-unit-events.XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string dir = std::string(tmpl) + "/state/cordon/events";
  const int64_t day = 86400LL * 1000000000LL;
  const int64_t now = 20000 * day + 5;  // 2024-10-04
  EXPECT_EQ(DayFileName(now), "2024-10-04.jsonl");
  {
    EventFile f(dir, 2);
    ASSERT_TRUE(f.Append("old", now - 5 * day).ok());
    ASSERT_TRUE(f.Append("yesterday", now - day).ok());
    ASSERT_TRUE(f.StartWriteback().ok());
    std::ofstream(dir + "/notes.txt") << "kept";
    ASSERT_TRUE(f.Append("today", now).ok());  // a new day: prunes
  }
  auto files = ListDayFiles(dir);
  ASSERT_EQ(files.size(), 2u);
  EXPECT_EQ(files[0], dir + "/2024-10-03.jsonl");
  EXPECT_EQ(files[1], dir + "/2024-10-04.jsonl");
  struct stat st {};
  ASSERT_EQ(stat(dir.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0700u);
  ASSERT_EQ(stat(files[1].c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_EQ(access((dir + "/notes.txt").c_str(), F_OK), 0);
  EXPECT_EQ(Prune(dir, 1, now), 1);
  std::string cmd = std::string("rm -rf ") + tmpl;
  ASSERT_EQ(std::system(cmd.c_str()), 0);
}

TEST(EventFile, FailureIsAStatusNotACrash) {
  EventFile f("/proc/self/no-such-dir/events", 30);
  Status s = f.Append("x", 1);
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.error().Describe().find("/proc/self/no-such-dir"), std::string::npos);
}

}  // namespace
}  // namespace cordon::telemetry
