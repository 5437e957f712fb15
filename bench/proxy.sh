#!/usr/bin/env bash
# The proxy's cost, side by side in one run, on loopback (bench/netblast.cc):
#  - throughput: one BENCH_BYTES transfer (default 1 GiB) from a host
#    server, direct (--net full) vs through the proxy's CONNECT tunnel vs
#    through its plain-HTTP forwarding (an absolute-form GET to the proxy
#    $http_proxy names, answered with a Content-Length body), on raw
#    loopback and (a quarter of the bytes) from a server paced to 1 Gbit/s;
#  - the proxy's CPU: the supervisor's user + system CPU seconds (it runs
#    the proxy's thread) per GiB through each path, which a loaded machine
#    does not skew as it does throughput;
#  - connection setup: BENCH_REQUESTS (default 1000) short requests, direct
#    vs through the proxy, median and p90 from connect to first byte;
#  - memory: the supervisor's RSS with BENCH_TUNNELS (default 1000) idle
#    tunnels held open, minus its RSS with one.
# The client measures itself inside the sandbox, so sandbox start-up is not
# in any figure. Targets (issue 3): throughput >= 90 % of direct, added
# setup latency < 0.3 ms median, < 64 KiB per held tunnel.
#
# Usage: bench/proxy.sh [PATH_TO_CORDON]
BENCH_TOOLS=(c++)
source "$(dirname "${BASH_SOURCE[0]}")/common.sh"

bytes=${BENCH_BYTES:-1073741824}
requests=${BENCH_REQUESTS:-1000}
tunnels=${BENCH_TUNNELS:-1000}
rounds=${BENCH_ROUNDS:-3}
stamp=$(date +%Y%m%d-%H%M%S)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
md=$out/proxy-$stamp.md

c++ -O2 -std=c++20 -pthread -o "$ws/netblast" "$bench_dir/netblast.cc"
"$ws/netblast" serve "$scratch/port" &
server=$!
# The same server paced to a 1 Gbit/s link (125 MB/s): loopback is
# CPU-bound, and there every byte through the proxy crosses the TCP stack
# twice; on a real link the wire is the limit.
"$ws/netblast" serve "$scratch/paced-port" 125000000 &
paced=$!
trap 'kill $server $paced 2>/dev/null; rm -rf "$scratch"' EXIT
for _ in $(seq 50); do [[ -s $scratch/port && -s $scratch/paced-port ]] && break; sleep 0.1; done
port=$(cat "$scratch/port")
paced_port=$(cat "$scratch/paced-port")

direct=("$cordon" run --no-config --net full --)
proxied=("$cordon" run --no-config --net proxy --allow-local "127.0.0.1:$port" --)

tput_direct=()
tput_proxy=()
tput_http=()
paced_direct=()
paced_proxy=()
paced_http=()
paced_bytes=$((bytes / 4))
proxied_paced=("$cordon" run --no-config --net proxy --allow-local "127.0.0.1:$paced_port" --)
# Rounds interleave the paths, so a neighbour's load falls on all of them.
for _ in $(seq "$rounds"); do
  tput_direct+=("$("${direct[@]}" "$ws/netblast" fetch - "$port" "$bytes")")
  tput_proxy+=("$("${proxied[@]}" "$ws/netblast" fetch 127.0.0.1:3128 "$port" "$bytes")")
  tput_http+=("$("${proxied[@]}" "$ws/netblast" get env "$port" "$bytes")")
  paced_direct+=("$("${direct[@]}" "$ws/netblast" fetch - "$paced_port" "$paced_bytes")")
  paced_proxy+=("$("${proxied_paced[@]}" "$ws/netblast" fetch 127.0.0.1:3128 "$paced_port" "$paced_bytes")")
  paced_http+=("$("${proxied_paced[@]}" "$ws/netblast" get env "$paced_port" "$paced_bytes")")
done
# Runs a proxied command, printing its output and then the supervisor's
# user + system CPU seconds, sampled from /proc until it exits.
supervisor_cpu() {
  local pid last="" s
  "$@" >"$scratch/cpu-out" &
  pid=$!
  while s=$(cat "/proc/$pid/stat" 2>/dev/null); do last=$s; sleep 0.02; done
  wait "$pid"
  echo "$last" | awk -v t="$(getconf CLK_TCK)" '{printf "%.2f\n", ($14 + $15) / t}'
}
cpu_tunnel=()
cpu_http=()
for _ in $(seq "$rounds"); do
  cpu_tunnel+=("$(supervisor_cpu "${proxied[@]}" "$ws/netblast" fetch 127.0.0.1:3128 "$port" "$bytes")")
  cpu_http+=("$(supervisor_cpu "${proxied[@]}" "$ws/netblast" get env "$port" "$bytes")")
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
td=$(median "${tput_direct[@]}")
tp=$(median "${tput_proxy[@]}")
th=$(median "${tput_http[@]}")
pd=$(median "${paced_direct[@]}")
pp=$(median "${paced_proxy[@]}")
ct=$(median "${cpu_tunnel[@]}")
ch=$(median "${cpu_http[@]}")
ph=$(median "${paced_http[@]}")

read -r lat_direct p90_direct < <("${direct[@]}" "$ws/netblast" latency - "$port" "$requests")
read -r lat_proxy p90_proxy < <("${proxied[@]}" "$ws/netblast" latency 127.0.0.1:3128 "$port" "$requests")

# RSS of the supervisor (cordon itself) with N tunnels held.
held_rss() {
  local n=$1 fifo=$scratch/hold-$1 pid rss
  rm -f "$ws/held"
  mkfifo "$fifo"
  "${proxied[@]}" "$ws/netblast" hold 127.0.0.1:3128 "$port" "$n" "$ws/held" <"$fifo" &
  pid=$!
  exec 7>"$fifo"
  for _ in $(seq 300); do [[ -s $ws/held ]] && break; sleep 0.1; done
  rss=$(awk '/^VmRSS/ {print $2}' "/proc/$pid/status")
  exec 7>&-
  wait "$pid"
  echo "$rss"
}
rss_one=$(held_rss 1)
rss_many=$(held_rss "$tunnels")

{
  echo "# Proxy benchmark, $(date -u +%Y-%m-%dT%H:%MZ)"
  echo
  echo "$(bench_who)"
  echo "load average (1, 5, 15 min) at the start: $load_start, at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
  echo
  echo "| measure | direct | through the proxy | ratio / added | target |"
  echo "|---|---|---|---|---|"
  awk -v d="$td" -v p="$tp" -v b="$bytes" 'BEGIN {printf "| throughput, %d MiB, CONNECT tunnel (median of rounds) | %.0f MiB/s | %.0f MiB/s | %.2f | >= 0.90 |\n", b/1048576, d, p, p/d}'
  awk -v d="$td" -v p="$th" -v b="$bytes" 'BEGIN {printf "| throughput, %d MiB, plain HTTP forwarding | %.0f MiB/s | %.0f MiB/s | %.2f | >= tunnel |\n", b/1048576, d, p, p/d}'
  awk -v d="$pd" -v p="$pp" -v b="$paced_bytes" 'BEGIN {printf "| throughput, %d MiB over a paced 1 Gbit/s link, CONNECT tunnel | %.0f MiB/s | %.0f MiB/s | %.2f | >= 0.90 |\n", b/1048576, d, p, p/d}'
  awk -v d="$pd" -v p="$ph" -v b="$paced_bytes" 'BEGIN {printf "| throughput, %d MiB over a paced 1 Gbit/s link, plain HTTP forwarding | %.0f MiB/s | %.0f MiB/s | %.2f | >= 0.90 |\n", b/1048576, d, p, p/d}'
  awk -v t="$ct" -v h="$ch" -v b="$bytes" 'BEGIN {printf "| supervisor CPU per GiB, CONNECT tunnel vs plain HTTP forwarding | %.2f s | %.2f s | %.2f | <= 1.00 |\n", t*1073741824/b, h*1073741824/b, h/t}'
  awk -v d="$lat_direct" -v p="$lat_proxy" -v n="$requests" 'BEGIN {printf "| setup to first byte, median of %d | %d us | %d us | +%.2f ms | < 0.3 ms |\n", n, d, p, (p-d)/1000}'
  awk -v d="$p90_direct" -v p="$p90_proxy" 'BEGIN {printf "| setup to first byte, p90 | %d us | %d us | +%.2f ms | |\n", d, p, (p-d)/1000}'
  awk -v a="$rss_one" -v b="$rss_many" -v n="$tunnels" 'BEGIN {printf "| supervisor RSS, 1 vs %d idle tunnels | %d KiB | %d KiB | %.1f KiB per tunnel | < 64 KiB |\n", n, a, b, (b-a)/(n-1)}'
} | tee "$md"
echo "bench: results in $md"
