# Shared setup of the bench/ scripts; sourced, not run.
#
# Sets: bench_dir, cordon (absolute path of the binary under test), scratch
# (a temp dir removed on exit), home (a scratch $HOME, exported), ws (a
# scratch workspace inside it, the current directory afterwards) and out
# (where results go: $BENCH_OUT, default bench/results). The binary is the
# first argument, else build-release/cordon, else build/cordon.
set -euo pipefail

bench_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$bench_dir")

cordon=${1:-}
if [[ -z $cordon ]]; then
  for candidate in "$repo_dir/build-release/cordon" "$repo_dir/build/cordon"; do
    if [[ -x $candidate ]]; then
      cordon=$candidate
      break
    fi
  done
fi
if [[ -z $cordon || ! -x $cordon ]]; then
  echo "bench: no cordon binary; build one first:" >&2
  echo "  cmake -S . -B build-release -DCMAKE_BUILD_TYPE=Release && cmake --build build-release -j\"\$(nproc)\"" >&2
  exit 2
fi
cordon=$(realpath "$cordon")

for tool in "${BENCH_TOOLS[@]:-hyperfine}"; do
  command -v "$tool" >/dev/null || { echo "bench: needs $tool (scripts/deps.sh installs it)" >&2; exit 2; }
done

out=${BENCH_OUT:-$bench_dir/results}
mkdir -p "$out"
out=$(realpath "$out")

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cordon-bench.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
home=$scratch/home
ws=$home/project
mkdir -p "$ws"
export HOME=$home
export XDG_CONFIG_HOME=$home/.config
cd "$ws"

# Refuse to measure a cordon that does not run.
if ! err=$("$cordon" run --no-config -- true 2>&1); then
  echo "bench: '$cordon run --no-config -- true' fails:" >&2
  printf '%s\n' "$err" >&2
  exit 1
fi

bench_who() {
  printf 'user %s (uid %d), kernel %s, %s, %d CPUs\n' "$(id -un)" "$(id -u)" "$(uname -r)" \
    "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')" "$(nproc)"
}
