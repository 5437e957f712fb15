// A pseudo console (ConPTY) for commands that run on a terminal: the
// command sees a real console, and cordon sees only the byte streams it
// relays, as on Linux where the sandbox gets a pty and never the user's.
//
// Contract: the PseudoConsole owns the HPCON and cordon's ends of its two
// pipes. Hand `handle` to job::SpawnRequest::pseudo_console; read what the
// console renders (VT sequences and text) from `output`; write keystrokes
// to `input`. Destroying it closes the console, which ends the output
// stream (reads return 0 / ERROR_BROKEN_PIPE once the output is drained).
#pragma once

#include <windows.h>

#include "common/result.h"
#include "sandbox/windows/unique_handle-win32.h"

namespace cordon::sandbox::conpty {

class PseudoConsole {
 public:
  PseudoConsole(HPCON handle, UniqueHandle input, UniqueHandle output)
      : handle_(handle), input_(std::move(input)), output_(std::move(output)) {}
  PseudoConsole(PseudoConsole&& o) noexcept
      : handle_(std::exchange(o.handle_, nullptr)),
        input_(std::move(o.input_)),
        output_(std::move(o.output_)) {}
  PseudoConsole& operator=(PseudoConsole&&) = delete;
  PseudoConsole(const PseudoConsole&) = delete;
  PseudoConsole& operator=(const PseudoConsole&) = delete;
  ~PseudoConsole() { Close(); }

  [[nodiscard]] HPCON handle() const { return handle_; }
  [[nodiscard]] HANDLE input() const { return input_.get(); }
  [[nodiscard]] HANDLE output() const { return output_.get(); }
  // Closes the console (the attached processes lose it); output stays
  // readable until drained.
  void Close() {
    if (handle_ != nullptr) ClosePseudoConsole(std::exchange(handle_, nullptr));
  }

 private:
  HPCON handle_ = nullptr;
  UniqueHandle input_;
  UniqueHandle output_;
};

// Creates a pseudo console of `columns` x `rows` cells.
[[nodiscard]] Result<PseudoConsole> Open(short columns, short rows);

}  // namespace cordon::sandbox::conpty
