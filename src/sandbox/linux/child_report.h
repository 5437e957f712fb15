// The fixed-size record the child sends to the supervisor on the report
// pipe: a setup failure, an exec failure, or the command's wait status.
// Smaller than PIPE_BUF, so each write is atomic.
#pragma once

#include <cstdint>
#include <cstring>

#include "sandbox/linux/child_status.h"

namespace cordon::sandbox {

struct ChildReport {
  // kNamespaceSetupFailed: a step that configures the namespaces (id maps,
  // hostname, mount view) failed; with EPERM/EACCES the supervisor may
  // retry in the namespace-less tier (the command has not run).
  enum Kind : int32_t {
    kNone = 0,
    kSetupFailed = 1,
    kExecFailed = 2,
    kExited = 3,
    kNamespaceSetupFailed = 4
  };
  int32_t kind = kNone;
  int32_t err = 0;
  int32_t wait_status = 0;  // kExited: as from waitpid
  char op[96] = {};
  char path[1024] = {};
  // kExited, approval policy on-failure: the writes seen outside every
  // writable root (write_watch.h), and the last one with its
  // CLOCK_MONOTONIC time in ms. Longer paths are not recorded.
  uint32_t denied_writes = 0;
  int64_t denied_write_ms = 0;
  char denied_write[2048] = {};
  // kExited with a tmp size: the shared /tmp + /dev/shm tmpfs when the
  // command ended (bytes; -1: not read).
  int64_t tmp_used = -1;
  int64_t tmp_free = -1;

  static ChildReport From(Kind kind, const ChildStatus& st) {
    ChildReport r;
    r.kind = kind;
    r.err = st.err;
    if (st.op != nullptr) strncpy(r.op, st.op, sizeof(r.op) - 1);
    if (st.path != nullptr) strncpy(r.path, st.path, sizeof(r.path) - 1);
    return r;
  }
};

static_assert(sizeof(ChildReport) < 4096, "a report must fit one atomic pipe write");

}  // namespace cordon::sandbox
