#!/usr/bin/env bash
# Build cordon and run every check: unit and integration tests (as this user,
# then as the unprivileged user cordon-test when run as root), the ASan/UBSan
# build of the tests, clang-tidy, clang-format, and a short libFuzzer smoke run.
#
# Every step runs even when an earlier one failed (except what needs a build
# that failed), so one run shows everything that is wrong. The last line is
# "N passed, M failed": N and M count ctest's tests over all ctest runs, and
# M also counts every failed step that is not a ctest run. Exit status is 0
# only when nothing failed.
#
# Environment:
#   CORDON_SKIP_SANITIZE=1   skip the ASan/UBSan build
#   CORDON_SKIP_FUZZ=1       skip the libFuzzer smoke run
#   CORDON_FUZZ_SECONDS=N    seconds per fuzz target (default 8)
#   CORDON_SKIP_UNPRIVILEGED=1  skip the cordon-test rerun (when run as root);
#                            named in the summary as skipped, never silent
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
JOBS=$(nproc)
FUZZ_SECONDS=${CORDON_FUZZ_SECONDS:-8}
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/cordon-test-logs.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

tests_passed=0
tests_failed=0
step_failures=0  # failed steps whose failure no ctest count already shows
failed_steps=()
step_lines=()
started=$SECONDS

banner() { printf '\n==== %s ====\n' "$*"; }
logname() { printf '%s/%s.log' "$LOGDIR" "$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_')"; }

# record NAME STATUS [NOTE]
record() {
  step_lines+=("$(printf '%-28s %s' "$1" "$2${3:+ ($3)}")")
  if [[ $2 == FAILED ]]; then
    failed_steps+=("$1")
    step_failures=$((step_failures + 1))
  fi
}

# run_step NAME CMD...: run CMD with its output shown and kept in a log.
# Returns CMD's status; records the step.
run_step() {
  local name=$1 log t0=$SECONDS rc
  log=$(logname "$1")
  shift
  banner "$name"
  "$@" 2>&1 | tee "$log"
  rc=${PIPESTATUS[0]}
  if [[ $rc -eq 0 ]]; then
    record "$name" ok "$((SECONDS - t0)) s"
  else
    record "$name" FAILED "exit $rc, $((SECONDS - t0)) s"
  fi
  return "$rc"
}

# count_ctest LOG: add ctest's "X% tests passed, Y tests failed out of Z"
# lines of LOG to the totals; a failed step whose failed tests are counted
# this way is not counted again. Returns 1 when LOG has no such line.
count_ctest() {
  local line found=1 failed total log_failed=0
  while IFS= read -r line; do
    if [[ $line =~ tests\ passed,\ ([0-9]+)\ tests?\ failed\ out\ of\ ([0-9]+) ]]; then
      failed=${BASH_REMATCH[1]}
      total=${BASH_REMATCH[2]}
      tests_passed=$((tests_passed + total - failed))
      tests_failed=$((tests_failed + failed))
      log_failed=$((log_failed + failed))
      found=0
    fi
  done <"$1"
  if [[ $log_failed -gt 0 && ${step_lines[-1]} == *FAILED* ]]; then
    step_failures=$((step_failures - 1))
  fi
  return "$found"
}

# ctest_step NAME BUILD_DIR [CTEST_ARGS...]: run ctest in BUILD_DIR and count
# its tests. A run that executed no test is a failure, not a pass.
ctest_step() {
  local name=$1 dir=$2 log rc
  shift 2
  log=$(logname "$name")
  run_step "$name" ctest --test-dir "$dir" --output-on-failure --no-tests=error --timeout 300 "$@"
  rc=$?
  if ! count_ctest "$log"; then
    echo "test.sh: $name printed no ctest summary line" >&2
    [[ $rc -ne 0 ]] || { unset 'step_lines[-1]'; record "$name" FAILED "no test summary"; }
  fi
}

# The sanitizer and fuzzing builds: -O1 without debug info compiles in about
# half the time of RelWithDebInfo (CI has 30 minutes for everything), and
# still runs fast enough; reports name functions, not lines.
QUICK_BUILD=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O1 -DCMAKE_C_FLAGS_DEBUG=-O1)

build() {  # build DIR CMAKE_ARGS...
  local dir=$1
  shift
  cmake -S "$ROOT" -B "$dir" "$@" && cmake --build "$dir" -j"$JOBS"
}

# 1. The main build and its tests.
if run_step "build (RelWithDebInfo)" build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  ctest_step "ctest build" build

  # 2. The same integration tests as an unprivileged user. Only root can
  # switch users; test-unprivileged.sh copies what it needs somewhere that
  # cordon-test can read, and fails loudly if it cannot.
  if [[ $(id -u) -eq 0 ]]; then
    if [[ ${CORDON_SKIP_UNPRIVILEGED:-0} == 1 ]]; then
      record "unprivileged (cordon-test)" skipped "CORDON_SKIP_UNPRIVILEGED=1"
    elif [[ ! -x scripts/test-unprivileged.sh ]]; then
      banner "unprivileged (cordon-test)"
      echo "test.sh: scripts/test-unprivileged.sh is missing or not executable" >&2
      record "unprivileged (cordon-test)" FAILED "script missing"
    else
      run_step "unprivileged (cordon-test)" scripts/test-unprivileged.sh build
      count_ctest "$(logname "unprivileged (cordon-test)")" ||
        echo "test.sh: test-unprivileged.sh printed no ctest summary line" >&2
      # The namespace-less tier is what unprivileged users get where user
      # namespaces are refused: its pass runs as cordon-test too.
      CORDON_TEST_TIER=nsless run_step "unprivileged nsless (cordon-test)" \
        scripts/test-unprivileged.sh build
      count_ctest "$(logname "unprivileged nsless (cordon-test)")" ||
        echo "test.sh: test-unprivileged.sh (nsless) printed no ctest summary line" >&2
    fi
  else
    record "unprivileged (cordon-test)" skipped "not root: this run is the unprivileged one"
  fi
else
  record "ctest build" FAILED "not run: build failed"
fi

# 3. ASan/UBSan build of the tests.
if [[ ${CORDON_SKIP_SANITIZE:-0} == 1 ]]; then
  record "asan/ubsan" skipped "CORDON_SKIP_SANITIZE=1"
elif run_step "build (ASan/UBSan)" build build-asan -DCORDON_SANITIZE=ON \
  "${QUICK_BUILD[@]}"; then
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest_step "ctest build-asan" build-asan -E '^nsless[.]'
  # (The namespace-less pass of the integration tests runs in the main build
  # only: under ASan it would repeat the same supervisor code, and CI has 30
  # minutes for everything.)
else
  record "ctest build-asan" FAILED "not run: build failed"
fi

# 4. clang-tidy over every src/ file of the compilation database; the
# project's .clang-tidy turns every warning into an error.
tidy() {
  local db=build/compile_commands.json
  [[ -f $db ]] || { echo "no $db: the main build did not configure" >&2; return 1; }
  python3 - "$db" "$ROOT/src/" >"$LOGDIR/tidy-files" <<'EOF' || return 1
import json, os, sys
db, src = sys.argv[1], sys.argv[2]
files = sorted({os.path.normpath(os.path.join(e["directory"], e["file"]))
                for e in json.load(open(db))})
print("\n".join(f for f in files if f.startswith(src) and f.endswith(".cc")))
EOF
  [[ -s $LOGDIR/tidy-files ]] || { echo "no src/ file in $db" >&2; return 1; }
  echo "clang-tidy on $(wc -l <"$LOGDIR/tidy-files") files"
  # The database is GCC's: clang must not fail on GCC-only warning flags.
  # ("N warnings generated." counts suppressed ones: noise.)
  xargs -a "$LOGDIR/tidy-files" -d '\n' -P "$JOBS" -n 1 \
    clang-tidy -p build --quiet --extra-arg=-Wno-unknown-warning-option 2>&1 |
    grep -Ev '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
  return "${PIPESTATUS[0]}"
}
run_step "clang-tidy" tidy

# 5. clang-format, checked, never applied.
format_check() {
  local files
  mapfile -t files < <(find src tests bench -type f \( -name '*.cc' -o -name '*.h' \) 2>/dev/null | sort)
  [[ ${#files[@]} -gt 0 ]] || { echo "no source files found" >&2; return 1; }
  echo "clang-format on ${#files[@]} files"
  clang-format --dry-run --Werror "${files[@]}"
}
run_step "clang-format" format_check

# 6. libFuzzer smoke run: each *_fuzz target for FUZZ_SECONDS, with a
# throw-away corpus seeded from tests/fuzz/corpus/<target>/ when present.
fuzz() {
  local targets t corpus rc=0
  CC=clang CXX=clang++ build build-fuzz -DCORDON_FUZZ=ON -DCORDON_TESTS=OFF \
    "${QUICK_BUILD[@]}" >"$LOGDIR/fuzz-build.log" 2>&1 ||
    { cat "$LOGDIR/fuzz-build.log"; echo "fuzz build failed" >&2; return 1; }
  mapfile -t targets < <(find build-fuzz -type f -executable -name '*_fuzz' | sort)
  [[ ${#targets[@]} -gt 0 ]] || { echo "no *_fuzz target was built" >&2; return 1; }
  for t in "${targets[@]}"; do
    corpus=$(mktemp -d "$LOGDIR/corpus.XXXXXX")
    if [[ -d tests/fuzz/corpus/$(basename "$t") ]]; then
      cp -r "tests/fuzz/corpus/$(basename "$t")/." "$corpus/"
    fi
    if "$t" -max_total_time="$FUZZ_SECONDS" -timeout=10 -rss_limit_mb=2048 \
      -print_final_stats=1 -artifact_prefix="$LOGDIR/" "$corpus" >"$LOGDIR/fuzz-run.log" 2>&1; then
      echo "$(basename "$t"): ok, $(grep -m1 -o 'stat::number_of_executed_units: *[0-9]*' "$LOGDIR/fuzz-run.log" | grep -o '[0-9]*$') runs in ${FUZZ_SECONDS} s"
    else
      echo "$(basename "$t"): FAILED" >&2
      tail -n 60 "$LOGDIR/fuzz-run.log" >&2
      rc=1
    fi
  done
  return "$rc"
}
if [[ ${CORDON_SKIP_FUZZ:-0} == 1 ]]; then
  record "libFuzzer smoke" skipped "CORDON_SKIP_FUZZ=1"
else
  run_step "libFuzzer smoke" fuzz
fi

banner "summary ($((SECONDS - started)) s)"
printf '%s\n' "${step_lines[@]}"
failed=$((tests_failed + step_failures))
echo
echo "$tests_passed passed, $failed failed"
[[ ${#failed_steps[@]} -eq 0 && $tests_failed -eq 0 ]]
