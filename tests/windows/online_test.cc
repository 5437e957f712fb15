// The online identity's pieces that run without confinement, checked for
// real (src/cli/run_online-win32.h):
// - the proxy a --net proxy run starts (StartOnlineProxy, the very code
//   cordon.exe calls) on the recorded port range: a loopback client through
//   it reaches an allowed loopback destination with bytes both ways; a
//   denied one gets 403 and the destination sees no connection at all; each
//   decision is an event in the run's sink;
// - two proxies started as two concurrent runs start them both serve, on
//   two different ports of the range; with the range full a third is
//   refused naming the range and the repair, and served once one ends;
// - a program that is not cordon listening on a port of the range (the
//   sandbox could reach it) is refused, naming the port and the repair,
//   and the range is served once it is gone (the twin);
// - the record setup writes reads back equal, a missing one is none, a
//   corrupt one is refused;
// - CheckOnlineSetup fails closed: no record names `cordon setup`; with a
//   record, under Wine (no filtering engine) it fails naming the Fwpm call,
//   never OK; the loopback exemption check never passes where the host has
//   no exemption list.
// What the online run itself does in the container (the WFP filters
// admitting only the proxy) is for smoke.ps1 on Windows 11.
#include <winsock2.h>
#include <ws2tcpip.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "cli/run_online-win32.h"
#include "common/event.h"
#include "loopback.h"
#include "policy/net_rules.h"
#include "sandbox/windows/loopback_exemption-win32.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

// `count` consecutive free loopback ports: the first, or 0.
uint16_t FreeRange(int count) {
  for (int attempt = 0; attempt < 50; ++attempt) {
    const uint16_t first = FreePort();
    if (first == 0 || first > 65535 - count) continue;
    bool all_free = true;
    for (int i = 1; i < count && all_free; ++i) {
      SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
      sockaddr_in a{};
      a.sin_family = AF_INET;
      a.sin_port = htons(static_cast<uint16_t>(first + i));
      a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      all_free = bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
      closesocket(s);
    }
    if (all_free) return first;
  }
  return 0;
}

// A plain listener on 127.0.0.1:port, as another program would open it.
SOCKET ListenOn(uint16_t port) {
  SOCKET s = socket(AF_INET, SOCK_STREAM, IPPROTO_TCP);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (s == INVALID_SOCKET || bind(s, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(s, 16) != 0) {
    if (s != INVALID_SOCKET) closesocket(s);
    return INVALID_SOCKET;
  }
  return s;
}

namespace windows = sandbox::windows;

class Events : public EventSink {
 public:
  void Emit(Event e) override {
    std::lock_guard lock(mu_);
    events_.push_back(std::move(e));
  }
  // The decision for `host` (up to 5 s: it is emitted when the connection ends).
  std::string DecisionFor(const std::string& host) {
    for (int i = 0; i < 100; ++i) {
      {
        std::lock_guard lock(mu_);
        for (const Event& e : events_) {
          if (e.name == "cordon.net.decision" && Str(e, "server.address") == host) {
            return Str(e, "cordon.decision");
          }
        }
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return "no event";
  }

 private:
  static std::string Str(const Event& e, const char* key) {
    const AttrValue* v = e.Find(key);
    return v != nullptr && std::holds_alternative<std::string>(*v) ? std::get<std::string>(*v) : "";
  }
  std::mutex mu_;
  std::vector<Event> events_;
};

// The policy of a run with `--allow-domain allowed.test` (resolved to the
// destination, which allow_local names); denied.test resolves there too
// but no rule names it.
policy::Policy OnlinePolicy(uint16_t destination_port) {
  policy::Policy p;
  p.net = policy::NetMode::kProxy;
  p.net_rules.allow.push_back(policy::ParseHostRule("allowed.test").value());
  p.net_rules.allow_local.push_back(
      policy::ParseHostRule("127.0.0.1:" + std::to_string(destination_port)).value());
  p.net_resolve.push_back({"allowed.test", "127.0.0.1"});
  p.net_resolve.push_back({"denied.test", "127.0.0.1"});
  return p;
}

// CONNECT host:port through the proxy at proxy_port; returns the answer
// and what came back through the tunnel.
std::string ConnectThrough(Test& t, uint16_t proxy_port, const std::string& host, uint16_t port) {
  SOCKET c = Connect(proxy_port);
  CORDON_CHECK(t, c != INVALID_SOCKET, "connected to the run's proxy on its recorded port");
  if (c == INVALID_SOCKET) return {};
  const std::string target = host + ":" + std::to_string(port);
  (void)SendAll(c, "CONNECT " + target + " HTTP/1.1\r\nHost: " + target + "\r\n\r\n");
  std::string answer = ReadUntil(c, "\r\n\r\n");
  if (answer.starts_with("HTTP/1.1 200")) {
    (void)SendAll(c, "through the run's proxy\n");
    answer = ReadUntil(c, "", answer);
  } else {
    answer = ReadUntil(c, "", answer);
  }
  closesocket(c);
  return answer;
}

void TheRunsProxyServesTheRecordedPort(Test& t) {
  Destination dest;
  Events events;
  const policy::Policy policy = OnlinePolicy(dest.port());
  const uint16_t first = FreeRange(2);
  const windows::OnlineRecord record{"127.0.0.1", first, static_cast<uint16_t>(first + 1)};
  auto proxy = cli::StartOnlineProxy(policy, record, &events, nullptr, 0);
  CORDON_CHECK(t, proxy.ok(), proxy.ok() ? "" : proxy.error().Describe());
  if (!proxy.ok()) return;
  CORDON_CHECK(t, proxy.value()->port() == first, "the first free port of the range");
  const std::string allowed = ConnectThrough(t, proxy.value()->port(), "allowed.test", dest.port());
  CORDON_CHECK(t, allowed.starts_with("HTTP/1.1 200"), "200 to CONNECT: " + Quoted(allowed));
  CORDON_CHECK(t, allowed.ends_with("echo:through the run's proxy\n"),
               "the destination's answer came back: " + Quoted(allowed));
  CORDON_CHECK(t, dest.connections() == 1, "the destination saw the connection");
  CORDON_CHECK(t, events.DecisionFor("allowed.test") == "allow", "an allow event in the sink");
}

void ADeniedDestinationIsNeverConnected(Test& t) {
  Destination dest;
  Events events;
  const policy::Policy policy = OnlinePolicy(dest.port());
  const uint16_t first = FreeRange(1);
  const windows::OnlineRecord record{"127.0.0.1", first, first};
  auto proxy = cli::StartOnlineProxy(policy, record, &events, nullptr, 0);
  CORDON_CHECK(t, proxy.ok(), proxy.ok() ? "" : proxy.error().Describe());
  if (!proxy.ok()) return;
  const std::string denied = ConnectThrough(t, proxy.value()->port(), "denied.test", dest.port());
  CORDON_CHECK(t, denied.starts_with("HTTP/1.1 403"), "403 to CONNECT: " + Quoted(denied));
  CORDON_CHECK(t, denied.find("--allow-domain denied.test") != std::string::npos,
               "the answer says what would allow it: " + Quoted(denied));
  CORDON_CHECK(t, events.DecisionFor("denied.test") == "deny", "a deny event in the sink");
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  CORDON_CHECK(t, dest.connections() == 0,
               "the destination saw no connection, saw " + std::to_string(dest.connections()));
}

void TwoRunsServeSideBySideAndAFullRangeIsRefused(Test& t) {
  Destination dest;
  Events events;
  const policy::Policy policy = OnlinePolicy(dest.port());
  const uint16_t first = FreeRange(2);
  const windows::OnlineRecord record{"127.0.0.1", first, static_cast<uint16_t>(first + 1)};
  auto one = cli::StartOnlineProxy(policy, record, &events, nullptr, 0);
  auto two = cli::StartOnlineProxy(policy, record, &events, nullptr, 0);
  CORDON_CHECK(t, one.ok(), one.ok() ? "" : "the first run: " + one.error().Describe());
  CORDON_CHECK(t, two.ok(), two.ok() ? "" : "the second run: " + two.error().Describe());
  if (!one.ok() || !two.ok()) return;
  CORDON_CHECK(t, one.value()->port() != two.value()->port(),
               "two ports: " + std::to_string(one.value()->port()) + " and " +
                   std::to_string(two.value()->port()));
  for (const auto* run : {&one, &two}) {
    const std::string answer = ConnectThrough(t, run->value()->port(), "allowed.test", dest.port());
    CORDON_CHECK(t, answer.ends_with("echo:through the run's proxy\n"),
                 "the run's proxy on " + std::to_string(run->value()->port()) +
                     " serves: " + Quoted(answer));
  }
  // A third run: every port of the range is a cordon proxy's.
  auto third = cli::StartOnlineProxy(policy, record, &events, nullptr, 0);
  CORDON_CHECK(t, !third.ok(), "a third run's proxy does not start on a full range");
  if (!third.ok()) {
    const std::string why = third.error().Describe();
    CORDON_CHECK(t, why.find(record.RangeText()) != std::string::npos,
                 "names the range " + record.RangeText() + ": " + why);
    CORDON_CHECK(t, why.find("every port of cordon's proxy range is in use") != std::string::npos,
                 "says the range is full: " + why);
    CORDON_CHECK(t, third.error().hint.find("cordon setup --proxy-port") != std::string::npos,
                 "names the repair: " + third.error().hint);
  }
  // The twin: one run ends, its port serves the next.
  const uint16_t freed = one.value()->port();
  one.value().reset();
  auto next = cli::StartOnlineProxy(policy, record, &events, nullptr, 0);
  CORDON_CHECK(t, next.ok(), next.ok() ? "" : "after a run ended: " + next.error().Describe());
  CORDON_CHECK(t, next.ok() && next.value()->port() == freed, "the freed port is taken again");
}

void AForeignListenerInTheRangeIsRefused(Test& t) {
  const policy::Policy policy = OnlinePolicy(1);
  // Something that is not cordon listens on the first port of the range
  // (this process, without a proxy's mark on that port; Wine's listener
  // table reports no owning process, so the check goes by the port).
  const uint16_t port = FreeRange(2);
  SOCKET taken = ListenOn(port);
  CORDON_CHECK(t, taken != INVALID_SOCKET, "something else listens on the port");
  const windows::OnlineRecord record{"127.0.0.1", port, static_cast<uint16_t>(port + 1)};
  auto refused = cli::StartOnlineProxy(policy, record, nullptr, nullptr, 0);
  CORDON_CHECK(t, !refused.ok(), "the run's proxy does not start beside a foreign listener");
  if (!refused.ok()) {
    const std::string why = refused.error().Describe();
    const std::string where = "127.0.0.1:" + std::to_string(port);
    CORDON_CHECK(t, why.find("listens on " + where) != std::string::npos,
                 "names the foreign listener's port: " + why);
    CORDON_CHECK(t, why.find("is not a cordon proxy") != std::string::npos,
                 "says it is not cordon's: " + why);
    CORDON_CHECK(t, refused.error().hint.find("cordon setup --proxy-port") != std::string::npos,
                 "names the repair: " + refused.error().hint);
  }
  // The twin: the foreign listener gone, the range is served.
  closesocket(taken);
  auto served = cli::StartOnlineProxy(policy, record, nullptr, nullptr, 0);
  CORDON_CHECK(t, served.ok(), served.ok() ? "" : "the freed range: " + served.error().Describe());
  SOCKET c = served.ok() ? Connect(served.value()->port()) : INVALID_SOCKET;
  CORDON_CHECK(t, c != INVALID_SOCKET, "a client reaches the proxy");
  if (c != INVALID_SOCKET) closesocket(c);
}

std::string TempState(const char* tag) {
  wchar_t tmp[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
  std::string base = sandbox::Narrow(std::wstring(tmp, n)) + "cordon-online-" +
                     std::to_string(GetCurrentProcessId()) + "-" + tag;
  CreateDirectoryW(sandbox::Widen(base).c_str(), nullptr);
  CreateDirectoryW(sandbox::Widen(base + "\\cordon").c_str(), nullptr);
  return base;
}

void RemoveState(const std::string& base) {
  DeleteFileW(sandbox::Widen(base + "\\cordon\\online").c_str());
  RemoveDirectoryW(sandbox::Widen(base + "\\cordon").c_str());
  RemoveDirectoryW(sandbox::Widen(base).c_str());
}

void TheRecordRoundTrips(Test& t) {
  const std::string base = TempState("record");
  policy::HostFacts host;
  host.xdg_state_home = base;
  const std::string path = cli::OnlineRecordPath(host);
  CORDON_CHECK(t, path == base + "\\cordon\\online", "the record lies in cordon's state: " + path);
  auto none = cli::ReadOnlineRecord(path);
  CORDON_CHECK(t, none.ok() && !none.value(), "no record is none");
  const windows::OnlineRecord record{"127.0.0.1", 47999, 48014};
  const Status wrote = cli::WriteOnlineRecord(path, record);
  CORDON_CHECK(t, wrote.ok(), wrote.ok() ? "" : wrote.error().Describe());
  auto back = cli::ReadOnlineRecord(path);
  CORDON_CHECK(t, back.ok() && back.value() && *back.value() == record, "reads back equal");
  // A corrupt record is refused, naming the file.
  HANDLE f = CreateFileW(sandbox::Widen(path).c_str(), GENERIC_WRITE, 0, nullptr, CREATE_ALWAYS,
                         FILE_ATTRIBUTE_NORMAL, nullptr);
  DWORD wrote_bytes = 0;
  WriteFile(f, "cordon online 2\nproxy 10.0.0.1:80-81\n", 37, &wrote_bytes, nullptr);
  CloseHandle(f);
  auto corrupt = cli::ReadOnlineRecord(path);
  CORDON_CHECK(t, !corrupt.ok() && corrupt.error().Describe().find(path) != std::string::npos,
               "a corrupt record is refused, naming it");
  CORDON_CHECK(t, cli::DeleteOnlineRecord(path).ok(), "deleted");
  CORDON_CHECK(t, cli::DeleteOnlineRecord(path).ok(), "deleting none is nothing to do");
  auto gone = cli::ReadOnlineRecord(path);
  CORDON_CHECK(t, gone.ok() && !gone.value(), "none after delete");
  RemoveState(base);
}

void TheSetupCheckFailsClosed(Test& t) {
  const std::string base = TempState("check");
  policy::HostFacts host;
  host.xdg_state_home = base;
  auto no_record = cli::CheckOnlineSetup(host);
  CORDON_CHECK(t, !no_record.ok(), "no record: refused");
  if (!no_record.ok()) {
    CORDON_CHECK(t, no_record.error().detail.find("not set up") != std::string::npos,
                 "says the online identity is not set up: " + no_record.error().Describe());
    CORDON_CHECK(t, no_record.error().hint.find("cordon setup") != std::string::npos,
                 "names the repair: " + no_record.error().hint);
  }
  const Status wrote =
      cli::WriteOnlineRecord(cli::OnlineRecordPath(host), {"127.0.0.1", 47999, 48014});
  CORDON_CHECK(t, wrote.ok(), "record written");
  auto with_record = cli::CheckOnlineSetup(host);
  if (UnderWine()) {
    // No filtering engine (FwpmEngineOpen0 returns 1764): never OK.
    CORDON_CHECK(t,
                 !with_record.ok() && with_record.error().op == "FwpmEngineOpen0" &&
                     with_record.error().hint.find("cordon setup") != std::string::npos,
                 "refused naming the engine call and the repair: " +
                     (with_record.ok() ? std::string("OK") : with_record.error().Describe()));
  } else {
    // 47999-48014 is no setup's range (cordon's default is 47128-47143).
    CORDON_CHECK(t, !with_record.ok(), "a range setup did not install for is refused");
  }
  RemoveState(base);
}

void TheLoopbackExemptionCheckFailsClosed(Test& t) {
  Result<std::string> sid = windows::AppContainerSidFromName("cordon.online");
  CORDON_CHECK(t, sid.ok(), "the online SID");
  if (!sid.ok()) return;
  const Status s = windows::loopback::CheckExempt(sid.value());
  std::printf("note: loopback exemption: %s\n", s.ok() ? "OK" : s.error().Describe().c_str());
  if (!windows::loopback::Supported()) {
    // Wine 8 has no firewallapi.dll at all: the DLL is named; a host with
    // the DLL but not the export names the function.
    const std::string why = s.ok() ? "OK" : s.error().Describe();
    CORDON_CHECK(t,
                 !s.ok() && (why.find("firewallapi.dll") != std::string::npos ||
                             why.find("NetworkIsolation") != std::string::npos),
                 "without the exemption list the check is refused, naming what is missing: " + why);
  } else if (UnderWine()) {
    CORDON_CHECK(t, !s.ok(), "Wine's list holds no exemption of cordon's");
  }
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  WSADATA data{};
  if (WSAStartup(MAKEWORD(2, 2), &data) != 0) {
    std::fprintf(stderr, "WSAStartup failed\n");
    return 1;
  }
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(
      argc, argv,
      {Case{"TheRunsProxyServesTheRecordedPort", w::TheRunsProxyServesTheRecordedPort},
       Case{"ADeniedDestinationIsNeverConnected", w::ADeniedDestinationIsNeverConnected},
       Case{"TwoRunsServeSideBySideAndAFullRangeIsRefused",
            w::TwoRunsServeSideBySideAndAFullRangeIsRefused},
       Case{"AForeignListenerInTheRangeIsRefused", w::AForeignListenerInTheRangeIsRefused},
       Case{"TheRecordRoundTrips", w::TheRecordRoundTrips},
       Case{"TheSetupCheckFailsClosed", w::TheSetupCheckFailsClosed},
       Case{"TheLoopbackExemptionCheckFailsClosed", w::TheLoopbackExemptionCheckFailsClosed}});
}
