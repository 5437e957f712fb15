// The terminal channel's words and keys (terminal_prompt.h).
#include "approval/terminal_prompt.h"

#include "common/terminal_text.h"

namespace cordon::approval {

std::string TerminalChoices(const Question& q, const std::string& always_note) {
  std::string choices = q.offer_always ? "[o]nce, [s]ession, [a]lways" : "[o]nce, [s]ession";
  if (q.offer_always && !always_note.empty()) choices += " (" + always_note + ")";
  return choices + ", [d]eny";
}

std::string TerminalQuestion(const Question& q, const std::string& choices, int timeout_ms) {
  return "\ncordon: " + ForTerminal(q.Prompt()) + "\n  " + choices + " (denied in " +
         std::to_string((timeout_ms + 999) / 1000) + " s without an answer): ";
}

std::string TerminalRetry(const std::string& choices) {
  return "  please answer " + choices + ": ";
}

std::optional<Reply> TerminalAnswer(char key, bool offer_always) {
  if (key == 'o' || key == 'O' || key == 'y' || key == 'Y') return Reply::kOnce;
  if (key == 's' || key == 'S') return Reply::kSession;
  if ((key == 'a' || key == 'A') && offer_always) return Reply::kAlways;
  if (key == 'd' || key == 'D' || key == 'n' || key == 'N') return Reply::kDeny;
  return std::nullopt;
}

}  // namespace cordon::approval
