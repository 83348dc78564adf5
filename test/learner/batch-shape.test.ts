// Learner.learnBatch: rows and outputs that do not fit each other are refused before learning.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, LearnerError, Kind, ErrorCode, Count, batchOutputs, compileLearner } from "../../host/learner/index.js";

const module = compileLearner();
const refused = (code: ErrorCode) => (e: unknown) => e instanceof LearnerError && e.code === code;

test("rows that are not whole readings are refused, not cut", () => {
  const l = new Learner(module).create(Kind.Linear, 3);
  const before = l.snapshot();
  assert.throws(() => l.learnBatch(new Float32Array(4 * 5 + 2)), refused(ErrorCode.Length));
  assert.deepEqual(l.snapshot(), before);
  assert.equal(l.learnBatch(new Float32Array(4 * 5).fill(1)), 5);
  assert.equal(l.count(Count.Readings), 5);
});

test("outputs with room for fewer readings than the rows are refused; more room is fine", () => {
  const l = new Learner(module).create(Kind.Linear, 1);
  const rows = new Float32Array(2 * 10).fill(1);
  assert.throws(() => l.learnBatch(rows, batchOutputs(9)), refused(ErrorCode.Capacity));
  assert.equal(l.count(Count.Readings), 0, "nothing learned");
  const out = batchOutputs(12);
  assert.equal(l.learnBatch(rows, out), 10);
  assert.ok(out.flags[9] !== 0 && out.flags[10] === 0);
});
