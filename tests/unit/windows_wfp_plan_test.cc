// The online identity's WFP filter set, pure: what `cordon setup` installs
// for a given package SID and proxy port range, and the comparison a run makes
// with what it reads back from the engine: an equal set passes, every kind
// of drift (a filter missing, a port range widened or shifted, an action
// changed, a permit added,
// a filter for another package) is refused with a message naming it and
// `cordon setup` as the repair. The offline identity needs no filter.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "sandbox/windows/sid_derive.h"
#include "sandbox/windows/wfp_plan.h"

namespace cordon::sandbox::windows::wfp {
namespace {

std::string OnlineSid() {
  Result<std::string> sid = AppContainerSidFromName("cordon.online");
  EXPECT_TRUE(sid.ok());
  return sid.ok() ? sid.value() : std::string();
}

// The plan for first..last (a range of one when last is 0).
Plan Online(uint16_t first = 3128, uint16_t last = 0) {
  Result<Plan> plan = PlanOnline(OnlineSid(), "127.0.0.1", first, last == 0 ? first : last);
  EXPECT_TRUE(plan.ok()) << (plan.ok() ? "" : plan.error().Describe());
  return plan.ok() ? plan.value() : Plan{};
}

// The refusal's text, or "" when Compare passed.
std::string Refusal(const Plan& plan, const std::vector<Filter>& found) {
  Status s = Compare(plan, found);
  return s.ok() ? std::string() : s.error().Describe();
}

// The engine holding exactly what setup installed, read by key.
KeyedReadBack AsInstalled(const Plan& plan) {
  KeyedReadBack r{PlannedProvider(), PlannedSublayer(), {}};
  for (const Filter& f : plan.filters) r.filters.emplace_back(f);
  return r;
}

std::string KeyedRefusal(const Plan& plan, const KeyedReadBack& found) {
  Status s = CompareByKey(plan, found);
  return s.ok() ? std::string() : s.error().Describe();
}

constexpr char kPermit[] = "cordon online: permit TCP to the proxy";

TEST(WindowsWfpPlan, OnlineSetForASidAndPortRange) {
  const std::string sid = OnlineSid();
  const Plan plan = Online(47128, 47143);
  ASSERT_EQ(plan.filters.size(), 7u);
  const Condition package{Field::kPackageId, 0, sid};

  const Filter& permit = plan.filters[0];
  EXPECT_EQ(permit.name, kPermit);
  EXPECT_EQ(permit.layer, kLayerAuthConnectV4);
  EXPECT_EQ(permit.action, Action::kPermit);
  EXPECT_EQ(permit.weight, 15);
  EXPECT_FALSE(permit.hard) << "a permit must not override another sublayer's block";
  EXPECT_EQ(permit.conditions,
            (std::vector<Condition>{package,
                                    {Field::kProtocol, 6, {}},
                                    {Field::kRemoteAddressV4, 0x7f000001, {}},
                                    {Field::kRemotePortRange, 47128, {}, 47143}}));
  EXPECT_EQ(Describe(permit.conditions[3]), "remote ports 47128-47143");

  // Every other connect, accept and listen of the package, v4 and v6.
  const std::vector<Guid> block_layers = {kLayerAuthConnectV4,    kLayerAuthConnectV6,
                                          kLayerAuthRecvAcceptV4, kLayerAuthRecvAcceptV6,
                                          kLayerAuthListenV4,     kLayerAuthListenV6};
  for (size_t i = 0; i < block_layers.size(); ++i) {
    const Filter& block = plan.filters[i + 1];
    SCOPED_TRACE(block.name);
    EXPECT_EQ(block.layer, block_layers[i]) << LayerName(block.layer);
    EXPECT_EQ(block.action, Action::kBlock);
    EXPECT_LT(block.weight, permit.weight) << "the permit is evaluated first";
    EXPECT_TRUE(block.hard);
    EXPECT_EQ(block.conditions, std::vector<Condition>{package}) << "only the online package";
  }
  for (const Filter& f : plan.filters) {
    EXPECT_TRUE(f.name.starts_with("cordon online: ")) << f.name;
    EXPECT_EQ(f.sublayer, kSublayerKey);
    EXPECT_TRUE(f.persistent) << f.name;
  }
  // Keys are fixed and distinct; names too (Compare pairs by name).
  for (size_t i = 0; i < plan.filters.size(); ++i) {
    for (size_t j = i + 1; j < plan.filters.size(); ++j) {
      EXPECT_NE(plan.filters[i].key, plan.filters[j].key);
      EXPECT_NE(plan.filters[i].name, plan.filters[j].name);
    }
  }
  EXPECT_EQ(plan.filters[0].key.ToString(), "{90bb33a1-5efe-44e3-aa90-3547e1b76a01}");
  EXPECT_EQ(LayerName(kLayerAuthConnectV4), "ALE_AUTH_CONNECT_V4");
  EXPECT_EQ(kLayerAuthConnectV4.ToString(), "{c38d57d1-05a7-4c33-904f-7fbceee60e82}");
}

TEST(WindowsWfpPlan, OtherPortAndLoopbackAddress) {
  Result<Plan> plan = PlanOnline(OnlineSid(), "127.0.0.2", 8080, 8080);
  ASSERT_TRUE(plan.ok());
  EXPECT_EQ(plan.value().filters[0].conditions[2],
            (Condition{Field::kRemoteAddressV4, 0x7f000002, {}}));
  EXPECT_EQ(plan.value().filters[0].conditions[3],
            (Condition{Field::kRemotePortRange, 8080, {}, 8080}));
  // The widest range a plan takes: kMaxProxyPorts.
  plan = PlanOnline(OnlineSid(), "127.0.0.1", 1000, 1000 + kMaxProxyPorts - 1);
  ASSERT_TRUE(plan.ok()) << plan.error().Describe();
}

TEST(WindowsWfpPlan, RefusesABadSidAddressOrPort) {
  const std::string sid = OnlineSid();
  for (const char* bad :
       {"", "S-1-15-3-1024-1-2-3-4-5-6-7-8", "S-1-5-32-544", "BA", "S-1-15-2-x"}) {
    Result<Plan> plan = PlanOnline(bad, "127.0.0.1", 3128, 3143);
    EXPECT_FALSE(plan.ok()) << bad;
  }
  for (const char* bad : {"10.0.0.1", "0.0.0.0", "127.0.0", "127.0.0.1.1", "127.0.0.256", "::1",
                          "localhost", "127.0.0.1 ", "127..0.1", "0127.0.0.1"}) {
    Result<Plan> plan = PlanOnline(sid, bad, 3128, 3143);
    ASSERT_FALSE(plan.ok()) << bad;
    EXPECT_NE(plan.error().Describe().find("loopback"), std::string::npos);
  }
  EXPECT_FALSE(PlanOnline(sid, "127.0.0.1", 0, 15).ok());
  Result<Plan> reversed = PlanOnline(sid, "127.0.0.1", 3143, 3128);
  ASSERT_FALSE(reversed.ok());
  EXPECT_NE(reversed.error().Describe().find("ends before it starts"), std::string::npos);
  // One port more than the most: every port of the range is reachable.
  Result<Plan> wide = PlanOnline(sid, "127.0.0.1", 1000, 1000 + kMaxProxyPorts);
  ASSERT_FALSE(wide.ok());
  EXPECT_NE(wide.error().Describe().find("more than 64 proxy ports"), std::string::npos)
      << wide.error().Describe();
}

TEST(WindowsWfpPlan, OfflineNeedsNoFilter) {
  EXPECT_TRUE(PlanOffline().filters.empty());
  // Nothing installed, nothing expected: passes; the online set where the
  // offline plan is expected is extra.
  EXPECT_EQ(Refusal(PlanOffline(), {}), "");
  EXPECT_NE(Refusal(PlanOffline(), Online().filters).find("extra"), std::string::npos);
}

TEST(WindowsWfpPlan, AnEqualReadBackPasses) {
  const Plan plan = Online();
  EXPECT_EQ(Refusal(plan, plan.filters), "");
  // The engine's order and keys are not the plan's: neither counts.
  std::vector<Filter> found(plan.filters.rbegin(), plan.filters.rend());
  for (Filter& f : found) {
    f.key = Guid{};
    std::vector<Condition> reversed(f.conditions.rbegin(), f.conditions.rend());
    f.conditions = reversed;
  }
  EXPECT_EQ(Refusal(plan, found), "");
}

TEST(WindowsWfpPlan, NothingInstalledIsRefused) {
  const std::string why = Refusal(Online(), {});
  EXPECT_NE(why.find("7 filters not as cordon setup installed them"), std::string::npos) << why;
  EXPECT_NE(why.find("cordon setup"), std::string::npos) << why;
}

TEST(WindowsWfpPlan, AMissingPermitIsRefused) {
  const Plan plan = Online();
  std::vector<Filter> found(plan.filters.begin() + 1, plan.filters.end());
  const std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("missing \"cordon online: permit TCP to the proxy\" (ALE_AUTH_CONNECT_V4, "
                     "permit, weight 15"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("1 filter not as"), std::string::npos) << why;
  EXPECT_NE(why.find("hint: run `cordon setup`"), std::string::npos) << why;
}

TEST(WindowsWfpPlan, AMissingBlockIsRefused) {
  const Plan plan = Online();
  std::vector<Filter> found = plan.filters;
  found.erase(found.begin() + 2);  // connections (IPv6)
  const std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("missing \"cordon online: block connections (IPv6)\" (ALE_AUTH_CONNECT_V6"),
            std::string::npos)
      << why;
}

TEST(WindowsWfpPlan, AWiderOrShiftedRangeIsRefused) {
  const Plan plan = Online(47128, 47143);
  const struct {
    uint32_t first, last;
    const char* found;
  } drifts[] = {
      {47128, 47199, "remote ports 47128-47199"},  // wider: more ports reachable
      {47100, 47143, "remote ports 47100-47143"},  // wider below
      {47129, 47144, "remote ports 47129-47144"},  // shifted
      {47128, 47142, "remote ports 47128-47142"},  // narrower: a run's port unreachable
      {1, 65535, "remote ports 1-65535"},          // every port
  };
  for (const auto& d : drifts) {
    std::vector<Filter> found = plan.filters;
    found[0].conditions[3].number = d.first;
    found[0].conditions[3].high = d.last;
    const std::string why = Refusal(plan, found);
    EXPECT_NE(why.find(std::string("changed \"cordon online: permit TCP to the proxy\": "
                                   "condition: expected remote ports 47128-47143, found ") +
                       d.found),
              std::string::npos)
        << why;
    KeyedReadBack keyed = AsInstalled(plan);
    keyed.filters[0] = found[0];
    const std::string by_key = KeyedRefusal(plan, keyed);
    EXPECT_NE(
        by_key.find(std::string("condition: expected remote ports 47128-47143, found ") + d.found),
        std::string::npos)
        << by_key;
  }
  // An older cordon's single-port permit (FWP_MATCH_EQUAL) is not the range.
  std::vector<Filter> found = plan.filters;
  found[0].conditions[3] = Condition{Field::kRemotePort, 47128, {}};
  const std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("condition missing: remote ports 47128-47143"), std::string::npos) << why;
  EXPECT_NE(why.find("condition added: remote port 47128"), std::string::npos) << why;
  // The can twin: the same range read back passes, by key too.
  EXPECT_EQ(Refusal(plan, plan.filters), "");
  EXPECT_EQ(KeyedRefusal(plan, AsInstalled(plan)), "");
}

TEST(WindowsWfpPlan, AChangedActionIsRefused) {
  const Plan plan = Online();
  std::vector<Filter> found = plan.filters;
  found[1].action = Action::kPermit;  // "block other connections (IPv4)" now permits
  const std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("changed \"cordon online: block other connections (IPv4)\": action: "
                     "expected block, found permit"),
            std::string::npos)
      << why;
}

TEST(WindowsWfpPlan, EachChangedFieldIsNamed) {
  const Plan plan = Online();
  struct Drift {
    const char* expect;
    void (*change)(Filter&);
  };
  const std::vector<Drift> drifts = {
      {"layer: expected ALE_AUTH_CONNECT_V4, found ALE_AUTH_CONNECT_V6",
       [](Filter& f) { f.layer = kLayerAuthConnectV6; }},
      {"sublayer: expected {d4e832cc", [](Filter& f) { f.sublayer = Guid{}; }},
      {"weight: expected 15, found 0", [](Filter& f) { f.weight = 0; }},
      {"weight: expected 15, found not an 8-bit weight", [](Filter& f) { f.weight = -1; }},
      {"persistent: expected yes, found no", [](Filter& f) { f.persistent = false; }},
      {"hard (action right cleared): expected no, found yes", [](Filter& f) { f.hard = true; }},
      {"condition: expected remote address 127.0.0.1, found remote address 10.0.0.1",
       [](Filter& f) { f.conditions[2].number = 0x0a000001; }},
      {"condition missing: protocol 6 (TCP)",
       [](Filter& f) { f.conditions.erase(f.conditions.begin() + 1); }},
      {"condition added: field {00000000",
       [](Filter& f) {
         f.conditions.push_back({Field::kOther, 0, "field {00000000-0000-0000-0000-000000000000}"});
       }},
      {"action: expected permit, found another action",
       [](Filter& f) { f.action = Action::kOther; }},
  };
  for (const Drift& d : drifts) {
    std::vector<Filter> found = plan.filters;
    d.change(found[0]);
    const std::string why = Refusal(plan, found);
    EXPECT_NE(why.find(d.expect), std::string::npos) << d.expect << "\nin: " << why;
  }
}

TEST(WindowsWfpPlan, AnExtraPermitForAnotherPortIsRefused) {
  const Plan plan = Online(3128);
  std::vector<Filter> found = plan.filters;
  Filter extra = plan.filters[0];
  extra.conditions[3].number = 22;
  extra.conditions[3].high = 22;
  found.push_back(extra);
  const std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("extra \"cordon online: permit TCP to the proxy\" (ALE_AUTH_CONNECT_V4, "
                     "permit, weight 15"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("remote ports 22-22)"), std::string::npos) << why;
  EXPECT_EQ(why.find("changed"), std::string::npos) << "the real permit matched: " << why;
  // The same filter twice is one too many as well.
  found = plan.filters;
  found.push_back(plan.filters[0]);
  EXPECT_NE(Refusal(plan, found).find("extra"), std::string::npos);
}

TEST(WindowsWfpPlan, AFilterOfAnotherPackageIsRefused) {
  const Plan plan = Online();
  Result<std::string> other = AppContainerSidFromName("cordon.offline");
  ASSERT_TRUE(other.ok());
  // A block moved to another package: the online package loses it.
  std::vector<Filter> found = plan.filters;
  found[3].conditions[0].text = other.value();
  std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("changed \"cordon online: block inbound connections (IPv4)\": condition: "
                     "expected package " +
                     OnlineSid() + ", found package " + other.value()),
            std::string::npos)
      << why;
  // A permit for another package under cordon's provider.
  found = plan.filters;
  Filter extra = plan.filters[0];
  extra.name = "something else";
  extra.conditions[0].text = other.value();
  found.push_back(extra);
  why = Refusal(plan, found);
  EXPECT_NE(why.find("extra \"something else\""), std::string::npos) << why;
  EXPECT_NE(why.find("package " + other.value()), std::string::npos) << why;
}

TEST(WindowsWfpPlan, EveryProblemIsNamedAtOnce) {
  const Plan plan = Online();
  std::vector<Filter> found = plan.filters;
  found.erase(found.begin() + 6);     // listening (IPv6) missing
  found[1].action = Action::kPermit;  // changed
  found.push_back(plan.filters[0]);   // extra
  found.back().conditions[3].number = 1;
  const std::string why = Refusal(plan, found);
  EXPECT_NE(why.find("3 filters not as"), std::string::npos) << why;
  EXPECT_NE(why.find("missing \"cordon online: block listening (IPv6)\""), std::string::npos);
  EXPECT_NE(why.find("changed \"cordon online: block other connections (IPv4)\""),
            std::string::npos);
  EXPECT_NE(why.find("extra \"cordon online: permit TCP to the proxy\""), std::string::npos);
}

TEST(WindowsWfpPlan, ByKeyAnEqualReadBackPasses) {
  const Plan plan = Online(47128);
  EXPECT_EQ(KeyedRefusal(plan, AsInstalled(plan)), "");
  EXPECT_EQ(PlannedSublayer().weight, kSublayerWeight);
  EXPECT_TRUE(PlannedProvider().persistent);
}

TEST(WindowsWfpPlan, ByKeyEachMissingObjectIsNamed) {
  const Plan plan = Online(47128);
  KeyedReadBack found = AsInstalled(plan);
  found.provider.reset();
  found.sublayer.reset();
  found.filters[0].reset();
  found.filters.pop_back();  // the engine answered nothing for the last key
  const std::string why = KeyedRefusal(plan, found);
  EXPECT_NE(why.find("4 objects not as cordon setup installed them (read by key)"),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("missing the provider \"cordon\" " + kProviderKey.ToString()),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("missing the sublayer"), std::string::npos) << why;
  EXPECT_NE(why.find("missing \"cordon online: permit TCP to the proxy\""), std::string::npos)
      << why;
  EXPECT_NE(why.find("missing \"cordon online: block listening (IPv6)\""), std::string::npos)
      << why;
  EXPECT_NE(why.find("cordon setup"), std::string::npos) << why;
}

TEST(WindowsWfpPlan, ByKeyEachChangeIsNamed) {
  const Plan plan = Online(47128);
  // The permit for another port: the run's port is not the one installed.
  KeyedReadBack found = AsInstalled(Online(47129));
  std::string why = KeyedRefusal(plan, found);
  EXPECT_NE(why.find("changed \"cordon online: permit TCP to the proxy\""), std::string::npos)
      << why;
  EXPECT_NE(
      why.find("condition: expected remote ports 47128-47128, found remote ports 47129-47129"),
      std::string::npos)
      << why;
  // A block turned into a permit, a weight lowered, the sublayer's weight
  // and provider changed, the provider not persistent.
  found = AsInstalled(plan);
  found.filters[1]->action = Action::kPermit;
  found.filters[2]->weight = 3;
  found.sublayer->weight = 1;
  found.sublayer->has_cordon_provider = false;
  found.provider->persistent = false;
  why = KeyedRefusal(plan, found);
  EXPECT_NE(why.find("action: expected block, found permit"), std::string::npos) << why;
  EXPECT_NE(why.find("weight: expected 0, found 3"), std::string::npos) << why;
  EXPECT_NE(why.find("weight: expected 61440, found 1"), std::string::npos) << why;
  EXPECT_NE(why.find("provider cordon's: expected yes, found no"), std::string::npos) << why;
  EXPECT_NE(why.find("changed the provider"), std::string::npos) << why;
  // Another filter under a plan key (renamed, and for another package).
  found = AsInstalled(plan);
  found.filters[3]->name = "not cordon's";
  found.filters[3]->conditions[0].text = "S-1-15-2-1-2-3-4-5-6-7";
  why = KeyedRefusal(plan, found);
  EXPECT_NE(why.find("name: expected \"cordon online: block inbound connections (IPv4)\", found "
                     "\"not cordon's\""),
            std::string::npos)
      << why;
  EXPECT_NE(why.find("condition: expected package " + OnlineSid()), std::string::npos) << why;
}

TEST(WindowsWfpPlan, ObjectSecurityGrantsTheUserReadOnly) {
  Result<std::string> sddl = ObjectSecurity("S-1-5-21-1-2-3-1001");
  ASSERT_TRUE(sddl.ok());
  EXPECT_EQ(sddl.value(),
            "D:P(A;;0xf07ff;;;BA)(A;;0xf07ff;;;SY)(A;;0xf07ff;;;LS)"
            "(A;;0x80;;;S-1-5-21-1-2-3-1001)");
  // Not a user: an AppContainer, a malformed SID, empty.
  for (const char* bad : {"S-1-15-2-1-2-3-4-5-6-7", "S-1-5-x", ""}) {
    EXPECT_FALSE(ObjectSecurity(bad).ok()) << bad;
  }
}

}  // namespace
}  // namespace cordon::sandbox::windows::wfp
