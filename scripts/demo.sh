#!/usr/bin/env bash
# A two-minute tour of cordon's built-in default policy.
#
# Usage: scripts/demo.sh [PATH_TO_CORDON]   (default: build/cordon)
#
# Builds nothing. Makes a scratch home (with a fake ~/.ssh/id_ed25519) and a
# scratch project inside it, starts an HTTP server on the host's loopback,
# and runs commands under `cordon run --no-config`: one that should work,
# three that must be denied, and, with `--net proxy`, one allowed and one
# refused destination. Removes everything it made on exit. Exits 0
# only when every expectation held.
set -uo pipefail

cordon=${1:-build/cordon}
if [[ ! -x $cordon ]]; then
  echo "demo: no cordon binary at '$cordon'." >&2
  echo "      Build it first: cmake -S . -B build && cmake --build build -j\"\$(nproc)\"" >&2
  exit 2
fi
cordon=$(realpath "$cordon")
for tool in python3 curl; do
  command -v "$tool" >/dev/null || { echo "demo: needs $tool (scripts/deps.sh installs it)" >&2; exit 2; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/cordon-demo.XXXXXX")
server_pid=
cleanup() {
  [[ -n $server_pid ]] && kill "$server_pid" 2>/dev/null && wait "$server_pid" 2>/dev/null
  rm -rf "$scratch"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

home=$scratch/home              # the fake $HOME
ws=$home/project                # a project inside it, as ~/src/x usually is
secret_marker="CORDON-DEMO-SECRET-$RANDOM$RANDOM"
server_marker="CORDON-DEMO-SERVER-$RANDOM$RANDOM"
mkdir -p "$ws" "$home/.ssh" "$scratch/www"
printf -- '-----BEGIN OPENSSH PRIVATE KEY-----\n%s\n-----END OPENSSH PRIVATE KEY-----\n' \
  "$secret_marker" >"$home/.ssh/id_ed25519"
chmod 700 "$home/.ssh" && chmod 600 "$home/.ssh/id_ed25519"
printf '%s\n' "$server_marker" >"$scratch/www/index.html"

# A loopback HTTP server on a free port; it writes its port, then logs each
# request it serves, so the demo can tell whether the sandbox ever reached it.
python3 - "$scratch/www" "$scratch/port" "$scratch/requests" <<'EOF' 2>/dev/null &
import functools, http.server, sys
root, port_file, log_file = sys.argv[1:4]
class Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, fmt, *args):
        with open(log_file, "a") as f:
            f.write(fmt % args + "\n")
srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Handler, directory=root))
with open(port_file + ".tmp", "w") as f:
    f.write(str(srv.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
srv.serve_forever()
EOF
server_pid=$!
for _ in $(seq 100); do [[ -s $scratch/port ]] && break; sleep 0.05; done
port=$(cat "$scratch/port" 2>/dev/null) || { echo "demo: the loopback HTTP server did not start" >&2; exit 2; }
url="http://127.0.0.1:$port/"
if ! curl -fsS --max-time 5 "$url" | grep -q "$server_marker"; then
  echo "demo: the host cannot reach its own server at $url; cannot demo the network step" >&2
  exit 2
fi
requests_before=$(wc -l <"$scratch/requests")

bold=$'\e[1m' green=$'\e[32m' red=$'\e[31m' dim=$'\e[2m' off=$'\e[0m'
if [[ ! -t 1 || -n ${NO_COLOR:-} ]]; then bold= green= red= dim= off=; fi

failures=()
out=
rc=0
# sandbox SHOWN_CMD SH_SCRIPT: run SH_SCRIPT under the default policy, from
# the project directory, with the fake home. Sets out (stdout+stderr) and rc.
# Options in the array opts go before the command.
opts=()
sandbox() {
  printf '  %s$ cordon run --no-config %s-- %s%s\n' "$dim" "${opts[*]:+${opts[*]} }" "$1" "$off"
  out=$(cd "$ws" && env HOME="$home" XDG_CONFIG_HOME="$home/.config" \
    timeout -k 5 30 "$cordon" run --no-config "${opts[@]}" -- sh -c "$2" 2>&1 </dev/null)
  rc=$?
  if [[ $rc -eq 124 || $rc -eq 137 ]]; then
    out+=$'\n'"(demo: no answer after 30 s; killed)"
    rc=124
  fi
}
# Indented, at most 3 lines, so the reason shows without flooding.
show() { printf '%s\n' "$1" | grep -v '^$' | head -n 3 | sed 's/^/      /'; }
pass() { printf '  %s-> %s%s\n' "$green" "$1" "$off"; }
fail() {
  printf '  %s-> UNEXPECTED: %s%s\n' "$red" "$1" "$off"
  failures+=("$1")
}
# A denial must come from the command, not from cordon failing to start it.
# (124: cordon hung, or --timeout.)
cordon_failed() { [[ $rc -eq 124 || $rc -eq 125 || $rc -eq 126 || $rc -eq 127 ]]; }

echo "${bold}cordon demo${off}: built-in default policy, no config file"
echo "  binary:    $cordon"
echo "  workspace: $ws"
echo "  \$HOME:     $home (holds a fake ~/.ssh/id_ed25519)"
echo "  server:    $url on the host's loopback (the host can reach it)"

echo
echo "${bold}[1/5] Writing inside the workspace works${off}"
sandbox "sh -c 'echo hello > notes.txt && cat notes.txt'" 'echo hello > notes.txt && cat notes.txt'
show "$out"
if [[ $rc -eq 0 && $(cat "$ws/notes.txt" 2>/dev/null) == hello ]]; then
  pass "allowed: notes.txt now holds \"hello\" on the host (the workspace is writable)"
else
  fail "writing notes.txt in the workspace failed (exit $rc)"
fi

echo
echo "${bold}[2/5] Writing to \$HOME is denied${off}"
sandbox "touch ~/.bashrc" "touch '$home/.bashrc'"
show "$out"
if cordon_failed; then
  fail "cordon itself failed (exit $rc), so this proves nothing"
elif [[ $rc -ne 0 && ! -e $home/.bashrc ]]; then
  pass "denied (exit $rc): the home is an empty, read-only view; nothing was created on the host"
elif [[ -e $home/.bashrc ]]; then
  fail "touch ~/.bashrc created the file on the host (exit $rc)"
else
  fail "touch ~/.bashrc succeeded inside the sandbox (nothing reached the host, but the write must fail)"
fi

echo
echo "${bold}[3/5] Reading ~/.ssh/id_ed25519 is denied${off}"
sandbox "cat ~/.ssh/id_ed25519" "cat '$home/.ssh/id_ed25519'"
show "${out//$secret_marker/<SECRET>}"
if [[ $out == *"$secret_marker"* ]]; then
  fail "the secret key's contents reached the sandbox"
elif cordon_failed; then
  fail "cordon itself failed (exit $rc), so this proves nothing"
elif [[ $rc -ne 0 ]]; then
  pass "denied (exit $rc): the home is hidden and ~/.ssh is on the deny-read list; the key's bytes never left the host"
else
  fail "cat succeeded (exit 0)"
fi

echo
echo "${bold}[4/5] Reaching a server on the host's loopback is denied${off}"
sandbox "curl -sS --max-time 5 $url" "curl -sS --max-time 5 '$url'"
show "$out"
requests_after=$(wc -l <"$scratch/requests")
if [[ $out == *"$server_marker"* || $requests_after -ne $requests_before ]]; then
  fail "the request reached the host's server"
elif cordon_failed; then
  fail "cordon itself failed (exit $rc), so this proves nothing"
elif [[ $rc -ne 0 ]]; then
  pass "denied (exit $rc): offline by default; the sandbox's network namespace has only its own loopback"
else
  fail "curl succeeded (exit 0)"
fi

echo
echo "${bold}[5/5] With --net proxy, only what the allowlist names${off}"
# demo.allowed and demo.other both name the loopback server (--resolve, a
# testing aid); only demo.allowed is allowed, and the server's address must
# be named too (--allow-local), since the proxy refuses the host's loopback.
opts=(--net proxy --resolve demo.allowed:127.0.0.1 --resolve demo.other:127.0.0.1
  --allow-local "127.0.0.1:$port" --allow-domain demo.allowed)
requests_before=$(wc -l <"$scratch/requests")
sandbox "curl http://demo.allowed:$port/; curl http://demo.other:$port/" \
  "curl -sS --max-time 5 http://demo.allowed:$port/; curl -sS --max-time 5 http://demo.other:$port/"
show "$out"
requests_after=$(wc -l <"$scratch/requests")
if cordon_failed; then
  fail "cordon itself failed (exit $rc), so this proves nothing"
elif [[ $out == *"$server_marker"* && $out == *"cordon: blocked demo.other"* &&
  $((requests_after - requests_before)) -eq 1 ]]; then
  pass "demo.allowed went through the proxy; demo.other got 403 and the server saw one request"
else
  fail "expected demo.allowed to pass and demo.other to be refused ($((requests_after - requests_before)) requests reached the server)"
fi
opts=()

echo
if [[ ${#failures[@]} -eq 0 ]]; then
  echo "${green}${bold}All 5 expectations held.${off} (The scratch files are removed now.)"
  exit 0
fi
echo "${red}${bold}${#failures[@]} of 5 expectations failed:${off}" >&2
printf '  - %s\n' "${failures[@]}" >&2
exit 1
