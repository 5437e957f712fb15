// Killing what a command left behind, without a pid namespace.
//
// In the namespace-less tier, init and the supervisor are child subreapers:
// a daemon that double-forks and calls setsid is reparented to the nearest
// one instead of escaping to the host's init. When the command ends (or the
// run times out, or the supervisor dies), the subreaper kills and reaps all
// of its children, and the orphans they leave come back to it, until none
// is left.
#pragma once

#include <sys/types.h>

namespace cordon::sandbox {

// Kills (SIGKILL) and reaps every child of the calling thread, including
// those reparented to it, until it has none. Reads
// /proc/self/task/TID/children (CONFIG_PROC_CHILDREN); returns false when
// that file cannot be read. Allocates nothing (init calls it after clone).
// `spare`: a child that is not part of the run (the supervisor's OTLP
// exporter), left alone.
bool KillAllChildren(pid_t spare = -1);

// One pass, without waiting: SIGKILL for every child of the calling thread
// that is not one of keep[0..nkeep). Returns how many were sent, -1 when
// the children file cannot be read. Allocates nothing.
int KillChildrenOnce(const pid_t* keep, int nkeep);

}  // namespace cordon::sandbox
