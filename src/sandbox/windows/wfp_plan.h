// cordon's Windows Filtering Platform objects as plain data: what `cordon
// setup` installs for the online identity, and the comparison a run makes
// with what it reads back from the engine before it starts (docs/windows.md,
// "Network"). Platform-neutral, so that the Linux unit tests pin the filter
// set and every kind of drift; wfp-win32.h turns it into Fwpm* calls.
//
// All of cordon's objects hang off one provider and one sublayer with fixed
// GUIDs, so that a run, `cordon doctor` and uninstall find exactly them. The
// online AppContainer (package SID S-1-15-2-..., sid_derive.h) gets, at the
// ALE layers, conditioned on FWPM_CONDITION_ALE_PACKAGE_ID:
// - a permit of TCP to the proxy's loopback address and port range (IPv4;
//   FWP_MATCH_RANGE over FWPM_CONDITION_IP_REMOTE_PORT, inclusive, so that
//   several online runs each have a proxy port of their own), at the top
//   weight of the sublayer, so it is evaluated before the blocks;
// - a block of every other connect (IPv4 and IPv6: other loopback ports,
//   private ranges, UDP's first send, ICMP) and of every inbound accept and
//   listen (IPv4 and IPv6), at weight 0, with the action right cleared (a
//   hard block no lower sublayer can turn into a permit).
// The permit leaves its action right set: another sublayer (the Windows
// firewall's AppContainer loopback rules) may still block it, never the
// reverse. The offline identity has no network capability at all and needs
// no filter: its plan is empty.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace cordon::sandbox::windows::wfp {

// A GUID laid out as Windows' (Data1-Data2-Data3-Data4[8]).
struct Guid {
  uint32_t data1 = 0;
  uint16_t data2 = 0;
  uint16_t data3 = 0;
  std::array<uint8_t, 8> data4{};
  bool operator==(const Guid&) const = default;
  // "{c38d57d1-05a7-4c33-904f-7fbceee60e82}"
  [[nodiscard]] std::string ToString() const;
};

// cordon's own, fixed forever: changing one orphans what older versions
// installed (uninstall finds objects by these keys).
inline constexpr Guid kProviderKey{
    0x49dbe4ad, 0x29e0, 0x4b6c, {0xb5, 0x29, 0x67, 0x08, 0x19, 0x21, 0xa6, 0x4c}};
inline constexpr Guid kSublayerKey{
    0xd4e832cc, 0x3f9e, 0x444a, {0x87, 0x13, 0x62, 0xd6, 0xdb, 0xc3, 0xfa, 0xaf}};
// Filter n's key is this with the last byte n (1, 2, ...): fixed keys make a
// second install that failed to remove the first collide loudly.
inline constexpr Guid kFilterKeyBase{
    0x90bb33a1, 0x5efe, 0x44e3, {0xaa, 0x90, 0x35, 0x47, 0xe1, 0xb7, 0x6a, 0x00}};
// High, so that cordon's sublayer is arbitrated before most others.
inline constexpr uint16_t kSublayerWeight = 0xf000;
inline constexpr char kProviderName[] = "cordon";
inline constexpr char kSublayerName[] = "cordon sandbox identities";

// The layers (FWPM_LAYER_*, fwpmu.h of the Windows SDK; mingw-w64 lacks them).
inline constexpr Guid kLayerAuthConnectV4{
    0xc38d57d1, 0x05a7, 0x4c33, {0x90, 0x4f, 0x7f, 0xbc, 0xee, 0xe6, 0x0e, 0x82}};
inline constexpr Guid kLayerAuthConnectV6{
    0x4a72393b, 0x319f, 0x44bc, {0x84, 0xc3, 0xba, 0x54, 0xdc, 0xb3, 0xb6, 0xb4}};
inline constexpr Guid kLayerAuthRecvAcceptV4{
    0xe1cd9fe7, 0xf4b5, 0x4273, {0x96, 0xc0, 0x59, 0x2e, 0x48, 0x7b, 0x86, 0x50}};
inline constexpr Guid kLayerAuthRecvAcceptV6{
    0xa3b42c97, 0x9f04, 0x4672, {0xb8, 0x7e, 0xce, 0xe9, 0xc4, 0x83, 0x25, 0x7f}};
inline constexpr Guid kLayerAuthListenV4{
    0x88bb5dad, 0x76d7, 0x4227, {0x9c, 0x71, 0xdf, 0x0a, 0x3e, 0xd7, 0xbe, 0x7e}};
inline constexpr Guid kLayerAuthListenV6{
    0x7ac9de24, 0x17dd, 0x4814, {0xb4, 0xbd, 0xa9, 0xfb, 0xc9, 0x5a, 0x32, 0x1b}};

// The condition fields (FWPM_CONDITION_*).
inline constexpr Guid kFieldAlePackageId{
    0x71bc78fa, 0xf17c, 0x4997, {0xa6, 0x02, 0x6a, 0xbb, 0x26, 0x1f, 0x35, 0x1c}};
inline constexpr Guid kFieldIpProtocol{
    0x3971ef2b, 0x623e, 0x4f9a, {0x8c, 0xb1, 0x6e, 0x79, 0xb8, 0x06, 0xb9, 0xa7}};
inline constexpr Guid kFieldIpRemoteAddress{
    0xb235ae9a, 0x1d64, 0x49b8, {0xa4, 0x4c, 0x5f, 0xf3, 0xd9, 0x09, 0x50, 0x45}};
inline constexpr Guid kFieldIpRemotePort{
    0xc35a604d, 0xd22b, 0x4e1a, {0x91, 0xb4, 0x68, 0xf6, 0x74, 0xee, 0x67, 0x4b}};

// "ALE_AUTH_CONNECT_V4" for a layer above, the GUID's text for any other.
[[nodiscard]] std::string LayerName(const Guid& layer);

enum class Action { kPermit, kBlock, kOther };

// Which condition, with the value type cordon uses for it (the Win32 layer
// reads a known field with another value type, or an unknown field, as
// kOther and describes it in `text`).
enum class Field {
  kPackageId,        // FWP_SID: the AppContainer's package SID, in `text`
  kProtocol,         // FWP_UINT8: IPPROTO_*, in `number`
  kRemoteAddressV4,  // FWP_UINT32: host byte order, in `number`
  kRemotePort,       // FWP_UINT16, in `number` (an older cordon's single port)
  kRemotePortRange,  // FWP_MATCH_RANGE of two FWP_UINT16: `number` to `high`
  kOther,
};

// Every condition is FWP_MATCH_EQUAL but kRemotePortRange (FWP_MATCH_RANGE);
// another match type or value type reads back as kOther.
struct Condition {
  Field field = Field::kOther;
  uint32_t number = 0;
  std::string text;
  uint32_t high = 0;  // kRemotePortRange's last port (inclusive); 0 for the others
  bool operator==(const Condition&) const = default;
};
// "package S-1-15-2-...", "protocol 6 (TCP)", "remote address 127.0.0.1",
// "remote port 3128", "remote ports 47128-47143", or the text of an unknown
// one.
[[nodiscard]] std::string Describe(const Condition& c);

struct Filter {
  Guid key;          // not compared: identity is the name and the content
  std::string name;  // "cordon online: ..."
  Guid layer;
  Guid sublayer;
  Action action = Action::kOther;
  int weight = -1;                    // the FWP_UINT8 weight, 0..15; -1: another type
  bool persistent = false;            // FWPM_FILTER_FLAG_PERSISTENT
  bool hard = false;                  // FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT
  std::vector<Condition> conditions;  // all must match (AND)
};

// One line naming a filter: its name, layer, action, weight and conditions.
[[nodiscard]] std::string Describe(const Filter& f);

struct Plan {
  std::vector<Filter> filters;
};

// The most ports the permit may span: a range is a set of loopback ports
// the sandbox may reach, kept small (online_record.h's kProxyPortCount).
inline constexpr uint32_t kMaxProxyPorts = 64;

// The online identity's filters. package_sid is its AppContainer SID
// (AppContainerSidFromName("cordon.online")); proxy_address an IPv4
// loopback address in dotted form ("127.0.0.1"); first_port..last_port
// (inclusive) the ports the runs' proxies may listen on. A malformed SID, a
// non-loopback address, port 0, last < first or more than kMaxProxyPorts
// ports is an Error.
[[nodiscard]] Result<Plan> PlanOnline(std::string_view package_sid, std::string_view proxy_address,
                                      uint16_t first_port, uint16_t last_port);

// The offline identity's: none (no network capability, docs/windows.md).
[[nodiscard]] Plan PlanOffline();

// cordon's provider and sublayer as the engine holds them (the fields
// cordon sets; FwpmProviderGetByKey0 / FwpmSubLayerGetByKey0).
struct Provider {
  std::string name;
  bool persistent = false;  // FWPM_PROVIDER_FLAG_PERSISTENT
  bool operator==(const Provider&) const = default;
};
struct Sublayer {
  std::string name;
  bool has_cordon_provider = false;  // providerKey is kProviderKey
  int weight = -1;
  bool persistent = false;  // FWPM_SUBLAYER_FLAG_PERSISTENT
  bool operator==(const Sublayer&) const = default;
};
[[nodiscard]] Provider PlannedProvider();
[[nodiscard]] Sublayer PlannedSublayer();

// What the engine returned for the plan's fixed keys: each object, or
// nullopt when the engine holds none by that key. `filters` has one entry
// per plan filter, in the plan's order (filter i read by plan.filters[i].key).
struct KeyedReadBack {
  std::optional<Provider> provider;
  std::optional<Sublayer> sublayer;
  std::vector<std::optional<Filter>> filters;
};

// The unelevated run's check (docs/windows.md, "Who may read them"): each
// object of the plan, read by its fixed key, is exactly as setup installed
// it (every field Compare compares, and the provider and sublayer). OK only
// then; otherwise one Error naming each object missing or changed, with
// `cordon setup` as the repair. It cannot see a filter someone else added
// to cordon's sublayer under another key: the elevated read-back (Compare
// over the full enumeration) in `cordon doctor` and setup does.
[[nodiscard]] Status CompareByKey(const Plan& expected, const KeyedReadBack& found);

// The security descriptor (SDDL) setup gives cordon's provider, sublayer
// and filters: full control for Administrators, SYSTEM and LocalService
// (the account of the Base Filtering Engine), and FWPM_ACTRL_READ alone for
// `reader_sid`, the user who ran setup, so that their unelevated runs can
// read each object by its key (FwpmFilterGetByKey0 needs exactly that).
// Protected: nothing is inherited from the engine's containers. An Error
// for a reader that is not a SID string.
[[nodiscard]] Result<std::string> ObjectSecurity(std::string_view reader_sid);

// Compares the filters read back from the engine under cordon's provider
// and sublayer (wfp-win32.h ReadBack) with the plan. OK only when they are
// the same set; otherwise one Error naming every filter that is missing,
// changed (which field, expected and found) or extra, with `cordon setup`
// as the repair.
[[nodiscard]] Status Compare(const Plan& expected, const std::vector<Filter>& found);

}  // namespace cordon::sandbox::windows::wfp
