// The Windows tests' runner: GoogleTest has no mingw build in Debian, and
// these tests need little. Each test binary's main() calls RunTests with
// its table of tests; every test gets a Test to report failures on, and
// the binary exits 1 if any failed (ctest runs each binary under Wine).
// `binary NAME...` runs only the named tests.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

// (A macro, not std::source_location, which clang-tidy's clang 14 lacks.)
#define CORDON_CHECK(test, ok, what) (test).Check((ok), (what), __FILE__, __LINE__)

namespace cordon::wintest {

class Test {
 public:
  explicit Test(std::string name) : name_(std::move(name)) {}
  // Records a failure (the test goes on, so one run shows every failed
  // check). Called through CORDON_CHECK, which names the line.
  void Check(bool ok, std::string_view what, const char* file, int line) {
    if (ok) return;
    failed_ = true;
    std::fprintf(stderr, "%s:%d: %s: check failed: %.*s\n", file, line, name_.c_str(),
                 static_cast<int>(what.size()), what.data());
  }
  [[nodiscard]] bool failed() const { return failed_; }

 private:
  std::string name_;
  bool failed_ = false;
};

struct Case {
  const char* name;
  void (*run)(Test&);
};

inline int RunTests(int argc, char** argv, const std::vector<Case>& cases) {
  int failed = 0;
  int ran = 0;
  for (const Case& c : cases) {
    bool wanted = argc < 2;
    for (int i = 1; i < argc; ++i) wanted = wanted || std::string_view(argv[i]) == c.name;
    if (!wanted) continue;
    std::printf("[ RUN  ] %s\n", c.name);
    std::fflush(stdout);
    Test test(c.name);
    c.run(test);
    ++ran;
    failed += test.failed() ? 1 : 0;
    std::printf("[ %s ] %s\n", test.failed() ? "FAIL" : " OK ", c.name);
    std::fflush(stdout);
  }
  std::printf("%d tests, %d failed\n", ran, failed);
  return failed == 0 && ran > 0 ? 0 : 1;
}

// "…" around `text` for a failure message.
inline std::string Quoted(std::string_view text) { return "\"" + std::string(text) + "\""; }

}  // namespace cordon::wintest
