// worker_thread.h on Windows: a plain thread. Ctrl-C and Ctrl-Break reach
// a console process as control events on a thread the system makes, not
// as signals delivered to an arbitrary thread, so there is nothing to
// block.
#include "approval/worker_thread.h"

namespace cordon::approval {

std::thread StartWorkerThread(std::function<void()> body) { return std::thread(std::move(body)); }

}  // namespace cordon::approval
