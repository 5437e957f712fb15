// cordon's WFP objects in the engine (see wfp-win32.h).
//
// fwpuclnt.dll is linked normally: every Windows since Vista has it, and
// Wine 8's exports every function used here (its engine refuses or keeps
// nothing, which Install's read-back catches).
#include "sandbox/windows/wfp-win32.h"

#include <windows.h>
// (after windows.h)
#include <fwpmu.h>
#include <rpc.h>
#include <sddl.h>

#include <cstring>
#include <optional>
#include <string>
#include <utility>

#include "sandbox/windows/win_error-win32.h"

namespace cordon::sandbox::windows::wfp {
namespace {

// fwpmtypes.h's flags; mingw-w64's header lacks them.
constexpr UINT32 kFilterFlagPersistent = 0x1;        // FWPM_FILTER_FLAG_PERSISTENT
constexpr UINT32 kFilterFlagClearActionRight = 0x8;  // FWPM_FILTER_FLAG_CLEAR_ACTION_RIGHT
constexpr UINT32 kProviderFlagPersistent = 0x1;      // FWPM_PROVIDER_FLAG_PERSISTENT
constexpr UINT16 kSublayerFlagPersistent = 0x1;      // FWPM_SUBLAYER_FLAG_PERSISTENT

GUID ToWin(const Guid& g) {
  GUID w{};
  w.Data1 = g.data1;
  w.Data2 = g.data2;
  w.Data3 = g.data3;
  std::memcpy(w.Data4, g.data4.data(), sizeof(w.Data4));
  return w;
}

Guid FromWin(const GUID& w) {
  Guid g;
  g.data1 = w.Data1;
  g.data2 = w.Data2;
  g.data3 = w.Data3;
  std::memcpy(g.data4.data(), w.Data4, sizeof(w.Data4));
  return g;
}

Error FwpError(std::string call, std::string object, DWORD rc) {
  Error e = WinError(std::move(call), std::move(object), rc);
  if (rc == ERROR_ACCESS_DENIED) {
    e.hint =
        "the filtering engine gives this account no access to cordon's network filters: "
        "installing or removing them needs an administrator (`cordon setup` or `cordon "
        "uninstall` from an elevated prompt), and reading them the read access `cordon setup` "
        "grants";
  } else {
    e.hint =
        "the Windows Filtering Platform (the Base Filtering Engine service, BFE) must be "
        "running; then run `cordon setup` (as administrator)";
  }
  return e;
}

// A session with the filtering engine, closed on destruction.
class Engine {
 public:
  Engine() = default;
  Engine(Engine&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  Engine& operator=(Engine&&) = delete;
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  ~Engine() {
    if (h_ != nullptr) FwpmEngineClose0(h_);
  }
  [[nodiscard]] HANDLE get() const { return h_; }

  static Result<Engine> Open() {
    Engine e;
    // No FWPM_SESSION0: a non-dynamic session, so persistent objects outlive it.
    const DWORD rc = FwpmEngineOpen0(nullptr, RPC_C_AUTHN_WINNT, nullptr, nullptr, &e.h_);
    if (rc != ERROR_SUCCESS) {
      e.h_ = nullptr;
      return FwpError("FwpmEngineOpen0", "the local filtering engine", rc);
    }
    return e;
  }

 private:
  HANDLE h_ = nullptr;
};

// An engine transaction, aborted unless committed.
class Transaction {
 public:
  explicit Transaction(HANDLE engine) : engine_(engine) {}
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction() {
    if (open_) FwpmTransactionAbort0(engine_);
  }
  Status Begin() {
    const DWORD rc = FwpmTransactionBegin0(engine_, 0);
    if (rc != ERROR_SUCCESS) return FwpError("FwpmTransactionBegin0", "", rc);
    open_ = true;
    return {};
  }
  Status Commit() {
    const DWORD rc = FwpmTransactionCommit0(engine_);
    open_ = false;  // a failed commit has aborted the transaction
    if (rc != ERROR_SUCCESS) return FwpError("FwpmTransactionCommit0", "", rc);
    return {};
  }

 private:
  HANDLE engine_;
  bool open_ = false;
};

std::string SidText(const SID* sid) {
  wchar_t* text = nullptr;
  if (sid == nullptr || !ConvertSidToStringSidW(const_cast<SID*>(sid), &text)) return "";
  std::string out = Narrow(text);
  LocalFree(text);
  return out;
}

// One condition as the engine holds it, in the plan's terms: a known field
// with cordon's value type and FWP_MATCH_EQUAL (the port range:
// FWP_MATCH_RANGE of two FWP_UINT16), or kOther described.
Condition FromEngine(const FWPM_FILTER_CONDITION0& c) {
  const Guid field = FromWin(c.fieldKey);
  const FWP_CONDITION_VALUE0& v = c.conditionValue;
  if (c.matchType == FWP_MATCH_EQUAL) {
    if (field == kFieldAlePackageId && v.type == FWP_SID) {
      return {Field::kPackageId, 0, SidText(v.sid)};
    }
    if (field == kFieldIpProtocol && v.type == FWP_UINT8) return {Field::kProtocol, v.uint8, {}};
    if (field == kFieldIpRemoteAddress && v.type == FWP_UINT32) {
      return {Field::kRemoteAddressV4, v.uint32, {}};
    }
    if (field == kFieldIpRemotePort && v.type == FWP_UINT16) {
      return {Field::kRemotePort, v.uint16, {}};
    }
  }
  if (c.matchType == FWP_MATCH_RANGE && field == kFieldIpRemotePort && v.type == FWP_RANGE_TYPE &&
      v.rangeValue != nullptr && v.rangeValue->valueLow.type == FWP_UINT16 &&
      v.rangeValue->valueHigh.type == FWP_UINT16) {
    return {
        Field::kRemotePortRange, v.rangeValue->valueLow.uint16, {}, v.rangeValue->valueHigh.uint16};
  }
  return {Field::kOther, 0,
          "field " + field.ToString() + " (match type " +
              std::to_string(static_cast<int>(c.matchType)) + ", value type " +
              std::to_string(static_cast<int>(v.type)) + ")"};
}

struct Installed {
  UINT64 id = 0;
  Filter filter;
};

Filter FromEngine(const FWPM_FILTER0& f) {
  Filter out;
  out.key = FromWin(f.filterKey);
  out.name = f.displayData.name == nullptr ? std::string() : Narrow(f.displayData.name);
  out.layer = FromWin(f.layerKey);
  out.sublayer = FromWin(f.subLayerKey);
  out.action = f.action.type == FWP_ACTION_PERMIT  ? Action::kPermit
               : f.action.type == FWP_ACTION_BLOCK ? Action::kBlock
                                                   : Action::kOther;
  out.weight = f.weight.type == FWP_UINT8 ? f.weight.uint8 : -1;
  out.persistent = (f.flags & kFilterFlagPersistent) != 0;
  out.hard = (f.flags & kFilterFlagClearActionRight) != 0;
  for (UINT32 i = 0; i < f.numFilterConditions && f.filterCondition != nullptr; ++i) {
    out.conditions.push_back(FromEngine(f.filterCondition[i]));
  }
  return out;
}

// Every filter of cordon's provider or sublayer. All filters are
// enumerated (no template): a template needs a layer, and a filter of
// cordon's in a layer the plan does not use must be found too.
Result<std::vector<Installed>> Enumerate(HANDLE engine) {
  HANDLE enumeration = nullptr;
  DWORD rc = FwpmFilterCreateEnumHandle0(engine, nullptr, &enumeration);
  if (rc != ERROR_SUCCESS) return FwpError("FwpmFilterCreateEnumHandle0", "all filters", rc);
  const Guid provider = kProviderKey;
  std::vector<Installed> out;
  Status status;
  for (;;) {
    FWPM_FILTER0** entries = nullptr;
    UINT32 n = 0;
    rc = FwpmFilterEnum0(engine, enumeration, 256, &entries, &n);
    if (rc != ERROR_SUCCESS) {
      status = FwpError("FwpmFilterEnum0", "all filters", rc);
      break;
    }
    for (UINT32 i = 0; i < n; ++i) {
      const FWPM_FILTER0& f = *entries[i];
      const bool ours = (f.providerKey != nullptr && FromWin(*f.providerKey) == provider) ||
                        FromWin(f.subLayerKey) == kSublayerKey;
      if (ours) out.push_back(Installed{f.filterId, FromEngine(f)});
    }
    if (entries != nullptr) FwpmFreeMemory0(reinterpret_cast<void**>(&entries));
    if (n == 0) break;
  }
  rc = FwpmFilterDestroyEnumHandle0(engine, enumeration);
  if (status.ok() && rc != ERROR_SUCCESS) {
    status = FwpError("FwpmFilterDestroyEnumHandle0", "all filters", rc);
  }
  if (!status.ok()) return status.error();
  return out;
}

// Deletes cordon's filters, sublayer and provider inside the caller's
// transaction; what is already gone is nothing to do.
Status DeleteAll(HANDLE engine) {
  Result<std::vector<Installed>> installed = Enumerate(engine);
  if (!installed.ok()) return installed.error();
  for (const Installed& i : installed.value()) {
    const DWORD rc = FwpmFilterDeleteById0(engine, i.id);
    if (rc != ERROR_SUCCESS && rc != static_cast<DWORD>(FWP_E_FILTER_NOT_FOUND)) {
      return FwpError("FwpmFilterDeleteById0", "\"" + i.filter.name + "\"", rc);
    }
  }
  const GUID sublayer = ToWin(kSublayerKey);
  DWORD rc = FwpmSubLayerDeleteByKey0(engine, &sublayer);
  if (rc != ERROR_SUCCESS && rc != static_cast<DWORD>(FWP_E_SUBLAYER_NOT_FOUND)) {
    return FwpError("FwpmSubLayerDeleteByKey0", kSublayerKey.ToString(), rc);
  }
  const GUID provider = ToWin(kProviderKey);
  rc = FwpmProviderDeleteByKey0(engine, &provider);
  if (rc != ERROR_SUCCESS && rc != static_cast<DWORD>(FWP_E_PROVIDER_NOT_FOUND)) {
    return FwpError("FwpmProviderDeleteByKey0", kProviderKey.ToString(), rc);
  }
  return {};
}

// A SID from its string, freed on destruction.
class OwnedSid {
 public:
  OwnedSid() = default;
  OwnedSid(OwnedSid&& o) noexcept : sid_(std::exchange(o.sid_, nullptr)) {}
  OwnedSid& operator=(OwnedSid&&) = delete;
  OwnedSid(const OwnedSid&) = delete;
  OwnedSid& operator=(const OwnedSid&) = delete;
  ~OwnedSid() {
    if (sid_ != nullptr) LocalFree(sid_);
  }
  static Result<OwnedSid> From(const std::string& text) {
    OwnedSid s;
    if (!ConvertStringSidToSidW(Widen(text).c_str(), &s.sid_)) {
      return WinError("ConvertStringSidToSidW", text, GetLastError());
    }
    return s;
  }
  [[nodiscard]] SID* get() const { return static_cast<SID*>(sid_); }

 private:
  PSID sid_ = nullptr;
};

Status AddFilter(HANDLE engine, const Filter& f, PSECURITY_DESCRIPTOR sd) {
  std::vector<OwnedSid> sids;  // kept alive until FwpmFilterAdd0 returns
  // Likewise the ranges (reserved: no reallocation moves them under the
  // conditions' pointers).
  std::vector<FWP_RANGE0> ranges;
  ranges.reserve(f.conditions.size());
  std::vector<FWPM_FILTER_CONDITION0> conditions;
  for (const Condition& c : f.conditions) {
    FWPM_FILTER_CONDITION0 w{};
    w.matchType = FWP_MATCH_EQUAL;
    switch (c.field) {
      case Field::kPackageId: {
        Result<OwnedSid> sid = OwnedSid::From(c.text);
        if (!sid.ok()) return sid.error();
        sids.push_back(std::move(sid).value());
        w.fieldKey = ToWin(kFieldAlePackageId);
        w.conditionValue.type = FWP_SID;
        w.conditionValue.sid = sids.back().get();
        break;
      }
      case Field::kProtocol:
        w.fieldKey = ToWin(kFieldIpProtocol);
        w.conditionValue.type = FWP_UINT8;
        w.conditionValue.uint8 = static_cast<UINT8>(c.number);
        break;
      case Field::kRemoteAddressV4:
        w.fieldKey = ToWin(kFieldIpRemoteAddress);
        w.conditionValue.type = FWP_UINT32;
        w.conditionValue.uint32 = c.number;
        break;
      case Field::kRemotePort:
        w.fieldKey = ToWin(kFieldIpRemotePort);
        w.conditionValue.type = FWP_UINT16;
        w.conditionValue.uint16 = static_cast<UINT16>(c.number);
        break;
      case Field::kRemotePortRange: {
        FWP_RANGE0 range{};
        range.valueLow.type = FWP_UINT16;
        range.valueLow.uint16 = static_cast<UINT16>(c.number);
        range.valueHigh.type = FWP_UINT16;
        range.valueHigh.uint16 = static_cast<UINT16>(c.high);
        ranges.push_back(range);
        w.matchType = FWP_MATCH_RANGE;
        w.fieldKey = ToWin(kFieldIpRemotePort);
        w.conditionValue.type = FWP_RANGE_TYPE;
        w.conditionValue.rangeValue = &ranges.back();
        break;
      }
      case Field::kOther:
        return PlainError("FwpmFilterAdd0", "\"" + f.name + "\"",
                          "the plan holds a condition cordon cannot install: " + Describe(c));
    }
    conditions.push_back(w);
  }
  if (f.action == Action::kOther || f.weight < 0 || f.weight > 15) {
    return PlainError("FwpmFilterAdd0", "\"" + f.name + "\"",
                      "the plan's action or weight is not one cordon installs");
  }
  std::wstring name = Widen(f.name);
  std::wstring description = L"cordon: network confinement of a sandbox identity";
  GUID provider = ToWin(kProviderKey);
  FWPM_FILTER0 w{};
  w.filterKey = ToWin(f.key);
  w.displayData.name = name.data();
  w.displayData.description = description.data();
  w.flags = (f.persistent ? kFilterFlagPersistent : 0) | (f.hard ? kFilterFlagClearActionRight : 0);
  w.providerKey = &provider;
  w.layerKey = ToWin(f.layer);
  w.subLayerKey = ToWin(f.sublayer);
  w.weight.type = FWP_UINT8;
  w.weight.uint8 = static_cast<UINT8>(f.weight);
  w.numFilterConditions = static_cast<UINT32>(conditions.size());
  w.filterCondition = conditions.empty() ? nullptr : conditions.data();
  w.action.type = f.action == Action::kPermit ? FWP_ACTION_PERMIT : FWP_ACTION_BLOCK;
  UINT64 id = 0;
  const DWORD rc = FwpmFilterAdd0(engine, &w, sd, &id);
  if (rc != ERROR_SUCCESS) return FwpError("FwpmFilterAdd0", "\"" + f.name + "\"", rc);
  return {};
}

Status AddAll(HANDLE engine, const Plan& plan, PSECURITY_DESCRIPTOR sd) {
  std::wstring provider_name = Widen(kProviderName);
  std::wstring provider_description = L"cordon, a sandbox for AI coding agents";
  FWPM_PROVIDER0 provider{};
  provider.providerKey = ToWin(kProviderKey);
  provider.displayData.name = provider_name.data();
  provider.displayData.description = provider_description.data();
  provider.flags = kProviderFlagPersistent;
  DWORD rc = FwpmProviderAdd0(engine, &provider, sd);
  if (rc != ERROR_SUCCESS) return FwpError("FwpmProviderAdd0", kProviderKey.ToString(), rc);

  std::wstring sublayer_name = Widen(kSublayerName);
  GUID provider_key = ToWin(kProviderKey);
  FWPM_SUBLAYER0 sublayer{};
  sublayer.subLayerKey = ToWin(kSublayerKey);
  sublayer.displayData.name = sublayer_name.data();
  sublayer.displayData.description = sublayer_name.data();
  sublayer.flags = kSublayerFlagPersistent;
  sublayer.providerKey = &provider_key;
  sublayer.weight = kSublayerWeight;
  rc = FwpmSubLayerAdd0(engine, &sublayer, sd);
  if (rc != ERROR_SUCCESS) return FwpError("FwpmSubLayerAdd0", kSublayerKey.ToString(), rc);

  for (const Filter& f : plan.filters) CORDON_RETURN_IF_ERROR(AddFilter(engine, f, sd));
  return {};
}

// A security descriptor from SDDL, freed on destruction.
class OwnedDescriptor {
 public:
  OwnedDescriptor() = default;
  OwnedDescriptor(OwnedDescriptor&& o) noexcept : sd_(std::exchange(o.sd_, nullptr)) {}
  OwnedDescriptor& operator=(OwnedDescriptor&&) = delete;
  OwnedDescriptor(const OwnedDescriptor&) = delete;
  OwnedDescriptor& operator=(const OwnedDescriptor&) = delete;
  ~OwnedDescriptor() {
    if (sd_ != nullptr) LocalFree(sd_);
  }
  static Result<OwnedDescriptor> From(const std::string& sddl) {
    OwnedDescriptor d;
    if (!ConvertStringSecurityDescriptorToSecurityDescriptorW(Widen(sddl).c_str(), SDDL_REVISION_1,
                                                              &d.sd_, nullptr)) {
      return WinError("ConvertStringSecurityDescriptorToSecurityDescriptorW", sddl, GetLastError());
    }
    return d;
  }
  [[nodiscard]] PSECURITY_DESCRIPTOR get() const { return sd_; }

 private:
  PSECURITY_DESCRIPTOR sd_ = nullptr;
};

// The engine's answer for one key: found, not found (nullopt), or an Error.
template <typename T>
using Lookup = Result<std::optional<T>>;

bool NotFound(DWORD rc) {
  return rc == static_cast<DWORD>(FWP_E_FILTER_NOT_FOUND) ||
         rc == static_cast<DWORD>(FWP_E_SUBLAYER_NOT_FOUND) ||
         rc == static_cast<DWORD>(FWP_E_PROVIDER_NOT_FOUND);
}

Lookup<Provider> ProviderByKey(HANDLE engine) {
  const GUID key = ToWin(kProviderKey);
  FWPM_PROVIDER0* p = nullptr;
  const DWORD rc = FwpmProviderGetByKey0(engine, &key, &p);
  if (NotFound(rc)) return std::optional<Provider>();
  if (rc != ERROR_SUCCESS) return FwpError("FwpmProviderGetByKey0", kProviderKey.ToString(), rc);
  Provider out;
  out.name = p->displayData.name == nullptr ? std::string() : Narrow(p->displayData.name);
  out.persistent = (p->flags & kProviderFlagPersistent) != 0;
  FwpmFreeMemory0(reinterpret_cast<void**>(&p));
  return std::optional<Provider>(std::move(out));
}

Lookup<Sublayer> SublayerByKey(HANDLE engine) {
  const GUID key = ToWin(kSublayerKey);
  FWPM_SUBLAYER0* s = nullptr;
  const DWORD rc = FwpmSubLayerGetByKey0(engine, &key, &s);
  if (NotFound(rc)) return std::optional<Sublayer>();
  if (rc != ERROR_SUCCESS) return FwpError("FwpmSubLayerGetByKey0", kSublayerKey.ToString(), rc);
  Sublayer out;
  out.name = s->displayData.name == nullptr ? std::string() : Narrow(s->displayData.name);
  out.has_cordon_provider = s->providerKey != nullptr && FromWin(*s->providerKey) == kProviderKey;
  out.weight = s->weight;
  out.persistent = (s->flags & kSublayerFlagPersistent) != 0;
  FwpmFreeMemory0(reinterpret_cast<void**>(&s));
  return std::optional<Sublayer>(std::move(out));
}

Lookup<Filter> FilterByKey(HANDLE engine, const Guid& key) {
  const GUID w = ToWin(key);
  FWPM_FILTER0* f = nullptr;
  const DWORD rc = FwpmFilterGetByKey0(engine, &w, &f);
  if (NotFound(rc)) return std::optional<Filter>();
  if (rc != ERROR_SUCCESS) return FwpError("FwpmFilterGetByKey0", key.ToString(), rc);
  Filter out = FromEngine(*f);
  FwpmFreeMemory0(reinterpret_cast<void**>(&f));
  return std::optional<Filter>(std::move(out));
}

}  // namespace

Status Install(const Plan& plan, const std::string& reader_sid) {
  Result<std::string> sddl = ObjectSecurity(reader_sid);
  if (!sddl.ok()) return sddl.error();
  Result<OwnedDescriptor> sd = OwnedDescriptor::From(sddl.value());
  if (!sd.ok()) return sd.error();
  Result<Engine> engine = Engine::Open();
  if (!engine.ok()) return engine.error();
  {
    Transaction txn(engine.value().get());
    CORDON_RETURN_IF_ERROR(txn.Begin());
    CORDON_RETURN_IF_ERROR(DeleteAll(engine.value().get()));
    CORDON_RETURN_IF_ERROR(AddAll(engine.value().get(), plan, sd.value().get()));
    CORDON_RETURN_IF_ERROR(txn.Commit());
  }
  // The engine said yes to every call; what counts is what it holds: the
  // whole enumeration (nothing extra) and each object by its key (what an
  // unelevated run will read).
  CORDON_RETURN_IF_ERROR(Verify(plan));
  return VerifyByKey(plan);
}

Result<KeyedReadBack> ReadByKey(const Plan& plan) {
  Result<Engine> engine = Engine::Open();
  if (!engine.ok()) return engine.error();
  const HANDLE h = engine.value().get();
  KeyedReadBack out;
  Lookup<Provider> provider = ProviderByKey(h);
  if (!provider.ok()) return provider.error();
  out.provider = std::move(provider).value();
  Lookup<Sublayer> sublayer = SublayerByKey(h);
  if (!sublayer.ok()) return sublayer.error();
  out.sublayer = std::move(sublayer).value();
  for (const Filter& f : plan.filters) {
    Lookup<Filter> found = FilterByKey(h, f.key);
    if (!found.ok()) return found.error();
    out.filters.push_back(std::move(found).value());
  }
  return out;
}

Status VerifyByKey(const Plan& plan) {
  Result<KeyedReadBack> found = ReadByKey(plan);
  if (!found.ok()) return found.error();
  return CompareByKey(plan, found.value());
}

Result<std::vector<Filter>> ReadBack() {
  Result<Engine> engine = Engine::Open();
  if (!engine.ok()) return engine.error();
  Result<std::vector<Installed>> installed = Enumerate(engine.value().get());
  if (!installed.ok()) return installed.error();
  std::vector<Filter> out;
  for (Installed& i : installed.value()) out.push_back(std::move(i.filter));
  return out;
}

Status Verify(const Plan& plan) {
  Result<std::vector<Filter>> found = ReadBack();
  if (!found.ok()) return found.error();
  return Compare(plan, found.value());
}

Status Remove() {
  {
    Result<Engine> engine = Engine::Open();
    if (!engine.ok()) return engine.error();
    Transaction txn(engine.value().get());
    CORDON_RETURN_IF_ERROR(txn.Begin());
    CORDON_RETURN_IF_ERROR(DeleteAll(engine.value().get()));
    CORDON_RETURN_IF_ERROR(txn.Commit());
  }
  Result<std::vector<Filter>> left = ReadBack();
  if (!left.ok()) return left.error();
  if (left.value().empty()) return {};
  std::string detail = "still in the engine after removal:";
  for (const Filter& f : left.value()) detail += " " + Describe(f) + ";";
  detail.pop_back();
  return PlainError("cordon uninstall", "cordon's WFP filters", detail);
}

}  // namespace cordon::sandbox::windows::wfp
