// With its stuck and spike tests both off (STUCK_K = 0, SPIKE_T = 0) the guard is a range test
// alone and keeps no statistics: the module skips their upkeep on every reading. Nothing else may
// change: the outputs must be those of a module that still kept them (the ABI-4 fixture, which
// did), and a test switched back on must start as on a fresh learner, not from statistics that
// stopped at the switch.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { Learner, Kind, Param, Flag, DriftDetector, batchOutputs, compileLearner } from "../../host/learner/index.js";

const module = compileLearner();
const ABI4 = compileLearner(fileURLToPath(new URL("../../../test/fixtures/learner-abi4.wasm", import.meta.url)));
const NF = 3;
const REJECTS = Flag.RejNonFinite | Flag.RejRange | Flag.RejStuck | Flag.RejSpike;

/** Reading i: noisy features with NaN, out-of-range values, a stuck run and spikes in them. */
function reading(i: number, x: Float32Array): number {
  const u = (k: number) => (((i * 7919 + k * 104729) % 1009) / 1009 - 0.5) * 2;
  x[0] = 10 + u(1);
  x[1] = 2 * u(2);
  x[2] = -3 + 0.5 * u(3);
  if (i % 37 === 5) x[1] = NaN;
  if (i % 41 === 17) x[0] = 75; // outside [-50, 50]
  if (i % 300 >= 200 && i % 300 < 250) x[2] = 0.5; // stuck for 50 readings
  if (i % 29 === 3 && i % 300 >= 60) x[2] = 400 * (i % 2 ? 1 : -1); // spikes after a warm-up
  return 2 * x[0] - x[1] + 0.5 * x[2] + u(4) * 0.1;
}

function learner(m = module, rangeOnly = false): Learner {
  // no drift detector: its answers (Page-Hinkley's unit changed since ABI 4) are not the guard's
  const l = new Learner(m).create(Kind.Linear, NF, { params: { [Param.DriftDetector]: DriftDetector.None } });
  l.setFeatureRange(0, -50, 50);
  if (rangeOnly) {
    l.setParam(Param.StuckK, 0);
    l.setParam(Param.SpikeT, 0);
  }
  return l;
}

test("a range-only guard answers bit for bit as a module that kept the guard's statistics", () => {
  const a = learner(module, true);
  const b = learner(ABI4, true);
  const x = new Float32Array(NF);
  const seen = { range: 0, nonfinite: 0, learned: 0 };
  for (let i = 0; i < 1200; i++) {
    const y = reading(i, x);
    const fa = a.learn(y, x);
    assert.equal(fa, b.learn(y, x), `flags at reading ${i}`);
    assert.ok(Object.is(a.prediction, b.prediction), `prediction at reading ${i}`);
    assert.equal(fa & (Flag.RejStuck | Flag.RejSpike), 0, `reading ${i}: no stuck or spike test runs`);
    if (fa & Flag.RejRange) seen.range++;
    if (fa & Flag.RejNonFinite) seen.nonfinite++;
    if (fa & Flag.Learned) seen.learned++;
  }
  // the range and finiteness tests still refuse; stuck runs and spikes are learned
  assert.ok(seen.range > 20 && seen.nonfinite > 20 && seen.learned > 1000, JSON.stringify(seen));
  // and a batch answers as single calls do
  const rows = new Float32Array(300 * (NF + 1));
  for (let i = 0; i < 300; i++) rows[i * (NF + 1) + NF] = reading(1200 + i, rows.subarray(i * (NF + 1), i * (NF + 1) + NF));
  const oa = batchOutputs(300), ob = batchOutputs(300);
  a.learnBatch(rows, oa);
  b.learnBatch(rows, ob);
  assert.deepEqual(oa.flags, ob.flags);
  assert.deepEqual(oa.prediction, ob.prediction);
});

test("switching the tests back on starts the guard afresh: it refuses what a new learner's guard refuses", () => {
  const a = learner(module); // the guard learns its statistics, then stops, then starts again
  const x = new Float32Array(NF);
  for (let i = 0; i < 250; i++) a.learn(reading(i, x), x);
  a.setParam(Param.StuckK, 0);
  a.setParam(Param.SpikeT, 0);
  for (let i = 250; i < 500; i++) a.learn(reading(i, x), x);
  a.setParam(Param.SpikeT, 8);
  a.setParam(Param.StuckK, 32);
  const fresh = learner(module);
  let refused = 0;
  for (let i = 500; i < 1400; i++) {
    const y = reading(i, x);
    const fa = a.learn(y, x) & REJECTS;
    assert.equal(fa, fresh.learn(y, x) & REJECTS, `reject flags at reading ${i}`);
    if (fa & (Flag.RejStuck | Flag.RejSpike)) refused++;
  }
  assert.ok(refused > 20, `stuck and spike refusals after the switch: ${refused}`);
});

test("a blob saved with a range-only guard carries no guard statistics: two learners fed different readings agree once switched on", () => {
  // Fed different readings in range-only mode, two learners differ in their models but not in
  // their guards; after the switch their reject flags agree on the same readings.
  const a = learner(module, true);
  const b = learner(module); // its guard's statistics start, then stop at the switch
  const x = new Float32Array(NF);
  for (let i = 0; i < 300; i++) a.learn(reading(i, x), x);
  for (let i = 0; i < 300; i++) {
    if (i === 150) for (const p of [Param.StuckK, Param.SpikeT]) b.setParam(p, 0);
    b.learn(reading(i * 3 + 7, x) + 5, x);
  }
  const c = new Learner(module);
  assert.equal(c.load(b.snapshot()), 0);
  for (const l of [a, c]) l.setParam(Param.SpikeT, 8);
  for (let i = 300; i < 900; i++) {
    const y = reading(i, x);
    assert.equal(a.learn(y, x) & REJECTS, c.learn(y, x) & REJECTS, `reject flags at reading ${i}`);
  }
});
