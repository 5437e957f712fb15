// The broker's worker thread, which puts the proxy's held connections to
// the person one at a time. Started per platform: on POSIX with every
// signal blocked (worker_thread-unix.cc), on Windows plainly (no signals
// to relay there: worker_thread-win32.cc).
#pragma once

#include <functional>
#include <thread>

namespace cordon::approval {

// Starts `body` on a new thread. POSIX: the thread starts with every
// signal blocked, because the supervisor receives the signals it relays
// through a signalfd, which works only while no thread leaves them
// unblocked (one that did would die of a SIGTERM). The caller's own mask
// is unchanged on return.
[[nodiscard]] std::thread StartWorkerThread(std::function<void()> body);

}  // namespace cordon::approval
