#!/usr/bin/env bash
# The Windows build, cross-compiled on Debian 12 with mingw-w64 and tested
# under Wine: installs the toolchain and Wine (apt-get, only what is
# missing), configures BUILD_DIR (default build-win) with
# cmake/mingw-w64-x86_64.cmake, builds, and runs ctest there (each test
# binary under Wine, in a Wine prefix inside BUILD_DIR).
#
# Wine exercises the plumbing (job objects, ConPTY, DPAPI, SDDL and
# AccessCheck, the ACE journal on a real tree, the fail-closed
# refusal), none of the confinement: see docs/windows.md.
#
# Usage: scripts/test-windows-cross.sh [BUILD_DIR] [CTEST_ARGS...]
# Environment: REPORT_DIR (set by scripts/test.sh): write ctest's JUnit
# report there. CORDON_SKIP_WINDOWS_TIDY=1: no clang-tidy of the Windows
# sources (it runs before the tests).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

BUILD_DIR=${1:-build-win}
shift || true

PACKAGES=(
  g++-mingw-w64-x86-64-posix  # GCC 12 with posix threads (std::thread)
  mingw-w64-x86-64-dev        # the Windows headers and import libraries
  binutils-mingw-w64-x86-64
  wine wine64                 # runs the tests (wine64 alone: no 32-bit prefix)
  cmake
)
missing=()
for pkg in "${PACKAGES[@]}"; do
  [[ $(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true) == installed ]] ||
    missing+=("$pkg")
done
if [[ ${#missing[@]} -gt 0 ]]; then
  SUDO=()
  [[ ${EUID:-$(id -u)} -eq 0 ]] || SUDO=(sudo)
  echo "test-windows-cross.sh: installing ${missing[*]}"
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null
fi

launcher=()
if command -v ccache >/dev/null 2>&1; then
  launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache -DCMAKE_C_COMPILER_LAUNCHER=ccache)
fi
cmake -S . -B "$BUILD_DIR" --toolchain cmake/mingw-w64-x86_64.cmake \
  -DCMAKE_BUILD_TYPE=RelWithDebInfo "${launcher[@]}"
cmake --build "$BUILD_DIR" -j"${CORDON_JOBS:-$(nproc)}"

# clang-tidy on the Windows-only sources (scripts/test.sh's clang-tidy step
# reads the Linux build's compilation database, which has none of them):
# clang with the mingw target and GCC's libstdc++ headers for mingw.
tidy_windows() {
  command -v clang-tidy >/dev/null 2>&1 || { echo "clang-tidy missing" >&2; return 1; }
  local cxx
  cxx=$(ls -d /usr/lib/gcc/x86_64-w64-mingw32/*-posix/include/c++ | tail -n 1)
  find src tests/windows -name '*-win32.cc' -o -path 'tests/windows/*.cc' | sort |
    xargs -d '\n' -P "${CORDON_JOBS:-$(nproc)}" -n 1 clang-tidy -p "$BUILD_DIR" --quiet \
      --extra-arg=-Wno-unknown-warning-option --extra-arg=--target=x86_64-w64-mingw32 \
      --extra-arg=-isystem"$cxx" --extra-arg=-isystem"$cxx/x86_64-w64-mingw32" 2>&1 |
    grep -Ev '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$'
  # find | sort | xargs clang-tidy | grep: the status of xargs, index 2.
  return "${PIPESTATUS[2]}"
}
if [[ ${CORDON_SKIP_WINDOWS_TIDY:-0} != 1 ]]; then
  tidy_windows || { echo "test-windows-cross.sh: clang-tidy failed" >&2; exit 1; }
fi

junit=()
[[ -z ${REPORT_DIR:-} ]] || junit=(--output-junit "$REPORT_DIR/ctest-windows.xml")
ctest --test-dir "$BUILD_DIR" --output-on-failure --no-tests=error --timeout 300 "${junit[@]}" "$@"
