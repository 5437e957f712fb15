// channel.h on Windows: the terminal channel is the user's console. CONIN$
// and CONOUT$ are opened by name, as /dev/tty is on POSIX, so cordon's own
// redirected standard handles do not matter. The answer is one key: the
// console's input records are read (ReadConsoleInputW), never a line, so a
// wait on the input handle is exact and the deadline holds; an event wakes
// the wait when the question is interrupted. FdChannel (the pipe to
// `cordon mcp`) is POSIX only: `cordon mcp` does not build for Windows.
#include <windows.h>

#include <atomic>
#include <string>

#include "approval/channel.h"
#include "approval/terminal_prompt.h"
#include "common/clock.h"
#include "common/terminal_text.h"
#include "sandbox/windows/unique_handle-win32.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::approval {

namespace {

using sandbox::UniqueHandle;

// The console's input without line input and echo for one question,
// restored after. The mode belongs to the console, not to cordon: a line
// would otherwise wait for Enter in any reader, and the key would be
// echoed by the console where cordon echoes the answer itself.
class KeyMode {
 public:
  explicit KeyMode(HANDLE input) : input_(input) {
    if (GetConsoleMode(input, &saved_) == 0) return;
    on_ = SetConsoleMode(input,
                         saved_ & ~static_cast<DWORD>(ENABLE_LINE_INPUT | ENABLE_ECHO_INPUT)) != 0;
  }
  ~KeyMode() {
    if (on_) (void)SetConsoleMode(input_, saved_);
  }
  KeyMode(const KeyMode&) = delete;
  KeyMode& operator=(const KeyMode&) = delete;

 private:
  HANDLE input_;
  DWORD saved_ = 0;
  bool on_ = false;
};

class ConsoleChannel : public Channel {
 public:
  ConsoleChannel(UniqueHandle input, UniqueHandle output, UniqueHandle wake,
                 const std::string& always_note, Hold hold)
      : input_(std::move(input)),
        output_(std::move(output)),
        wake_(std::move(wake)),
        always_note_(ForTerminal(always_note)),
        hold_(std::move(hold)) {}
  const char* name() const override { return "terminal"; }
  // The event is manual-reset: a later Ask is cancelled too.
  void Interrupt() override {
    interrupted_ = true;
    SetEvent(wake_.get());
  }

  Reply Ask(const Question& q, int timeout_ms, const Cancelled& /*cancelled*/) override {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    const std::string choices = TerminalChoices(q, always_note_);
    std::string text = TerminalQuestion(q, choices, timeout_ms);
    const Holding holding(hold_);
    const KeyMode keys(input_.get());
    for (;;) {
      if (!Write(text)) return Reply::kNoChannel;
      char key = '\0';
      switch (ReadKey(deadline, &key)) {
        case Got::kTimeout:
          (void)Write(kTerminalTimedOut);
          return Reply::kTimeout;
        case Got::kClosed:
          return Reply::kNoChannel;
        case Got::kInterrupted:
          (void)Write(kTerminalMoot);
          return Reply::kCancelled;
        case Got::kKey:
          break;
      }
      // The key is not echoed by the console (KeyMode): echo it, end the line.
      (void)Write(std::string(1, key) + "\n");
      if (std::optional<Reply> r = TerminalAnswer(key, q.offer_always)) return *r;
      text = TerminalRetry(choices);
    }
  }

 private:
  enum class Got { kKey, kTimeout, kClosed, kInterrupted };

  bool Write(const std::string& utf8) {
    const std::wstring text = sandbox::Widen(utf8);
    size_t off = 0;
    while (off < text.size()) {
      DWORD wrote = 0;
      if (WriteConsoleW(output_.get(), text.data() + off, static_cast<DWORD>(text.size() - off),
                        &wrote, nullptr) == 0 ||
          wrote == 0) {
        return false;
      }
      off += wrote;
    }
    return true;
  }

  // The first key pressed that is not blank (a key that is not ASCII
  // reads as '?', no answer); the rest of what was read with it is dropped,
  // as on POSIX. Mouse, focus and size records are skipped.
  Got ReadKey(int64_t deadline_ms, char* key) {
    for (;;) {
      if (interrupted_) return Got::kInterrupted;
      const int64_t left = deadline_ms - MonotonicMs();
      if (left <= 0) return Got::kTimeout;
      const HANDLE waits[2] = {wake_.get(), input_.get()};
      const DWORD woke = WaitForMultipleObjects(2, waits, FALSE, static_cast<DWORD>(left));
      if (woke == WAIT_OBJECT_0) return Got::kInterrupted;
      if (woke == WAIT_TIMEOUT) continue;
      if (woke != WAIT_OBJECT_0 + 1) return Got::kClosed;
      // The handle is signalled while records are queued; another reader
      // of the console may have taken them since, so count before reading
      // (ReadConsoleInputW would block).
      DWORD queued = 0;
      if (GetNumberOfConsoleInputEvents(input_.get(), &queued) == 0) return Got::kClosed;
      if (queued == 0) continue;
      INPUT_RECORD records[16];
      DWORD got = 0;
      if (ReadConsoleInputW(input_.get(), records, 16, &got) == 0) return Got::kClosed;
      for (DWORD i = 0; i < got; ++i) {
        const INPUT_RECORD& r = records[i];
        if (r.EventType != KEY_EVENT || r.Event.KeyEvent.bKeyDown == 0) continue;
        const wchar_t c = r.Event.KeyEvent.uChar.UnicodeChar;
        if (c == L'\0' || c == L' ' || c == L'\t' || c == L'\r' || c == L'\n') continue;
        *key = c < 0x80 ? static_cast<char>(c) : '?';
        return Got::kKey;
      }
    }
  }

  UniqueHandle input_;
  UniqueHandle output_;
  UniqueHandle wake_;
  std::string always_note_;
  Hold hold_;
  std::atomic<bool> interrupted_{false};
};

// CONIN$ / CONOUT$: the console cordon is attached to, whatever its
// standard handles are. Not inheritable (no SECURITY_ATTRIBUTES): the
// command never gets these handles from cordon.
UniqueHandle OpenConsole(const wchar_t* name) {
  return UniqueHandle(CreateFileW(name, GENERIC_READ | GENERIC_WRITE,
                                  FILE_SHARE_READ | FILE_SHARE_WRITE, nullptr, OPEN_EXISTING, 0,
                                  nullptr));
}

}  // namespace

std::unique_ptr<Channel> OpenTerminal(const std::string& always_note, Hold hold) {
  UniqueHandle input = OpenConsole(L"CONIN$");
  UniqueHandle output = OpenConsole(L"CONOUT$");
  DWORD mode = 0;
  // No console (a service, a detached process), or not a console's input:
  // nobody to ask.
  if (!input.valid() || !output.valid() || GetConsoleMode(input.get(), &mode) == 0) {
    return nullptr;
  }
  UniqueHandle wake(CreateEventW(nullptr, /*bManualReset=*/TRUE, FALSE, nullptr));
  if (!wake.valid()) return nullptr;
  return std::make_unique<ConsoleChannel>(std::move(input), std::move(output), std::move(wake),
                                          always_note, std::move(hold));
}

}  // namespace cordon::approval
