import { test } from "node:test";
import assert from "node:assert/strict";
import { DevicePool } from "../../host/devices/pool.js";
import { Learner, Kind, Flag } from "../../host/learner/index.js";
import { Prng } from "../../host/tools/sim/index.js";

function reading(r: Prng, d: number, x: Float32Array): number {
  let y = 0.5;
  for (let i = 0; i < d; i++) {
    x[i] = r.normal();
    y += (i + 1) * 0.3 * x[i];
  }
  return y + r.normal(0, 0.05);
}

/** Runs `devices` devices round-robin through a pool with `hot` instances; returns every device's final blob. */
function run(hot: number, devices: number, steps: number): { blobs: Map<string, Uint8Array>; swaps: number } {
  const pool = new DevicePool<null>({ maxDevices: devices, hotInstances: hot });
  const rngs = Array.from({ length: devices }, (_, i) => new Prng(100 + i));
  const x = new Float32Array(8);
  for (let i = 0; i < devices; i++) pool.create(pool.add(`d${i}`, null)!, Kind.Linear, 8);
  for (let s = 0; s < steps; s++) {
    // an irregular order, so LRU victims vary
    const i = (s * 7 + (s >> 3)) % devices;
    const y = reading(rngs[i], 8, x);
    const l = pool.use(pool.get(`d${i}`)!);
    l.input.set(x);
    const flags = l.raw.learn_one(y);
    assert.ok(flags >= 0);
  }
  const blobs = new Map<string, Uint8Array>();
  for (let i = 0; i < devices; i++) blobs.set(`d${i}`, pool.snapshot(pool.get(`d${i}`)!)!);
  return { blobs, swaps: pool.swaps };
}

test("LRU swapping is bit-identical to never swapping", () => {
  const unswapped = run(10, 10, 3000);
  const swapped = run(3, 10, 3000);
  const single = run(1, 10, 3000);
  assert.equal(unswapped.swaps, 0);
  assert.ok(swapped.swaps > 1000, `swaps ${swapped.swaps}`);
  for (const [name, blob] of unswapped.blobs) {
    assert.deepEqual(swapped.blobs.get(name), blob, name);
    assert.deepEqual(single.blobs.get(name), blob, name);
  }
});

test("the device cap refuses new devices and evicts nothing", () => {
  const pool = new DevicePool<number>({ maxDevices: 3, hotInstances: 2 });
  for (let i = 0; i < 3; i++) assert.ok(pool.add(`d${i}`, i));
  assert.equal(pool.add("d3", 3), undefined);
  assert.equal(pool.size, 3);
  assert.ok(pool.full);
  assert.deepEqual([...pool.names()], ["d0", "d1", "d2"]);
  assert.throws(() => pool.add("d0", 0), /already/);
});

test("hot instances stay within the bound; devices at rest are blobs", () => {
  const pool = new DevicePool<null>({ maxDevices: 100, hotInstances: 4 });
  for (let i = 0; i < 20; i++) pool.create(pool.add(`d${i}`, null)!, Kind.Logistic, 3);
  assert.equal(pool.hot, 4);
  const rest = [...pool.all()].filter((d) => d.slot < 0);
  assert.equal(rest.length, 16);
  for (const d of rest) assert.ok(d.blob.length > 16 && d.blob.length < 4096, `${d.blob.length} bytes`);
});

test("snapshot and load through the pool, on hot and resting devices; bad blobs refused, state kept", () => {
  const pool = new DevicePool<null>({ maxDevices: 10, hotInstances: 1 });
  const a = pool.add("a", null)!;
  const b = pool.add("b", null)!;
  const l = pool.create(a, Kind.Linear, 2);
  l.input.set([1, 2]);
  l.learn(3);
  const blobA = pool.snapshot(a)!;
  pool.create(b, Kind.Linear, 2); // a goes to rest
  assert.equal(a.slot, -1);
  assert.deepEqual(pool.snapshot(a), blobA);
  const corrupt = blobA.slice();
  corrupt[corrupt.length - 1] ^= 0xff;
  assert.ok(pool.load(a, corrupt) < 0);
  assert.deepEqual(pool.snapshot(a), blobA);
  assert.equal(pool.load(b, blobA), 0); // b (hot) now holds a's state
  assert.deepEqual(pool.snapshot(b), blobA);
  const lb = pool.use(b);
  lb.input.set([1, 2]);
  assert.ok(lb.predict() & Flag.Predicted);
  pool.remove(a);
  assert.equal(pool.get("a"), undefined);
  assert.equal(pool.size, 1);
});

test("a spare learner never disturbs the devices", () => {
  const pool = new DevicePool<null>({ maxDevices: 2, hotInstances: 1 });
  const a = pool.add("a", null)!;
  pool.create(a, Kind.Linear, 2);
  const before = pool.snapshot(a)!;
  const s = pool.spare();
  assert.ok(s instanceof Learner);
  s.create(Kind.Logistic, 5);
  assert.deepEqual(pool.snapshot(a), before);
});
