// The pseudo console of a run on a console (see run_console-win32.h).
//
// Ordering rules:
// - The output relay runs from the moment the pseudo console exists: the
//   console blocks the command's writes when nobody reads its output, and
//   ClosePseudoConsole itself waits (before Windows 11 24H2) until the
//   output is read, so it is never called on the thread that reads.
// - Finish stops the input relay first (nothing writes to the console's
//   input once it closes), then closes the pseudo console, then joins the
//   output relay, which ends when the closed console's pipe reports EOF.
// - The input relay waits on the console input handle and a stop event
//   together and reads only when input is there (ReadConsoleInputW): it
//   never sits in a read that Finish would have to cancel.
#include "cli/run_console-win32.h"

#include <string>
#include <utility>

#include "cli/policy-win32.h"
#include "sandbox/windows/console_keys.h"
#include "sandbox/windows/terminal_filter.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::cli {
namespace {

using sandbox::WinError;
namespace windows = sandbox::windows;

COORD WindowSize(HANDLE out) {
  CONSOLE_SCREEN_BUFFER_INFO info{};
  if (!GetConsoleScreenBufferInfo(out, &info)) return COORD{80, 25};
  const auto columns = static_cast<SHORT>(info.srWindow.Right - info.srWindow.Left + 1);
  const auto rows = static_cast<SHORT>(info.srWindow.Bottom - info.srWindow.Top + 1);
  return COORD{columns > 0 ? columns : SHORT{80}, rows > 0 ? rows : SHORT{25}};
}

windows::KeyPress AsKeyPress(const KEY_EVENT_RECORD& k) {
  windows::KeyPress key;
  key.down = k.bKeyDown != FALSE;
  key.repeat = k.wRepeatCount;
  key.virtual_key = k.wVirtualKeyCode;
  key.unit = static_cast<char16_t>(k.uChar.UnicodeChar);
  key.shift = (k.dwControlKeyState & SHIFT_PRESSED) != 0;
  key.alt = (k.dwControlKeyState & (LEFT_ALT_PRESSED | RIGHT_ALT_PRESSED)) != 0;
  key.ctrl = (k.dwControlKeyState & (LEFT_CTRL_PRESSED | RIGHT_CTRL_PRESSED)) != 0;
  return key;
}

bool WriteAll(HANDLE pipe, const std::string& bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    DWORD n = 0;
    if (!WriteFile(pipe, bytes.data() + done, static_cast<DWORD>(bytes.size() - done), &n,
                   nullptr)) {
      return false;
    }
    done += n;
  }
  return true;
}

// UTF-8 (whole characters: the filter holds a split one back) to the
// console as UTF-16, whatever its code page.
void WriteToConsole(HANDLE out, const std::string& utf8) {
  const std::wstring wide = sandbox::Widen(utf8);
  size_t done = 0;
  while (done < wide.size()) {
    DWORD n = 0;
    if (!WriteConsoleW(out, wide.data() + done, static_cast<DWORD>(wide.size() - done), &n,
                       nullptr) ||
        n == 0) {
      return;
    }
    done += n;
  }
}

}  // namespace

Result<std::unique_ptr<ConsoleRun>> ConsoleRun::IfOnConsole() {
  HANDLE in = GetStdHandle(STD_INPUT_HANDLE);
  HANDLE out = GetStdHandle(STD_OUTPUT_HANDLE);
  DWORD in_mode = 0;
  DWORD out_mode = 0;
  if (in == nullptr || in == INVALID_HANDLE_VALUE || out == nullptr ||
      out == INVALID_HANDLE_VALUE || !GetConsoleMode(in, &in_mode) ||
      !GetConsoleMode(out, &out_mode)) {
    return std::unique_ptr<ConsoleRun>();
  }
  // The pseudo console's output is VT: the user's console must render it.
  if (!SetConsoleMode(out, out_mode | ENABLE_PROCESSED_OUTPUT | ENABLE_VIRTUAL_TERMINAL_PROCESSING |
                               DISABLE_NEWLINE_AUTO_RETURN)) {
    Error e = WinError("SetConsoleMode", "ENABLE_VIRTUAL_TERMINAL_PROCESSING", GetLastError());
    e.hint =
        "this console cannot show a pseudo console's output (Windows 10 1809 and later can); "
        "redirect the command's output to a file or pipe to run it without one";
    return e;
  }
  // Keys as they are pressed (no line editing, no echo, Ctrl-C as a key
  // the pseudo console turns into the command's Ctrl-C), resize events.
  if (!SetConsoleMode(in, ENABLE_WINDOW_INPUT | ENABLE_EXTENDED_FLAGS)) {
    const DWORD code = GetLastError();
    SetConsoleMode(out, out_mode);
    return WinError("SetConsoleMode", "console input", code);
  }
  const COORD size = WindowSize(out);
  auto console = sandbox::conpty::Open(size.X, size.Y);
  if (!console.ok()) {
    SetConsoleMode(in, in_mode);
    SetConsoleMode(out, out_mode);
    Error e = console.error();
    e.hint =
        "the command would otherwise share your console; redirect its input and output (a "
        "file or pipe) to run it without a pseudo console";
    return e;
  }
  std::unique_ptr<ConsoleRun> run(
      new ConsoleRun(std::move(console).value(), in, out, in_mode, out_mode));
  if (!run->stop_.valid() || !run->pause_.valid() || !run->parked_.valid() ||
      !run->resume_.valid() || !run->show_.valid()) {
    return WinError("CreateEventW", "the console relay's events", GetLastError());
  }
  run->output_ = std::thread([r = run.get()] { r->RelayOutput(); });
  run->input_ = std::thread([r = run.get()] { r->RelayInput(); });
  return run;
}

ConsoleRun::ConsoleRun(sandbox::conpty::PseudoConsole console, HANDLE in, HANDLE out, DWORD in_mode,
                       DWORD out_mode)
    : console_(std::move(console)),
      in_(in),
      out_(out),
      in_mode_(in_mode),
      out_mode_(out_mode),
      stop_(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      pause_(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      parked_(CreateEventW(nullptr, TRUE, FALSE, nullptr)),
      resume_(CreateEventW(nullptr, FALSE, FALSE, nullptr)),
      show_(CreateEventW(nullptr, TRUE, TRUE, nullptr)) {}

void ConsoleRun::Hold(bool on) {
  if (on) {
    SetEvent(pause_.get());
    ResetEvent(show_.get());
    // Bounded: a relay that already ended never parks.
    WaitForSingleObject(parked_.get(), 2000);
  } else {
    ResetEvent(pause_.get());
    ResetEvent(parked_.get());
    SetEvent(resume_.get());
    SetEvent(show_.get());
  }
}

void ConsoleRun::RelayInput() {
  windows::KeyEncoder encoder;
  COORD size = WindowSize(out_);
  // The lowest signalled index wins: stop, then pause, then a key.
  const HANDLE waits[] = {stop_.get(), pause_.get(), in_};
  const HANDLE parked_waits[] = {stop_.get(), resume_.get()};
  INPUT_RECORD records[64];
  for (;;) {
    const DWORD woke = WaitForMultipleObjects(3, waits, FALSE, INFINITE);
    if (woke == WAIT_OBJECT_0 + 1) {
      SetEvent(parked_.get());
      if (WaitForMultipleObjects(2, parked_waits, FALSE, INFINITE) != WAIT_OBJECT_0 + 1) return;
      continue;
    }
    if (woke != WAIT_OBJECT_0 + 2) return;
    DWORD n = 0;
    if (!ReadConsoleInputW(in_, records, 64, &n)) return;
    std::string bytes;
    for (DWORD i = 0; i < n; ++i) {
      if (records[i].EventType == KEY_EVENT) {
        bytes += encoder.Encode(AsKeyPress(records[i].Event.KeyEvent));
      } else if (records[i].EventType == WINDOW_BUFFER_SIZE_EVENT) {
        // The event carries the buffer's size; the pseudo console is as
        // large as the visible window.
        const COORD now = WindowSize(out_);
        if (now.X != size.X || now.Y != size.Y) {
          size = now;
          ResizePseudoConsole(console_.handle(), size);
        }
      }
    }
    if (!bytes.empty() && !WriteAll(console_.input(), bytes)) return;
  }
}

void ConsoleRun::RelayOutput() {
  windows::TerminalFilter filter;
  char buffer[8192];
  std::string shown;
  DWORD n = 0;
  while (ReadFile(console_.output(), buffer, sizeof(buffer), &n, nullptr) && n > 0) {
    shown.clear();
    filter.Feed(std::string_view(buffer, n), &shown);
    if (shown.empty()) continue;
    WaitForSingleObject(show_.get(), INFINITE);
    WriteToConsole(out_, shown);
  }
  filter.End();
  removed_note_ = filter.DescribeRemoved();
}

void ConsoleRun::Finish() {
  if (finished_) return;
  finished_ = true;
  SetEvent(stop_.get());
  SetEvent(show_.get());
  if (input_.joinable()) input_.join();
  console_.Close();
  if (output_.joinable()) output_.join();
  SetConsoleMode(in_, in_mode_);
  SetConsoleMode(out_, out_mode_);
  if (!removed_note_.empty()) Say(removed_note_);
}

}  // namespace cordon::cli
