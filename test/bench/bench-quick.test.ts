// Keeps `npm run bench` from rotting: the harness survives broken modules, and the real
// suite runs in --quick mode (results go to a temporary folder, not bench/results).

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "../helpers/tmp.js";
import { wasmOperators } from "../../bench/instruction-count.js";
import { DEFAULT_WASM } from "../../host/learner/index.js";

const RUN = join("build", "bench", "run.js");

function runBench(args: string[], timeoutMs: number) {
  return spawnSync(process.execPath, [RUN, ...args], { encoding: "utf8", timeout: timeoutMs });
}

test("the harness reports failing, throwing and hanging modules and still writes the table", () => {
  const dir = tempDir("benchmods");
  const out = tempDir("benchout");
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
  assert.match(md, /^#### good: d \(\d+ s\)\n\n\| metric \| value \| note \|\n\|---\|---\|---\|\n\| speed \| 12\.3 M readings\/s \| goal ≥ 1 M \|$/m);
  assert.match(md, /^#### throws: FAILED\n\nexit 1: .*boom/m);
  assert.match(md, /^#### notamodule: FAILED\n\n.*BenchModule/m);
  assert.match(md, /^#### hangs: TIMEOUT\n/m);
  assert.deepEqual(readdirSync(out).sort(), ["good.json", "hangs.json", "notamodule.json", "summary.md", "throws.json"]);
  const good = JSON.parse(readFileSync(join(out, "good.json"), "utf8"));
  assert.equal(good.status, "ok");
  assert.equal(good.machine.cores > 0, true);
  assert.equal(runBench(["--dir", dir, "--out", out, "--only", "nosuch"], 10_000).status, 2);
});

test("npm run bench -- --quick runs every module", () => {
  const out = tempDir("benchquick");
  const t0 = Date.now();
  const r = runBench(["--quick", "--out", out], 300_000);
  const seconds = (Date.now() - t0) / 1000;
  assert.equal(r.status, 0, r.stderr.slice(-2000));
  const md = readFileSync(join(out, "summary.md"), "utf8");
  const modules = readdirSync(join("build", "bench")).filter((f) => f.endsWith(".bench.js")).map((f) => f.replace(/\.bench\.js$/, ""));
  assert.ok(modules.includes("compare") && modules.includes("mqtt"));
  for (const m of modules) assert.match(md, new RegExp(`^#### ${m}[: ]`, "m"), `no section for ${m}`);
  // The harness's own modules must not rot: they run cleanly in --quick.
  for (const m of ["compare", "mqtt"]) assert.doesNotMatch(md, new RegExp(`^#### ${m}: (FAILED|TIMEOUT)`, "m"), md);
  // About 40 s (goal: under a minute); a loaded 2-core CI machine gets more than 3× that before
  // it counts as rot.
  assert.ok(seconds < 150, `--quick took ${seconds} s`);
});

test("the wasm operator count of a reading is exact: the same in two runs, and in range", (t) => {
  const a = wasmOperators(DEFAULT_WASM, 1500, 500);
  const b = wasmOperators(DEFAULT_WASM, 1500, 500);
  if ("unavailable" in a.learnOne) {
    // needs the Python package wasmtime (test/conformance/requirements.txt)
    if (process.env.EDGELEARN_REQUIRE_ALL === "1") assert.fail(a.learnOne.unavailable);
    t.skip(a.learnOne.unavailable);
    return;
  }
  assert.deepEqual(a, b);
  assert.ok("value" in a.batchReading);
  // an 8-feature learn_one through the whole pipeline is a few thousand operators
  assert.ok(a.learnOne.value > 1000 && a.learnOne.value < 20_000, String(a.learnOne.value));
});
