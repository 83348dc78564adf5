import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseCsv, readCsv, splitCsvLine } from "../../host/tools/compare/csv.js";
import { runCompare } from "../../host/cli/compare.js";
import { compare, metricsOver } from "../../host/tools/compare/report.js";
import { PageHinkley } from "../../host/tools/compare/drift.js";
import { Prng } from "../../host/tools/sim/index.js";
import { driftingCsv } from "./fixtures.js";
import { createModuleLearner, parseParams } from "../../host/tools/compare/online.js";
import { Param } from "../../host/learner/index.js";
import { tempDir } from "../helpers/tmp.js";

test("CSV: quoting, non-numeric columns, binary labels", () => {
  assert.deepEqual(splitCsvLine('a,"b,c",""" q""",'), ["a", "b,c", '" q"', ""]);
  const ds = parseCsv("ts,temp,label\n2024-01-01,1.5,yes\n2024-01-02,,no\n2024-01-03,2,yes\n", { task: "classification", target: "label" });
  assert.deepEqual(ds.features, ["temp"]);
  assert.deepEqual(ds.skipped, ["ts"]);
  assert.deepEqual(ds.classes, ["no", "yes"]);
  assert.deepEqual([...ds.y], [1, 0, 1]);
  assert.ok(Number.isNaN(ds.X[1]));
  assert.throws(() => parseCsv("a,b\n1,x\n2,y\n3,z\n", { task: "classification", target: "b" }), /3 distinct/);
  assert.throws(() => parseCsv("a,b\n1,2\n", { task: "regression", target: "c" }), /not found/);
});

for (const task of ["regression", "classification"] as const) {
  test(`${task}: after the drift the online module beats the frozen offline model`, async () => {
    const file = driftingCsv(task);
    const ds = readCsv(file, { task, target: "y" });
    const { report, runs } = compare(ds, await createModuleLearner(task, ds), { task, trainFraction: 0.2, retrainEvery: 300, lambda: 1 });
    const by = Object.fromEntries(report.learners.map((l) => [l.name, l]));
    // Error from the true drift point (n/2) to the end, whatever the detector said.
    const half = Math.floor(ds.n / 2);
    const after = Object.fromEntries(runs.map((r) => [r.name, metricsOver(task, ds.y, r.predictions, half, ds.n).error]));
    assert.ok(after.online < 0.85 * after.offline, `online ${after.online} vs offline ${after.offline}`);
    for (const l of report.learners) assert.equal(l.afterDrift.length, report.drift.rows.length);
    assert.equal(by.online.dataRetainedBytes, 0);
    assert.equal(by.periodic.dataRetainedBytes, ds.n * (ds.d + 1) * 8);
    assert.equal(by.offline.updatesPushed, 1);
    assert.equal(by.periodic.updatesPushed, Math.floor((ds.n - report.trainRows - 1) / 300) + 1);
  });
}

test("--json prints one object with the documented shape; --plot writes well-formed SVG", async () => {
  const file = driftingCsv("regression", 2000, 11);
  const plot = join(tempDir("plot"), "out.svg");
  let stdout = "";
  const code = await runCompare([file, "--task", "regression", "--target", "y", "--json", "--plot", plot, "--retrain-every", "250", "--set", "learning_rate=0.1"], {
    out: (s) => { stdout += s; },
    err: () => {},
  });
  assert.equal(code, 0);
  assert.equal(stdout.trim().split("\n").length, 1);
  const r = JSON.parse(stdout);
  assert.deepEqual(Object.keys(r).sort(), ["drift", "errorMetric", "features", "file", "learners", "retrainEvery", "rows", "target", "task", "trainRows"]);
  assert.equal(r.rows, 2000);
  assert.equal(r.trainRows, 400);
  assert.equal(r.retrainEvery, 250);
  assert.equal(r.errorMetric, "mae");
  assert.deepEqual(r.learners.map((l: { name: string }) => l.name), ["online", "offline", "periodic"]);
  for (const l of r.learners) {
    assert.deepEqual(Object.keys(l).sort(), ["afterDrift", "cpuMs", "dataRetainedBytes", "inPlaceUpdates", "label", "name", "overall", "peakMemoryBytes", "updatesPushed"]);
    assert.ok(Number.isFinite(l.overall.mae) && Number.isFinite(l.overall.rmse));
    assert.equal(l.afterDrift.length, r.drift.rows.length);
  }
  assert.ok(["module", "page-hinkley"].includes(r.drift.source));
  assert.match(r.learners[0].label, /LearningRate=0.1/);
  assertWellFormedSvg(readFileSync(plot, "utf8"), r.drift.rows.length);
});

test("host-side Page-Hinkley: silent on a stationary loss, detects a one-sd rise within 200 rows", () => {
  const r = new Prng(9);
  const ph = new PageHinkley();
  let alarms = 0;
  for (let i = 0; i < 20_000; i++) if (ph.update(Math.abs(r.normal(0, 1)))) alarms++;
  assert.equal(alarms, 0);
  let at = -1;
  for (let i = 0; i < 1000 && at < 0; i++) if (ph.update(Math.abs(r.normal(0, 1)) + 0.6)) at = i;
  assert.ok(at >= 0 && at < 200, `detected at ${at}`);
});

test("--set maps module parameter names to ids and refuses unknown ones", () => {
  assert.deepEqual(parseParams(["LearningRate=0.2", "scaler=2", "0=0.3"]), { [Param.LearningRate]: 0.3, [Param.Scaler]: 2 });
  assert.throws(() => parseParams(["nosuch=1"]), /unknown module parameter/);
  assert.throws(() => parseParams(["LearningRate"]), /NAME=NUMBER/);
});

test("usage errors exit 2, unusable CSV files exit 4", async () => {
  const quiet = { out: () => {}, err: () => {} };
  assert.equal(await runCompare(["x.csv", "--task", "clustering", "--target", "y"], quiet), 2);
  assert.equal(await runCompare(["--task", "regression", "--target", "y"], quiet), 2);
  assert.equal(await runCompare(["x.csv", "--task", "regression", "--target", "y", "--train-fraction", "1.5"], quiet), 2);
  assert.equal(await runCompare(["x.csv", "--task", "regression", "--target", "y", "--set", "bogus=1"], quiet), 2);
  const dir = tempDir("bad");
  writeFileSync(join(dir, "a.csv"), "a,b\n1,2\n");
  assert.equal(await runCompare([join(dir, "a.csv"), "--task", "regression", "--target", "zz"], quiet), 4);
  assert.equal(await runCompare([join(dir, "missing.csv"), "--task", "regression", "--target", "b"], quiet), 4);
  let help = "";
  assert.equal(await runCompare(["--help"], { out: (s) => { help += s; } }), 0);
  assert.match(help, /--retrain-every/);
});

/** A small XML check: one root <svg>, every tag closed in order, attributes quoted, entities valid. */
function assertWellFormedSvg(svg: string, drifts: number): void {
  const body = svg.replace(/^<\?xml[^?]*\?>\s*/, "");
  const stack: string[] = [];
  const tag = /<(\/?)([a-zA-Z][\w:-]*)((?:\s+[\w:-]+="[^"<]*")*)\s*(\/?)>|([^<]+)/gy;
  let m: RegExpExecArray | null;
  let pos = 0;
  let roots = 0;
  while (pos < body.length && (m = tag.exec(body)) !== null) {
    pos = tag.lastIndex;
    if (m[5] !== undefined) {
      assert.ok(!/&(?!(amp|lt|gt|quot|apos);)/.test(m[5]), `bad entity in text: ${m[5]}`);
      if (stack.length === 0) assert.match(m[5], /^\s*$/);
      continue;
    }
    const [, close, name, , self] = m;
    if (close) assert.equal(stack.pop(), name, `mismatched </${name}>`);
    else if (!self) { if (stack.length === 0) roots++; stack.push(name); }
  }
  assert.equal(pos, body.length, `unparsable at ${pos}: ${body.slice(pos, pos + 60)}`);
  assert.equal(stack.length, 0);
  assert.equal(roots, 1);
  assert.match(body, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  assert.equal((body.match(/<polyline /g) ?? []).length >= 3, true);
  assert.equal((body.match(/<title>drift at row/g) ?? []).length, drifts);
}
