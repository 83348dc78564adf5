// Page-Hinkley works in its stream's own standard deviations (assembly/drift/page_hinkley.ts):
// its false alarms on stationary data no longer follow the kind or the error's scale. In raw
// units a forecaster's residual on noise alarmed every ~11,000 readings, each swapping in the
// background model, and a classifier's mistakes sat at the warning level on a quarter of the
// readings. A blob saved before keeps its parameters, except that δ and λ left at the former
// defaults take the new ones.

import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Learner, Kind, Param, Flag, compileLearner } from "../../host/learner/index.js";
import { take, meanShift } from "../../host/tools/sim/index.js";
import { prequential, flagged } from "../../host/tools/sim/prequential.js";

const module = compileLearner();
const ABI4 = compileLearner(fileURLToPath(new URL("../../../test/fixtures/learner-abi4.wasm", import.meta.url)));

/** N(mean, sd²) readings, the series itself (AR) or its value as a label above the mean. */
function noise(seed: number, n: number, mean: number, sd: number): { x: number[]; y: number }[] {
  return take(meanShift({ seed, n, at: Infinity, mean, sd })).map((r) => ({ x: r.x, y: r.y }));
}

test("AR at its defaults raises no drift on 100,000 readings of stationary noise, at any scale", () => {
  for (const sd of [0.01, 1, 1000]) {
    const l = new Learner(module).create(Kind.AR, 1);
    const o = prequential(l, noise(21, 100000, 20 * sd, sd));
    assert.deepEqual(flagged(o, Flag.Drift), [], `sd ${sd}`);
  }
});

test("LOGISTIC at its defaults on labels it cannot predict: no drift, rarely at the warning level", () => {
  const s = noise(22, 100000, 0, 1).map((r, i) => ({ x: [Math.sin(i / 50), r.y], y: r.y > 0.8 ? 1 : 0 }));
  const l = new Learner(module).create(Kind.Logistic, 2);
  const o = prequential(l, s);
  assert.deepEqual(flagged(o, Flag.Drift), []);
  const warnings = flagged(o, Flag.DriftWarning).length;
  assert.ok(warnings < 0.05 * s.length, `at the warning level on ${warnings} readings`);
});

test("a blob saved with δ and λ at the former defaults (0.005, 50 in the error's units) runs and reads back the new ones", () => {
  const old = new Learner(ABI4).create(Kind.Linear, 1);
  assert.equal(old.getParam(Param.PhDelta), Math.fround(0.005));
  for (let i = 0; i < 100; i++) old.learn(i % 7, [i % 7]);
  const l = new Learner(module);
  assert.equal(l.load(old.snapshot()), 0);
  l.learn(3, [3]);
  assert.equal(l.getParam(Param.PhDelta), Math.fround(0.03));
  assert.equal(l.getParam(Param.PhLambda), 150);
  // set ones are kept
  const set = new Learner(ABI4).create(Kind.Linear, 1, { params: { [Param.PhLambda]: 80 } });
  const m = new Learner(module);
  assert.equal(m.load(set.snapshot()), 0);
  m.learn(3, [3]);
  assert.equal(m.getParam(Param.PhDelta), Math.fround(0.005));
  assert.equal(m.getParam(Param.PhLambda), 80);
});
