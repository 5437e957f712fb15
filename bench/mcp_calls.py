#!/usr/bin/env python3
"""Latency of `cordon mcp` run calls: a fresh sandbox per call against
--session-sandbox, side by side in one process (alternating, so load and
cache effects hit both alike), beside the floor: `sh -c COMMAND` (what a
call runs) spawned and waited for by this process, with no sandbox and no
round trip. Prints the median and p90 per mode, the ratio, and what a
session call costs over the floor. Usage: mcp_calls.py CORDON_BIN [CALLS]
[COMMAND]"""
import json, os, statistics, subprocess, sys, tempfile, time

cordon = sys.argv[1]
calls = int(sys.argv[2]) if len(sys.argv) > 2 else 50
command = sys.argv[3] if len(sys.argv) > 3 else "true"


class Client:
    def __init__(self, extra, ws, env):
        self.p = subprocess.Popen(
            [cordon, "mcp", "--no-config", "--workspace", ws, *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=env, text=True, bufsize=1)
        self.id = 0
        self.request("initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                    "clientInfo": {"name": "bench", "version": "1"}})
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}) + "\n")

    def request(self, method, params):
        self.id += 1
        self.p.stdin.write(json.dumps({"jsonrpc": "2.0", "id": self.id, "method": method,
                                       "params": params}) + "\n")
        while True:
            msg = json.loads(self.p.stdout.readline())
            if msg.get("id") == self.id:
                return msg

    def run(self, cmd):
        t0 = time.perf_counter()
        r = self.request("tools/call", {"name": "run", "arguments": {"command": cmd}})
        dt = time.perf_counter() - t0
        sc = r["result"]["structuredContent"]
        assert sc["exit_code"] == 0, r
        return dt

    def close(self):
        self.p.stdin.close()
        self.p.wait(timeout=30)


with tempfile.TemporaryDirectory(dir=os.environ.get("TMPDIR", "/tmp")) as root:
    ws = os.path.join(root, "ws")
    os.mkdir(ws)
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(root, "state"),
               XDG_CONFIG_HOME=os.path.join(root, "config"))
    fresh = Client([], ws, env)
    session = Client(["--session-sandbox"], ws, env)
    fresh.run(command)  # warm both up (page cache, the session's sandbox)
    session.run(command)
    times = {"fresh": [], "session": [], "floor": []}
    for _ in range(calls):
        times["fresh"].append(fresh.run(command))
        times["session"].append(session.run(command))
        t0 = time.perf_counter()
        pid = os.posix_spawn("/bin/sh", ["sh", "-c", command], env)
        os.waitpid(pid, 0)
        times["floor"].append(time.perf_counter() - t0)
    fresh.close()
    session.close()

med = {k: statistics.median(v) * 1000 for k, v in times.items()}
p90 = {k: statistics.quantiles(v, n=10)[-1] * 1000 for k, v in times.items()}
print(f"command: {command!r}, {calls} calls each")
for k in ("fresh", "session", "floor"):
    print(f"  {k:8s} median {med[k]:6.2f} ms   p90 {p90[k]:6.2f} ms")
print(f"  session/fresh (median): {med['session'] / med['fresh']:.2f}")
print(f"  session over the floor (median): {med['session'] - med['floor']:.2f} ms")
