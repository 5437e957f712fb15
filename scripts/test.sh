#!/usr/bin/env bash
# Build cordon and run every check: unit and integration tests (as this user,
# then as the unprivileged user cordon-test when run as root), the Windows
# cross build's tests under Wine, the tests again
# in one clang build with ASan/UBSan that also builds the libFuzzer targets,
# clang-tidy, clang-format, and a short libFuzzer smoke run.
#
# Every step runs even when an earlier one failed (except what needs a build
# that failed), so one run shows everything that is wrong. Each test pass
# writes a JUnit/GoogleTest XML report; scripts/test_report.py reads them all
# and ends the output with "N passed, M failed, K skipped", after naming every
# failed and every skipped test with its reason. M also counts every failed
# step that is not a test run. A GoogleTest skip is never counted as passed.
# With CI=true, a skip that tests/expected_skips.txt does not list fails the
# run (a test that must run in CI did not). Exit status is 0 only when
# nothing failed.
#
# Environment:
#   CORDON_SKIP_SANITIZE=1   skip the ASan/UBSan test pass (the clang build
#                            still runs when the fuzz run needs it)
#   CORDON_SKIP_FUZZ=1       skip the libFuzzer smoke run
#   CORDON_FUZZ_SECONDS=N    seconds per fuzz target (default 8)
#   CORDON_SKIP_UNPRIVILEGED=1  skip the cordon-test rerun (when run as root);
#                            named in the summary as skipped, never silent
#   CORDON_SKIP_WINDOWS=1    skip the Windows cross build and its Wine tests
#   CI=true                  fail on a skip not in tests/expected_skips.txt
set -uo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.." || exit 1
ROOT=$PWD
JOBS=$(nproc)
FUZZ_SECONDS=${CORDON_FUZZ_SECONDS:-8}
LOGDIR=$(mktemp -d "${TMPDIR:-/tmp}/cordon-test-logs.XXXXXX")
trap 'rm -rf "$LOGDIR"' EXIT

step_failures=0  # failed steps that are not test passes (those have reports)
step_lines=()
reports=()       # NAME[:PREFIX]=DIR for test_report.py, one per test pass
exits=()         # NAME=STATUS of each test pass
started=$SECONDS
# The main pass is named after who runs it (tests/expected_skips.txt).
if [[ $(id -u) -eq 0 ]]; then MAIN_PASS=root; else MAIN_PASS=user; fi

banner() { printf '\n==== %s ====\n' "$*"; }
logname() { printf '%s/%s.log' "$LOGDIR" "$(printf '%s' "$1" | tr -c 'a-zA-Z0-9' '_')"; }

# record NAME STATUS [NOTE]
record() {
  step_lines+=("$(printf '%-34s %s' "$1" "$2${3:+ ($3)}")")
  [[ $2 != FAILED ]] || step_failures=$((step_failures + 1))
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

# test_step PASS[:PREFIX] NAME CMD...: run a test pass whose command writes
# its XML report into $REPORT_DIR (set here, fresh per pass). Its tests are
# counted from the report, so the step itself is not a failed step; a pass
# that exits non-zero without a failed test in its report, or writes no
# report, is one (test_report.py says which).
test_step() {
  local pass=$1 name=$2 rc
  shift 2
  REPORT_DIR=$LOGDIR/reports/${#reports[@]}
  mkdir -p "$REPORT_DIR"
  run_step "$name" "$@"
  rc=$?
  [[ $rc -eq 0 ]] || step_failures=$((step_failures - 1))
  reports+=("$pass=$REPORT_DIR")
  exits+=("${pass%%:*}=$rc")
}

# ctest_step PASS NAME BUILD_DIR [CTEST_ARGS...]: ctest in BUILD_DIR as a
# test pass. A run that executed no test is a failure, not a pass.
ctest_step() {
  local pass=$1 name=$2 dir=$3
  shift 3
  test_step "$pass" "$name" run_ctest "$dir" "$@"
}
run_ctest() {
  local dir=$1
  shift
  ctest --test-dir "$dir" --output-on-failure --no-tests=error --timeout 300 \
    --output-junit "$REPORT_DIR/ctest.xml" "$@"
}
unprivileged() {
  CORDON_TEST_REPORT_DIR=$REPORT_DIR scripts/test-unprivileged.sh build
}

# The sanitizer build: -O1 without debug info compiles in about half the
# time of RelWithDebInfo (CI has 30 minutes for everything), and still runs
# fast enough; reports name functions, not lines.
QUICK_BUILD=(-DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG=-O1 -DCMAKE_C_FLAGS_DEBUG=-O1)

build() {  # build DIR CMAKE_ARGS...
  local dir=$1
  shift
  cmake -S "$ROOT" -B "$dir" "$@" && cmake --build "$dir" -j"$JOBS"
}

# 1. The main build and its tests.
if run_step "build (RelWithDebInfo)" build build -DCMAKE_BUILD_TYPE=RelWithDebInfo; then
  ctest_step "$MAIN_PASS" "ctest build" build

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
      test_step cordon-test "unprivileged (cordon-test)" unprivileged
      # The namespace-less tier is what unprivileged users get where user
      # namespaces are refused: its pass runs as cordon-test too (its
      # tests are named nsless.* as in ctest).
      CORDON_TEST_TIER=nsless test_step cordon-test:nsless. \
        "unprivileged nsless (cordon-test)" unprivileged
    fi
  else
    record "unprivileged (cordon-test)" skipped "not root: this run is the unprivileged one"
  fi
else
  record "ctest build" FAILED "not run: build failed"
fi

# 2b. The Windows build, cross-compiled with mingw-w64, its tests under Wine
# (scripts/test-windows-cross.sh; Wine checks the plumbing, not the
# confinement: docs/windows.md).
windows_cross() {
  REPORT_DIR=$REPORT_DIR CORDON_JOBS=$JOBS scripts/test-windows-cross.sh build-win
}
if [[ ${CORDON_SKIP_WINDOWS:-0} == 1 ]]; then
  record "windows cross (mingw-w64, Wine)" skipped "CORDON_SKIP_WINDOWS=1"
else
  test_step windows "windows cross (mingw-w64, Wine)" windows_cross
fi

# 3. One clang build with ASan/UBSan and libFuzzer serves the sanitized
# test pass and the fuzz targets (compiling the code under test twice, once
# per purpose, was most of CI's build time). Everything is instrumented for
# libFuzzer's coverage too (fuzzer-no-link): a small cost at run time.
san_built=0
if [[ ${CORDON_SKIP_SANITIZE:-0} == 1 && ${CORDON_SKIP_FUZZ:-0} == 1 ]]; then
  record "build (clang ASan/UBSan+fuzz)" skipped "CORDON_SKIP_SANITIZE=1 CORDON_SKIP_FUZZ=1"
elif CC=clang CXX=clang++ run_step "build (clang ASan/UBSan+fuzz)" build build-san \
  -DCORDON_SANITIZE=ON -DCORDON_FUZZ=ON "${QUICK_BUILD[@]}"; then
  san_built=1
fi
if [[ ${CORDON_SKIP_SANITIZE:-0} == 1 ]]; then
  record "ctest build-san" skipped "CORDON_SKIP_SANITIZE=1"
elif [[ $san_built == 1 ]]; then
  # (The namespace-less pass of the integration tests runs in the main build
  # only: under ASan it would repeat the same supervisor code.)
  ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0} \
    UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1} \
    ctest_step asan "ctest build-san (ASan/UBSan)" build-san -E '^nsless[.]'
else
  record "ctest build-san" FAILED "not run: build failed"
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

# 6. libFuzzer smoke run: each *_fuzz target of build-san for FUZZ_SECONDS,
# with a throw-away corpus seeded from tests/fuzz/corpus/<target>/ when
# present.
fuzz() {
  local targets t corpus rc=0
  mapfile -t targets < <(find build-san/tests/fuzz -type f -executable -name '*_fuzz' | sort)
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
elif [[ $san_built == 1 ]]; then
  run_step "libFuzzer smoke" fuzz
else
  record "libFuzzer smoke" FAILED "not run: build failed"
fi

banner "summary ($((SECONDS - started)) s)"
printf '%s\n' "${step_lines[@]}"
echo
report_args=(--expected tests/expected_skips.txt --failed-steps "$step_failures")
[[ ${CI:-} == true || ${CI:-} == 1 ]] && report_args+=(--ci)
for e in "${exits[@]}"; do report_args+=(--exit "$e"); done
python3 scripts/test_report.py "${report_args[@]}" "${reports[@]}"
