import { test } from "node:test";
import assert from "node:assert/strict";
import { RollbackGuard, lossOf } from "../../host/health/guard.js";
import { Flag, Kind } from "../../host/learner/index.js";

const P = Flag.Predicted | Flag.Learned;
const opts = { warmup: 20, halfLife: 5, confirmReadings: 100, confirmMs: 0, maxRollbacks: 3 };

/** n readings of `loss`, stamped t0, t0 + step, ...: their verdicts. */
function feed(g: RollbackGuard, n: number, loss: number, flags = P, t0 = 0, step = 1) {
  const verdicts: string[] = [];
  for (let i = 0; i < n; i++) verdicts.push(g.observe(loss, flags, t0 + i * step));
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
  assert.ok(feed(g, 100, 4, P, 500, 100).includes("drift-confirmed"), "10 s of reading time");
});

const HOUR = 3600_000;
/** A guard on probation (a DRIFT flag at reading time t), confirming after 5 readings and 20 h. */
function onProbation(t: number) {
  const g = new RollbackGuard({ ...opts, warmup: 5, confirmReadings: 5, confirmMs: 20 * HOUR });
  feed(g, 10, 1, P, t - 10 * HOUR, HOUR);
  g.checkpoint();
  assert.equal(g.observe(1, P | Flag.Drift, t), "ok");
  assert.equal(g.status().mode, "probation");
  return g;
}
/** How many more readings, an hour apart from t, until the change is confirmed. */
function readingsToConfirm(g: RollbackGuard, t: number): number {
  for (let n = 1; n <= 100; n++) if (g.observe(1, P, t + n * HOUR) === "drift-confirmed") return n;
  return Infinity;
}

test("guard: confirmation counts the readings' own time, however fast they arrive", () => {
  const t = Date.UTC(2020, 0, 1);
  assert.equal(readingsToConfirm(onProbation(t), t), 20, "20 readings an hour apart: 20 h of reading time");
});

test("guard: one reading stamped far ahead counts a tenth of confirmMs at most, and a clock that goes back counts nothing and does not stop the count", () => {
  const t = Date.UTC(2020, 0, 1);
  const g = onProbation(t);
  assert.ok(!feed(g, 5, 1, P, t + HOUR, HOUR).includes("drift-confirmed")); // 5 h: the readings it needs, not the time
  assert.equal(g.observe(1, P, t + 365 * 24 * HOUR), "ok", "a year ahead does not confirm");
  // back to the right time (a gap backwards: 0), then an hour a reading: 5 + 2 h held, 13 to go
  assert.equal(readingsToConfirm(g, t + 5 * HOUR), 1 + 13);

  const h = onProbation(t);
  for (let k = 0; k < 5; k++) assert.equal(h.observe(1, P, t - (k + 1) * 24 * HOUR), "ok", "days back count nothing");
  assert.equal(readingsToConfirm(h, t - 5 * 24 * HOUR), 20, "an hour a reading from there");
});

test("guard: a saved state resumes with the probation's reading time, and a gap across the restart counts as one gap", () => {
  const t = Date.UTC(2020, 0, 1);
  const a = onProbation(t);
  feed(a, 8, 1, P, t + HOUR, HOUR); // 8 h held
  const saved = JSON.parse(JSON.stringify(a.save(1)));
  assert.equal(saved.v, 2);
  assert.equal(saved.probation_ms, 8 * HOUR);
  assert.equal(saved.last_ts, t + 8 * HOUR);
  const resumed = () => {
    const b = new RollbackGuard(a.opts);
    assert.equal(b.resume(saved), undefined);
    return b;
  };
  assert.equal(readingsToConfirm(resumed(), t + 8 * HOUR), 12, "the readings go on an hour apart: 12 h more");
  // readings lost across the restart: the next one 1000 h later counts 2 h, then an hour each
  assert.equal(readingsToConfirm(resumed(), t + 1007 * HOUR), 1 + 10);
  // a version 1 record kept the host time the probation started: its reading time starts again
  const v1 = { ...saved, v: 1, probation_start: Date.now() };
  delete v1.probation_ms;
  delete v1.last_ts;
  const c = new RollbackGuard(a.opts);
  assert.equal(c.resume(v1), undefined);
  assert.equal(c.status().mode, "probation");
  assert.equal(readingsToConfirm(c, t + 8 * HOUR), 1 + 20, "counted from the first reading after the restart");
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

test("guard: a saved state resumes into a guard that decides exactly as the original goes on to", () => {
  const a = new RollbackGuard(opts);
  feed(a, 40, 1);
  a.checkpoint();
  feed(a, 30, 5); // rolled back, on probation
  const saved = JSON.parse(JSON.stringify(a.save(30)));
  assert.equal(saved.mode, "probation");
  const b = new RollbackGuard(opts);
  assert.equal(b.resume(saved), undefined);
  assert.deepEqual(b.status(), a.status());
  const seq = [...Array(20).fill(5), ...Array(30).fill(1), ...Array(150).fill(2)];
  const va = seq.map((x, i) => a.observe(x, P, 1000 + i));
  const vb = seq.map((x, i) => b.observe(x, P, 1000 + i));
  assert.deepEqual(vb, va);
  assert.deepEqual(b.status(), a.status());
});

test("guard: a level or baseline over fewer than the minimum readings is not saved; a bad record is refused with its reason", () => {
  const g = new RollbackGuard({ ...opts, warmup: 0 });
  feed(g, 10, 0.5);
  g.checkpoint(); // baseline over 10 readings
  feed(g, 25, 0.5);
  const s = g.save(30);
  assert.equal(s.level, 0.5, "35 readings behind the level");
  assert.equal(s.baseline, null, "10 readings behind the baseline");
  assert.equal(new RollbackGuard(opts).save(30).level, null);
  const fresh = new RollbackGuard(opts);
  for (const [bad, why] of [
    [null, /not an object/],
    [{ ...s, v: 3 }, /version 3/],
    [{ ...s, mode: "degraded" }, /mode/],
    [{ ...s, rollbacks: -1 }, /rollbacks/],
    [{ ...s, level: "0.5" }, /level/],
    [{ ...s, probation_ms: null }, /probation_ms/],
    [{ ...s, probation_ms: -1 }, /probation_ms/],
    [{ ...s, last_ts: "now" }, /last_ts/],
    [{ ...s, v: 1 }, /probation_start/],
  ] as const) {
    assert.match(fresh.resume(bad) ?? "", why);
  }
  assert.deepEqual(fresh.status(), new RollbackGuard(opts).status(), "left as it was");
});
