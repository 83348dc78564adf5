// The module keeps copies of the parameters a reading reads (assembly/layout.ts cacheParams):
// whatever way the parameters change — create, set_param, load of a blob with other settings,
// reset — the next reading must use the new ones. Two learners that reach the same parameters
// by different ways must answer bit for bit alike from then on.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, Kind, Param, Metric, compileLearner } from "../../host/learner/index.js";

const module = compileLearner();
const NF = 3;

function reading(i: number, x: Float32Array): number {
  let y = 2;
  for (let j = 0; j < NF; j++) {
    x[j] = ((i * (j + 5) * 7919) % 997) / 50 + 3 * j;
    y += (j % 2 ? -0.4 : 0.6) * x[j];
  }
  return y + (i % 97 === 50 ? 40 : 0); // an outlying target now and then (TARGET_SPIKE)
}

/** Feeds readings from..to into every learner; asserts they answer alike; returns the last output's prediction. */
function sameOn(ls: Learner[], from: number, to: number): number {
  const x = new Float32Array(NF);
  let p = NaN;
  for (let i = from; i < to; i++) {
    const y = reading(i, x);
    const flags = ls.map((l) => l.learn(y, x));
    const preds = ls.map((l) => l.prediction);
    for (let k = 1; k < ls.length; k++) {
      assert.equal(flags[k], flags[0], `flags at reading ${i}`);
      assert.ok(Object.is(preds[k], preds[0]), `prediction at reading ${i}: ${preds[k]} vs ${preds[0]}`);
    }
    p = preds[0];
  }
  for (let k = 1; k < ls.length; k++) assert.ok(Object.is(ls[k].metric(Metric.MAE_EW), ls[0].metric(Metric.MAE_EW)));
  return p;
}

const SETTINGS: [Param, number][] = [
  [Param.LearningRate, 0.05], [Param.SpikeT, 5], [Param.MetricAlpha, 0.3], [Param.StuckK, 0],
  [Param.ScalerAlpha, 0.05], [Param.GradForget, 0], [Param.Warmup, 10],
];

test("a blob loaded over a learner with other settings learns with the blob's settings", () => {
  const a = new Learner(module).create(Kind.Linear, NF);
  for (const [id, v] of SETTINGS) a.setParam(id, v);
  sameOn([a], 0, 300);
  const b = new Learner(module).create(Kind.Linear, NF); // defaults, and some learning of its own
  sameOn([b], 1000, 1100);
  assert.equal(b.load(a.snapshot()), 0);
  sameOn([a, b], 300, 900);
});

test("set_param takes effect on the next reading, whatever the learner did before", () => {
  const a = new Learner(module).create(Kind.Linear, NF);
  const b = new Learner(module).create(Kind.Linear, NF);
  const c = new Learner(module).create(Kind.Linear, NF); // keeps the defaults
  sameOn([a, b, c], 0, 200);
  for (const l of [a, b]) for (const [id, v] of SETTINGS) l.setParam(id, v);
  const pab = sameOn([a, b], 200, 600);
  const pc = sameOn([c], 200, 600);
  assert.notEqual(pab, pc, "the new settings changed what the model learned");
  // back to the defaults on one, through a blob on the other
  for (const [id] of SETTINGS) a.setParam(id, c.getParam(id));
  assert.equal(b.load(a.snapshot()), 0);
  sameOn([a, b], 600, 900);
  // reset keeps the parameters: a reset learner and a fresh one with the same settings agree
  a.reset();
  const d = new Learner(module).create(Kind.Linear, NF);
  sameOn([a, d], 0, 300);
});
