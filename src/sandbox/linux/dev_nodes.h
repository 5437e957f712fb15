// The device nodes a confined command may use, and what it may do with them:
// one table for both tiers. The namespace tier binds these nodes into its
// private /dev; without a mount view (the namespace-less tier, or a plan
// without one) Landlock grants them one by one on the host's own /dev.
#pragma once

#include <cstdint>

#include "sandbox/linux/landlock.h"

namespace cordon::sandbox {

// Harmless character devices every program expects. /dev/tty reaches only
// the command's own controlling terminal, if any.
inline constexpr const char* kDevNodes[] = {"/dev/null",   "/dev/zero",    "/dev/full",
                                            "/dev/random", "/dev/urandom", "/dev/tty"};

// Landlock access to a device: read and write it, truncate it (shells open
// `> /dev/null` with O_TRUNC), and ioctl on it (terminal ioctls: isatty,
// the window size); never create or remove anything.
inline constexpr uint64_t kDevAccess = landlock::fs::kRead | landlock::fs::kWriteFile |
                                       landlock::fs::kIoctlDev | landlock::fs::kTruncate;

}  // namespace cordon::sandbox
