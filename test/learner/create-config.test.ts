// Learner.create with a configuration: what happens when the module refuses part of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, LearnerError, Kind, Param, Count, Flag, ErrorCode, compileLearner } from "../../host/learner/index.js";

const module = compileLearner();

function trained(): Learner {
  const l = new Learner(module).create(Kind.Linear, 2, { params: { [Param.LearningRate]: 0.1 } });
  for (let i = 0; i < 100; i++) l.learn(2 * (i % 5) + 1, [i % 5, 1]);
  return l;
}

test("a refused parameter or range in create keeps the learned state it would have replaced", () => {
  const l = trained();
  const before = l.snapshot();
  assert.throws(
    () => l.create(Kind.Linear, 2, { params: { [Param.LearningRate]: -5 } }),
    (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Param,
  );
  assert.deepEqual(l.snapshot(), before);
  assert.equal(l.count(Count.Learned), 100);
  assert.equal(l.getParam(Param.LearningRate), Math.fround(0.1));
  assert.throws(
    () => l.create(Kind.Logistic, 3, { ranges: { 9: [0, 1] } }),
    (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Features,
  );
  assert.deepEqual(l.snapshot(), before);
  assert.equal(l.kind, Kind.Linear);
});

test("parameters and ranges keyed by name are refused, not applied to id 0", () => {
  const l = new Learner(module);
  const named = { params: { l2: 0.5 } } as unknown as { params: Record<number, number> };
  assert.throws(() => l.create(Kind.Linear, 2, named), (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Param && /"l2"/.test(e.message));
  const byField = { ranges: { humidity: [0, 1] } } as unknown as { ranges: Record<number, [number, number]> };
  assert.throws(() => l.create(Kind.Linear, 2, byField), (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Features && /"humidity"/.test(e.message));
  assert.equal(l.getParam(Param.LearningRate), new Learner(module).create(Kind.Linear, 2).getParam(Param.LearningRate));
  assert.ok(l.learn(1, [5, 0.5]) & Flag.Learned, "feature 0 keeps its open range: the reading is learned");
  assert.throws(() => l.setParam(Number("l2"), 0.5), (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Param);
  assert.throws(() => l.setFeatureRange(0.5, 0, 1), (e: unknown) => e instanceof LearnerError && e.code === ErrorCode.Features);
});

test("getParam of an id that is not a whole number is NaN, as for an unknown id, not parameter 0", () => {
  const l = new Learner(module).create(Kind.Linear, 2);
  assert.ok(Number.isNaN(l.getParam(Number("l2"))));
  assert.ok(Number.isNaN(l.getParam(0.5)));
  assert.ok(Number.isFinite(l.getParam(Param.LearningRate)));
});
