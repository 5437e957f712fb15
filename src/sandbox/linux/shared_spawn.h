// Starting a process whose only job is to exec: clone(CLONE_VM |
// CLONE_VFORK) on a small stack of its own, as posix_spawn does, instead of
// fork. A fork copies the page tables of cordon's whole address space, and
// every page the parent writes afterwards is copied again on the fault; on
// a paravirtualized guest each of those is a trip to the hypervisor. The
// unconfined run's command and the command init starts in the sandbox both
// only exec (or report why they could not and exit), so they share the
// memory instead (bench/README.md, issue 16, measures what it saves).
#pragma once

#include <sys/types.h>

#include <cstddef>

namespace cordon::sandbox {

// Runs fn(arg) in a new process that shares the caller's memory until it
// execs or exits; the calling thread is suspended until then. fn may only
// make system calls and write what the caller no longer reads: no malloc,
// no locks (the child.cc pipeline's rule already). `environ` is restored
// afterwards (Exec points it at the command's for execvp's PATH search).
// `argc`: the command's argument count (execvp's script fallback copies
// argv onto the stack). With `pidfd` not null, CLONE_PIDFD stores the
// child's pidfd there. SIGCHLD is the child's exit signal. Returns the pid,
// or -1 with errno.
pid_t SpawnSharingMemory(int (*fn)(void*), void* arg, size_t argc, int* pidfd);

}  // namespace cordon::sandbox
