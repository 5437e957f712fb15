// write_watch: sees which write the sandbox was denied, for approval policy
// on-failure (a failed run is offered the one writable path that would have
// let it pass).
//
// The seccomp filter sends write-intent path calls (seccomp.h,
// Options::notify_writes) to a user-notification listener held by the
// sandbox's init, whose watcher thread reads each call's path from the
// caller's memory, makes it absolute, and answers CONTINUE, always: the
// watcher decides nothing (a TOCTOU-prone read could not be trusted to), the
// kernel's own Landlock and mount checks do. What it keeps is the last path
// outside every writable root of the plan, or under a protected path, which
// is the write that was (most likely) denied; init puts it in its final
// report. Cost: one round trip to init per write-intent call.
//
// Made in the supervisor before clone (Watch owns the roots and the thread's
// stack); in the namespaces tier only Start and Fill run, in the child's
// init. In the namespace-less tier the same thread runs in the supervisor
// (the child sends it the listener, mediate.h) and is the tier's one
// notification handler: the calls its Mediator handles (chmod, utimes,
// bind, connect) are performed there, the write-intent calls observed as
// above; Stop ends it.
#pragma once

#include <pthread.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "sandbox/linux/child_report.h"
#include "sandbox/linux/child_status.h"
#include "sandbox/linux/mediate.h"
#include "sandbox/linux/plan.h"

namespace cordon::sandbox::write_watch {

// Where writes are expected to pass, and where they are not even there.
struct Roots {
  std::vector<std::string> writable;   // roots with a write right
  std::vector<std::string> read_only;  // read-only inside writable roots (protected)
};

// The plan's roots: its Landlock rules that grant a write right (the mount
// view's writable binds and covers where Landlock is off), and its protected
// paths and read-only binds.
[[nodiscard]] Roots FromPlan(const sandbox::Plan& plan);

// Pure helpers, exposed for tests.
// Collapses "//", "." and ".." of an absolute path in place ("/.." is "/");
// returns the new length.
size_t NormalizeInPlace(char* path, size_t len);
// True when `path` (absolute, normalized) would be a denied write: outside
// every writable root, or within a read-only one. Paths under /proc, /dev
// and /sys are never recorded (never escalations, and their magic links
// such as /dev/stdout would look like denials).
[[nodiscard]] bool IsDeniedWrite(std::string_view path, const Roots& roots);

class Watch {
 public:
  // `mediator` (optional, not owned, outlives the Watch): the calls it
  // handles are answered by it.
  explicit Watch(Roots roots, mediate::Mediator* mediator = nullptr);
  ~Watch();
  Watch(const Watch&) = delete;
  Watch& operator=(const Watch&) = delete;

  // In init, after seccomp::Install returned `listener` (which the watcher
  // owns from now on): starts the watcher thread, every signal blocked in
  // it. Allocates nothing but the thread's TLS (its stack was made before
  // clone). Must run before the command is forked: until the thread runs,
  // the command's write calls would wait.
  [[nodiscard]] ChildStatus Start(int listener);

  // Ends the thread and waits for it (the supervisor, once the run is
  // over). A Watch started in init is never stopped: init's exit ends it.
  void Stop();

  // Copies what was seen into init's final report (any thread).
  void Fill(ChildReport& report);

 private:
  static void* Main(void* self);
  void Serve();
  void Record(const char* path, size_t len);

  Roots roots_;
  std::unique_ptr<char[]> stack_;
  mediate::Mediator* mediator_ = nullptr;
  int listener_ = -1;
  int stop_[2] = {-1, -1};  // a pipe: Stop writes, the thread polls
  pthread_t thread_{};
  bool started_ = false;
  pthread_mutex_t mu_ = PTHREAD_MUTEX_INITIALIZER;
  uint32_t count_ = 0;
  int64_t last_ms_ = 0;
  char last_[sizeof(ChildReport::denied_write)] = {};
};

}  // namespace cordon::sandbox::write_watch
