// Learner.learn / predict with a features array: it must fit the model.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Learner, LearnerError, Kind, ErrorCode, compileLearner } from "../../host/learner/index.js";

const module = compileLearner();
const refused = (code: ErrorCode) => (e: unknown) => e instanceof LearnerError && e.code === code;

test("a features array shorter or longer than the model is refused, not mixed with the last reading", () => {
  const l = new Learner(module).create(Kind.Linear, 3);
  for (let i = 0; i < 50; i++) l.learn(i % 4, [i % 4, 1, 2]);
  const before = l.snapshot();
  assert.throws(() => l.predict([1, 2]), refused(ErrorCode.Features));
  assert.throws(() => l.learn(1, [1, 2]), refused(ErrorCode.Features));
  assert.throws(() => l.learn(1, [1, 2, 3, 4]), refused(ErrorCode.Features));
  assert.deepEqual(l.snapshot(), before, "nothing was learned");
  assert.ok(l.learn(1, [1, 2, 3]) >= 0);
  assert.throws(() => new Learner(module).learn(1, [1]), refused(ErrorCode.NoModel));
  const ar = new Learner(module).create(Kind.AR, 0);
  assert.ok(ar.learn(1, []) >= 0, "a pure series takes an empty array");
});
