// cordon's WFP filters in a real engine (wfp-win32.h).
//
// Under Wine the filtering engine is a stub: what runs is the fail-closed
// path. Install, ReadBack, Verify and Remove each either fail with an Error
// naming the Fwpm* call, or (if a later Wine's engine accepts calls) hold
// exactly what was installed; Verify is never OK when the filters are not
// there. On real Windows:
// - always (read-only): Verify of a plan for a port range nobody uses refuses,
//   naming the missing filters or the call that failed;
// - with CORDON_TEST_WFP_ROUNDTRIP=1, elevated: the full round trip.
//   Install, Verify, ReadBack equal to the plan, a second Install
//   (idempotent), a plan for a shifted port range refused (FWP_MATCH_RANGE
//   read back as the range), Remove, nothing left.
//   It replaces the machine's cordon filters (cordon's provider is one per
//   machine), so it runs only when asked; `cordon setup` puts them back.
//   **Not run yet**: this machine has only Wine.
#include <windows.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/wfp-win32.h"
#include "sandbox/windows/wfp_plan.h"

namespace cordon::wintest {
namespace {

namespace wfp = sandbox::windows::wfp;

// The plan for the 16 ports from `first` (setup's range size).
wfp::Plan OnlinePlan(Test& t, uint16_t first) {
  Result<std::string> sid = sandbox::windows::AppContainerSidFromName("cordon.online");
  CORDON_CHECK(t, sid.ok(), "the online SID");
  if (!sid.ok()) return {};
  Result<wfp::Plan> plan =
      wfp::PlanOnline(sid.value(), "127.0.0.1", first, static_cast<uint16_t>(first + 15));
  CORDON_CHECK(t, plan.ok(), "the online plan");
  return plan.ok() ? plan.value() : wfp::Plan{};
}

// True when `s` failed with an Error that names one of the Fwpm* calls.
bool NamesAWfpCall(const Status& s) { return !s.ok() && s.error().op.starts_with("Fwpm"); }

std::string Text(const Status& s) { return s.ok() ? "OK" : s.error().Describe(); }

bool Elevated() {
  HANDLE token = nullptr;
  if (!OpenProcessToken(GetCurrentProcess(), TOKEN_QUERY, &token)) return false;
  TOKEN_ELEVATION elevation{};
  DWORD size = 0;
  const bool ok =
      GetTokenInformation(token, TokenElevation, &elevation, sizeof(elevation), &size) != 0;
  CloseHandle(token);
  return ok && elevation.TokenIsElevated != 0;
}

bool RoundTripWanted() {
  const char* v = std::getenv("CORDON_TEST_WFP_ROUNDTRIP");
  return v != nullptr && std::string(v) == "1";
}

// Under Wine: every entry point either fails naming its Fwpm* call or, if
// the engine accepted the install, holds exactly the plan.
void WineFailsClosed(Test& t) {
  if (!UnderWine()) {
    std::printf("note: not Wine; see RealEngine\n");
    return;
  }
  const wfp::Plan plan = OnlinePlan(t, 3128);
  const Status installed = wfp::Install(plan, CurrentUserSid());
  const Status verified = wfp::Verify(plan);
  Result<std::vector<wfp::Filter>> read = wfp::ReadBack();
  std::printf("note: under Wine Install: %s\nnote: Verify: %s\nnote: ReadBack: %s\n",
              Text(installed).c_str(), Text(verified).c_str(),
              read.ok() ? (std::to_string(read.value().size()) + " filters").c_str()
                        : read.error().Describe().c_str());
  if (installed.ok()) {
    // Install ends with a read-back: OK means the engine holds the plan.
    CORDON_CHECK(t, verified.ok(), "an accepted install verifies: " + Text(verified));
    CORDON_CHECK(t, read.ok() && wfp::Compare(plan, read.value()).ok(),
                 "ReadBack is exactly what Install wrote");
    CORDON_CHECK(t, !wfp::Verify(OnlinePlan(t, 3129)).ok(), "a shifted range's plan is refused");
    CORDON_CHECK(t, wfp::Remove().ok(), "Remove");
    CORDON_CHECK(t, !wfp::Verify(plan).ok(), "after Remove, Verify refuses");
    return;
  }
  CORDON_CHECK(t, NamesAWfpCall(installed),
               "Install fails naming the WFP call: " + Text(installed));
  CORDON_CHECK(t, !verified.ok(), "nothing installed, so Verify is not OK");
  CORDON_CHECK(t, NamesAWfpCall(verified) || verified.error().op == "WFP filters",
               "Verify names the call or the missing filters: " + Text(verified));
  CORDON_CHECK(t,
               installed.error().hint.find("cordon setup") != std::string::npos ||
                   installed.error().hint.find("administrator") != std::string::npos,
               "the refusal says what would repair it: " + Text(installed));
  if (read.ok()) {
    CORDON_CHECK(t, read.value().empty(), "the stub holds no cordon filter");
    CORDON_CHECK(t,
                 verified.error().op == "WFP filters" &&
                     verified.error().detail.find("missing \"cordon online: permit TCP to "
                                                  "the proxy\"") != std::string::npos,
                 "Verify names the missing permit: " + Text(verified));
  } else {
    CORDON_CHECK(t, read.error().op.starts_with("Fwpm"),
                 "ReadBack fails naming the call: " + read.error().Describe());
  }
  const Status removed = wfp::Remove();
  CORDON_CHECK(t, removed.ok() || NamesAWfpCall(removed),
               "Remove is OK (nothing there) or names the call: " + Text(removed));
  // The offline identity needs no filter: its (empty) plan verifies
  // against an engine holding none, and fails with the call when the
  // engine cannot be read.
  const Status offline = wfp::Verify(wfp::PlanOffline());
  CORDON_CHECK(t, offline.ok() == read.ok() && (read.ok() || NamesAWfpCall(offline)),
               "the offline plan: " + Text(offline));
}

// On real Windows. Read-only unless CORDON_TEST_WFP_ROUNDTRIP=1 (elevated).
void RealEngine(Test& t) {
  if (UnderWine()) {
    std::printf("note: Wine; see WineFailsClosed\n");
    return;
  }
  // Port 1: no cordon setup uses it, so whatever is installed, this plan is
  // not it.
  const Status unused = wfp::Verify(OnlinePlan(t, 1));
  CORDON_CHECK(t, !unused.ok(), "a plan nobody installed is refused");
  CORDON_CHECK(t, NamesAWfpCall(unused) || unused.error().op == "WFP filters",
               "the refusal names the call or the filters: " + Text(unused));
  CORDON_CHECK(t, unused.ok() || unused.error().hint.find("cordon setup") != std::string::npos,
               "with the repair: " + Text(unused));
  if (!RoundTripWanted()) {
    std::printf("note: set CORDON_TEST_WFP_ROUNDTRIP=1 (elevated) for the install round trip\n");
    return;
  }
  CORDON_CHECK(t, Elevated(), "the round trip needs an elevated prompt");
  if (!Elevated()) return;
  const wfp::Plan plan = OnlinePlan(t, 3128);
  Status s = wfp::Install(plan, CurrentUserSid());
  CORDON_CHECK(t, s.ok(), "Install: " + Text(s));
  s = wfp::Verify(plan);
  CORDON_CHECK(t, s.ok(), "Verify after Install: " + Text(s));
  Result<std::vector<wfp::Filter>> read = wfp::ReadBack();
  CORDON_CHECK(t, read.ok() && read.value().size() == plan.filters.size(),
               "ReadBack holds the plan's 7 filters");
  s = wfp::Install(plan, CurrentUserSid());
  CORDON_CHECK(t, s.ok(), "a second Install replaces the first: " + Text(s));
  read = wfp::ReadBack();
  CORDON_CHECK(t, read.ok() && read.value().size() == plan.filters.size(),
               "still 7 filters, not 14");
  s = wfp::Verify(OnlinePlan(t, 3129));
  CORDON_CHECK(t,
               !s.ok() && s.error().detail.find("remote ports 3129-3144, found remote ports "
                                                "3128-3143") != std::string::npos,
               "a shifted range's plan is refused, naming both ranges: " + Text(s));
  s = wfp::Remove();
  CORDON_CHECK(t, s.ok(), "Remove: " + Text(s));
  read = wfp::ReadBack();
  CORDON_CHECK(t, read.ok() && read.value().empty(), "nothing of cordon's is left");
  s = wfp::Verify(plan);
  CORDON_CHECK(t, !s.ok() && s.error().detail.find("missing") != std::string::npos,
               "after Remove, Verify refuses: " + Text(s));
  s = wfp::Remove();
  CORDON_CHECK(t, s.ok(), "a second Remove has nothing to do: " + Text(s));
  std::printf("note: cordon's filters were removed; run `cordon setup` to put them back\n");
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(argc, argv,
                                   {
                                       Case{"WineFailsClosed", cordon::wintest::WineFailsClosed},
                                       Case{"RealEngine", cordon::wintest::RealEngine},
                                   });
}
