// Keeps `npm run bench` from rotting: the harness survives broken modules, and the real
// suite runs in --quick mode (results go to a temporary folder, not bench/results).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RUN = join("build", "bench", "run.js");

function runBench(args: string[], timeoutMs: number) {
  return spawnSync(process.execPath, [RUN, ...args], { encoding: "utf8", timeout: timeoutMs });
}

test("the harness reports failing, throwing and hanging modules and still writes the table", () => {
  const dir = mkdtempSync(join(tmpdir(), "edgelearn-benchmods-"));
  const out = mkdtempSync(join(tmpdir(), "edgelearn-benchout-"));
  writeFileSync(join(dir, "good.bench.js"), `export default { name: "good", description: "d",
    async run({ log }) { log("working"); return { name: "good", rows: [{ metric: "speed", value: 12345678, unit: "readings/s", note: "goal ≥ 1 M" }] }; } };`);
  writeFileSync(join(dir, "throws.bench.js"), `export default { name: "throws", description: "d", async run() { throw new Error("boom"); } };`);
  writeFileSync(join(dir, "notamodule.bench.js"), `export const x = 1;`);
  writeFileSync(join(dir, "hangs.bench.js"), `export default { name: "hangs", description: "d", run() { setInterval(() => {}, 1000); return new Promise(() => {}); } };`);
  const r = runBench(["--dir", dir, "--out", out, "--timeout", "3"], 30_000);
  assert.equal(r.status, 0, r.stderr);
  const md = readFileSync(join(out, "summary.md"), "utf8");
  assert.equal(r.stdout, md);
  assert.match(md, /^Measured \d{4}-\d\d-\d\d \d\d:\d\d UTC on .+ \(\d+ cores, \d+ GiB\), Node v\d+/);
  assert.match(md, /\| good \| speed \| 12\.3 M readings\/s \| goal ≥ 1 M \|/);
  assert.match(md, /\| throws \| \*\*FAILED\*\* \| – \| exit 1: .*boom/);
  assert.match(md, /\| notamodule \| \*\*FAILED\*\* \|.*BenchModule/);
  assert.match(md, /\| hangs \| \*\*TIMEOUT\*\* \|/);
  assert.deepEqual(readdirSync(out).sort(), ["good.json", "hangs.json", "notamodule.json", "summary.md", "throws.json"]);
  const good = JSON.parse(readFileSync(join(out, "good.json"), "utf8"));
  assert.equal(good.status, "ok");
  assert.equal(good.machine.cores > 0, true);
  assert.equal(runBench(["--dir", dir, "--out", out, "--only", "nosuch"], 10_000).status, 2);
});

test("npm run bench -- --quick runs every module in under a minute", () => {
  const out = mkdtempSync(join(tmpdir(), "edgelearn-benchquick-"));
  const t0 = Date.now();
  const r = runBench(["--quick", "--out", out], 90_000);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const md = readFileSync(join(out, "summary.md"), "utf8");
  const modules = readdirSync(join("build", "bench")).filter((f) => f.endsWith(".bench.js")).map((f) => f.replace(/\.bench\.js$/, ""));
  assert.ok(modules.includes("compare"));
  for (const m of modules) assert.match(md, new RegExp(`^\\| ${m} \\|`, "m"), `no row for ${m}`);
  assert.ok(seconds < 75, `--quick took ${seconds} s`);
});
