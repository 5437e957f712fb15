// One short line of key facts per event: the -v stderr line of a run and
// the last column of `cordon log`'s table.
#pragma once

#include <string>

#include "common/event.h"

namespace cordon::telemetry {

// "exit 0, 12 ms, peak RSS 5.1 MiB", "deny example.com:443 (rule *.example.com)", ...
// For a terminal: what the sandbox chose (paths, hosts, command lines) is
// escaped by ForTerminal (common/terminal_text.h), so the line holds no
// control byte, no newline and no bidi override.
[[nodiscard]] std::string KeyFacts(const Event& event);

// Whether the event records something refused: a denied network decision,
// a filesystem denial, a denied approval, or an allowed destination that
// failed upstream (cordon.upstream.failed: no such name, refused).
[[nodiscard]] bool IsDenial(const Event& event);

}  // namespace cordon::telemetry
