// What of a confined command's terminal output may reach the user's
// terminal, decided byte by byte as the output streams through cordon.
//
// On Windows a command on a console gets its own pseudo console, and
// cordon relays what that console renders (text and VT sequences) to the
// user's console (cli/run_console-win32.h). The relay passes what draws the
// command's screen (text, colours, cursor movement, erasing, scrolling
// regions, the alternate screen) and removes what acts beyond it: OSC
// strings (window and tab titles, OSC 52 clipboard writes, hyperlinks whose
// text and target differ, colour-palette changes), DCS, APC, PM and SOS
// strings, the CSI requests a terminal answers by typing into the input
// (device status, device attributes, window reports: `CSI 21 t` types the
// title back), window manipulation, resets, charset switches that leave
// UTF-8, C1 controls, and C0 controls other than tab, newline, carriage
// return, backspace and BEL. Bytes that are not UTF-8 become U+FFFD.
//
// It is a streaming filter: a sequence split across two reads is judged
// whole (Feed keeps the unfinished part), and a removed string's payload is
// never buffered (an OSC 52 of megabytes costs nothing). Unlike ForTerminal
// (common/terminal_text.h), which shows every control of a name cordon
// prints, this keeps a program's screen working.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace cordon::sandbox::windows {

class TerminalFilter {
 public:
  // What was removed, by kind, for the note at the end of the run.
  struct Removed {
    size_t titles = 0;     // OSC 0, 1, 2
    size_t clipboard = 0;  // OSC 52
    size_t other = 0;      // every other sequence or control removed
    [[nodiscard]] size_t total() const { return titles + clipboard + other; }
  };

  // Appends to `*out` what of `bytes` may be written to the terminal. A
  // sequence or character that `bytes` ends inside is held until the next
  // call decides it.
  void Feed(std::string_view bytes, std::string* out);

  // The stream has ended: a sequence still open (an OSC whose terminator
  // never came swallowed the rest, as in a terminal) is counted as removed.
  void End();

  [[nodiscard]] const Removed& removed() const { return removed_; }
  // One sentence for the user ("3 terminal control sequences ... (2 window
  // titles, 1 clipboard write)"); empty when nothing was removed.
  [[nodiscard]] std::string DescribeRemoved() const;

 private:
  enum class State {
    kGround,
    kUtf8,          // inside a multi-byte character
    kEscape,        // after ESC
    kIntermediate,  // ESC then 0x20-0x2f bytes
    kCsi,           // ESC [ ...
    kOsc,           // ESC ] ... (removed; its number classifies it)
    kOscEscape,     // ESC inside an OSC: ST if '\' follows
    kString,        // DCS, SOS, PM, APC (removed)
    kStringEscape,  // ESC inside one of those
  };

  void Ground(unsigned char c, std::string* out);
  void Escape(unsigned char c, std::string* out);
  void Intermediate(unsigned char c, std::string* out);
  void Csi(unsigned char c, std::string* out);
  void Osc(unsigned char c);
  void Utf8(unsigned char c, std::string* out);
  void EndOsc();

  State state_ = State::kGround;
  std::string pending_;       // the unfinished sequence or character
  size_t utf8_needed_ = 0;    // continuation bytes still to come
  int osc_number_ = 0;        // the OSC's leading number, while it is read
  bool osc_numbered_ = true;  // false once a non-digit came before ';'
  bool osc_number_done_ = false;
  Removed removed_;
};

}  // namespace cordon::sandbox::windows
