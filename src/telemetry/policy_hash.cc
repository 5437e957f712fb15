// The cache file: "sha256:<hex>\n" then the policy's text.
#include "telemetry/policy_hash.h"

#include <cstdio>
#include <memory>

#include "telemetry/ids.h"

namespace cordon::telemetry {

namespace {

#ifdef _WIN32
constexpr const char* kRead = "rb";
constexpr const char* kWrite = "wb";
#else
constexpr const char* kRead = "rbe";  // close-on-exec
constexpr const char* kWrite = "wbe";
#endif

constexpr size_t kHeader = 7 + 64 + 1;  // "sha256:" hex "\n"

// The file's hash when its text is `rendered`, else empty.
std::string Cached(const std::string& rendered, const std::string& path) {
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), kRead), &std::fclose);
  if (!f) return {};
  // One byte more than expected: a longer file is another policy.
  std::string buf(kHeader + rendered.size() + 1, '\0');
  const size_t got = std::fread(buf.data(), 1, buf.size(), f.get());
  if (got != kHeader + rendered.size() || buf.compare(0, 7, "sha256:") != 0 ||
      buf[kHeader - 1] != '\n' || buf.compare(kHeader, rendered.size(), rendered) != 0) {
    return {};
  }
  return buf.substr(0, kHeader - 1);
}

// Written aside and renamed over, so that a reader sees one whole file.
void Store(const std::string& hash, const std::string& rendered, const std::string& path) {
  const std::string tmp = path + ".new";
  std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(tmp.c_str(), kWrite), &std::fclose);
  if (!f) return;
  const std::string text = hash + "\n" + rendered;
  const bool written = std::fwrite(text.data(), 1, text.size(), f.get()) == text.size();
  if (std::fclose(f.release()) != 0 || !written || std::rename(tmp.c_str(), path.c_str()) != 0) {
    (void)std::remove(tmp.c_str());
  }
}

}  // namespace

std::string PolicyHash(const std::string& rendered, const std::string& cache_file) {
  if (!cache_file.empty()) {
    if (std::string hash = Cached(rendered, cache_file); !hash.empty()) return hash;
  }
  std::string hash = "sha256:" + Sha256Hex(rendered);
  if (!cache_file.empty()) Store(hash, rendered, cache_file);
  return hash;
}

}  // namespace cordon::telemetry
