import { test } from "node:test";
import assert from "node:assert/strict";
import { CheckpointPolicy } from "../../host/store/policy.js";

test("checkpoint policy: every N readings or when the oldest unsaved reading is T old", () => {
  const p = new CheckpointPolicy({ everyReadings: 3, everyMs: 1000 });
  assert.equal(p.learned("a", 0), false);
  assert.equal(p.learned("a", 10), false);
  assert.equal(p.learned("a", 20), true);
  p.saved("a");
  assert.equal(p.unsaved("a"), 0);
  p.learned("b", 100);
  p.learned("c", 900);
  assert.deepEqual(p.dueByTime(1099), []);
  assert.deepEqual(p.dueByTime(1100), ["b"]);
  assert.deepEqual(p.pending().sort(), ["b", "c"]);
  assert.ok(p.tickMs() > 0 && p.tickMs() <= 1000);
  assert.throws(() => new CheckpointPolicy({ everyReadings: 0, everyMs: 0 }), /both be 0/);
  assert.throws(() => new CheckpointPolicy({ everyReadings: -1, everyMs: 5 }), /everyReadings/);
});
