// The stream generators are deterministic and produce what their doc comments promise.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Prng, take, sea, gradualDrift, recurring, regressionDrift, meanShift, noisySinusoid, spikes, blobs } from "../../host/tools/sim/index.js";

test("Prng is deterministic and roughly uniform/normal", () => {
  const a = new Prng(42), b = new Prng(42), c = new Prng(43);
  const sa = Array.from({ length: 5 }, () => a.nextU32());
  assert.deepEqual(sa, Array.from({ length: 5 }, () => b.nextU32()));
  assert.notDeepEqual(sa, Array.from({ length: 5 }, () => c.nextU32()));
  const r = new Prng(1);
  let s = 0, s2 = 0;
  const n = 20000;
  for (let i = 0; i < n; i++) { const z = r.normal(); s += z; s2 += z * z; }
  assert.ok(Math.abs(s / n) < 0.05);
  assert.ok(Math.abs(s2 / n - 1) < 0.05);
});

test("every generator is seeded and deterministic", () => {
  const gens = [
    () => sea({ seed: 1, n: 300 }),
    () => gradualDrift({ seed: 1, n: 300, width: 50 }),
    () => recurring({ seed: 1, n: 300, period: 100 }),
    () => regressionDrift({ seed: 1, n: 300 }),
    () => meanShift({ seed: 1, n: 300 }),
    () => noisySinusoid({ seed: 1, n: 300 }),
    () => spikes({ seed: 1, n: 300 }),
    () => blobs({ seed: 1, n: 300 }),
  ];
  for (const g of gens) {
    const a = take(g()), b = take(g());
    assert.equal(a.length, 300);
    assert.deepEqual(JSON.stringify(a), JSON.stringify(b));
  }
});

test("SEA concepts change at the drift points and follow the rule", () => {
  const s = take(sea({ seed: 3, n: 4000, noise: 0 }));
  assert.equal(s[999].concept, 0);
  assert.equal(s[1000].concept, 1);
  for (const r of s.slice(0, 1000)) assert.equal(r.y, r.x[0] + r.x[1] <= 8 ? 1 : 0);
  const inv = take(sea({ seed: 3, n: 4000, noise: 0, invertOdd: true }));
  for (const r of inv.slice(1000, 2000)) assert.equal(r.y, r.x[0] + r.x[1] <= 9 ? 0 : 1);
});

test("spikes are labelled and blobs carry their index", () => {
  const s = take(spikes({ seed: 5, n: 5000, rate: 0.02 }));
  const k = s.filter((r) => r.anomaly).length;
  assert.ok(k > 50 && k < 150, `spikes ${k}`);
  const b = take(blobs({ seed: 5, n: 900 }));
  for (const r of b) assert.ok(r.cluster! >= 0 && r.cluster! < 3);
});
