// The AppContainer identities a run takes (docs/windows.md, "Identities"):
// the profiles `cordon.offline` and `cordon.online`, and the SIDs a
// command's token carries (the profile's package SID and the workspace's
// capability SID), with the check that the token really has them.
//
// Every SID here is derived from a name (sid_derive.h), and EnsureProfile
// compares the SID Windows reports for the profile with the derived one:
// uninstall finds cordon's ACEs by recomputing SIDs from names, so a
// profile whose SID it could not recompute must not receive a grant.
//
// userenv's AppContainer functions are looked up at run time (as
// confinement_probe-win32.cc does): importing them would stop cordon.exe
// from loading on a host without them, before it could say what is missing.
#pragma once

#include <windows.h>

#include <string>
#include <vector>

#include "common/result.h"

namespace cordon::sandbox::appcontainer {

// The offline profile: no network capability, so Windows gives it no
// network at all (loopback included).
inline constexpr const char* kOfflineProfile = "cordon.offline";
// The online profile: reaches cordon's proxy on loopback only (WFP filters
// on its package SID, wfp_plan.h).
inline constexpr const char* kOnlineProfile = "cordon.online";

// What a command's token must be: an AppContainer token of `package_sid`
// holding exactly `capability_sids` (SID strings, "S-1-15-...").
struct Identity {
  std::string profile;  // kOfflineProfile or kOnlineProfile
  std::string package_sid;
  std::vector<std::string> capability_names;  // "cordon.ws.<hash>"
  // The names' SIDs in the same order, then the well-known capabilities
  // that have no derived name (the online identity's
  // privateNetworkClientServer).
  std::vector<std::string> capability_sids;
};

// SECURITY_CAPABILITY_PRIVATE_NETWORK_CLIENT_SERVER: connections to and
// from the local network, loopback among them (with the loopback
// exemption). The online identity's only network capability: the WFP
// filters then narrow it to the proxy's port. Not internetClient (which
// --net full would need, and which Windows does not let cordon narrow
// per destination the way the proxy does).
inline constexpr char kPrivateNetworkClientServerSid[] = "S-1-15-3-3";

// The identity of `profile` holding the capability `capability_name`
// (the workspace's, as its grants were made: workspace_grants-win32.h):
// both SIDs derived from the names. Pure; an Error for a bad name.
[[nodiscard]] Result<Identity> IdentityFor(const std::string& profile,
                                           const std::string& capability_name);

// The online identity (kOnlineProfile) holding the workspace capability
// `capability_name` and privateNetworkClientServer.
[[nodiscard]] Result<Identity> OnlineIdentityFor(const std::string& capability_name);

// Creates `identity.profile` when it does not exist (no administrator is
// needed) and checks that Windows' SID for it is identity.package_sid, and
// that Windows derives each capability name to the SID cordon derived.
// Errors name the userenv call and its HRESULT; a missing export says so.
[[nodiscard]] Status EnsureProfile(const Identity& identity);

// Deletes the profile `name` (its folder and registry key); one that does
// not exist, or a host without AppContainer support, is not an error. For
// `cordon uninstall`. (Not "DeleteProfile": userenv.h defines that macro.)
[[nodiscard]] Status RemoveProfile(const std::string& name);

// The profile's own folder (%LOCALAPPDATA%\Packages\<name>\AC), which the
// container may write: its Temp is the command's TEMP and TMP.
[[nodiscard]] Result<std::string> ProfileFolder(const Identity& identity);

// SECURITY_CAPABILITIES for CreateProcessW, with the SIDs it points to.
// Built once per spawn; it must outlive the CreateProcessW call.
class Capabilities {
 public:
  Capabilities() = default;
  Capabilities(const Capabilities&) = delete;
  Capabilities& operator=(const Capabilities&) = delete;
  Capabilities(Capabilities&&) = delete;
  Capabilities& operator=(Capabilities&&) = delete;
  ~Capabilities();

  // Converts the identity's SID strings; an Error names a SID that does not
  // convert.
  [[nodiscard]] Status Init(const Identity& identity);
  [[nodiscard]] SECURITY_CAPABILITIES* get() { return &capabilities_; }

 private:
  std::vector<PSID> sids_;  // LocalFree'd; [0] is the package SID
  std::vector<SID_AND_ATTRIBUTES> attributes_;
  SECURITY_CAPABILITIES capabilities_{};
};

// Reads the token of `process` (created suspended, not yet resumed) and
// checks that it is an AppContainer token of identity.package_sid holding
// every capability of the identity and no other. An Error says what the
// token is instead: the read-back that keeps a host which accepted the
// attribute and ignored it (Wine, an old Windows) from running the command
// with the caller's full token.
[[nodiscard]] Status VerifyToken(HANDLE process, const Identity& identity);

}  // namespace cordon::sandbox::appcontainer
