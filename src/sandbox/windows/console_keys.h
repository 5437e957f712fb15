// Console key events as the bytes a terminal sends for them: what cordon
// writes to a pseudo console's input for each key the user presses at the
// real console (cli/run_console-win32.h).
//
// cordon reads its console with ReadConsoleInputW, not ReadFile in VT input
// mode: the same loop then sees the window's resize events, and a stop
// request never waits on a blocked read. The pseudo console parses the
// bytes back into key events for the command, so what a key sends follows
// xterm (arrows CSI A-D, ESC O P-S for F1-F4, CSI n ~ for the editing
// keys and F5-F12, modifiers as ";m", Alt as an ESC prefix).
// Platform-neutral (no windows.h), unit-tested on Linux.
#pragma once

#include <cstdint>
#include <string>

namespace cordon::sandbox::windows {

// One KEY_EVENT_RECORD, as plain data.
struct KeyPress {
  bool down = false;
  uint16_t repeat = 1;
  uint16_t virtual_key = 0;  // VK_*
  char16_t unit = 0;         // uChar.UnicodeChar: one UTF-16 code unit, or 0
  bool shift = false;
  bool alt = false;   // LEFT_ALT_PRESSED or RIGHT_ALT_PRESSED
  bool ctrl = false;  // LEFT_CTRL_PRESSED or RIGHT_CTRL_PRESSED
};

class KeyEncoder {
 public:
  // The bytes for `key` (empty for a release, a lone modifier, a key with
  // no terminal encoding, or the first half of a surrogate pair, which is
  // held for the second).
  [[nodiscard]] std::string Encode(const KeyPress& key);

 private:
  char16_t high_surrogate_ = 0;
};

}  // namespace cordon::sandbox::windows
