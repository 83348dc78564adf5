// host/learner: the typed wrapper and the device pool.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  Learner, LearnerError, Kind, Param, Flag, Count, Metric, ErrorCode, batchOutputs,
  compileLearner, errorName, flagNames,
} from "../../host/learner/index.js";

const module = compileLearner();

function reading(i: number, x: Float32Array, nf: number): number {
  let y = 1;
  for (let j = 0; j < nf; j++) {
    x[j] = ((i * (j + 3) * 7919) % 1000) / 100 + j;
    y += (j % 2 ? -0.5 : 0.7) * x[j];
  }
  return y;
}

test("learn/predict through the input view, outputs read back", () => {
  const l = new Learner(module).create(Kind.Linear, 3, { params: { [Param.LearningRate]: 0.3 }, ranges: { 3: [-1e3, 1e3] } });
  assert.equal(l.getParam(Param.LearningRate), Math.fround(0.3));
  for (let i = 0; i < 2000; i++) {
    const y = reading(i, l.input, 3);
    const f = l.learn(y);
    assert.ok(f & Flag.Learned);
  }
  const y = reading(5000, l.input, 3);
  const f = l.predict();
  assert.ok(f & Flag.Predicted);
  assert.ok(Math.abs(l.prediction - y) < 0.05, `${l.prediction} vs ${y}`);
  const o = l.output();
  assert.equal(o.prediction, l.prediction);
  assert.equal(o.label, -1);
  assert.equal(l.count(Count.Learned), 2000);
  assert.ok(l.metric(Metric.MAE) > 0);
  assert.deepEqual(flagNames(Flag.Learned | Flag.Predicted), ["Learned", "Predicted"]);
});

test("errors become LearnerError with the module's code", () => {
  const l = new Learner(module);
  assert.throws(() => l.learn(1), (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.NoModel);
  assert.throws(() => l.create(Kind.Linear, 0), (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Features);
  l.create(Kind.Linear, 2);
  assert.throws(() => l.setParam(Param.LearningRate, NaN), /ERR_NON_FINITE/);
  assert.equal(errorName(ErrorCode.Crc), "ERR_CRC");
});

test("learnBatch over more rows than io holds equals one learn_one per row", () => {
  const nf = 4;
  const a = new Learner(module).create(Kind.Linear, nf);
  const b = new Learner(module).create(Kind.Linear, nf);
  const n = a.batchCapacity * 2 + 17;
  const rows = new Float32Array(n * (nf + 1));
  const x = new Float32Array(nf);
  const pred = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const y = reading(i, x, nf);
    rows.set(x, i * (nf + 1));
    rows[i * (nf + 1) + nf] = y;
    b.input.set(x);
    b.learn(y);
    pred[i] = b.prediction;
  }
  const out = batchOutputs(n);
  assert.equal(a.learnBatch(rows, out), n);
  assert.deepEqual(out.prediction, pred);
  assert.deepEqual(a.snapshot(), b.snapshot());
});

test("snapshot/validate/load copy blobs in and out; a bad blob leaves the state", () => {
  const l = new Learner(module).create(Kind.Logistic, 2);
  for (let i = 0; i < 100; i++) l.learn(i % 2, [i % 2, 1 - (i % 2)]);
  const blob = l.snapshot();
  assert.equal(l.validate(blob), 0);
  const bad = blob.slice();
  bad[blob.length - 1] ^= 1;
  assert.equal(l.load(bad), ErrorCode.Crc);
  assert.equal(l.load(new Uint8Array(l.raw.io_cap() + 1)), ErrorCode.Length);
  const m = new Learner(module);
  assert.equal(m.load(blob), 0);
  assert.equal(m.kind, Kind.Logistic);
  assert.deepEqual(m.snapshot(), blob);
  const into = new Uint8Array(blob.length);
  assert.equal(l.snapshotInto(into), blob.length);
  assert.deepEqual(into, blob);
});
