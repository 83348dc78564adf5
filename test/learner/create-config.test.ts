// Learner.create with a configuration: what happens when the module refuses part of it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, LearnerError, Kind, Param, Count, ErrorCode, compileLearner } from "../../host/learner/index.js";

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
