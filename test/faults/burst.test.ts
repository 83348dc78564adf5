// Fault (c): an hour of plausible but wrong readings (a miscalibrated sensor that passes the
// module's guard). With the rollback guard on, the error after the burst must return to the
// pre-burst level much faster than without it; a change that persists must still be learned.
import { test } from "node:test";
import assert from "node:assert/strict";
import { runBurst } from "./burst-run.js";

const SEEDS = [11, 12, 13, 14, 15];

test("bad-data burst: the rollback guard recovers the pre-burst error at least 4× faster", () => {
  for (const seed of SEEDS) {
    const off = runBurst({ seed, guard: false });
    const on = runBurst({ seed, guard: true });
    const msg = `seed ${seed}: recovery ${off.recovery} s without the guard, ${on.recovery} s with it; ` +
      `30-min mean |error| after ${off.postMean.toFixed(3)} vs ${on.postMean.toFixed(3)} (pre-burst ${on.preLevel.toFixed(3)})`;
    console.log(msg);
    assert.ok(off.recovery >= 60, `without the guard the model has to re-learn: ${msg}`);
    assert.ok(on.recovery * 4 <= off.recovery, msg);
    assert.ok(on.postMean <= 0.8 * off.postMean, msg);
    assert.ok(on.postMean <= 1.15 * on.preLevel, msg);
    assert.ok(on.rollbacks >= 1, msg);
  }
});

test("bad-data burst: a change that persists is confirmed as drift and learned, not rolled back forever", () => {
  const on = runBurst({ seed: SEEDS[0], guard: true, burst: 4 * 3600, after: 0 });
  const off = runBurst({ seed: SEEDS[0], guard: false, burst: 4 * 3600, after: 0 });
  assert.equal(on.confirmedDrifts, 1);
  assert.ok(on.lateBurstMean <= 1.1 * off.lateBurstMean, `${on.lateBurstMean} vs ${off.lateBurstMean}`);
  assert.ok(on.lateBurstMean <= 1.3 * on.preLevel);
});
