// A command run from a console gets a console of its own: a pseudo console
// (ConPTY) whose input and output only cordon holds, relayed to and from
// the user's console.
//
// Without it the command would share cordon's console: it could read the
// user's console input buffer, write records into it that the shell reads
// after the run (WriteConsoleInput: typed commands), and print any escape
// sequence to the user's terminal. With it, the command's console is the
// pseudo console: what it reads is what cordon relays of the user's keys,
// and what it prints reaches the user's terminal only through
// sandbox/windows/terminal_filter.h (titles, clipboard writes, requests the
// terminal would answer into the input are removed). The console window's
// resizes are passed on.
//
// Contract: IfOnConsole is called before the command is created; when
// cordon's stdin and stdout are both consoles it returns a ConsoleRun whose
// handle() goes to job::SpawnRequest::pseudo_console, otherwise nullptr
// (pipes and files: the command gets the standard handles, no console
// input among them, and a hidden console of its own, job::SpawnRequest::
// own_console, never cordon's: run-win32.cc).
// Finish() is called once the command and everything in its job have
// ended: it stops the input relay, closes the pseudo console (which ends
// its output), waits until the output is drained to the user's console,
// restores the console's modes and says what the filter removed. The
// destructor calls Finish() (a refused run never started a command).
#pragma once

#include <windows.h>

#include <memory>
#include <string>
#include <thread>

#include "common/result.h"
#include "sandbox/windows/conpty-win32.h"
#include "sandbox/windows/unique_handle-win32.h"

namespace cordon::cli {

class ConsoleRun {
 public:
  // nullptr when stdin or stdout is not a console. An error (exit 125) when
  // they are and the pseudo console cannot be made or relayed: the command
  // never falls back to sharing the user's console.
  [[nodiscard]] static Result<std::unique_ptr<ConsoleRun>> IfOnConsole();

  ConsoleRun(const ConsoleRun&) = delete;
  ConsoleRun& operator=(const ConsoleRun&) = delete;
  ~ConsoleRun() { Finish(); }

  [[nodiscard]] HPCON handle() const { return console_.handle(); }
  void Finish();
  // While a question is on the user's console (approval::Hold): on, the
  // input relay stops reading the console (the answer's key is the
  // question's, never the command's) and the command's output is held back
  // (it cannot overwrite the question); off, both resume. Any thread.
  void Hold(bool on);

 private:
  ConsoleRun(sandbox::conpty::PseudoConsole console, HANDLE in, HANDLE out, DWORD in_mode,
             DWORD out_mode);
  void RelayInput();
  void RelayOutput();

  sandbox::conpty::PseudoConsole console_;
  HANDLE in_;   // cordon's console input (not owned)
  HANDLE out_;  // cordon's console output (not owned)
  DWORD in_mode_;
  DWORD out_mode_;
  sandbox::UniqueHandle stop_;    // set: the input relay returns
  sandbox::UniqueHandle pause_;   // set: the input relay parks
  sandbox::UniqueHandle parked_;  // set by the input relay once parked
  sandbox::UniqueHandle resume_;  // set: a parked input relay reads again
  sandbox::UniqueHandle show_;    // reset: the output relay holds its output
  std::thread input_;
  std::thread output_;
  std::string removed_note_;  // written by the output relay, read after join
  bool finished_ = false;
};

}  // namespace cordon::cli
