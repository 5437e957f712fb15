// worker_thread.h on POSIX: the thread inherits a full signal mask, set
// around its creation and restored after.
#include <pthread.h>
#include <signal.h>

#include "approval/worker_thread.h"

namespace cordon::approval {

std::thread StartWorkerThread(std::function<void()> body) {
  sigset_t all;
  sigset_t old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  std::thread worker(std::move(body));
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  return worker;
}

}  // namespace cordon::approval
