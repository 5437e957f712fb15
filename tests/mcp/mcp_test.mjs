// Drives `cordon mcp` with the official MCP TypeScript SDK client: a client
// nobody here wrote. Checks initialize, tools/list, an allowed and a denied
// command (filesystem and network), elicitation answers (once, deny),
// progress notifications, cancellation (the command's tree is gone), the
// policy tool, and a client without elicitation (the denial says what to ask).
//
// With CORDON_MCP_SESSION=1 every test runs against `cordon mcp
// --session-sandbox` (one sandbox for the session), plus the tests of what
// a session shares and what it must not leak between calls.
//
//   node mcp_test.mjs            (CORDON_BIN: the cordon binary)
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ElicitRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import assert from "node:assert/strict";
import fs from "node:fs";
import http from "node:http";
import os from "node:os";
import path from "node:path";

const CORDON = process.env.CORDON_BIN;
const SESSION = process.env.CORDON_MCP_SESSION === "1";
assert.ok(CORDON, "set CORDON_BIN");
const base = process.env.CORDON_TEST_TMPDIR || (fs.existsSync("/var/tmp") ? "/var/tmp" : os.tmpdir());
const root = fs.mkdtempSync(path.join(base, "cordon-mcp-"));
const dirs = {};
for (const d of ["home", "ws", "outside", "state", "config"]) {
  dirs[d] = path.join(root, d);
  fs.mkdirSync(dirs[d], { mode: 0o700 });
}
dirs.ws = fs.realpathSync(dirs.ws);

let failures = 0;
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    failures++;
    console.log(`FAIL ${name}: ${e.stack || e}`);
  }
}

// A loopback HTTP server that records the paths it served.
const served = [];
const server = http.createServer((req, res) => {
  served.push(req.url);
  res.end(`hello ${req.url}\n`);
});
await new Promise((r) => server.listen(0, "127.0.0.1", r));
const port = server.address().port;

function spawnArgs(extra = []) {
  return [
    "mcp", "--no-config", "--workspace", dirs.ws, "--net", "proxy",
    "--resolve", `allowed.test:127.0.0.1`, "--resolve", `asked.test:127.0.0.1`,
    "--resolve", `refused.test:127.0.0.1`, "--allow-local", `127.0.0.1:${port}`,
    "--allow-domain", "allowed.test", "--approval-timeout", "20",
    ...(SESSION ? ["--session-sandbox"] : []), ...extra,
  ];
}
const env = {
  PATH: "/usr/local/bin:/usr/bin:/bin", HOME: dirs.home, LANG: "C.UTF-8",
  XDG_STATE_HOME: dirs.state, XDG_CONFIG_HOME: dirs.config, TMPDIR: root,
};

async function connect(capabilities, onElicit, extraArgs = []) {
  const client = new Client({ name: "cordon-test", version: "1.0.0" }, { capabilities });
  if (onElicit) client.setRequestHandler(ElicitRequestSchema, onElicit);
  const transport = new StdioClientTransport({ command: CORDON, args: spawnArgs(extraArgs), env, stderr: "inherit" });
  await client.connect(transport);
  return { client, transport };
}

const asked = [];
const { client } = await connect({ elicitation: {} }, async (req) => {
  const message = req.params.message;
  asked.push(message);
  assert.ok(req.params.requestedSchema.properties.answer.enum.includes("once"));
  return message.includes("asked.test") || message.includes("/granted writable?")
    ? { action: "accept", content: { answer: "once" } }
    : { action: "accept", content: { answer: "deny" } };
});
const run = (args, opts) =>
  client.callTool({ name: "run", arguments: args }, undefined, opts);
const curl = (host, p) => `curl -sS -o - -w '%{http_code}' http://${host}:${port}${p}`;

await test("initialize negotiates 2025-06-18 and names the server", async () => {
  assert.equal(client.getServerVersion().name, "cordon");
  assert.ok(client.getServerCapabilities().tools);
  assert.match(client.getInstructions(), /sandbox/);
});

await test("tools/list has run and policy, described with the policy", async () => {
  const { tools } = await client.listTools();
  assert.deepEqual(tools.map((t) => t.name).sort(), ["policy", "run"]);
  const runTool = tools.find((t) => t.name === "run");
  assert.match(runTool.description, /allowed\.test/);
  assert.ok(runTool.inputSchema.properties.command);
});

await test("an allowed command runs in the workspace and writes there", async () => {
  const r = await run({ command: "echo hello; echo oops >&2; touch made-inside; pwd" });
  assert.equal(r.structuredContent.exit_code, 0, JSON.stringify(r));
  assert.equal(r.structuredContent.stdout, `hello\n${dirs.ws}\n`);
  // (In the namespace-less tier each fresh sandbox says so first.)
  assert.equal(r.structuredContent.stderr.replace(/^cordon: user namespaces are refused.*\n/, ""), "oops\n");
  assert.ok(fs.existsSync(path.join(dirs.ws, "made-inside")));
});

await test("argv, cwd and stdin", async () => {
  fs.mkdirSync(path.join(dirs.ws, "sub"));
  const r = await run({ argv: ["/bin/sh", "-c", "pwd; cat"], cwd: "sub", stdin: "from stdin" });
  assert.equal(r.structuredContent.stdout, `${dirs.ws}/sub\nfrom stdin`);
  const out = await run({ command: "true", cwd: dirs.outside });
  assert.equal(out.isError, true);
  assert.match(out.content[0].text, /outside the workspace/);
});

await test("a write outside the workspace is denied and leaves nothing", async () => {
  const target = path.join(dirs.outside, "escaped");
  const r = await run({ command: `touch ${target}` });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.match(r.structuredContent.stderr, /Read-only|Permission denied|No such file/);
  assert.ok(!fs.existsSync(target));
});

await test("a named destination passes without a question", async () => {
  const before = asked.length;
  const r = await run({ command: curl("allowed.test", "/allowed") });
  assert.equal(r.structuredContent.stdout, "hello /allowed\n200");
  assert.equal(asked.length, before);
  assert.ok(served.includes("/allowed"));
});

await test("elicitation: 'once' lets an unnamed destination through", async () => {
  const r = await run({ command: curl("asked.test", "/asked") });
  assert.equal(r.structuredContent.stdout, "hello /asked\n200", JSON.stringify(r));
  assert.ok(asked.some((m) => m.includes(`asked.test:${port}`)), asked.join("\n"));
  assert.ok(served.includes("/asked"));
});

await test("the approval is in the audit trail, with the MCP channel and the answer", async () => {
  const dir = path.join(dirs.state, "cordon", "events");
  const lines = fs.readdirSync(dir).flatMap((f) => fs.readFileSync(path.join(dir, f), "utf8").split("\n"));
  const decision = lines.find((l) => l.includes("cordon.approval.decision") && l.includes("asked.test"));
  assert.ok(decision, "no cordon.approval.decision event for asked.test");
  assert.match(decision, /"cordon.approval.channel","value":\{"stringValue":"mcp"\}/);
  assert.match(decision, /"cordon.approval.answer","value":\{"stringValue":"once"\}/);
});

await test("elicitation: 'deny' refuses it, no connection, and the result says so", async () => {
  const r = await run({ command: curl("refused.test", "/refused") });
  assert.match(r.structuredContent.stdout, /403$/);
  assert.deepEqual(r.structuredContent.network_denied, [`refused.test:${port}`]);
  assert.ok(!served.includes("/refused"));
});

await test("request_writable: 'once' makes an existing path writable for the call", async () => {
  const granted = path.join(dirs.outside, "granted");
  fs.mkdirSync(granted);
  const r = await run({
    command: `echo hi > ${granted}/made`,
    request_writable: [granted],
    reason: "the build writes its cache there",
  });
  assert.equal(r.structuredContent.exit_code, 0, JSON.stringify(r));
  assert.ok(
    asked.some((m) => m.includes(`with ${granted} writable? (the build writes its cache there)`)),
    asked.join("\n"));
  assert.equal(fs.readFileSync(path.join(granted, "made"), "utf8"), "hi\n");
  assert.deepEqual(r.structuredContent.writable_refused, []);
});

await test("request_writable: denied, hidden and missing paths", async () => {
  const other = path.join(dirs.outside, "other");
  fs.mkdirSync(other);
  const r = await run({ command: `echo hi > ${other}/made`, request_writable: [other] });
  assert.notEqual(r.structuredContent.exit_code, 0);
  assert.deepEqual(r.structuredContent.writable_refused, [`${other} (deny)`]);
  assert.ok(!fs.existsSync(path.join(other, "made")));
  fs.mkdirSync(path.join(dirs.home, ".ssh"), { recursive: true });
  const before = asked.length;
  const hidden = await run({ command: "true", request_writable: [path.join(dirs.home, ".ssh")] });
  assert.equal(hidden.isError, true);
  assert.match(hidden.content[0].text, /hidden from the sandbox/);
  // Whose contents the host runs or loads: refused, and nobody is asked.
  const nvim = path.join(dirs.home, ".config", "nvim");
  fs.mkdirSync(nvim, { recursive: true });
  const code = await run({ command: "true", request_writable: [nvim] });
  assert.equal(code.isError, true);
  assert.match(code.content[0].text, /runs on the host/);
  const site = path.join(dirs.home, ".local", "lib", "python3.11", "site-packages");
  fs.mkdirSync(site, { recursive: true });
  const pth = await run({ command: "true", request_writable: [site] });
  assert.equal(pth.isError, true);
  const missing = await run({ command: "true", request_writable: ["/nonexistent/cordon"] });
  assert.equal(missing.isError, true);
  assert.match(missing.content[0].text, /does not exist/);
  assert.equal(asked.length, before, "a bad entry is refused before anyone is asked");
});

await test("a long command sends progress notifications", async () => {
  const progress = [];
  const r = await run({ command: "sleep 2.5; echo done" }, {
    onprogress: (p) => progress.push(p.progress),
    resetTimeoutOnProgress: true,
  });
  assert.equal(r.structuredContent.stdout, "done\n");
  assert.ok(progress.length >= 2, `progress: ${progress}`);
});

await test("output beyond the limit is cut and the cut is stated", async () => {
  const r = await run({ command: "head -c 300000 /dev/zero | tr '\\0' x" });
  assert.equal(r.structuredContent.stdout_truncated, true);
  assert.equal(r.structuredContent.stdout_bytes, 300000);
  assert.match(r.structuredContent.stdout, /output truncated: 300000 bytes written/);
});

function processesWith(marker) {
  const found = [];
  for (const pid of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) found.push(pid);
    } catch {}
  }
  return found;
}

await test("cancelling a run kills the command's whole tree", async () => {
  const marker = `${Math.floor(Math.random() * 1e6) + 7000000}`;
  const controller = new AbortController();
  const pending = run({ command: `sleep ${marker} & sleep ${marker}; wait` }, { signal: controller.signal });
  const t0 = Date.now();
  while (processesWith(`sleep\0${marker}`).length < 2 && Date.now() - t0 < 10000) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(processesWith(`sleep\0${marker}`).length, 2, "the command did not start");
  controller.abort("test cancels");
  await assert.rejects(pending);
  const t1 = Date.now();
  while (processesWith(marker).length > 0 && Date.now() - t1 < 5000) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.deepEqual(processesWith(marker), [], "processes survived the cancel");
  // The server still answers.
  await client.ping();
});

if (SESSION) {
  await test("session: /tmp is kept between calls, the host's /tmp is not touched", async () => {
    const name = `cordon-session-${process.pid}`;
    // $TMPDIR: the namespace-less tier has a private temp dir, not /tmp.
    const w = await run({ command: `echo kept > "\${TMPDIR:-/tmp}/${name}"` });
    assert.equal(w.structuredContent.exit_code, 0, w.content[0].text);
    const r = await run({ command: `cat "\${TMPDIR:-/tmp}/${name}"` });
    assert.equal(r.structuredContent.stdout, "kept\n");
    assert.ok(!fs.existsSync(`/tmp/${name}`) && !fs.existsSync(path.join(root, name)));
  });
  await test("session: a call's background processes end with it", async () => {
    const marker = `${Math.floor(Math.random() * 1e6) + 8000000}`;
    const r = await run({ command: `(sleep ${marker} &) ; sleep ${marker} & echo started` });
    assert.equal(r.structuredContent.exit_code, 0);
    assert.deepEqual(processesWith(marker), [], "a call left processes behind");
  });
  await test("session: a call that kills every other child of init does not break the next call", async () => {
    // Init's other children: other calls' reapers, and a reaper waiting for
    // the next call. One call runs beside it here, so that there is one
    // to try. Landlock signal scoping keeps the kill from them; without it
    // the next call gets a fresh reaper.
    const beside = run({ command: "sleep 2; echo beside" });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const r = await run({
      command:
        `init=$(awk '{print $4}' /proc/$PPID/stat); for d in /proc/[0-9]*; do p=\${d#/proc/}; ` +
        `[ "$p" = "$PPID" ] && continue; [ "$(awk '{print $4}' $d/stat 2>/dev/null)" = "$init" ] && ` +
        `{ echo "candidate $p"; kill -9 "$p" 2>/dev/null && echo "killed $p"; }; done; echo tried`,
    });
    assert.match(r.structuredContent.stdout, /tried\n$/, r.content[0].text);
    // At least the other call's reaper was there to be tried.
    assert.match(r.structuredContent.stdout, /^candidate \d+$/m, r.content[0].text);
    const other = await beside;
    if (!/^killed /m.test(r.structuredContent.stdout)) {
      assert.equal(other.structuredContent.stdout, "beside\n", other.content[0].text);
    }
    for (let i = 0; i < 3; ++i) {
      const next = await run({ command: "echo next" });
      assert.equal(next.structuredContent.exit_code, 0, next.content[0].text);
      assert.equal(next.structuredContent.stdout, "next\n");
    }
  });
  // cross_call.py runs inside the sandbox from the workspace.
  fs.copyFileSync(new URL("./cross_call.py", import.meta.url), path.join(dirs.ws, "cross_call.py"));
  const unique = () => `${Math.floor(Math.random() * 1e6) + 9000000}`;
  await test("session: a process that leaves its call's session (double fork, setsid) ends with the call", async () => {
    const marker = unique();
    const victim = `3.${unique()}`;
    // It would wait for the next call's `sleep`, then write into its stdout.
    const r = await run({
      command: `( setsid sh -c 'python3 cross_call.py ${victim} left.json; while :; do sleep 0.1; done' ${marker} & ); sleep 1; echo started`,
    });
    assert.equal(r.structuredContent.stdout, "started\n", r.content[0].text);
    assert.deepEqual(processesWith(marker), [], "the leftover outlived its call");
    const later = await run({ command: `sleep ${victim} && echo clean; cat`, stdin: "secret-stdin\n" });
    assert.equal(later.structuredContent.stdout, "clean\nsecret-stdin\n");
    assert.ok(!fs.existsSync(path.join(dirs.ws, "left.json")), "the leftover ran");
  });
  await test("session: a call cannot write, read, ptrace or signal another call's processes", async () => {
    // Call A runs `sleep VICTIM` with its stdin and stdout; call B, running
    // at the same time, goes for it through /proc.
    const victim = `4.${unique()}`;
    const a = run({ command: `echo ready; sleep ${victim} && echo done; cat`, stdin: "secret-stdin\n" });
    const t0 = Date.now();
    while (processesWith(`sleep\0${victim}`).length === 0 && Date.now() - t0 < 10000) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const b = await run({ command: `python3 cross_call.py ${victim} cross.json`, timeout_seconds: 20 });
    assert.equal(b.structuredContent.exit_code, 0, b.content[0].text);
    const seen = JSON.parse(fs.readFileSync(path.join(dirs.ws, "cross.json"), "utf8"));
    assert.deepEqual(seen, { write: "EACCES", read: "EACCES", environ: "EACCES", ptrace: "EPERM", signal: "EPERM" });
    const ra = await a;
    assert.equal(ra.structuredContent.stdout, "ready\ndone\nsecret-stdin\n", "call A was reached");
    // The twin: within one call, the same attempts work.
    const own = await run({ command: `python3 cross_call.py --spawn 5.${unique()} own.json` });
    assert.equal(own.structuredContent.exit_code, 0, own.content[0].text);
    const mine = JSON.parse(fs.readFileSync(path.join(dirs.ws, "own.json"), "utf8"));
    assert.deepEqual(mine, { write: "ok", read: "ok", environ: "ok", ptrace: "ok", signal: "ok" });
    assert.match(own.structuredContent.stdout, /FORGED by another call/);
  });
  await test("session: a grant reaches only its call; a denial is asked once per call", async () => {
    const questions = [];
    const { client: c } = await connect({ elicitation: {} }, async (req) => {
      questions.push(req.params.message);
      return req.params.message.includes("GRANT-ME")
        ? { action: "accept", content: { answer: "once" } }
        : { action: "accept", content: { answer: "deny" } };
    });
    const call = (args) => c.callTool({ name: "run", arguments: args });
    // A is granted asked.test once and holds it while B, at the same time,
    // connects to the same destination.
    const a = call({
      command: `${curl("asked.test", "/a1")}; while [ ! -e b-done ]; do sleep 0.05; done; ${curl("asked.test", "/a2")}`,
      request_network: [`asked.test:${port}`], reason: "GRANT-ME",
    });
    const t0 = Date.now();
    while (!served.includes("/a1") && Date.now() - t0 < 10000) await new Promise((r) => setTimeout(r, 50));
    assert.ok(served.includes("/a1"), questions.join("\n"));
    const b = await call({ command: `${curl("asked.test", "/b1")}; touch b-done` });
    assert.match(b.structuredContent.stdout, /403$/, b.content[0].text);
    assert.ok(!served.includes("/b1"), "call B used call A's grant");
    assert.deepEqual(b.structuredContent.network_denied, [`asked.test:${port}`]);
    const ra = await a;
    assert.equal(ra.structuredContent.stdout, "hello /a1\n200hello /a2\n200", ra.content[0].text);
    // B's question named B's command, and A's connections asked nothing.
    const aboutB = questions.filter((m) => m.includes("/b1"));
    assert.equal(aboutB.length, 1, questions.join("\n"));
    assert.ok(!aboutB[0].includes("/a1"));
    assert.equal(questions.filter((m) => m.includes("/a1")).length, 1, questions.join("\n"));
    // Denied once, refused for the rest of the call without a question.
    const before = questions.length;
    const d = await call({ command: `${curl("refused.test", "/d1")}; echo; ${curl("refused.test", "/d2")}` });
    assert.match(d.structuredContent.stdout, /403\n.*403$/s, d.content[0].text);
    assert.ok(!served.includes("/d1") && !served.includes("/d2"));
    assert.equal(questions.length - before, 1, questions.slice(before).join("\n"));
    // The next call is asked again.
    const e = await call({ command: curl("refused.test", "/e1") });
    assert.match(e.structuredContent.stdout, /403$/);
    assert.equal(questions.length - before, 2, questions.slice(before).join("\n"));
    await c.close();
  });
  await test("session: the policy still holds for later calls", async () => {
    await run({ command: "true" });
    const r = await run({ command: `echo x > ${dirs.outside}/later` });
    assert.notEqual(r.structuredContent.exit_code, 0);
    assert.ok(!fs.existsSync(path.join(dirs.outside, "later")));
    const n = await run({ command: curl("refused.test", "/later") });
    assert.ok(!served.includes("/later"));
    assert.deepEqual(n.structuredContent.network_denied, [`refused.test:${port}`]);
  });
} else {
  await test("fresh sandboxes: /tmp is new at each call", async () => {
    const w = await run({ command: 'echo gone > "${TMPDIR:-/tmp}/fresh-marker"' });
    assert.equal(w.structuredContent.exit_code, 0, w.content[0].text);
    const r = await run({ command: 'test -e "${TMPDIR:-/tmp}/fresh-marker" && echo kept || echo gone' });
    assert.equal(r.structuredContent.stdout, "gone\n");
  });
}

await test("the policy tool returns the resolved policy", async () => {
  const r = await client.callTool({ name: "policy", arguments: {} });
  assert.equal(r.structuredContent.workspace, dirs.ws);
  assert.equal(r.structuredContent.approval.policy, "on-request");
});

await test("unknown tools and bad arguments are errors, not crashes", async () => {
  await assert.rejects(client.callTool({ name: "nope", arguments: {} }), /Unknown tool/);
  const r = await run({ timeout_seconds: 5 });
  assert.equal(r.isError, true);
  await client.ping();
});

await client.close();

await test("on-failure: a failed call is offered a re-run with the denied destination", async () => {
  const offers = [];
  const { client: c } = await connect({ elicitation: {} }, async (req) => {
    offers.push(req.params.message);
    return { action: "accept", content: { answer: "once" } };
  }, ["--approval", "on-failure"]);
  const r = await c.callTool({ name: "run", arguments: { command: `curl -fsS http://asked.test:${port}/rerun` } });
  assert.equal(r.structuredContent.exit_code, 0, r.content[0].text);
  assert.equal(r.structuredContent.stdout, "hello /rerun\n");
  assert.equal(offers.length, 1, offers.join("\n"));
  assert.match(offers[0], /re-run .* with asked\.test:\d+ allowed\?/);
  assert.equal(served.filter((p) => p === "/rerun").length, 1);
  await c.close();
});

await test("without elicitation, the denial says what to ask the user", async () => {
  const { client: plain } = await connect({}, null);
  const r = await plain.callTool({ name: "run", arguments: { command: curl("asked.test", "/plain") } });
  assert.match(r.content[0].text, /ask the user to allow/);
  // Clients that hand the model structuredContent instead of the text.
  assert.match(r.structuredContent.advice, /ask the user to allow/);
  assert.deepEqual(r.structuredContent.network_denied, [`asked.test:${port}`]);
  assert.ok(!served.includes("/plain"));
  await plain.close();
});

server.close();
fs.rmSync(root, { recursive: true, force: true });
console.log(failures === 0 ? "all passed" : `${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
