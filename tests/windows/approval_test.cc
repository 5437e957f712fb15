// The approval broker on Windows, asked through a real console. Each case
// starts this binary again as a child attached to a pseudo console (ConPTY:
// under Wine, CONIN$ opens there, its mode can be set and read back, a
// wait on it is exact, and bytes written to the console's input arrive as
// key records). The child builds the run's broker the way cordon.exe does
// (ResolveOrReport, then MakeRunBroker: the console channel), asks about
// a destination as the proxy does (the Decider), and writes what it got
// and every event to a report file; the parent reads what the console
// showed and types the answer as one key without Enter.
//
// Checked: "once" allows, "deny" denies, no key within the timeout denies,
// "always" writes the rule into the real config file, which the policy
// loader then resolves to an allowed host (and before the answer: not
// allowed), "session" lets the second connection through unasked, a
// broker destroyed mid-question cancels it (denied, the console told),
// the console's mode is restored after the question; every question and
// answer is an event. The twin: a child without a console has nobody to
// ask, and the destination is denied unasked.
#include <windows.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <fstream>
#include <future>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "cli/policy-win32.h"
#include "cli/run_broker-win32.h"
#include "policy/flag_layer.h"
#include "policy/loader.h"
#include "policy/net_rules.h"
#include "sandbox/windows/conpty-win32.h"
#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

using sandbox::Narrow;
using sandbox::Widen;

constexpr char kHost[] = "example.org";
constexpr uint16_t kPort = 443;
// The end of every question the console shows (terminal_prompt.h).
constexpr char kQuestionEnd[] = "without an answer)";
// A config the user wrote, with a comment that must survive the edit.
constexpr char kUserConfig[] = "# my settings\n[network]\nallow = [\"pypi.org\"]  # for pip\n";

std::string ReadFileText(const std::string& path) {
  std::ifstream in(Widen(path).c_str(), std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void WriteFileText(const std::string& path, const std::string& text) {
  std::ofstream out(Widen(path).c_str(), std::ios::binary | std::ios::trunc);
  out << text;
}

// %TEMP%\cordon-approval-<pid>-<case>: the workspace (ws) and the config.
struct CaseDir {
  std::string base;
  [[nodiscard]] std::string ws() const { return base + "\\ws"; }
  [[nodiscard]] std::string config() const { return base + "\\config.toml"; }
  [[nodiscard]] std::string report() const { return base + "\\report.txt"; }
};

void RemoveCaseDir(const CaseDir& d) {
  for (const std::string& f : {d.config(), d.report()}) DeleteFileW(Widen(f).c_str());
  RemoveDirectoryW(Widen(d.ws()).c_str());
  RemoveDirectoryW(Widen(d.base).c_str());
}

CaseDir MakeCaseDir(Test& t, const std::string& name) {
  wchar_t tmp[MAX_PATH + 1];
  const DWORD n = GetTempPathW(MAX_PATH + 1, tmp);
  CaseDir d{Narrow(std::wstring(tmp, n)) + "cordon-approval-" +
            std::to_string(GetCurrentProcessId()) + "-" + name};
  // Wine reuses small process ids: a run killed by ctest's timeout may
  // have left this case's directory.
  RemoveCaseDir(d);
  for (const std::string& dir : {d.base, d.ws()}) {
    CORDON_CHECK(t, CreateDirectoryW(Widen(dir).c_str(), nullptr) != 0, "mkdir " + dir);
  }
  // --config names a file that must exist: an empty user config.
  WriteFileText(d.config(), "");
  return d;
}

size_t Count(const std::string& text, const std::string& what) {
  size_t n = 0;
  for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

// ---- the child: one question (or two) on the console, then a report ----

class Recorder : public EventSink {
 public:
  void Emit(Event e) override {
    std::lock_guard<std::mutex> lock(mu_);
    std::string line = "event " + e.name;
    for (const char* key : {"cordon.approval.kind", "cordon.approval.answer",
                            "cordon.approval.channel", "cordon.approval.saved"}) {
      if (const AttrValue* v = e.Find(key);
          v != nullptr && std::holds_alternative<std::string>(*v)) {
        line += std::string(" ") + key + "=" + std::get<std::string>(*v);
      }
    }
    if (const AttrValue* v = e.Find("server.address");
        v != nullptr && std::holds_alternative<std::string>(*v)) {
      line += " server.address=" + std::get<std::string>(*v);
    }
    lines_.push_back(std::move(line));
  }
  std::vector<std::string> lines() {
    std::lock_guard<std::mutex> lock(mu_);
    return lines_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> lines_;
};

DWORD ConsoleInputMode() {
  HANDLE in = CreateFileW(L"CONIN$", GENERIC_READ | GENERIC_WRITE,
                          FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0, nullptr);
  DWORD mode = 0;
  if (in == INVALID_HANDLE_VALUE) return 0;
  if (GetConsoleMode(in, &mode) == 0) mode = 0;
  CloseHandle(in);
  return mode;
}

// Asks as the proxy does and waits for the decision (at most 60 s).
std::future<std::string> AskDestination(approval::Broker& broker) {
  auto done = std::make_shared<std::promise<std::string>>();
  std::future<std::string> answer = done->get_future();
  proxy::DecisionRequest request;
  request.host = kHost;
  request.port = kPort;
  request.protocol = "connect";
  broker.Ask(request, [done](bool allow, const std::string& why) {
    done->set_value(std::string(allow ? "allow" : "deny") + " (" + why + ")");
  });
  return answer;
}

std::string Wait(std::future<std::string>& answer) {
  if (answer.wait_for(std::chrono::seconds(60)) != std::future_status::ready) return "no decision";
  return answer.get();
}

int Child(const std::string& name, const std::string& base) {
  const CaseDir dir{base};
  std::string report;
  policy::Overrides overrides;
  overrides.workspace = dir.ws();
  overrides.config_file = dir.config();
  if (!policy::AddFlag(&overrides, "--approval", "on-request").ok() ||
      !policy::AddFlag(&overrides, "--approval-timeout", name == "timeout" ? "2" : "30").ok()) {
    report += "error flags\n";
  }
  const std::optional<cli::ResolvedPolicy> resolved = cli::ResolveOrReport(overrides);
  if (!resolved) {
    WriteFileText(dir.report(), report + "error resolve\n");
    return 1;
  }
  report += "always_config " + resolved->always_config + "\n";
  Recorder events;
  const DWORD mode_before = ConsoleInputMode();
  auto broker = cli::MakeRunBroker(*resolved, {"curl", "https://example.org/"}, &events,
                                   /*command_has_own_console=*/true);
  report += std::string("channel ") + (broker->has_channel() ? "yes" : "no") + "\n";
  std::future<std::string> first = AskDestination(*broker);
  if (name == "cancel") {
    // The question is on the console by now (the parent waits for it
    // before it waits for this child); the broker goes away unanswered.
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    broker.reset();
  }
  report += "first " + Wait(first) + "\n";
  if (name == "session" && broker) {
    std::future<std::string> second = AskDestination(*broker);
    report += "second " + Wait(second) + "\n";
  }
  broker.reset();  // joins the worker: every event is in
  report += "mode_before " + std::to_string(mode_before) + "\n";
  report += "mode_after " + std::to_string(ConsoleInputMode()) + "\n";
  for (const std::string& line : events.lines()) report += line + "\n";
  WriteFileText(dir.report(), report + "end\n");
  return 0;
}

// ---- the parent: the child in a pseudo console, answered by key ----

struct ConsoleRun {
  bool ok = false;
  std::string error;
  DWORD exit_code = 0;
  std::string screen;  // what the console rendered (VT sequences and text)
  std::string report;  // the child's report file
};

// Runs the child for case `name` in a pseudo console wide enough that no
// question wraps; each time a question's end has appeared, types the next
// of `keys` (no Enter). Stops typing when the keys run out.
ConsoleRun RunInConsole(const std::string& name, const CaseDir& dir,
                        const std::vector<std::string>& keys) {
  ConsoleRun run;
  auto console = sandbox::conpty::Open(400, 50);
  if (!console.ok()) {
    run.error = console.error().Describe();
    return run;
  }
  std::mutex mu;
  std::condition_variable changed;
  std::string screen;
  std::atomic<bool> closing{false};
  // Polls, so that it ends even when the console's output does not (a
  // child that had to be killed): a hang here would be ctest's timeout,
  // with no word on which case hung.
  std::thread reader([&, output = console.value().output()] {
    char buffer[4096];
    int idle_ms = 0;
    for (;;) {
      DWORD queued = 0;
      if (PeekNamedPipe(output, nullptr, 0, nullptr, &queued, nullptr) == 0) return;
      if (queued == 0) {
        if (closing && idle_ms >= 2000) return;
        Sleep(20);
        idle_ms += 20;
        continue;
      }
      idle_ms = 0;
      DWORD n = 0;
      if (ReadFile(output, buffer, std::min<DWORD>(queued, sizeof(buffer)), &n, nullptr) == 0 ||
          n == 0) {
        return;
      }
      std::lock_guard<std::mutex> lock(mu);
      screen.append(buffer, n);
      changed.notify_all();
    }
  });
  sandbox::job::SpawnRequest request;
  request.command_line = L"\"" + BinaryDir() + L"approval_test.exe\" child " + Widen(name) +
                         L" \"" + Widen(dir.base) + L"\"";
  request.pseudo_console = console.value().handle();
  auto child = sandbox::job::SpawnInJob(request);
  if (!child.ok()) {
    run.error = child.error().Describe();
  } else {
    const HANDLE process = child.value().process.get();
    for (size_t i = 0; i < keys.size(); ++i) {
      // Until the question shows, the child ends, or 30 s pass.
      bool shown = false;
      for (int tick = 0; tick < 150 && !shown; ++tick) {
        std::unique_lock<std::mutex> lock(mu);
        shown = changed.wait_for(lock, std::chrono::milliseconds(200),
                                 [&] { return Count(screen, kQuestionEnd) > i; });
        if (!shown && WaitForSingleObject(process, 0) == WAIT_OBJECT_0) break;
      }
      if (!shown) {
        run.error = "question " + std::to_string(i + 1) + " never showed on the console";
        break;
      }
      DWORD wrote = 0;
      WriteFile(console.value().input(), keys[i].data(), static_cast<DWORD>(keys[i].size()), &wrote,
                nullptr);
    }
    if (WaitForSingleObject(process, 60000) != WAIT_OBJECT_0) {
      run.error += " the child did not end within 60 s (killed)";
      TerminateJobObject(child.value().job.get(), 1);
      WaitForSingleObject(process, 10000);
    } else {
      GetExitCodeProcess(process, &run.exit_code);
      run.ok = run.error.empty();
    }
  }
  console.value().Close();
  closing = true;
  reader.join();
  run.screen = screen;
  run.report = ReadFileText(dir.report());
  return run;
}

bool Has(const std::string& text, const std::string& what) {
  return text.find(what) != std::string::npos;
}

// What every asked case shares: the run went through, the question was on
// the console (naming the destination and the command), the mode was put
// back, a request event and one decision event with `answer`.
void CheckAsked(Test& t, const ConsoleRun& run, const std::string& answer) {
  CORDON_CHECK(t, run.ok, run.error + "; console: " + Quoted(run.screen));
  CORDON_CHECK(t, run.exit_code == 0, "the child ran: " + Quoted(run.report));
  CORDON_CHECK(t, Has(run.report, "channel yes"), "the console is the channel: " + run.report);
  CORDON_CHECK(t, Has(run.screen, "cordon: allow example.org:443 for `curl https://example.org/`?"),
               "the console showed the question: " + Quoted(run.screen));
  CORDON_CHECK(t, Has(run.screen, "[o]nce, [s]ession, [a]lways (saved in "),
               "the choices name where always is saved: " + Quoted(run.screen));
  CORDON_CHECK(t,
               Has(run.report,
                   "event cordon.approval.request cordon.approval.kind=network "
                   "cordon.approval.channel=terminal server.address=example.org"),
               "the question is an event: " + run.report);
  CORDON_CHECK(t,
               Has(run.report,
                   "event cordon.approval.decision cordon.approval.kind=network "
                   "cordon.approval.answer=" +
                       answer + " cordon.approval.channel=terminal"),
               "the answer is an event (" + answer + "): " + run.report);
  CORDON_CHECK(t, Count(run.report, "event cordon.approval.decision") == 1,
               "one decision event: " + run.report);
  // mode_before N ... mode_after N: the same number.
  const size_t b = run.report.find("mode_before ");
  const size_t a = run.report.find("mode_after ");
  if (b != std::string::npos && a != std::string::npos) {
    const std::string before = run.report.substr(b + 12, run.report.find('\n', b) - b - 12);
    const std::string after = run.report.substr(a + 11, run.report.find('\n', a) - a - 11);
    CORDON_CHECK(t, before == after && before != "0",
                 "the console's input mode is restored: " + before + " then " + after);
  } else {
    CORDON_CHECK(t, false, "the report has the console modes: " + run.report);
  }
}

void OnceAllows(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "once");
  const ConsoleRun run = RunInConsole("once", dir, {"o"});
  CheckAsked(t, run, "once");
  CORDON_CHECK(t, Has(run.report, "first allow (approved (once))"), "allowed once: " + run.report);
  CORDON_CHECK(t, ReadFileText(dir.config()).empty(), "once saves nothing");
  RemoveCaseDir(dir);
}

void DenyDenies(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "deny");
  const ConsoleRun run = RunInConsole("deny", dir, {"d"});
  CheckAsked(t, run, "deny");
  CORDON_CHECK(t, Has(run.report, "first deny (refused by the person asked)"),
               "denied: " + run.report);
  RemoveCaseDir(dir);
}

void NoAnswerInTimeDenies(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "timeout");
  const ConsoleRun run = RunInConsole("timeout", dir, {});
  CheckAsked(t, run, "timeout");
  CORDON_CHECK(t, Has(run.report, "first deny (no answer within the approval timeout)"),
               "denied at the deadline: " + run.report);
  CORDON_CHECK(t, Has(run.screen, "no answer in time: denied"),
               "the console was told: " + Quoted(run.screen));
  RemoveCaseDir(dir);
}

// Whether the policy resolved with `config` as the user config allows
// kHost:kPort (the proxy's first check, DecideHost).
policy::NetVerdict::Kind VerdictWith(Test& t, const CaseDir& dir) {
  policy::Overrides overrides;
  overrides.workspace = dir.ws();
  overrides.config_file = dir.config();
  auto host = policy::HostFacts::FromProcess();
  CORDON_CHECK(t, host.ok(), host.ok() ? "" : host.error().Describe());
  if (!host.ok()) return policy::NetVerdict::kDeny;
  auto resolved = policy::Resolve(overrides, host.value());
  CORDON_CHECK(t, resolved.ok(), resolved.ok() ? "" : resolved.error().Describe());
  if (!resolved.ok()) return policy::NetVerdict::kDeny;
  return policy::DecideHost(resolved.value().net_rules, kHost, kPort).kind;
}

void AlwaysIsSavedAndReadBack(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "always");
  WriteFileText(dir.config(), kUserConfig);
  CORDON_CHECK(t, VerdictWith(t, dir) == policy::NetVerdict::kUnknown,
               "before the answer no rule names the host");
  const ConsoleRun run = RunInConsole("always", dir, {"a"});
  CheckAsked(t, run, "always");
  CORDON_CHECK(t, Has(run.report, "first allow (approved (always))"), "allowed: " + run.report);
  CORDON_CHECK(t, Has(run.report, "always_config " + dir.config()),
               "the run saves in --config's file: " + run.report);
  CORDON_CHECK(t, Has(run.report, "cordon.approval.saved=saved to " + dir.config()),
               "the decision event says where it was saved: " + run.report);
  const std::string saved = ReadFileText(dir.config());
  CORDON_CHECK(t,
               Has(saved, "# my settings") && Has(saved, "\"pypi.org\"") &&
                   Has(saved, "\"example.org:443\","),
               "the rule was added, the user's text kept: " + Quoted(saved));
  CORDON_CHECK(t, Has(saved, "# added by cordon ") && Has(saved, "answered \"always\" (terminal)"),
               "a comment says when and why: " + Quoted(saved));
  CORDON_CHECK(t, VerdictWith(t, dir) == policy::NetVerdict::kAllow,
               "the policy loader reads the saved rule back: the host is allowed");
  // No temp file is left beside it.
  WIN32_FIND_DATAW found{};
  HANDLE find = FindFirstFileW(Widen(dir.base + "\\config.toml.cordon-*").c_str(), &found);
  CORDON_CHECK(t, find == INVALID_HANDLE_VALUE, "no temp file left behind");
  if (find != INVALID_HANDLE_VALUE) FindClose(find);
  RemoveCaseDir(dir);
}

void SessionIsRemembered(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "session");
  const ConsoleRun run = RunInConsole("session", dir, {"s"});
  CheckAsked(t, run, "session");
  CORDON_CHECK(t, Has(run.report, "first allow (approved (session))"), "allowed: " + run.report);
  CORDON_CHECK(t, Has(run.report, "second allow (approved for this session)"),
               "the second connection passes on the session answer: " + run.report);
  CORDON_CHECK(t, Count(run.screen, "cordon: allow example.org:443") == 1,
               "asked once: " + Quoted(run.screen));
  CORDON_CHECK(t, Count(run.report, "event cordon.approval.request") == 1,
               "one question event: " + run.report);
  CORDON_CHECK(t, ReadFileText(dir.config()).empty(), "session saves nothing");
  RemoveCaseDir(dir);
}

void DestroyedBrokerCancels(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "cancel");
  // No key: the child destroys its broker while the question is open.
  const ConsoleRun run = RunInConsole("cancel", dir, {""});
  CheckAsked(t, run, "cancelled");
  CORDON_CHECK(t, Has(run.report, "first deny (the question was cancelled)"),
               "denied as cancelled: " + run.report);
  CORDON_CHECK(t, Has(run.screen, "the question is moot"),
               "the console was told: " + Quoted(run.screen));
  RemoveCaseDir(dir);
}

// The twin: on pipes, without a console, nobody is asked and the
// destination is denied unasked (and said why on stderr).
void NoConsoleNobodyToAsk(Test& t) {
  const CaseDir dir = MakeCaseDir(t, "noconsole");
  const Captured run = RunCaptured(L"\"" + BinaryDir() + L"approval_test.exe\" child noconsole \"" +
                                   Widen(dir.base) + L"\"");
  CORDON_CHECK(t, run.started && run.error.empty(), run.error);
  const std::string report = ReadFileText(dir.report());
  CORDON_CHECK(t, Has(report, "channel no"), "no channel without a console: " + report);
  CORDON_CHECK(t, Has(report, "first deny (nobody to ask (not interactive))"),
               "denied unasked: " + report);
  CORDON_CHECK(
      t, Has(run.err, "denied, nobody to ask") && Has(run.err, "--allow-domain example.org:443"),
      "stderr names the flag that would allow it: " + Quoted(run.err));
  CORDON_CHECK(t, Has(report, "cordon.approval.answer=no-channel cordon.approval.channel=none"),
               "the decision is an event: " + report);
  RemoveCaseDir(dir);
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  if (argc == 4 && std::string(argv[1]) == "child") {
    return cordon::wintest::Child(argv[2], argv[3]);
  }
  using cordon::wintest::Case;
  namespace w = cordon::wintest;
  return w::RunTests(argc, argv,
                     {Case{"OnceAllows", w::OnceAllows}, Case{"DenyDenies", w::DenyDenies},
                      Case{"NoAnswerInTimeDenies", w::NoAnswerInTimeDenies},
                      Case{"AlwaysIsSavedAndReadBack", w::AlwaysIsSavedAndReadBack},
                      Case{"SessionIsRemembered", w::SessionIsRemembered},
                      Case{"DestroyedBrokerCancels", w::DestroyedBrokerCancels},
                      Case{"NoConsoleNobodyToAsk", w::NoConsoleNobodyToAsk}});
}
