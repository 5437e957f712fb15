// The ways cordon reaches a person: the supervisor's terminal (/dev/tty,
// which the sandbox cannot open: its mount view has no host tty and its
// session is new; on Windows the console, CONIN$ and CONOUT$), and a pipe
// to `cordon mcp` (which asks its client by MCP elicitation; POSIX only).
// One header, a half per platform: channel-unix.cc, channel-win32.cc.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "approval/question.h"
#include "common/result.h"
#include "common/unique_fd.h"

namespace cordon::approval {

// True once the asker no longer wants the answer (an MCP call cancelled);
// may be empty (never).
using Cancelled = std::function<bool()>;

class Channel {
 public:
  virtual ~Channel() = default;
  // "terminal", "mcp": the channel named in events.
  [[nodiscard]] virtual const char* name() const = 0;
  // Asks and waits at most timeout_ms, or until `cancelled` (then
  // kCancelled). Called by one thread at a time unless concurrent().
  // Never kOnce..kAlways unless a person answered so.
  [[nodiscard]] virtual Reply Ask(const Question& q, int timeout_ms,
                                  const Cancelled& cancelled) = 0;
  // Makes a pending or later Ask return kCancelled; any thread.
  virtual void Interrupt() = 0;
  // Questions may be pending side by side (MCP elicitation: each request
  // has its id); a terminal or a pipe asks one at a time.
  [[nodiscard]] virtual bool concurrent() const { return false; }
};

// The controlling terminal of cordon itself, when stdin is a terminal and
// /dev/tty opens; nullptr otherwise (non-interactive: nobody to ask).
// Windows: the console cordon is attached to (CONIN$, CONOUT$, whatever
// the standard handles are), nullptr without one. A process attached to
// that console can write input records into it (WriteConsoleInputW), so
// the command must not share it: run it in its own pseudo console or
// detached (docs/approvals.md, "On Windows").
// `always_note` is shown next to "always" (where it is saved). `hold`, when
// set, is called with true before a question is written and with false
// once it is answered: the run's processes are stopped meanwhile, so their
// output cannot overwrite the question. The answer is one key (no Enter):
// the terminal is read in non-canonical mode for the question only.
using Hold = std::function<void(bool)>;
[[nodiscard]] std::unique_ptr<Channel> OpenTerminal(const std::string& always_note, Hold hold = {});

// Questions as lines of JSON on `fd` (a socket to `cordon mcp`), answers
// read back from it (see question.h's wire format). POSIX only.
[[nodiscard]] std::unique_ptr<Channel> FdChannel(UniqueFd fd);

}  // namespace cordon::approval
