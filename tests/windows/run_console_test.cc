// A run on a console (cli/run_console-win32.h): the command gets a pseudo
// console of its own, and what it prints reaches the user's console through
// the terminal filter (sandbox/windows/terminal_filter.h).
//
// FilterOverARealPseudoConsole: what a real pseudo console renders of a
// child's plain text, colours, OSC 52 clipboard write and title, through
// the filter: the text and colours arrive, the clipboard payload and the
// title do not. CordonRunOnAConsole: cordon.exe itself started on a console
// (the test's pseudo console, as a user's terminal would be) runs the same
// child: its text and colour reach that console, the clipboard write and
// the title do not, and the child saw a console (its own pseudo console,
// not pipes). CordonRunRedirectedOnAConsole: cordon.exe on a console with
// its stdout a pipe runs a command that writes an input record into its
// console: cordon's console receives none (the twin, run directly, does),
// and the output comes through the pipe; the same with stdin a pipe and
// stdout the console. Whether the console host forwards OSC strings at all differs
// (Windows' conhost forwards OSC 52; a host that drops them makes the
// "cannot" half pass without the filter's help): each case says what the
// unfiltered stream held, so a run shows which half was exercised.
#include <windows.h>

#include <chrono>
#include <future>
#include <string>

#include "check.h"
#include "child_output.h"
#include "sandbox/windows/conpty-win32.h"
#include "sandbox/windows/job-win32.h"
#include "sandbox/windows/terminal_filter.h"
#include "sandbox/windows/win_error-win32.h"

namespace cordon::wintest {
namespace {

constexpr std::string_view kClipboardPayload = "Y29yZG9uLW9zYzUy";

std::string ReadAll(HANDLE pipe) {
  std::string data;
  char buffer[4096];
  DWORD n = 0;
  while (ReadFile(pipe, buffer, sizeof(buffer), &n, nullptr) && n > 0) data.append(buffer, n);
  return data;
}

// Runs `command_line` on a new pseudo console and returns what the console
// rendered, or why it could not.
struct Rendered {
  std::string error;
  std::string bytes;
  DWORD exit_code = 0;
};
Rendered RunOnPseudoConsole(const std::wstring& command_line) {
  Rendered r;
  auto console = sandbox::conpty::Open(120, 30);
  if (!console.ok()) {
    r.error = console.error().Describe();
    return r;
  }
  std::future<std::string> output =
      std::async(std::launch::async, ReadAll, console.value().output());
  sandbox::job::SpawnRequest request;
  request.command_line = command_line;
  request.pseudo_console = console.value().handle();
  auto child = sandbox::job::SpawnInJob(request);
  if (!child.ok()) {
    r.error = child.error().Describe();
    console.value().Close();
    return r;
  }
  if (WaitForSingleObject(child.value().process.get(), 60000) != WAIT_OBJECT_0) {
    r.error = "the child did not end within 60 s";
  }
  GetExitCodeProcess(child.value().process.get(), &r.exit_code);
  console.value().Close();
  if (output.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    r.error += "; the output did not end after ClosePseudoConsole";
    return r;
  }
  r.bytes = output.get();
  return r;
}

// The escapes of `text` shown, for failure messages.
std::string Shown(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if (c == '\x1b') {
      out += "\\e";
    } else if (c == '\a') {
      out += "\\a";
    } else if (c == '\r' || c == '\n') {
      out += c == '\r' ? "\\r" : "\\n";
    } else {
      out += c;
    }
  }
  return Quoted(out);
}

// Whether the OSC strings in `raw` end before the text after them. Wine's
// console host passes ESC ] on but drops the BEL that ends it, so the
// text after is inside an unterminated OSC, which a terminal swallows too.
bool OscTerminated(const std::string& raw) {
  const size_t done = raw.find("done-marker");
  const size_t osc = raw.rfind("\x1b]", done);
  if (done == std::string::npos || osc == std::string::npos) return true;
  const std::string between = raw.substr(osc, done - osc);
  return between.find('\a') != std::string::npos || between.find("\x1b\\") != std::string::npos;
}

// `text` without its CSI sequences and spaces: what a console host that
// draws a line cell by cell (Wine's) shows of it.
std::string Visible(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\x1b' && i + 1 < text.size() && text[i + 1] == '[') {
      i += 2;
      while (i < text.size() && (text[i] < 0x40 || text[i] > 0x7e)) ++i;
      continue;
    }
    if (text[i] != ' ') out += text[i];
  }
  return out;
}

// Whether the console carried the OSC strings through unfiltered.
void SayWhatTheHostForwards(const std::string& raw) {
  std::printf("note: this console host %s the OSC 52 clipboard write and %s the title on\n",
              raw.find(kClipboardPayload) != std::string::npos ? "passes" : "does not pass",
              raw.find("title-marker") != std::string::npos ? "passes" : "does not pass");
}

// Whether an SGR that sets red (31, 91 or a 256/true colour red) comes
// right before `marker` in `text`.
bool RedBefore(const std::string& text, std::string_view marker) {
  const size_t at = text.find(marker);
  if (at == std::string::npos) return false;
  const size_t sgr = text.rfind("\x1b[", at);
  if (sgr == std::string::npos) return false;
  const std::string seq = text.substr(sgr, at - sgr);
  return seq.find("31") != std::string::npos || seq.find("91") != std::string::npos ||
         seq.find("38;5;1m") != std::string::npos || seq.find(";255;0;0") != std::string::npos;
}

void FilterOverARealPseudoConsole(Test& t) {
  const Rendered r = RunOnPseudoConsole(L"\"" + BinaryDir() + L"wintest_helper.exe\" escapes");
  CORDON_CHECK(t, r.error.empty(), r.error);
  if (!r.error.empty()) return;
  SayWhatTheHostForwards(r.bytes);
  sandbox::windows::TerminalFilter filter;
  std::string shown;
  // Fed in 7-byte pieces, as reads may split it anywhere.
  for (size_t i = 0; i < r.bytes.size(); i += 7) {
    filter.Feed(std::string_view(r.bytes).substr(i, 7), &shown);
  }
  CORDON_CHECK(t, shown.find("plain-text-marker") != std::string::npos,
               "the plain text arrived: " + Shown(shown));
  if (OscTerminated(r.bytes)) {
    CORDON_CHECK(
        t, shown.find("done-marker") != std::string::npos,
        "the text after the removed strings arrived: " + Shown(shown) + " from " + Shown(r.bytes));
  } else {
    std::printf(
        "note: not checked here: the text after the OSC strings (this console host "
        "dropped their terminators, so a terminal would swallow it too)\n");
  }
  CORDON_CHECK(t, RedBefore(shown, "red-marker") == RedBefore(r.bytes, "red-marker"),
               "the colour the console rendered arrived: " + Shown(shown));
  CORDON_CHECK(t, shown.find(kClipboardPayload) == std::string::npos,
               "the clipboard write did not arrive: " + Shown(shown));
  CORDON_CHECK(t, shown.find("title-marker") == std::string::npos,
               "the title did not arrive: " + Shown(shown));
  CORDON_CHECK(t, shown.find("\x1b]") == std::string::npos,
               "no OSC string arrived: " + Shown(shown));
}

void CordonRunOnAConsole(Test& t) {
  const std::wstring dir = BinaryDir();
  // What the console host passes on unfiltered: cordon has something to
  // remove (and says so) only where it passes the strings.
  const Rendered raw = RunOnPseudoConsole(L"\"" + dir + L"wintest_helper.exe\" escapes");
  const bool forwards = raw.bytes.find(kClipboardPayload) != std::string::npos ||
                        raw.bytes.find("title-marker") != std::string::npos;
  SayWhatTheHostForwards(raw.bytes);
  const Rendered r = RunOnPseudoConsole(L"\"" + dir + L"wintest_helper.exe\" onconsole \"" + dir +
                                        L"cordon.exe\" run --mode full-access -- \"" + dir +
                                        L"wintest_helper.exe\" escapes");
  CORDON_CHECK(t, r.error.empty(), r.error);
  if (!r.error.empty()) return;
  CORDON_CHECK(t, r.exit_code == 0,
               "cordon.exe ran the command: exit " + std::to_string(r.exit_code) + ", output " +
                   Shown(r.bytes));
  CORDON_CHECK(t, r.bytes.find("console=yes") != std::string::npos,
               "the command's output was a console: " + Shown(r.bytes));
  CORDON_CHECK(t, r.bytes.find("plain-text-marker") != std::string::npos,
               "the plain text reached cordon's console: " + Shown(r.bytes));
  if (OscTerminated(raw.bytes)) {
    CORDON_CHECK(t, r.bytes.find("done-marker") != std::string::npos,
                 "the text after the removed strings reached it: " + Shown(r.bytes));
  } else {
    std::printf("note: not checked here: the text after the OSC strings (unterminated)\n");
  }
  CORDON_CHECK(t, RedBefore(r.bytes, "red-marker"),
               "the red line reached it red: " + Shown(r.bytes));
  CORDON_CHECK(t, r.bytes.find(kClipboardPayload) == std::string::npos,
               "the clipboard write did not reach it: " + Shown(r.bytes));
  CORDON_CHECK(t, r.bytes.find("title-marker") == std::string::npos,
               "the title did not reach it: " + Shown(r.bytes));
  if (forwards) {
    CORDON_CHECK(t,
                 Visible(r.bytes).find("didnotreachyourterminal(") != std::string::npos &&
                     Visible(r.bytes).find("clipboardwrite") != std::string::npos,
                 "cordon said what it removed: " + Shown(r.bytes));
  } else {
    std::printf("note: not checked here: cordon's note on what it removed (nothing reached it)\n");
  }
}

// cordon.exe on a console (the test's pseudo console) with its stdout (or
// its stdin) a pipe: no pseudo console of the command's own, so the command must not be
// attached to cordon's console. `helper inject` run by it tries to write a
// key record into the console's input (what the user's shell would read
// after the run): the console received none, and the command's output came
// through the pipe. The twin: the same helper run directly on that console
// does write the record (so the check sees one when it is there).
// With stdin the piped one instead, the command's output goes through the
// console output handle it is given, from its own hidden console.
void RedirectedRun(Test& t, const std::wstring& wrapper) {
  const std::wstring dir = BinaryDir();
  const std::wstring helper = L"\"" + dir + L"wintest_helper.exe\"";
  std::printf("case: cordon.exe run by `helper %s`\n", sandbox::Narrow(wrapper).c_str());
  const Rendered direct = RunOnPseudoConsole(helper + L" " + wrapper + L" " + helper + L" inject");
  CORDON_CHECK(t, direct.error.empty(), direct.error);
  CORDON_CHECK(t, Visible(direct.bytes).find("injected=yes") != std::string::npos,
               "run directly on the console, the helper wrote an input record into it: " +
                   Shown(direct.bytes));
  const Rendered r =
      RunOnPseudoConsole(helper + L" " + wrapper + L" \"" + dir +
                         L"cordon.exe\" run --mode full-access -- " + helper + L" inject");
  CORDON_CHECK(t, r.error.empty(), r.error);
  if (!r.error.empty()) return;
  const std::string shown = Visible(r.bytes);
  CORDON_CHECK(t, r.exit_code == 0,
               "cordon.exe ran the command: exit " + std::to_string(r.exit_code) + ", output " +
                   Shown(r.bytes));
  CORDON_CHECK(t, shown.find("inject-output-marker") != std::string::npos,
               "the command's output arrived: " + Shown(r.bytes));
  CORDON_CHECK(
      t, shown.find("injected=no") != std::string::npos,
      "run by cordon, the helper wrote no input record into cordon's console: " + Shown(r.bytes));
  std::printf("note: what the command reported of its own console: %s\n",
              shown.find("wrote=yes") != std::string::npos ? "it wrote into a console of its own"
                                                           : "it had no console input to write");
}

void CordonRunRedirectedOnAConsole(Test& t) {
  RedirectedRun(t, L"onconsole-piped");
  RedirectedRun(t, L"onconsole-stdin-piped");
}

}  // namespace
}  // namespace cordon::wintest

int main(int argc, char** argv) {
  using cordon::wintest::Case;
  return cordon::wintest::RunTests(
      argc, argv,
      {Case{"FilterOverARealPseudoConsole", cordon::wintest::FilterOverARealPseudoConsole},
       Case{"CordonRunOnAConsole", cordon::wintest::CordonRunOnAConsole},
       Case{"CordonRunRedirectedOnAConsole", cordon::wintest::CordonRunRedirectedOnAConsole}});
}
