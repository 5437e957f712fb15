// The streaming terminal filter (see terminal_filter.h).
//
// The states follow the VT500 parser that xterm and Windows Terminal use
// (vt100.net/emu/dec_ansi_parser), reduced to what a filter must know: CAN
// and SUB abort any sequence, ESC inside a CSI aborts it and starts a new
// one, an OSC ends at BEL or ST, the other strings at ST. Anything cut
// short is removed, never passed half.
#include "sandbox/windows/terminal_filter.h"

#include <string_view>

namespace cordon::sandbox::windows {
namespace {

constexpr unsigned char kEsc = 0x1b;
constexpr unsigned char kBel = 0x07;
constexpr unsigned char kCan = 0x18;
constexpr unsigned char kSub = 0x1a;
constexpr std::string_view kReplacement = "\xef\xbf\xbd";  // U+FFFD
// A CSI longer than this is no screen drawing anyone needs: removed.
constexpr size_t kMaxCsi = 64;

// CSI finals (no intermediate byte) that draw the screen: cursor moves,
// erasing, inserting and deleting, scrolling, tab stops, modes (the
// alternate screen, cursor visibility, bracketed paste), SGR, the scrolling
// region, cursor save and restore. Not among them: n (device status), c
// (device attributes), t (window manipulation and reports), x, q and the
// rest, which make the terminal answer into the input or act on itself.
bool DrawsScreen(char final_byte) {
  return std::string_view("@ABCDEFGHIJKLMPSTXZ`abdefghlmrsu").find(final_byte) !=
         std::string_view::npos;
}

}  // namespace

void TerminalFilter::Feed(std::string_view bytes, std::string* out) {
  for (const char byte : bytes) {
    const auto c = static_cast<unsigned char>(byte);
    // CAN and SUB cancel whatever sequence is open (and are removed).
    if ((c == kCan || c == kSub) && state_ != State::kGround && state_ != State::kUtf8) {
      if (state_ == State::kOsc || state_ == State::kOscEscape) {
        EndOsc();
      } else {
        ++removed_.other;
      }
      pending_.clear();
      state_ = State::kGround;
      continue;
    }
    switch (state_) {
      case State::kGround:
        Ground(c, out);
        break;
      case State::kUtf8:
        Utf8(c, out);
        break;
      case State::kEscape:
        Escape(c, out);
        break;
      case State::kIntermediate:
        Intermediate(c, out);
        break;
      case State::kCsi:
        Csi(c, out);
        break;
      case State::kOsc:
      case State::kOscEscape:
        Osc(c);
        break;
      case State::kString:
        if (c == kEsc) state_ = State::kStringEscape;
        break;
      case State::kStringEscape:
        // ST ends the string; any other ESC x stays inside it (as in xterm).
        if (c == '\\') {
          ++removed_.other;
          state_ = State::kGround;
        } else if (c != kEsc) {
          state_ = State::kString;
        }
        break;
    }
  }
}

void TerminalFilter::End() {
  if (state_ == State::kOsc || state_ == State::kOscEscape) {
    EndOsc();
  } else if (state_ != State::kGround && state_ != State::kUtf8) {
    ++removed_.other;
  }
  pending_.clear();
  state_ = State::kGround;
}

void TerminalFilter::Ground(unsigned char c, std::string* out) {
  if (c == kEsc) {
    pending_.assign(1, static_cast<char>(c));
    state_ = State::kEscape;
    return;
  }
  if (c >= 0x20 && c < 0x7f) {
    out->push_back(static_cast<char>(c));
    return;
  }
  if (c == '\t' || c == '\n' || c == '\r' || c == '\b' || c == kBel) {
    out->push_back(static_cast<char>(c));
    return;
  }
  if (c < 0x80) {  // the other C0 controls (SO and SI switch charsets) and DEL
    ++removed_.other;
    return;
  }
  // A UTF-8 lead byte (RFC 3629: C2-F4); anything else is not UTF-8.
  if (c >= 0xc2 && c <= 0xf4) {
    pending_.assign(1, static_cast<char>(c));
    utf8_needed_ = c < 0xe0 ? 1 : c < 0xf0 ? 2 : 3;
    state_ = State::kUtf8;
    return;
  }
  out->append(kReplacement);
}

void TerminalFilter::Utf8(unsigned char c, std::string* out) {
  const auto lead = static_cast<unsigned char>(pending_[0]);
  // The second byte's range excludes overlong forms, surrogates and code
  // points above U+10FFFF; later ones are plain continuation bytes.
  unsigned char low = 0x80;
  unsigned char high = 0xbf;
  if (pending_.size() == 1) {
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
  }
  if (c < low || c > high) {
    out->append(kReplacement);
    pending_.clear();
    state_ = State::kGround;
    Ground(c, out);  // the byte begins something new
    return;
  }
  pending_.push_back(static_cast<char>(c));
  if (--utf8_needed_ > 0) return;
  state_ = State::kGround;
  // U+0080-U+009F are the C1 controls (U+009B is CSI): removed.
  if (lead == 0xc2 && c < 0xa0) {
    ++removed_.other;
  } else {
    out->append(pending_);
  }
  pending_.clear();
}

void TerminalFilter::Escape(unsigned char c, std::string* out) {
  switch (c) {
    case '[':
      pending_.push_back('[');
      state_ = State::kCsi;
      return;
    case ']':
      pending_.clear();
      osc_number_ = 0;
      osc_numbered_ = true;
      osc_number_done_ = false;
      state_ = State::kOsc;
      return;
    case 'P':  // DCS
    case 'X':  // SOS
    case '^':  // PM
    case '_':  // APC
      pending_.clear();
      state_ = State::kString;
      return;
    case kEsc:  // ESC ESC: the first is removed, the second starts over
      ++removed_.other;
      return;
    default:
      break;
  }
  if (c >= 0x20 && c <= 0x2f) {
    pending_.push_back(static_cast<char>(c));
    state_ = State::kIntermediate;
    return;
  }
  state_ = State::kGround;
  // Cursor save and restore, keypad modes, index, reverse index, next line,
  // tab set: they draw. RIS (c) resets the terminal and the rest is
  // unknown: removed.
  if (std::string_view("78=>DEHM").find(static_cast<char>(c)) != std::string_view::npos) {
    out->append(pending_);
    out->push_back(static_cast<char>(c));
  } else {
    ++removed_.other;
  }
  pending_.clear();
}

void TerminalFilter::Intermediate(unsigned char c, std::string* out) {
  if (c >= 0x20 && c <= 0x2f) {
    if (pending_.size() < kMaxCsi) pending_.push_back(static_cast<char>(c));
    return;
  }
  state_ = State::kGround;
  // G0-G3 charset designations (ESC ( B, ESC ) 0: line drawing) draw; the
  // others (ESC % @ leaves UTF-8, ESC SP G turns on 8-bit controls) are
  // removed, as is a control where a final byte belongs.
  const bool designation =
      pending_.size() == 2 && std::string_view("()*+").find(pending_[1]) != std::string_view::npos;
  if (designation && c >= 0x30 && c <= 0x7e) {
    out->append(pending_);
    out->push_back(static_cast<char>(c));
  } else {
    ++removed_.other;
  }
  pending_.clear();
  if (c == kEsc) Ground(c, out);
}

void TerminalFilter::Csi(unsigned char c, std::string* out) {
  if (c == kEsc) {  // aborts this CSI and begins a new sequence
    ++removed_.other;
    pending_.clear();
    state_ = State::kGround;
    Ground(c, out);
    return;
  }
  if (c < 0x20 || c == 0x7f) {
    // C0 controls inside a CSI act at once in a terminal and leave the
    // sequence open; here they are judged as in text, and the CSI goes on.
    if (c == '\t' || c == '\n' || c == '\r' || c == '\b' || c == kBel) {
      out->push_back(static_cast<char>(c));
    } else {
      ++removed_.other;
    }
    return;
  }
  if (c < 0x40 || c > 0x7e) {  // parameter, intermediate (or a byte >= 0x80)
    if (pending_.size() < kMaxCsi + 1) pending_.push_back(static_cast<char>(c));
    return;
  }
  state_ = State::kGround;
  std::string_view body = std::string_view(pending_).substr(2);  // after ESC [
  bool well_formed = pending_.size() <= kMaxCsi;
  size_t intermediates = 0;
  for (size_t i = 0; i < body.size() && well_formed; ++i) {
    const auto b = static_cast<unsigned char>(body[i]);
    if (b >= 0x30 && b <= 0x3f) {
      // Private markers (< = > ?) lead; a parameter after an intermediate
      // byte is malformed.
      well_formed = intermediates == 0 && (b <= 0x3b || i == 0);
    } else if (b >= 0x20 && b <= 0x2f) {
      ++intermediates;
    } else {
      well_formed = false;
    }
  }
  const char final_byte = static_cast<char>(c);
  bool draws = false;
  if (well_formed && intermediates == 0) draws = DrawsScreen(final_byte);
  // DECSCUSR (CSI n SP q): the cursor's shape.
  if (well_formed && intermediates == 1 && body.back() == ' ' && final_byte == 'q') draws = true;
  if (draws) {
    out->append(pending_);
    out->push_back(final_byte);
  } else {
    ++removed_.other;
  }
  pending_.clear();
}

void TerminalFilter::Osc(unsigned char c) {
  if (state_ == State::kOscEscape) {
    if (c == '\\') {  // ST
      EndOsc();
      state_ = State::kGround;
      return;
    }
    state_ = State::kOsc;
    if (c == kEsc) {
      state_ = State::kOscEscape;
      return;
    }
  }
  if (c == kBel) {
    EndOsc();
    state_ = State::kGround;
    return;
  }
  if (c == kEsc) {
    state_ = State::kOscEscape;
    return;
  }
  if (osc_number_done_) return;
  if (c == ';') {
    osc_number_done_ = true;
  } else if (c >= '0' && c <= '9' && osc_number_ < 1000) {
    osc_number_ = osc_number_ * 10 + (c - '0');
  } else {
    osc_numbered_ = false;
    osc_number_done_ = true;
  }
}

void TerminalFilter::EndOsc() {
  if (osc_numbered_ && osc_number_ <= 2) {
    ++removed_.titles;
  } else if (osc_numbered_ && osc_number_ == 52) {
    ++removed_.clipboard;
  } else {
    ++removed_.other;
  }
}

std::string TerminalFilter::DescribeRemoved() const {
  const size_t total = removed_.total();
  if (total == 0) return {};
  std::string parts;
  const auto add = [&](size_t n, const char* one, const char* many) {
    if (n == 0) return;
    if (!parts.empty()) parts += ", ";
    parts += std::to_string(n) + " " + (n == 1 ? one : many);
  };
  add(removed_.titles, "window title", "window titles");
  add(removed_.clipboard, "clipboard write", "clipboard writes");
  add(removed_.other, "other", "others");
  return std::to_string(total) +
         (total == 1 ? " terminal control sequence" : " terminal control sequences") +
         " the command printed did not reach your terminal (" + parts + ")";
}

}  // namespace cordon::sandbox::windows
