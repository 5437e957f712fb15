// The strings a Windows process is started with, built from cordon's own
// (UTF-8) form: the command line CreateProcessW parses back into argv, and
// the environment block.
//
// Windows passes one command line, and each program splits it again; cordon
// quotes the way the Microsoft C runtime (and CommandLineToArgvW) splits,
// so that `cordon run -- prog "a b" 'c"d'` reaches prog as the same three
// arguments. cmd.exe parses its own command line differently (`cmd /c`
// takes the rest verbatim), which no quoting can serve both ways; an
// argument with cmd's metacharacters is passed as the C runtime wants it.
#pragma once

#include <string>
#include <vector>

namespace cordon::sandbox::windows {

// `args` joined into one command line: an argument without space, tab,
// newline, vertical tab or quote is passed as it is (and an empty one as
// ""); any other is put in quotes, with backslashes doubled where they
// precede a quote or the closing quote, and each quote escaped.
[[nodiscard]] std::string QuoteCommandLine(const std::vector<std::string>& args);

// The environment block for CreateProcessW from "NAME=VALUE" entries:
// sorted by name without regard to case (what Windows expects of a block),
// one entry per name (the first wins, compared without case: Windows'
// names are case-insensitive), entries without '=' or with an empty name
// dropped. Each entry ends in NUL and the block in another; returned as
// UTF-8, for the caller to widen.
[[nodiscard]] std::string EnvironmentBlock(const std::vector<std::string>& entries);

}  // namespace cordon::sandbox::windows
