#!/usr/bin/env bash
# Run the integration tests, the workflow tests and the MCP SDK client tests
# as the unprivileged user cordon-test.
#
#   scripts/test-unprivileged.sh [BUILD_DIR] [GTEST_ARGS...]    (as root)
#
# CI clones the repository into a folder cordon-test may not be able to
# enter, so the built cordon, cordon-probe, cordon-deny-syscall,
# integration_tests and workflow_tests are copied into a fresh
# world-readable directory under /tmp and run from there, as cordon-test
# (created if missing), with a fresh HOME and a clean environment. Every
# failure -- to find the binaries, create the user, copy, switch user, drop
# privileges, or of any test -- is a non-zero exit with a message; nothing
# is skipped silently.
#
# The last line is ctest's summary format ("N% tests passed, F tests failed
# out of T"). With CORDON_TEST_REPORT_DIR set, the results are also written
# there as GoogleTest XML (gtest.xml, workflows.xml, mcp.xml), which
# scripts/test.sh reads to count passed, failed and skipped tests (the line
# above cannot show a skip).
#
# In the namespace-less pass (CORDON_TEST_TIER=nsless), the suites that
# force or fake their tier themselves are left out: NamespacelessTest
# already runs that tier in every pass, FailClosedTest and TelemetryTest
# skip in it as a whole. (tests/integration/CMakeLists.txt leaves the same
# suites out of ctest's nsless.* tests.)
set -euo pipefail

die() {
  echo "test-unprivileged.sh: FAILED: $*" >&2
  exit 1
}

BUILD=${1:-build}
[[ $# -gt 0 ]] && shift
USER_NAME=cordon-test

[[ $(id -u) -eq 0 ]] || die "must run as root (it switches to the user $USER_NAME)"
BUILD=$(cd "$BUILD" 2>/dev/null && pwd) || die "no build directory ${BUILD}"
declare -A SOURCES=(
  [cordon]=$BUILD/cordon
  [cordon-otlp-export]=$BUILD/cordon-otlp-export
  [cordon-probe]=$BUILD/tests/integration/cordon-probe
  [cordon-deny-syscall]=$BUILD/tests/integration/cordon-deny-syscall
  [integration_tests]=$BUILD/tests/integration/integration_tests
  [workflow_tests]=$BUILD/tests/workflows/workflow_tests
)
for name in "${!SOURCES[@]}"; do
  [[ -x ${SOURCES[$name]} ]] || die "missing ${SOURCES[$name]} (build first: cmake --build $BUILD)"
done

if ! id -u "$USER_NAME" >/dev/null 2>&1; then
  useradd --system --create-home --shell /bin/bash "$USER_NAME" || die "useradd $USER_NAME"
fi

DIR=$(mktemp -d /tmp/cordon-unprivileged.XXXXXX) || die "mktemp -d under /tmp"
cleanup() { rm -rf "$DIR"; }
trap cleanup EXIT
chmod 0755 "$DIR" || die "chmod 0755 $DIR"
mkdir -m 0755 "$DIR/bin" || die "mkdir $DIR/bin"
for name in "${!SOURCES[@]}"; do
  install -m 0755 "${SOURCES[$name]}" "$DIR/bin/$name" || die "copy ${SOURCES[$name]} to $DIR/bin"
done
mkdir -m 0700 "$DIR/home" && chown "$USER_NAME:" "$DIR/home" || die "create the test user's HOME"

as_user() {
  setpriv --reuid="$USER_NAME" --regid="$USER_NAME" --clear-groups -- \
    env -i HOME="$DIR/home" PATH=/usr/local/bin:/usr/bin:/bin LANG=C.UTF-8 \
    USER="$USER_NAME" LOGNAME="$USER_NAME" \
    CORDON_BIN="$DIR/bin/cordon" CORDON_PROBE="$DIR/bin/cordon-probe" \
    CORDON_DENY_SYSCALL="$DIR/bin/cordon-deny-syscall" \
    ${CORDON_TEST_TMPDIR:+CORDON_TEST_TMPDIR="$CORDON_TEST_TMPDIR"} \
    ${CORDON_TEST_TIER:+CORDON_TEST_TIER="$CORDON_TEST_TIER"} "$@"
}

# Prove the switch worked before trusting any result: another uid, no
# capabilities, and the copied binaries reachable.
who=$(as_user sh -c 'echo "$(id -u) $(sed -n "s/^CapEff:[[:space:]]*//p" /proc/self/status)"') ||
  die "could not switch to $USER_NAME"
[[ $who == "$(id -u "$USER_NAME") 0000000000000000" ]] ||
  die "not unprivileged after the switch (uid and CapEff: $who)"
as_user test -x "$DIR/bin/integration_tests" || die "$USER_NAME cannot execute $DIR/bin/integration_tests"

LOG=$DIR/log
tier_args=()
[[ ${CORDON_TEST_TIER:-} == nsless ]] &&
  tier_args=(--gtest_filter='-NamespacelessTest.*:FailClosedTest.*:TelemetryTest.*')
total=0
failed=0
rc=0
# run_gtest BINARY XML ARGS...: one GoogleTest binary as cordon-test; adds
# its counts to total and failed.
run_gtest() {
  local bin=$1 xml=$2 brc n f
  shift 2
  echo "test-unprivileged.sh: running $DIR/bin/$bin as $USER_NAME (uid $(id -u "$USER_NAME"))"
  set +e
  (cd "$DIR" && as_user "$DIR/bin/$bin" --gtest_color=no \
    --gtest_output="xml:$DIR/home/$xml" "$@") 2>&1 | tee "$LOG"
  brc=${PIPESTATUS[0]}
  set -e
  n=$(sed -n 's/^\[==========\] \([0-9]*\) tests\? from .* ran\..*/\1/p' "$LOG" | tail -n 1)
  f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) tests\?, listed below:/\1/p' "$LOG" | tail -n 1)
  if [[ -z $n ]]; then
    echo "0% tests passed, 1 tests failed out of 1"
    die "$bin printed no summary (exit $brc): it crashed or did not start"
  fi
  total=$((total + n))
  failed=$((failed + ${f:-0}))
  [[ $brc -eq 0 ]] || rc=$brc
}
run_gtest integration_tests gtest.xml "${tier_args[@]}" "$@"
# The workflow tests have no suite that forces its tier: both passes run all.
run_gtest workflow_tests workflows.xml "$@"
if [[ $total -eq 0 ]]; then
  echo "0% tests passed, 1 tests failed out of 1"
  die "no test ran"
fi

# `cordon mcp` driven by the MCP SDK client, fresh sandboxes and one per
# session, as cordon-test too (in the namespace-less pass, under
# cordon-deny-syscall like the integration tests). Its node_modules come
# from the root ctest run's `npm ci` fixture.
MCP_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/mcp" && pwd)
mcp_cases=""
if ! command -v node >/dev/null || [[ ! -d $MCP_SRC/node_modules ]]; then
  echo "test-unprivileged.sh: MCP SDK client tests: FAILED (node or $MCP_SRC/node_modules missing; run ctest first)"
  total=$((total + 1))
  failed=$((failed + 1))
  mcp_cases="<testcase classname=\"mcp_sdk\" name=\"client\"><failure message=\"node or node_modules missing\"/></testcase>"
else
  cp -r "$MCP_SRC" "$DIR/mcp" && chmod -R a+rX "$DIR/mcp" || die "copy $MCP_SRC"
  wrap=()
  [[ ${CORDON_TEST_TIER:-} == nsless ]] && wrap=("$DIR/bin/cordon-deny-syscall" --ns user --)
  for session in 0 1; do
    total=$((total + 1))
    if (cd "$DIR/mcp" && as_user env CORDON_MCP_SESSION=$session "${wrap[@]}" node mcp_test.mjs) \
      >"$DIR/mcp.log" 2>&1; then
      echo "test-unprivileged.sh: MCP SDK client (session sandbox: $session): passed"
      mcp_cases+="<testcase classname=\"mcp_sdk\" name=\"client_session_$session\"/>"
    else
      failed=$((failed + 1))
      cat "$DIR/mcp.log"
      echo "test-unprivileged.sh: MCP SDK client (session sandbox: $session): FAILED"
      mcp_cases+="<testcase classname=\"mcp_sdk\" name=\"client_session_$session\"><failure message=\"see the log above\"/></testcase>"
    fi
  done
fi
if [[ -n ${CORDON_TEST_REPORT_DIR:-} ]]; then
  mkdir -p "$CORDON_TEST_REPORT_DIR" || die "mkdir $CORDON_TEST_REPORT_DIR"
  # No gtest.xml (a crash) is left for test.sh to report as a failed pass.
  for xml in gtest.xml workflows.xml; do
    if [[ -f $DIR/home/$xml ]]; then
      cp "$DIR/home/$xml" "$CORDON_TEST_REPORT_DIR/$xml" || die "copy $xml"
    fi
  done
  printf '<testsuites><testsuite name="mcp_sdk">%s</testsuite></testsuites>\n' "$mcp_cases" \
    >"$CORDON_TEST_REPORT_DIR/mcp.xml" || die "write mcp.xml"
fi
echo
echo "$(((total - failed) * 100 / total))% tests passed, $failed tests failed out of $total"
[[ $rc -eq 0 && $failed -eq 0 ]] || die "$failed of $total tests failed as $USER_NAME (test binaries' exit $rc)"
echo "test-unprivileged.sh: all $total tests passed as $USER_NAME"
