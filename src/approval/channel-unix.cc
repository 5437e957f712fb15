// channel.h on POSIX: the terminal (/dev/tty) and fd channels: write a
// question, read one line (or key) back within the deadline, and wake up
// early when interrupted (a self-pipe).
#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>

#include "approval/channel.h"
#include "approval/terminal_prompt.h"
#include "common/clock.h"
#include "common/terminal_text.h"

namespace cordon::approval {

namespace {

bool WriteAll(int fd, const std::string& s) {
  size_t off = 0;
  while (off < s.size()) {
    ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<size_t>(n);
  }
  return true;
}

// A line reader with a deadline and a wake-up pipe. Lines longer than 64 KiB
// are cut (a question or answer is a few hundred bytes).
class LineSource {
 public:
  explicit LineSource(int fd) : fd_(fd) {
    int p[2];
    if (pipe2(p, O_CLOEXEC | O_NONBLOCK) == 0) {
      wake_read_.Reset(p[0]);
      wake_write_.Reset(p[1]);
    }
  }
  void Wake() {
    interrupted_ = true;
    if (wake_write_.valid()) (void)!write(wake_write_.get(), "x", 1);
  }
  [[nodiscard]] bool interrupted() const { return interrupted_; }

  enum class Status { kLine, kTimeout, kClosed, kInterrupted };
  // `key`: the terminal is in non-canonical mode, and the first key that is
  // not blank is the answer (what was typed after it is dropped).
  Status ReadLine(int64_t deadline_ms, std::string* line, bool key = false) {
    for (;;) {
      if (key) {
        size_t at = buf_.find_first_not_of(" \t\r\n");
        if (at != std::string::npos) {
          *line = buf_.substr(at, 1);
          buf_.clear();
          return Status::kLine;
        }
        buf_.clear();
      }
      size_t nl = key ? std::string::npos : buf_.find('\n');
      if (nl != std::string::npos) {
        *line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return Status::kLine;
      }
      if (interrupted_) return Status::kInterrupted;
      int64_t left = deadline_ms - MonotonicMs();
      if (left <= 0) return Status::kTimeout;
      pollfd fds[2] = {{fd_, POLLIN, 0}, {wake_read_.get(), POLLIN, 0}};
      int n = poll(fds, wake_read_.valid() ? 2 : 1, static_cast<int>(left));
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return Status::kClosed;
      if (n == 0) continue;
      if (fds[1].revents != 0) return Status::kInterrupted;
      char chunk[1024];
      ssize_t got = read(fd_, chunk, sizeof(chunk));
      if (got < 0 && (errno == EINTR || errno == EAGAIN)) continue;
      if (got <= 0) return Status::kClosed;
      buf_.append(chunk, static_cast<size_t>(got));
      if (buf_.size() > (64u << 10)) buf_ = buf_.substr(buf_.size() - (64u << 10));
    }
  }

 private:
  int fd_;
  std::string buf_;
  UniqueFd wake_read_, wake_write_;
  std::atomic<bool> interrupted_{false};
};

// The terminal in non-canonical mode (one key is an answer, echoed) for
// one question, restored after. Only when cordon is in the terminal's
// foreground process group: from the background, tcsetattr would stop it
// (SIGTTOU).
class KeyMode {
 public:
  explicit KeyMode(int fd) : fd_(fd) {
    if (tcgetpgrp(fd) != getpgrp() || tcgetattr(fd, &saved_) != 0) return;
    termios raw = saved_;
    raw.c_lflag &= ~static_cast<tcflag_t>(ICANON);
    raw.c_cc[VMIN] = 1;
    raw.c_cc[VTIME] = 0;
    on_ = tcsetattr(fd, TCSANOW, &raw) == 0;
  }
  ~KeyMode() {
    if (on_) (void)tcsetattr(fd_, TCSANOW, &saved_);
  }
  KeyMode(const KeyMode&) = delete;
  KeyMode& operator=(const KeyMode&) = delete;
  [[nodiscard]] bool on() const { return on_; }

 private:
  int fd_;
  termios saved_{};
  bool on_ = false;
};

class TerminalChannel : public Channel {
 public:
  TerminalChannel(UniqueFd tty, const std::string& always_note, Hold hold)
      : tty_(std::move(tty)),
        source_(tty_.get()),
        always_note_(ForTerminal(always_note)),
        hold_(std::move(hold)) {}
  const char* name() const override { return "terminal"; }
  void Interrupt() override { source_.Wake(); }

  Reply Ask(const Question& q, int timeout_ms, const Cancelled& /*cancelled*/) override {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    const std::string choices = TerminalChoices(q, always_note_);
    std::string text = TerminalQuestion(q, choices, timeout_ms);
    // The command waits, stopped, until the answer: its output would
    // otherwise overwrite the question (a spinner).
    const Holding holding(hold_);
    const KeyMode keys(tty_.get());
    for (;;) {
      if (!WriteAll(tty_.get(), text)) return Reply::kNoChannel;
      std::string line;
      const LineSource::Status got = source_.ReadLine(deadline, &line, keys.on());
      // In key mode the key is echoed without a newline: end the line.
      if (keys.on() && got == LineSource::Status::kLine) (void)WriteAll(tty_.get(), "\n");
      switch (got) {
        case LineSource::Status::kTimeout:
          (void)WriteAll(tty_.get(), kTerminalTimedOut);
          return Reply::kTimeout;
        case LineSource::Status::kClosed:
          return Reply::kNoChannel;
        case LineSource::Status::kInterrupted:
          (void)WriteAll(tty_.get(), kTerminalMoot);
          return Reply::kCancelled;
        case LineSource::Status::kLine:
          break;
      }
      size_t start = line.find_first_not_of(" \t\r");
      char c = start == std::string::npos ? '\0' : line[start];
      if (std::optional<Reply> r = TerminalAnswer(c, q.offer_always)) return *r;
      text = TerminalRetry(choices);
    }
  }

 private:
  UniqueFd tty_;
  LineSource source_;
  std::string always_note_;
  Hold hold_;
};

class WireChannel : public Channel {
 public:
  explicit WireChannel(UniqueFd fd) : fd_(std::move(fd)), source_(fd_.get()) {}
  const char* name() const override { return "mcp"; }
  void Interrupt() override { source_.Wake(); }

  Reply Ask(const Question& q, int timeout_ms, const Cancelled& /*cancelled*/) override {
    const int64_t deadline = MonotonicMs() + timeout_ms;
    if (!WriteAll(fd_.get(), EncodeQuestion(q))) return Reply::kNoChannel;
    std::string line;
    switch (source_.ReadLine(deadline, &line)) {
      case LineSource::Status::kTimeout:
        return Reply::kTimeout;
      case LineSource::Status::kClosed:
        return Reply::kNoChannel;
      case LineSource::Status::kInterrupted:
        return Reply::kCancelled;
      case LineSource::Status::kLine:
        break;
    }
    // Anything unreadable is a denial: fail closed.
    std::optional<Reply> r = DecodeReply(line);
    if (!r || (*r == Reply::kAlways && !q.offer_always)) return Reply::kDeny;
    return *r;
  }

 private:
  UniqueFd fd_;
  LineSource source_;
};

}  // namespace

std::unique_ptr<Channel> OpenTerminal(const std::string& always_note, Hold hold) {
  if (isatty(STDIN_FILENO) == 0) return nullptr;
  UniqueFd tty(open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
  if (!tty.valid()) return nullptr;
  return std::make_unique<TerminalChannel>(std::move(tty), always_note, std::move(hold));
}

std::unique_ptr<Channel> FdChannel(UniqueFd fd) {
  return std::make_unique<WireChannel>(std::move(fd));
}

}  // namespace cordon::approval
