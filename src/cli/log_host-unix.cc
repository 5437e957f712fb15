// `cordon log`'s POSIX calls (see log_host.h).
#include <time.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "cli/commands.h"
#include "cli/log_host.h"

namespace cordon::cli::log_host {

std::tm LocalTime(int64_t unix_seconds) {
  const auto secs = static_cast<time_t>(unix_seconds);
  std::tm t{};
  localtime_r(&secs, &t);
  return t;
}

bool StdoutTakesColor() { return isatty(STDOUT_FILENO) == 1; }

bool ReadFrom(const std::string& path, uint64_t offset, std::string* data) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(static_cast<std::streamoff>(offset));
  std::stringstream buf;
  buf << in.rdbuf();
  *data = buf.str();
  return true;
}

void PauseBeforePoll() { usleep(250000); }

void Say(const std::string& text) { cli::Say(text); }
void Say(const Error& e) { cli::Say(e); }

}  // namespace cordon::cli::log_host
