// cordon's Windows Filtering Platform objects in the engine: install them
// (`cordon setup`, elevated), read them back and compare them with the plan
// before each online run, remove them (`cordon uninstall`). The filter set
// itself is wfp_plan.h's.
//
// The contract for callers (src/cli):
// - `cordon setup` for the online identity:
//     Result<Plan> plan = PlanOnline(online_sid, "127.0.0.1", first, last);
//     Install(plan.value(), user_sid) -> OK only when the engine holds exactly the plan
//   (Install ends with Verify: an engine that accepts the calls and keeps
//   nothing, Wine's, is a failure). Needs an administrator: the
//   engine refuses the adds with "Access is denied" otherwise.
// - Before every online run: VerifyByKey(plan) with the same plan (same
//   SID and the recorded proxy port range). Not OK -> exit 125 with the Error as
//   is: it names the call that failed or each object missing or changed,
//   and carries `cordon setup` as the hint. Never run online with less. An
//   offline run needs no filter and checks none.
//   Who may read (docs/windows.md, "Who may read them"): enumerating needs
//   FWPM_ACTRL_ENUM on the engine's filter container, which the engine's
//   default security gives administrators only; reading one object by its
//   key needs FWPM_ACTRL_READ on that object alone, which setup grants the
//   user in each object's security descriptor. So an unelevated run reads
//   by key; the enumeration (Verify: nothing extra in cordon's sublayer)
//   is setup's and an elevated `cordon doctor`'s. Unverified: no Windows here.
// - `cordon uninstall`: Remove() -> OK only when, read back afterwards, no
//   filter of cordon's provider or sublayer is left.
// Every failure names the Fwpm* call and the engine's error code
// (win_error-win32.h); nothing is retried or skipped.
//
// Objects are persistent (they survive a reboot and the session that made
// them) and all hang off cordon's provider and sublayer (wfp_plan.h's fixed
// GUIDs), which is how ReadBack and Remove find them: every filter whose
// provider or sublayer is cordon's, so a filter someone else put into
// cordon's sublayer counts as extra too.
#pragma once

#include <string>
#include <vector>

#include "common/result.h"
#include "sandbox/windows/wfp_plan.h"

namespace cordon::sandbox::windows::wfp {

// Replaces whatever cordon had installed (its filters, sublayer, provider)
// with the plan's, in one engine transaction (all or nothing), each object
// with ObjectSecurity(reader_sid) (wfp_plan.h: administrators and SYSTEM
// full control, `reader_sid`, the user setup runs for, read only), then
// verifies both ways (Verify and VerifyByKey). Idempotent.
[[nodiscard]] Status Install(const Plan& plan, const std::string& reader_sid);

// The plan's provider, sublayer and each filter, read by their fixed keys
// (FwpmProviderGetByKey0, FwpmSubLayerGetByKey0, FwpmFilterGetByKey0): what
// an unelevated user may do once setup granted them FWPM_ACTRL_READ. Not
// found is nullopt; any other failure an Error naming the call.
[[nodiscard]] Result<KeyedReadBack> ReadByKey(const Plan& plan);

// ReadByKey, then CompareByKey (wfp_plan.h): the check before every online
// run. It does not see an extra filter in cordon's sublayer (that needs
// the enumeration, which needs an administrator: Verify).
[[nodiscard]] Status VerifyByKey(const Plan& plan);

// The filters under cordon's provider or in cordon's sublayer, as the
// engine holds them.
[[nodiscard]] Result<std::vector<Filter>> ReadBack();

// ReadBack, then Compare (wfp_plan.h) with the plan: the full check, which
// needs an administrator (setup, an elevated `cordon doctor`).
[[nodiscard]] Status Verify(const Plan& plan);

// Deletes every filter ReadBack finds, then the sublayer and the provider,
// in one transaction; then reads back and refuses if anything remains.
// Nothing installed is nothing to do.
[[nodiscard]] Status Remove();

}  // namespace cordon::sandbox::windows::wfp
