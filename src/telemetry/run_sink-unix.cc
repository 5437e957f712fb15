// run_sink.h's export on Linux: the exporter process (cordon-otlp-export,
// the only thing that loads libcurl), started next to cordon's binary and
// fed through a non-blocking socket.
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

#include "telemetry/run_sink.h"

extern char** environ;

namespace cordon::telemetry {

std::string DefaultExporterPath() {
  char buf[4096];
  ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
  if (n <= 0) return "";
  std::string self(buf, static_cast<size_t>(n));
  return self.substr(0, self.rfind('/') + 1) + "cordon-otlp-export";
}

// The exporter runs in its own session (a Ctrl-C of the command does not
// cut the export short) with stdout and stderr on /dev/null: it may outlive
// cordon by up to one request timeout, and must not hold the caller's
// pipes open meanwhile (an agent waiting for EOF would wait for it too).
void RunSink::StartExporter() {
  const std::string& exe = options_.exporter_path;
  if (exe.empty() || access(exe.c_str(), X_OK) != 0) {
    Warn(&warned_export_, "OTLP export to " + options_.endpoint + " is off: cannot execute " +
                              (exe.empty() ? std::string("cordon-otlp-export") : exe) +
                              "; events are kept in " + options_.events_dir);
    return;
  }
  int sv[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0) {
    Warn(&warned_export_, "OTLP export is off: socketpair: " + std::string(strerror(errno)));
    return;
  }
  UniqueFd ours(sv[0]);
  UniqueFd theirs(sv[1]);
  int sndbuf = 1 << 20;  // the export queue; the kernel caps it at wmem_max
  setsockopt(ours.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  shutdown(ours.get(), SHUT_RD);

  posix_spawn_file_actions_t actions;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&actions);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_adddup2(&actions, theirs.get(), 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGMASK);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  std::vector<std::string> args = {exe, "--endpoint", options_.endpoint, "--events-dir",
                                   options_.events_dir};
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  int err = posix_spawn(&pid, exe.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  if (err != 0) {
    Warn(&warned_export_, "OTLP export is off: posix_spawn(" + exe + "): " + strerror(err));
    return;
  }
  exporter_pid_ = pid;
  export_fd_ = std::move(ours);
}

// Non-blocking: a full socket drops the line from the export (counted and
// reported); a line is never torn mid-way unless the exporter stalls for
// 50 ms inside one, and then the export stream is closed.
void RunSink::SendToExporter(const std::string& line) {
  if (!export_fd_.valid()) return;
  std::string buf = line + "\n";
  size_t sent = 0;
  int waited_ms = 0;
  while (sent < buf.size()) {
    ssize_t n =
        send(export_fd_.get(), buf.data() + sent, buf.size() - sent, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN && sent == 0) {
      ++dropped_;
      return;
    }
    if (n < 0 && errno == EAGAIN && waited_ms < 50) {
      pollfd p = {export_fd_.get(), POLLOUT, 0};
      poll(&p, 1, 10);
      waited_ms += 10;
      continue;
    }
    // The exporter is gone or stuck: it reports its own failure.
    export_fd_.Reset();
    return;
  }
}

void RunSink::FinishExport() {
  export_fd_.Reset();  // EOF: the exporter sends what it has and exits
  if (dropped_ > 0) {
    Warn(&warned_export_, std::to_string(dropped_) +
                              " events were not exported (the exporter fell behind); they are "
                              "in " +
                              file_.current_path());
  }
  // A failure of this run's exporter (if already known) or of an earlier one.
  std::string marker = options_.events_dir + "/" + kExportFailedMarker;
  int fd = open(marker.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd >= 0) {
    char buf[512];
    ssize_t n = read(fd, buf, sizeof buf - 1);
    close(fd);
    unlink(marker.c_str());
    std::string why = n > 0 ? std::string(buf, static_cast<size_t>(n)) : "unknown error";
    while (!why.empty() && why.back() == '\n') why.pop_back();
    Warn(&warned_export_,
         "OTLP export failed: " + why + " (events are kept in " + options_.events_dir + ")");
  }
  // Reap the exporter if it is already done; otherwise it is reparented
  // when cordon exits.
  if (exporter_pid_ > 0 && waitpid(exporter_pid_, nullptr, WNOHANG) == exporter_pid_) {
    exporter_pid_ = -1;
  }
}

}  // namespace cordon::telemetry
