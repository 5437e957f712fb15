// The seccomp filters pre-built when cordon is built.
//
// libseccomp costs about a millisecond of CPU per compile at start-up (two
// compiles in the namespace-less tier: the filter and its unwatched
// fallback), for output that depends only on the Options and libseccomp's
// version. So the build compiles every Options a plan makes (kVariants) with
// the same rules (seccomp_rules.cc) in tools/seccomp_gen.cc, and emits the
// programs into a generated source (build/generated/seccomp_prebuilt.cc)
// that defines kPrebuilt; seccomp::Compile only looks them up, and cordon
// links no libseccomp. A cross build cannot run the generator on its
// target's architecture: it compiles at run time instead
// (CORDON_SECCOMP_PREBUILT off). tests/unit/seccomp_prebuilt_test.cc checks
// the pre-built programs are byte for byte what libseccomp makes.
#pragma once

#include <linux/filter.h>

#include <cstddef>
#include <cstdint>
#include <span>

#include "sandbox/linux/seccomp.h"

namespace cordon::sandbox::seccomp {

// Options as a bit set: the key of a pre-built program.
constexpr uint32_t VariantKey(const Options& o) {
  return (o.inet_tcp_only ? 1U : 0U) | (o.deny_inet ? 2U : 0U) | (o.deny_unix_sockets ? 4U : 0U) |
         (o.deny_sysv_ipc ? 8U : 0U) | (o.deny_path_metadata ? 16U : 0U) |
         (o.mediate_metadata ? 32U : 0U) | (o.mediate_inet ? 64U : 0U) |
         (o.notify_writes ? 128U : 0U);
}

// Every Options a plan makes: the namespaces tier (plan.cc) and the
// namespace-less tier (nsless.cc: the filter for net full, for off or proxy
// with Landlock ABI 4+, for offline below ABI 4, and each one's unwatched
// fallback). A plan asking for another fails closed, naming the key: add it
// here.
inline constexpr Options kVariants[] = {
    // namespaces tier, without and with approval on-failure's write watch
    {},
    {.notify_writes = true},
    // namespace-less tier, net full
    {.deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true,
     .mediate_metadata = true},
    {.deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true,
     .mediate_metadata = true,
     .notify_writes = true},
    // namespace-less tier, net off or proxy (Landlock ABI 4+)
    {.inet_tcp_only = true,
     .deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true,
     .mediate_metadata = true,
     .mediate_inet = true},
    {.inet_tcp_only = true,
     .deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true,
     .mediate_metadata = true,
     .mediate_inet = true,
     .notify_writes = true},
    // namespace-less tier, offline below Landlock ABI 4
    {.inet_tcp_only = true,
     .deny_inet = true,
     .deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true,
     .mediate_metadata = true},
    {.inet_tcp_only = true,
     .deny_inet = true,
     .deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true,
     .mediate_metadata = true,
     .notify_writes = true},
    // the namespace-less tier's unwatched fallbacks (no notifications)
    {.deny_unix_sockets = true, .deny_sysv_ipc = true, .deny_path_metadata = true},
    {.inet_tcp_only = true,
     .deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true},
    {.inet_tcp_only = true,
     .deny_inet = true,
     .deny_unix_sockets = true,
     .deny_sysv_ipc = true,
     .deny_path_metadata = true},
};

struct Prebuilt {
  uint32_t key;  // VariantKey of the Options it was compiled for
  std::span<const sock_filter> program;
};

// Defined in the generated source, one entry per kVariants, in its order
// (only with CORDON_SECCOMP_PREBUILT).
extern const Prebuilt kPrebuilt[];
extern const size_t kPrebuiltCount;

}  // namespace cordon::sandbox::seccomp
