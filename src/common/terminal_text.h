// Text for a person's terminal, from bytes someone else chose.
//
// Paths, host names, command lines and MCP arguments come from the sandbox
// (or the agent) and end up in cordon's notices, its approval questions on
// the terminal, `cordon run -v` and the text form of `cordon log`. Written
// raw, a name holding "\e[1A\r\e[2K" erases the line a person reads and
// prints a made-up one instead, BEL rings, a bidi override reverses what
// follows it. ForTerminal makes every such byte visible instead.
//
// It is applied where text is written for people, never to what machines
// read (JSON on stdout or a wire, the events files): those stay exact.
#pragma once

#include <string>
#include <string_view>

#include "common/error.h"

namespace cordon {

// `text` with every byte sequence that a terminal would act on, or that
// reorders what follows, shown as an escape:
//   - C0 controls (0x00-0x1f, ESC, BEL, backspace, CR, LF and tab included)
//     and DEL (0x7f) as "\x1b";
//   - a byte that does not begin or continue valid UTF-8 (RFC 3629: no
//     overlong forms, no surrogates, nothing above U+10FFFF; a raw 8-bit C1
//     byte like 0x9b is one of these) as "\x9b", one escape per byte;
//   - the C1 controls U+0080-U+009F, the bidi marks, embeddings, overrides
//     and isolates (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
//     and the line and paragraph separators (U+2028, U+2029) as "\u202e".
// Everything else passes unchanged: printable ASCII (the backslash too, so
// the function is idempotent and text escaped once reads the same after a
// second pass) and every other valid UTF-8 character.
// The result holds no byte below 0x20, no 0x7f, and is valid UTF-8.
[[nodiscard]] std::string ForTerminal(std::string_view text);

// `e` as cordon prints it on stderr: "cordon: PREFIX<what failed>", then
// its hint on the next line after "  hint: ", every part ForTerminal'd.
[[nodiscard]] std::string ErrorForTerminal(const Error& e, std::string_view prefix = {});

}  // namespace cordon
