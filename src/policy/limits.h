// Resource limits as typed and as shown: the parsers of --memory, --pids,
// --cpus, --tmp-size and their [limits] keys, the built-in defaults, and the
// human rendering ("6 GiB", "8192", "0.5 CPU", "none").
//
// Pure: no syscall. The values land in policy::Limits (policy.h), where 0
// means no limit; how each is enforced is the backend's business
// (sandbox/backend.h, ProbeLimits). docs/config.md documents the forms.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "policy/policy.h"

namespace cordon::policy {

enum class LimitKind { kMemory, kPids, kCpus, kTmp };

// One limit's names and bounds; every table (flags, config keys, policy
// show) iterates kLimitSpecs, in this order.
struct LimitSpec {
  LimitKind kind;
  const char* key;        // "memory": the [limits] key and the JSON key
  const char* flag;       // "--memory"
  const char* type_name;  // "SIZE": in --help
  const char* forms;      // the accepted forms, for errors and help
  int64_t min;            // a smaller value is refused (sizes: a sane floor)
  int64_t max;            // a larger one too
};

inline constexpr int64_t kKiB = int64_t{1} << 10;
inline constexpr int64_t kMiB = int64_t{1} << 20;
inline constexpr int64_t kGiB = int64_t{1} << 30;
inline constexpr int64_t kTiB = int64_t{1} << 40;

// Below 16 MiB a run cannot start its init, shell and linker; below 1 MiB a
// /tmp holds no lock or socket file worth having. The ceilings keep the
// arithmetic of the mechanisms (a margin added, a unit converted) far from
// overflow: 1 PiB, the kernel's pid_max ceiling, 4096 cores.
inline constexpr std::array<LimitSpec, 4> kLimitSpecs = {{
    {LimitKind::kMemory, "memory", "--memory", "SIZE",
     "a size such as 512M, 1.5G or 2T (K, M, G, T: powers of 1024; an optional B or iB; a "
     "plain number is bytes), or none",
     16 * kMiB, 1024 * kTiB},
    {LimitKind::kPids, "pids", "--pids", "N", "a whole number of processes and threads, or none", 1,
     4194304},
    {LimitKind::kCpus, "cpus", "--cpus", "N",
     "a number of cores such as 0.5, 1.5 or 2 (at most 3 decimals), or none", 1,
     int64_t{4096} * 1000},
    {LimitKind::kTmp, "tmp_size", "--tmp-size", "SIZE",
     "a size such as 512M, 1.5G or 2T (K, M, G, T: powers of 1024; an optional B or iB; a "
     "plain number is bytes), or none",
     kMiB, 1024 * kTiB},
}};

[[nodiscard]] const LimitSpec& Spec(LimitKind kind);

// One limit as a layer sets it (a [limits] key, a flag); 0 is "none".
struct LimitSetting {
  int64_t value = 0;
  Origin origin;
};
// A layer's limits, indexed by LimitKind (the order of kLimitSpecs).
using LimitSettings = std::array<std::optional<LimitSetting>, kLimitSpecs.size()>;
[[nodiscard]] inline size_t Index(LimitKind kind) { return static_cast<size_t>(kind); }

// The value (bytes, processes, or thousandths of a core for kCpus; 0 for
// "none") and the origin of one limit of `limits`.
[[nodiscard]] int64_t& LimitValue(Limits& limits, LimitKind kind);
[[nodiscard]] int64_t LimitValue(const Limits& limits, LimitKind kind);
[[nodiscard]] Origin& LimitOrigin(Limits& limits, LimitKind kind);
[[nodiscard]] const Origin& LimitOrigin(const Limits& limits, LimitKind kind);

// Parses `text` as typed for limit `kind`: a size, a count or a number of
// cores, or "none" (any case), which is 0. `name` ("--memory",
// "limits.memory") starts the Error's detail, which names the accepted
// forms: "--pids: expected a whole number ..., or none (got '0')".
[[nodiscard]] Result<int64_t> ParseLimit(LimitKind kind, std::string_view text,
                                         std::string_view name);

// "6 GiB", "1.5 GiB", "8192", "0.5 CPU", "2 CPUs"; "none" for 0.
[[nodiscard]] std::string FormatLimit(LimitKind kind, int64_t value);

// The built-in limits for a host with `mem_total_bytes` of RAM (0: unknown,
// then memory and tmp_size have no default), each with a note saying why.
[[nodiscard]] Limits DefaultLimits(int64_t mem_total_bytes);

// The built-in process limit (processes and threads alive at once).
inline constexpr int64_t kDefaultPids = 8192;

}  // namespace cordon::policy
