// cordon-otlp-export: sends the run's events to an OTLP/HTTP collector.
//
// Started by cordon only when an endpoint is configured, so that libcurl is
// never loaded on the `cordon run` path (see DESIGN.md, "Startup budget").
// Reads OTLP/JSON lines (one ExportLogsServiceRequest each) on stdin until
// EOF, merges them into batches (at most kMaxBatch records, or what arrived
// within kLinger), and POSTs each batch to the logs endpoint with
// Content-Type application/json, the OTEL_EXPORTER_OTLP_HEADERS and a
// per-request timeout (OTEL_EXPORTER_OTLP_TIMEOUT, default 10 s).
//
// The first failure (connection, timeout, non-2xx) ends exporting: the rest
// of the input is read and dropped, so the process never lives longer than
// cordon plus one timeout. The failure is written to EVENTS_DIR/.export-failed,
// which cordon reports once on stderr. stdout and stderr are /dev/null.
#include <curl/curl.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "telemetry/otlp_env.h"
#include "telemetry/run_sink.h"

namespace {

using nlohmann::json;

constexpr size_t kMaxBatch = 512;
constexpr int kLingerMs = 200;
constexpr size_t kMaxPending = 8 << 20;  // bytes of input held at once

int64_t NowMs() {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

size_t Discard(char*, size_t size, size_t n, void*) { return size * n; }

class Exporter {
 public:
  Exporter(std::string endpoint, std::string events_dir)
      : endpoint_(std::move(endpoint)), events_dir_(std::move(events_dir)) {
    auto env = cordon::telemetry::ProcessGetenv();
    timeout_ms_ = cordon::telemetry::ExportTimeoutMs(env);
    headers_ = curl_slist_append(headers_, "Content-Type: application/json");
    // No "Expect: 100-continue" round trip for large bodies.
    headers_ = curl_slist_append(headers_, "Expect:");
    for (const auto& [k, v] : cordon::telemetry::ExportHeaders(env)) {
      if (k.find_first_of("\r\n:") != std::string::npos ||
          v.find_first_of("\r\n") != std::string::npos)
        continue;
      std::string line = k;
      line += ": ";
      line += v;
      headers_ = curl_slist_append(headers_, line.c_str());
    }
  }
  ~Exporter() { curl_slist_free_all(headers_); }
  Exporter(const Exporter&) = delete;
  Exporter& operator=(const Exporter&) = delete;

  [[nodiscard]] bool failed() const { return failed_; }

  void Add(const std::string& line) {
    if (failed_) return;
    json doc = json::parse(line, nullptr, false);
    if (doc.is_discarded() || !doc.contains("resourceLogs") || !doc["resourceLogs"].is_array())
      return;
    for (auto& rl : doc["resourceLogs"]) batch_.push_back(std::move(rl));
  }
  [[nodiscard]] size_t size() const { return batch_.size(); }

  void Flush() {
    if (failed_ || batch_.empty()) return;
    std::string body = json{{"resourceLogs", std::move(batch_)}}.dump();
    batch_ = json::array();
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return Fail("curl_easy_init failed");
    char error[CURL_ERROR_SIZE] = {};
    curl_easy_setopt(curl, CURLOPT_URL, endpoint_.c_str());
    curl_easy_setopt(curl, CURLOPT_POST, 1L);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body.data());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(body.size()));
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, timeout_ms_);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(curl, CURLOPT_USERAGENT, "cordon-otlp-export/" CORDON_VERSION);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, Discard);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      return Fail(std::string(error[0] != '\0' ? error : curl_easy_strerror(rc)));
    }
    if (status < 200 || status >= 300) return Fail("HTTP status " + std::to_string(status));
  }

 private:
  void Fail(const std::string& why) {
    failed_ = true;
    batch_ = json::array();
    std::string text = "POST " + endpoint_ + ": " + why + "\n";
    // Written aside and renamed, so cordon never reads a half-written marker.
    std::string path = events_dir_ + "/" + cordon::telemetry::kExportFailedMarker;
    std::string tmp = path + "." + std::to_string(getpid());
    int fd = open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
    if (fd < 0) return;
    bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    close(fd);
    if (!written || rename(tmp.c_str(), path.c_str()) != 0) unlink(tmp.c_str());
  }

  std::string endpoint_;
  std::string events_dir_;
  long timeout_ms_ = 10000;
  curl_slist* headers_ = nullptr;
  json batch_ = json::array();
  bool failed_ = false;
};

}  // namespace

int main(int argc, char** argv) try {
  std::string endpoint, events_dir;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--endpoint") == 0) endpoint = argv[i + 1];
    if (std::strcmp(argv[i], "--events-dir") == 0) events_dir = argv[i + 1];
  }
  if (endpoint.empty() || events_dir.empty()) return 2;
  signal(SIGPIPE, SIG_IGN);
  if (curl_global_init(CURL_GLOBAL_DEFAULT) != 0) return 1;
  int rc = 0;
  {
    Exporter exporter(endpoint, events_dir);
    std::string pending;
    int64_t first_at = -1;  // when the oldest unsent line arrived
    bool eof = false;
    while (!eof) {
      int wait = first_at < 0
                     ? -1
                     : static_cast<int>(std::max<int64_t>(0, first_at + kLingerMs - NowMs()));
      pollfd p = {0, POLLIN, 0};
      int n = poll(&p, 1, wait);
      if (n < 0 && errno != EINTR) break;
      if (n > 0) {
        char buf[65536];
        ssize_t got = read(0, buf, sizeof buf);
        if (got < 0 && errno == EINTR) continue;
        if (got <= 0) {
          eof = true;
        } else {
          pending.append(buf, static_cast<size_t>(got));
        }
      }
      size_t start = 0;
      for (size_t nl; (nl = pending.find('\n', start)) != std::string::npos; start = nl + 1) {
        exporter.Add(pending.substr(start, nl - start));
        if (first_at < 0) first_at = NowMs();
        if (exporter.size() >= kMaxBatch) {
          exporter.Flush();
          first_at = -1;
        }
      }
      pending.erase(0, start);
      if (pending.size() > kMaxPending) pending.clear();  // no newline in 8 MiB: not ours
      if (eof || (first_at >= 0 && NowMs() >= first_at + kLingerMs)) {
        exporter.Flush();
        first_at = -1;
      }
    }
    rc = exporter.failed() ? 1 : 0;
  }
  curl_global_cleanup();
  return rc;
} catch (...) {
  return 1;  // out of memory: the events are in the file; nothing to report to
}
