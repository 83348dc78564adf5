import { test } from "node:test";
import assert from "node:assert/strict";
import { RollbackGuard, lossOf } from "../../host/health/guard.js";
import { Flag, Kind } from "../../host/learner/index.js";

const P = Flag.Predicted | Flag.Learned;
const opts = { warmup: 20, halfLife: 5, confirmReadings: 100, confirmMs: 0, maxRollbacks: 3 };

function feed(g: RollbackGuard, n: number, loss: number, flags = P, t0 = 0) {
  const verdicts: string[] = [];
  for (let i = 0; i < n; i++) verdicts.push(g.observe(loss, flags, t0 + i));
  return verdicts;
}

test("guard: a healthy checkpoint sets the baseline; degradation rolls back once, then probation", () => {
  const g = new RollbackGuard(opts);
  feed(g, 30, 1);
  assert.equal(g.checkpoint(), true);
  assert.equal(g.status().baseline, 1);
  const v = feed(g, 30, 5);
  assert.equal(v.filter((x) => x === "rollback").length, 1);
  assert.equal(g.status().mode, "probation");
  assert.equal(g.checkpoint(), false, "nothing learned on probation is known-good");
});

test("guard: a burst that ends before confirmation is rolled back; a change that holds is confirmed", () => {
  const g = new RollbackGuard(opts);
  feed(g, 30, 1);
  g.checkpoint();
  feed(g, 5, 5); // degrade ...
  feed(g, 40, 5); // ... rollback, probation; the model adapts to the burst:
  feed(g, 40, 1.2);
  assert.equal(g.status().mode, "probation");
  let n = 0; // the burst ends: the adapted model is wrong again
  while (g.observe(6, P, 0) !== "rollback") assert.ok(++n < 20, "rolls back within a few readings");
  assert.equal(g.status().mode, "healthy");
  feed(g, 30, 1); // the known-good model fits the data again
  assert.equal(g.checkpoint(), true);
  assert.equal(g.rollbacks, 2);

  const h = new RollbackGuard(opts);
  feed(h, 30, 1);
  h.checkpoint();
  const v = feed(h, 300, 3); // a lasting change at a new level
  assert.ok(v.includes("drift-confirmed"));
  assert.equal(h.status().mode, "healthy");
  assert.equal(h.checkpoint(), true);
  assert.ok(Math.abs(h.status().baseline - 3) < 1e-9);
});

test("guard: a DRIFT flag moves to probation without rolling back; confirmation needs reading time too", () => {
  const g = new RollbackGuard({ ...opts, confirmMs: 10_000 });
  feed(g, 30, 1);
  g.checkpoint();
  assert.equal(g.observe(4, P | Flag.Drift, 100), "ok");
  assert.equal(g.status().mode, "probation");
  assert.ok(!feed(g, 300, 4, P, 101).includes("drift-confirmed"), "only 300 ms of reading time");
  assert.ok(feed(g, 10, 4, P, 20_000).includes("drift-confirmed"));
});

test("guard: rejected readings are not judged; disabled never rolls back and is always known-good", () => {
  const g = new RollbackGuard(opts);
  feed(g, 30, 1);
  g.checkpoint();
  assert.ok(!feed(g, 100, Number.NaN).includes("rollback"));
  const off = new RollbackGuard({ ...opts, enabled: false });
  feed(off, 30, 1);
  off.checkpoint();
  assert.ok(!feed(off, 100, 50).includes("rollback"));
  assert.equal(off.checkpoint(), true);
  assert.throws(() => new RollbackGuard({ factor: 0.5 }), /factor/);
});

test("lossOf: per kind, NaN for rejected or unscored readings", () => {
  const o = { prediction: 1, score: 0.9, error: -2, extra: 3, flags: P, label: -1 };
  assert.equal(lossOf(Kind.Linear, o), 2);
  assert.equal(lossOf(Kind.Logistic, { ...o, error: 0.3 }), 0.3);
  assert.equal(lossOf(Kind.HalfSpace, { ...o, flags: P | Flag.Anomaly }), 1);
  assert.equal(lossOf(Kind.HalfSpace, o), 0);
  assert.equal(lossOf(Kind.KMeans, o), 3);
  assert.ok(Number.isNaN(lossOf(Kind.Linear, { ...o, flags: Flag.RejSpike })));
  assert.ok(Number.isNaN(lossOf(Kind.Linear, { ...o, flags: 0 })));
  // the forecaster predicts and scores a target it refuses; its error is not the model's loss
  assert.ok(Number.isNaN(lossOf(Kind.AR, { ...o, flags: P | Flag.RejBadTarget })));
  assert.ok(Number.isNaN(lossOf(Kind.AR, { ...o, flags: P | Flag.RejRange })));
});
