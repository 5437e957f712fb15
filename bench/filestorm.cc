// filestorm: a file-heavy workload for bench/workload.sh.
//
// Usage: filestorm DIR [FILES] [ROUNDS]
// Each round creates FILES small files (default 3000) spread over 30
// directories under DIR, writes 1 KiB into each, stats each, reads each
// back, then removes them all, so every run starts from an empty DIR. It uses
// plain POSIX calls and no shell, so it measures the filesystem path (the
// mount view and Landlock checks) and nothing else.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

constexpr int kDirs = 30;
constexpr size_t kFileSize = 1024;

[[noreturn]] void Die(const char* op, const std::string& path) {
  std::fprintf(stderr, "filestorm: %s(%s): %s\n", op, path.c_str(), std::strerror(errno));
  std::exit(1);
}

void Round(const std::string& dir, int files) {
  std::vector<std::string> dirs;
  std::vector<std::string> paths;
  dirs.reserve(kDirs);
  paths.reserve(static_cast<size_t>(files));
  for (int d = 0; d < kDirs; ++d) {
    dirs.push_back(dir + "/d" + std::to_string(d));
    if (mkdir(dirs.back().c_str(), 0755) != 0) Die("mkdir", dirs.back());
  }
  for (int i = 0; i < files; ++i) {
    paths.push_back(dirs[static_cast<size_t>(i % kDirs)] + "/f" + std::to_string(i) + ".txt");
  }

  std::string content(kFileSize, 'x');
  for (const std::string& p : paths) {
    int fd = open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) Die("open", p);
    if (write(fd, content.data(), content.size()) != static_cast<ssize_t>(content.size())) {
      Die("write", p);
    }
    close(fd);
  }

  off_t total = 0;
  for (const std::string& p : paths) {
    struct stat st;
    if (stat(p.c_str(), &st) != 0) Die("stat", p);
    total += st.st_size;
  }
  if (total != static_cast<off_t>(kFileSize) * files) {
    std::fprintf(stderr, "filestorm: sizes add up to %lld\n", static_cast<long long>(total));
    std::exit(1);
  }

  char buf[kFileSize];
  for (const std::string& p : paths) {
    int fd = open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) Die("open", p);
    if (read(fd, buf, sizeof(buf)) != static_cast<ssize_t>(sizeof(buf))) Die("read", p);
    close(fd);
  }

  for (const std::string& p : paths) {
    if (unlink(p.c_str()) != 0) Die("unlink", p);
  }
  for (const std::string& d : dirs) {
    if (rmdir(d.c_str()) != 0) Die("rmdir", d);
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: filestorm DIR [FILES] [ROUNDS]\n");
    return 2;
  }
  const std::string dir = argv[1];
  const int files = argc > 2 ? std::atoi(argv[2]) : 3000;
  const int rounds = argc > 3 ? std::atoi(argv[3]) : 1;
  if (files <= 0 || rounds <= 0) {
    std::fprintf(stderr, "filestorm: FILES and ROUNDS must be positive\n");
    return 2;
  }
  for (int r = 0; r < rounds; ++r) Round(dir, files);
  return 0;
}
