// Stops and continues a run's processes while cordon asks the person a
// question on the terminal they share: a spinner or progress bar of the
// command would otherwise overwrite the question as it is being read.
#pragma once

#include <sys/types.h>

namespace cordon::cli {

// Sends `sig` (SIGSTOP or SIGCONT) to `root` and every descendant, parents
// first, found through /proc/PID/task/TID/children (the kernel lists them
// across pid namespaces). Two passes, so a child forked while the first ran
// is reached too. Best effort: a process that exits meanwhile is skipped.
void SignalTree(pid_t root, int sig);

}  // namespace cordon::cli
