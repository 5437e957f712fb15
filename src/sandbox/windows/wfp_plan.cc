// cordon's WFP filter set and its comparison with the engine (see wfp_plan.h).
#include "sandbox/windows/wfp_plan.h"

#include <cstdio>
#include <utility>

#include "sandbox/windows/sid_derive.h"

namespace cordon::sandbox::windows::wfp {
namespace {

constexpr uint32_t kIpProtoTcp = 6;
constexpr int kPermitWeight = 15;  // the top of FWP_UINT8 weights
constexpr int kBlockWeight = 0;

constexpr std::string_view kRepair =
    "run `cordon setup` (as administrator) to reinstall cordon's network filters; "
    "no online run starts with less";

std::string AddressText(uint32_t a) {
  return std::to_string(a >> 24) + "." + std::to_string((a >> 16) & 0xff) + "." +
         std::to_string((a >> 8) & 0xff) + "." + std::to_string(a & 0xff);
}

// "127.0.0.1" -> 0x7f000001; false for anything but four decimal octets.
bool ParseIpv4(std::string_view text, uint32_t* out) {
  uint32_t value = 0;
  int octets = 0;
  size_t i = 0;
  while (octets < 4) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    uint32_t octet = 0;
    size_t digits = 0;
    while (i < text.size() && text[i] >= '0' && text[i] <= '9') {
      octet = octet * 10 + static_cast<uint32_t>(text[i] - '0');
      if (++digits > 3 || octet > 255) return false;
      ++i;
    }
    value = (value << 8) | octet;
    ++octets;
    if (octets < 4) {
      if (i >= text.size() || text[i] != '.') return false;
      ++i;
    }
  }
  if (i != text.size()) return false;
  *out = value;
  return true;
}

std::string_view ActionName(Action a) {
  switch (a) {
    case Action::kPermit:
      return "permit";
    case Action::kBlock:
      return "block";
    case Action::kOther:
      break;
  }
  return "another action";
}

std::string WeightText(int w) { return w < 0 ? "not an 8-bit weight" : std::to_string(w); }

std::string ConditionsText(const std::vector<Condition>& cs) {
  std::string out;
  for (const Condition& c : cs) {
    if (!out.empty()) out += ", ";
    out += Describe(c);
  }
  return out.empty() ? "none" : out;
}

// True when every condition of `a` is in `b` and back (order does not
// matter to the engine: all must match).
bool SameConditions(const std::vector<Condition>& a, const std::vector<Condition>& b) {
  if (a.size() != b.size()) return false;
  std::vector<bool> used(b.size(), false);
  for (const Condition& c : a) {
    bool found = false;
    for (size_t i = 0; i < b.size() && !found; ++i) {
      if (!used[i] && b[i] == c) found = used[i] = true;
    }
    if (!found) return false;
  }
  return true;
}

bool SameFilter(const Filter& a, const Filter& b) {
  return a.name == b.name && a.layer == b.layer && a.sublayer == b.sublayer &&
         a.action == b.action && a.weight == b.weight && a.persistent == b.persistent &&
         a.hard == b.hard && SameConditions(a.conditions, b.conditions);
}

std::string YesNo(bool b) { return b ? "yes" : "no"; }

// What differs between two filters of the same name, field by field.
std::string Changes(const Filter& want, const Filter& got) {
  std::vector<std::string> out;
  const auto field = [&](std::string_view what, const std::string& w, const std::string& g) {
    if (w != g) out.push_back(std::string(what) + ": expected " + w + ", found " + g);
  };
  field("layer", LayerName(want.layer), LayerName(got.layer));
  field("sublayer", want.sublayer.ToString(), got.sublayer.ToString());
  field("action", std::string(ActionName(want.action)), std::string(ActionName(got.action)));
  field("weight", WeightText(want.weight), WeightText(got.weight));
  field("persistent", YesNo(want.persistent), YesNo(got.persistent));
  field("hard (action right cleared)", YesNo(want.hard), YesNo(got.hard));
  if (!SameConditions(want.conditions, got.conditions)) {
    // Name the condition that changed where one field appears once on each
    // side (the usual case: a port, an address, a package).
    std::vector<bool> used(got.conditions.size(), false);
    std::vector<std::string> missing;
    for (const Condition& w : want.conditions) {
      bool found = false;
      for (size_t i = 0; i < got.conditions.size() && !found; ++i) {
        if (!used[i] && got.conditions[i] == w) found = used[i] = true;
      }
      if (found) continue;
      bool paired = false;
      for (size_t i = 0; i < got.conditions.size() && !paired; ++i) {
        if (!used[i] && got.conditions[i].field == w.field && w.field != Field::kOther) {
          used[i] = paired = true;
          out.push_back("condition: expected " + Describe(w) + ", found " +
                        Describe(got.conditions[i]));
        }
      }
      if (!paired) out.push_back("condition missing: " + Describe(w));
    }
    for (size_t i = 0; i < got.conditions.size(); ++i) {
      if (!used[i]) out.push_back("condition added: " + Describe(got.conditions[i]));
    }
  }
  std::string text;
  for (const std::string& s : out) text += (text.empty() ? "" : ", ") + s;
  return text;
}

Filter Make(int index, std::string name, const Guid& layer, Action action,
            std::vector<Condition> conditions) {
  Filter f;
  f.key = kFilterKeyBase;
  f.key.data4[7] = static_cast<uint8_t>(index);
  f.name = std::move(name);
  f.layer = layer;
  f.sublayer = kSublayerKey;
  f.action = action;
  f.weight = action == Action::kPermit ? kPermitWeight : kBlockWeight;
  f.persistent = true;
  f.hard = action == Action::kBlock;
  f.conditions = std::move(conditions);
  return f;
}

}  // namespace

std::string Guid::ToString() const {
  char text[40];
  std::snprintf(text, sizeof(text), "{%08x-%04x-%04x-%02x%02x-%02x%02x%02x%02x%02x%02x}", data1,
                data2, data3, data4[0], data4[1], data4[2], data4[3], data4[4], data4[5], data4[6],
                data4[7]);
  return text;
}

std::string LayerName(const Guid& layer) {
  if (layer == kLayerAuthConnectV4) return "ALE_AUTH_CONNECT_V4";
  if (layer == kLayerAuthConnectV6) return "ALE_AUTH_CONNECT_V6";
  if (layer == kLayerAuthRecvAcceptV4) return "ALE_AUTH_RECV_ACCEPT_V4";
  if (layer == kLayerAuthRecvAcceptV6) return "ALE_AUTH_RECV_ACCEPT_V6";
  if (layer == kLayerAuthListenV4) return "ALE_AUTH_LISTEN_V4";
  if (layer == kLayerAuthListenV6) return "ALE_AUTH_LISTEN_V6";
  return "layer " + layer.ToString();
}

std::string Describe(const Condition& c) {
  switch (c.field) {
    case Field::kPackageId:
      return "package " + c.text;
    case Field::kProtocol:
      return "protocol " + std::to_string(c.number) + (c.number == kIpProtoTcp ? " (TCP)" : "");
    case Field::kRemoteAddressV4:
      return "remote address " + AddressText(c.number);
    case Field::kRemotePort:
      return "remote port " + std::to_string(c.number);
    case Field::kRemotePortRange:
      return "remote ports " + std::to_string(c.number) + "-" + std::to_string(c.high);
    case Field::kOther:
      break;
  }
  return c.text.empty() ? "an unknown condition" : c.text;
}

std::string Describe(const Filter& f) {
  return "\"" + f.name + "\" (" + LayerName(f.layer) + ", " + std::string(ActionName(f.action)) +
         ", weight " + WeightText(f.weight) + ", sublayer " + f.sublayer.ToString() + ", " +
         ConditionsText(f.conditions) + ")";
}

Result<Plan> PlanOnline(std::string_view package_sid, std::string_view proxy_address,
                        uint16_t first_port, uint16_t last_port) {
  if (!IsSidString(package_sid) || !package_sid.starts_with("S-1-15-2-")) {
    return PlainError("WFP plan", std::string(package_sid),
                      "not an AppContainer SID (S-1-15-2-...)");
  }
  uint32_t address = 0;
  if (!ParseIpv4(proxy_address, &address) || (address >> 24) != 127) {
    return PlainError("WFP plan", std::string(proxy_address),
                      "the proxy's address must be an IPv4 loopback address (127.x.y.z): "
                      "the online identity may reach nothing but the proxy on this machine");
  }
  const std::string ports = std::to_string(first_port) + "-" + std::to_string(last_port);
  if (first_port == 0) return PlainError("WFP plan", "port 0", "the proxy's port must be set");
  if (last_port < first_port) {
    return PlainError("WFP plan", ports, "the proxy's port range ends before it starts");
  }
  if (static_cast<uint32_t>(last_port - first_port) + 1 > kMaxProxyPorts) {
    return PlainError("WFP plan", ports,
                      "more than " + std::to_string(kMaxProxyPorts) +
                          " proxy ports: every port of the range is one the sandbox may reach");
  }

  const Condition package{Field::kPackageId, 0, std::string(package_sid)};
  Plan plan;
  plan.filters.push_back(Make(1, "cordon online: permit TCP to the proxy", kLayerAuthConnectV4,
                              Action::kPermit,
                              {package,
                               {Field::kProtocol, kIpProtoTcp, {}},
                               {Field::kRemoteAddressV4, address, {}},
                               {Field::kRemotePortRange, first_port, {}, last_port}}));
  plan.filters.push_back(Make(2, "cordon online: block other connections (IPv4)",
                              kLayerAuthConnectV4, Action::kBlock, {package}));
  plan.filters.push_back(Make(3, "cordon online: block connections (IPv6)", kLayerAuthConnectV6,
                              Action::kBlock, {package}));
  plan.filters.push_back(Make(4, "cordon online: block inbound connections (IPv4)",
                              kLayerAuthRecvAcceptV4, Action::kBlock, {package}));
  plan.filters.push_back(Make(5, "cordon online: block inbound connections (IPv6)",
                              kLayerAuthRecvAcceptV6, Action::kBlock, {package}));
  plan.filters.push_back(Make(6, "cordon online: block listening (IPv4)", kLayerAuthListenV4,
                              Action::kBlock, {package}));
  plan.filters.push_back(Make(7, "cordon online: block listening (IPv6)", kLayerAuthListenV6,
                              Action::kBlock, {package}));
  return plan;
}

Plan PlanOffline() { return Plan{}; }

Provider PlannedProvider() { return Provider{kProviderName, true}; }

Sublayer PlannedSublayer() { return Sublayer{kSublayerName, true, kSublayerWeight, true}; }

Status CompareByKey(const Plan& expected, const KeyedReadBack& found) {
  std::vector<std::string> problems;
  const Provider provider = PlannedProvider();
  if (!found.provider) {
    problems.push_back("missing the provider \"" + provider.name + "\" " + kProviderKey.ToString());
  } else if (!(*found.provider == provider)) {
    problems.push_back("changed the provider " + kProviderKey.ToString() + ": name \"" +
                       found.provider->name + "\", persistent " +
                       YesNo(found.provider->persistent) + " (expected \"" + provider.name +
                       "\", persistent yes)");
  }
  const Sublayer sublayer = PlannedSublayer();
  if (!found.sublayer) {
    problems.push_back("missing the sublayer \"" + sublayer.name + "\" " + kSublayerKey.ToString());
  } else if (!(*found.sublayer == sublayer)) {
    const Sublayer& got = *found.sublayer;
    std::string what;
    const auto field = [&](std::string_view name, const std::string& w, const std::string& g) {
      if (w != g)
        what += (what.empty() ? "" : ", ") + std::string(name) + ": expected " + w + ", found " + g;
    };
    field("name", sublayer.name, got.name);
    field("provider cordon's", YesNo(sublayer.has_cordon_provider), YesNo(got.has_cordon_provider));
    field("weight", std::to_string(sublayer.weight), std::to_string(got.weight));
    field("persistent", YesNo(sublayer.persistent), YesNo(got.persistent));
    problems.push_back("changed the sublayer " + kSublayerKey.ToString() + ": " + what);
  }
  for (size_t i = 0; i < expected.filters.size(); ++i) {
    const Filter& want = expected.filters[i];
    const std::optional<Filter>* got = i < found.filters.size() ? &found.filters[i] : nullptr;
    if (got == nullptr || !got->has_value()) {
      problems.push_back("missing " + Describe(want));
    } else if (!SameFilter(want, **got)) {
      const std::string changes =
          (*got)->name == want.name
              ? Changes(want, **got)
              : "name: expected \"" + want.name + "\", found \"" + (*got)->name + "\"" +
                    (Changes(want, **got).empty() ? "" : ", ") + Changes(want, **got);
      problems.push_back("changed \"" + want.name + "\" (key " + want.key.ToString() +
                         "): " + changes);
    }
  }
  if (problems.empty()) return {};
  std::string detail = std::to_string(problems.size()) + " object" +
                       (problems.size() == 1 ? "" : "s") +
                       " not as cordon setup installed them (read by key): ";
  for (size_t i = 0; i < problems.size(); ++i) detail += (i == 0 ? "" : "; ") + problems[i];
  Error e = PlainError("WFP filters", "cordon's provider " + kProviderKey.ToString(), detail);
  e.hint = std::string(kRepair);
  return e;
}

Result<std::string> ObjectSecurity(std::string_view reader_sid) {
  if (!IsSidString(reader_sid) || !reader_sid.starts_with("S-1-5-")) {
    return PlainError("WFP security", std::string(reader_sid),
                      "not an account SID (S-1-5-...): cordon grants read access to the user "
                      "who runs setup");
  }
  // FWPM_GENERIC_ALL: STANDARD_RIGHTS_REQUIRED | every FWPM_ACTRL_* right.
  constexpr std::string_view kAll = "0xf07ff";
  constexpr std::string_view kRead = "0x80";  // FWPM_ACTRL_READ
  std::string sddl = "D:P";
  for (std::string_view who : {"BA", "SY", "LS"}) {
    sddl += "(A;;" + std::string(kAll) + ";;;" + std::string(who) + ")";
  }
  sddl += "(A;;" + std::string(kRead) + ";;;" + std::string(reader_sid) + ")";
  return sddl;
}

Status Compare(const Plan& expected, const std::vector<Filter>& found) {
  std::vector<bool> matched_found(found.size(), false);
  std::vector<const Filter*> unmatched;
  // Exact matches first, so that a changed duplicate is not taken for the
  // original.
  for (const Filter& want : expected.filters) {
    bool hit = false;
    for (size_t i = 0; i < found.size() && !hit; ++i) {
      if (!matched_found[i] && SameFilter(want, found[i])) hit = matched_found[i] = true;
    }
    if (!hit) unmatched.push_back(&want);
  }
  std::vector<std::string> problems;
  for (const Filter* want : unmatched) {
    bool paired = false;
    for (size_t i = 0; i < found.size() && !paired; ++i) {
      if (!matched_found[i] && found[i].name == want->name) {
        matched_found[i] = paired = true;
        problems.push_back("changed \"" + want->name + "\": " + Changes(*want, found[i]));
      }
    }
    if (!paired) problems.push_back("missing " + Describe(*want));
  }
  for (size_t i = 0; i < found.size(); ++i) {
    if (!matched_found[i]) problems.push_back("extra " + Describe(found[i]));
  }
  if (problems.empty()) return {};
  std::string detail = std::to_string(problems.size()) + " filter" +
                       (problems.size() == 1 ? "" : "s") + " not as cordon setup installed them: ";
  for (size_t i = 0; i < problems.size(); ++i) detail += (i == 0 ? "" : "; ") + problems[i];
  Error e = PlainError("WFP filters", "cordon's provider " + kProviderKey.ToString(), detail);
  e.hint = std::string(kRepair);
  return e;
}

}  // namespace cordon::sandbox::windows::wfp
