// The seccomp rules, compiled with libseccomp: the one place that says what
// the filter denies (seccomp_rules.cc). cordon itself does not call it on a
// native build: the build runs it for every variant of seccomp_prebuilt.h
// (tools/seccomp_gen.cc) and cordon carries the BPF programs.
#pragma once

#include "common/result.h"
#include "sandbox/linux/seccomp.h"

namespace cordon::sandbox::seccomp {

// The BPF program for `options` on the native architecture. It depends on
// `options` and on libseccomp's syscall table (its version), never on the
// running kernel.
[[nodiscard]] Result<Program> CompileRules(const Options& options);

}  // namespace cordon::sandbox::seccomp
