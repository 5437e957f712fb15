#!/usr/bin/env bash
# Install cordon's build and test dependencies on Debian 12 (bookworm).
#
# Idempotent and quiet: packages that are already installed are left alone,
# and apt-get runs only when something is missing. Runs as root, or through
# sudo when not root. The cordon binary itself needs only libseccomp and libsodium at run
# time; everything else here is for building, testing, fuzzing and benching
# (see README.md, "Dependencies").
set -euo pipefail

PACKAGES=(
  build-essential cmake pkg-config  # compiler, build system
  lld                               # links cordon in start-up order (CMakeLists.txt)
  libcli11-dev                      # flags (header-only)
  libtomlplusplus-dev               # config files (header-only)
  nlohmann-json3-dev                # policy show --json (header-only)
  libseccomp-dev                    # the seccomp filter (linked statically)
  libsodium-dev                     # the credential vault (linked statically)
  libcurl4-openssl-dev              # cordon-otlp-export only (never loaded by cordon run)
  libfmt-dev                        # formatting in tests and tools
  libgtest-dev libbenchmark-dev     # unit and integration tests, micro-benchmarks
  clang clang-tidy clang-format libclang-rt-14-dev  # fuzzing, sanitizers, lint
  hyperfine bubblewrap time         # bench/ (bwrap is the baseline, not a dependency)
  git acl attr curl python3 openssl iproute2  # used by tests and scripts/demo.sh
  python3-venv                      # the workflow tests (tests/workflows): a venv with pip
  nodejs npm                        # the MCP SDK client tests (tests/mcp)
  g++-mingw-w64-x86-64-posix mingw-w64-x86-64-dev binutils-mingw-w64-x86-64  # the Windows cross build
  wine wine64                       # its tests (scripts/test-windows-cross.sh)
)

if [[ ${EUID:-$(id -u)} -eq 0 ]]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1; then
  SUDO=(sudo)
else
  echo "deps.sh: run as root or install sudo" >&2
  exit 1
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [[ $status == installed ]] && continue
  # NodeSource's nodejs package bundles npm (and conflicts with Debian's).
  [[ $pkg == npm ]] && command -v npm >/dev/null 2>&1 && continue
  missing+=("$pkg")
done

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "deps.sh: all ${#PACKAGES[@]} packages already installed"
  exit 0
fi

echo "deps.sh: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
  apt-get install -y -qq --no-install-recommends \
  -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
  "${missing[@]}" >/dev/null
echo "deps.sh: done"
