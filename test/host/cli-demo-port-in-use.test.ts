// `edgelearn demo --port P / --http-port P` with P already taken: one line naming the port and the
// option to change, exit 1, and a process that ends (a broker whose listen failed kept it alive).
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { createServer, type AddressInfo, type Server } from "node:net";
import { fileURLToPath } from "node:url";
import { EXIT } from "../../host/cli/main.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** A port held by a plain TCP server until `close`. */
async function takenPort(): Promise<{ port: number; server: Server }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.address() as AddressInfo).port, server };
}

function demo(...args: string[]) {
  return spawnSync(process.execPath, ["bin/edgelearn.js", "demo", "--duration", "30", "--quiet", ...args], { cwd: ROOT, encoding: "utf8", timeout: 15_000 });
}

for (const [option, other] of [["--port", "--http-port"], ["--http-port", "--port"]]) {
  test(`demo ${option} P with P in use: one line naming P and ${option}, exit 1, nothing left running`, { timeout: 30_000 }, async (t) => {
    const { port, server } = await takenPort();
    t.after(() => server.close());
    const r = demo(option, String(port), other, "0");
    assert.equal(r.signal, null, `the demo did not exit by itself (killed by ${r.signal}); stderr: ${r.stderr}`);
    assert.equal(r.status, EXIT.FAILURE, r.stderr);
    const lines = r.stderr.trim().split("\n");
    assert.equal(lines.length, 1, r.stderr);
    assert.match(lines[0], new RegExp(`^edgelearn demo: cannot listen on port ${port} .*in use; choose another with ${option} P`));
    assert.equal(r.stdout, "");
  });
}

test("a broker whose port is taken leaves nothing behind: the process ends by itself (the demo's fallback from 1883)", { timeout: 30_000 }, async (t) => {
  const { port, server } = await takenPort();
  t.after(() => server.close());
  const broker = new URL("../../host/tools/demo/broker.js", import.meta.url).href;
  const script = `import { startBroker } from ${JSON.stringify(broker)};
    try { await startBroker(${port}); } catch (e) { console.log(e.code); }`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 10_000 });
  assert.equal(r.signal, null, `the process did not end (killed by ${r.signal}): the failed broker kept it alive`);
  assert.equal(r.stdout.trim(), "EADDRINUSE", r.stderr);
});
