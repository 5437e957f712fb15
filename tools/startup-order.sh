#!/usr/bin/env bash
# Writes cmake/startup-order.txt: the functions a cordon start runs, for
# lld's --symbol-ordering-file (CMakeLists.txt, CORDON_ORDER_FUNCTIONS).
#
# Why: a page of cordon's 5 MB of code is read from the page cache on first
# touch, 16 pages at a time; on the paravirtualized guests we measure on,
# each such fault costs about 16 us and each further page first touched
# about 0.5 us. Left in link order, the few hundred functions a start runs
# are spread over the whole text (65 faults for `--mode full-access`); side
# by side they take 24 (bench/README.md, "Issue 16, fifth round").
#
# How: callgrind lists every function the cordon process itself runs for
# the common command lines (complete, in the order it first sees them);
# perf samples add what runs where valgrind cannot follow (the sandbox's
# init and the command's start inside namespaces and Landlock).
# A stale list costs start-up time, never correctness: a name that no
# longer exists is skipped, a function missing from it is laid out after.
# Run it after changing what a start runs, from a default Release build,
# as an unprivileged user.
#
# Usage: tools/startup-order.sh CORDON [OUT]
# Needs: valgrind, perf.
set -euo pipefail

cordon=$(realpath "$1")
out=$(realpath -m "${2:-$(dirname "$0")/../cmake/startup-order.txt}")
for tool in valgrind perf; do
  command -v "$tool" >/dev/null || { echo "startup-order: $tool is needed" >&2; exit 2; }
done

scratch=$(mktemp -d)
export XDG_STATE_HOME="$scratch/state" XDG_CONFIG_HOME="$scratch/config"
trap '"$cordon" session stop --all >/dev/null 2>&1 || true; rm -rf "$scratch"' EXIT
mkdir -p "$scratch/ws" && cd "$scratch/ws"
git init -q .

commands=(
  "run --mode full-access -q -- true"
  "run -q -- true"
  "run --session -q -- true"
  "--version"
  "policy show"
)
"$cordon" session start --idle-timeout 600 >/dev/null 2>&1

# 1. callgrind: every function of the process, in the order first seen.
n=0
for args in "${commands[@]}"; do
  n=$((n + 1))
  # shellcheck disable=SC2086  # the command lines above are word lists
  valgrind --tool=callgrind --demangle=no --callgrind-out-file="$scratch/cg.$n" \
    "$cordon" $args >/dev/null 2>&1 || true
done

# 2. perf: what runs beyond valgrind's reach, by samples (user space only).
runs=200
# shellcheck disable=SC2016  # expanded by the inner shell
perf record -q -e cpu-clock:u -F 20000 -o "$scratch/perf.data" -- \
  bash -c 'for i in $(seq "$1"); do "$2" run -q -- true; "$2" run --session -q -- true; done' \
  _ "$runs" "$cordon" >/dev/null 2>&1
perf script -i "$scratch/perf.data" --no-demangle -F comm,ip,sym 2>/dev/null |
  awk -v c="$(basename "$cordon" | cut -c1-15)" '$1 == c && NF >= 3 {print $3}' |
  sort | uniq -c | sort -rn | awk '{print $2}' >"$scratch/sampled"

{
  for f in "$scratch"/cg.*; do
    sed -nE 's/^c?fn=\([0-9]+\) ([^ ]+)$/\1/p' "$f" | sed -E "s/'[0-9]+$//"
  done
  cat "$scratch/sampled"
} | grep -vE '^(0x|\(below|\[)' | awk '!seen[$0]++' >"$out.new"
mv "$out.new" "$out"
echo "startup-order: $(wc -l <"$out") functions in $out"
