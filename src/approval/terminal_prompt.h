// What the terminal channel shows a person and how it reads the answer,
// shared by the POSIX terminal (channel-unix.cc: /dev/tty) and the Windows
// console (channel-win32.cc: CONIN$ / CONOUT$), so that both ask in the
// same words and take the same keys. Pure.
#pragma once

#include <optional>
#include <string>

#include "approval/channel.h"
#include "approval/question.h"

namespace cordon::approval {

// "[o]nce, [s]ession, [a]lways (NOTE), [d]eny"; "always" only when the
// question offers it, NOTE (where it is saved, already made safe for the
// terminal) only when not empty.
[[nodiscard]] std::string TerminalChoices(const Question& q, const std::string& always_note);

// The question as written: a blank line, "cordon: PROMPT", the choices and
// the deadline. The prompt names what the sandbox chose (a path, a host, a
// command), so its bytes are made safe here (ForTerminal): an ESC sequence
// could hide the path really offered behind a made-up one.
[[nodiscard]] std::string TerminalQuestion(const Question& q, const std::string& choices,
                                           int timeout_ms);

// Asked again after a key that is no answer.
[[nodiscard]] std::string TerminalRetry(const std::string& choices);

// The answer a key gives (o/y once, s session, a always when offered, d/n
// deny, either case), or nullopt for any other key.
[[nodiscard]] std::optional<Reply> TerminalAnswer(char key, bool offer_always);

// Written when the deadline passes, and when the question is interrupted.
inline constexpr char kTerminalTimedOut[] = "\ncordon: no answer in time: denied\n";
inline constexpr char kTerminalMoot[] = "\ncordon: the question is moot (the run ended)\n";

// Calls hold(true) now and hold(false) when it goes out of scope: the run
// is held while its question is on the terminal.
class Holding {
 public:
  explicit Holding(const Hold& hold) : hold_(hold) {
    if (hold_) hold_(true);
  }
  ~Holding() {
    if (hold_) hold_(false);
  }
  Holding(const Holding&) = delete;
  Holding& operator=(const Holding&) = delete;

 private:
  const Hold& hold_;
};

}  // namespace cordon::approval
