// Blobs written by the released 0.1.0 module (ABI version 1: test/fixtures/learner-0.1.0.wasm,
// blobs in test/fixtures/v1-blobs.json) still load in this one (ABI version 2): the module
// migrates them on load, they predict exactly what they predicted there, keep learning exactly
// as the 0.1.0 module does from the same blob, and the next snapshot is a version-2 blob. A blob
// that cannot be migrated is refused with its reason and the previous state kept.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ABI_VERSION, ErrorCode, Kind, Learner, compileLearner } from "../../host/learner/index.js";
import { blobCrc } from "../../host/learner/crc32.js";
import { readBlobHeader } from "../../host/learner/inspect.js";

interface Fixture {
  name: string;
  kind: number;
  nFeatures: number;
  blob: string;
  probe: number[];
  prediction: number;
  score: number;
  flags: number;
}

const fixtures = (JSON.parse(readFileSync(new URL("../../../test/fixtures/v1-blobs.json", import.meta.url), "utf8")) as { blobs: Fixture[] }).blobs;
const V1_MODULE = compileLearner(fileURLToPath(new URL("../../../test/fixtures/learner-0.1.0.wasm", import.meta.url)));

const same = (a: number, b: number | null): boolean => (b === null ? Number.isNaN(a) : Object.is(Math.fround(a), Math.fround(b)));
const bytes = (f: Fixture) => Uint8Array.from(Buffer.from(f.blob, "hex"));

/** A deterministic stream for a fixture: its probe drifting slowly, with a target. */
function stream(f: Fixture, n: number): { x: number[]; y: number }[] {
  let s = 7;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  return Array.from({ length: n }, (_, i) => {
    const x = f.probe.map((v, j) => v + 0.05 * (rnd() - 0.5) * (1 + Math.abs(v)) + 0.001 * i * (j % 2 ? 1 : -1));
    const y = f.kind === Kind.Logistic ? (rnd() < 0.5 ? 0 : 1) : x.reduce((a, v) => a + v, 0) * 0.3 + rnd();
    return { x, y: f.kind === Kind.HalfSpace || f.kind === Kind.KMeans || f.kind === Kind.Surprise ? NaN : y };
  });
}

for (const f of fixtures) {
  test(`0.1.0 blob of ${f.name} loads and predicts as before`, () => {
    const l = new Learner();
    const blob = bytes(f);
    assert.equal(readBlobHeader(blob)?.abiVersion, 1);
    assert.equal(l.validate(blob), 0);
    assert.equal(l.load(blob), 0);
    assert.equal(l.kind, f.kind);
    l.predict(f.probe);
    const o = l.output();
    assert.ok(same(o.prediction, f.prediction), `prediction ${o.prediction} vs ${f.prediction}`);
    assert.ok(same(o.score, f.score), `score ${o.score} vs ${f.score}`);
    assert.equal(o.flags, f.flags);
  });

  test(`0.1.0 blob of ${f.name}: migrated, it learns as the 0.1.0 module does and snapshots as version ${ABI_VERSION}`, () => {
    const now = new Learner();
    const then = new Learner(V1_MODULE);
    assert.equal(now.load(bytes(f)), 0);
    assert.equal(then.load(bytes(f)), 0);
    for (const r of stream(f, 300)) {
      const a = now.learn(r.y, r.x), b = then.learn(r.y, r.x);
      assert.equal(a, b, "flags");
      assert.ok(same(now.prediction, then.prediction) && same(now.score, then.score), `prediction ${now.prediction} vs ${then.prediction}`);
    }
    const snap = now.snapshot();
    const h = readBlobHeader(snap);
    assert.equal(h?.abiVersion, ABI_VERSION);
    assert.equal(h?.crcStored, blobCrc(snap, snap.length));
    // the version-2 blob reloads and predicts what the live state predicts
    const again = new Learner();
    assert.equal(again.load(snap), 0);
    now.predict(f.probe);
    again.predict(f.probe);
    assert.ok(same(again.prediction, now.prediction) && same(again.score, now.score));
    assert.deepEqual(again.snapshot(), snap);
  });
}

/** A copy of blob with the version field set to v and a CRC that matches. */
function withVersion(blob: Uint8Array, v: number): Uint8Array {
  const b = blob.slice();
  new DataView(b.buffer).setUint16(4, v, true);
  new DataView(b.buffer).setUint32(12, blobCrc(b, b.length), true);
  return b;
}

test("a blob the module cannot migrate is refused with its reason, the state kept", () => {
  const f = fixtures[0];
  const l = new Learner().create(Kind.Linear, 3);
  for (let i = 0; i < 50; i++) l.learn(i % 7, [i % 3, i % 5, i % 2]);
  const before = l.snapshot();
  const damaged = bytes(f);
  damaged[damaged.length - 5] ^= 0x40;
  assert.equal(l.validate(damaged), ErrorCode.Crc);
  assert.equal(l.load(damaged), ErrorCode.Crc);
  for (const v of [0, 3, 0xffff]) assert.equal(l.load(withVersion(bytes(f), v)), ErrorCode.Version, `version ${v}`);
  assert.equal(l.load(withVersion(bytes(f), 1)), 0); // the same bytes with version 1 are fine
  assert.equal(l.load(before), 0);
  assert.deepEqual(l.snapshot(), before);
  // refused loads leave the live state as it was
  assert.equal(l.load(damaged), ErrorCode.Crc);
  assert.deepEqual(l.snapshot(), before);
});

test("a version-1 blob caught in a run of spikes keeps counting it as the 0.1.0 module does", () => {
  // 0.1.0 writes the blob two spikes into a run (SPIKE_RESET = 4 accepts a level shift)
  const writer = new Learner(V1_MODULE).create(Kind.Linear, 2);
  let s = 3;
  const rnd = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
  const normal = () => [20 + rnd(), 5 + rnd()];
  for (let i = 0; i < 200; i++) writer.learn(1 + rnd(), normal());
  for (let i = 0; i < 2; i++) assert.ok(writer.learn(1, [80, 5]) & 8, "spike rejected");
  const blob = writer.snapshot();
  assert.equal(readBlobHeader(blob)?.abiVersion, 1);
  const now = new Learner(), then = new Learner(V1_MODULE);
  assert.equal(now.load(blob), 0);
  assert.equal(then.load(blob), 0);
  // an accepted reading ends the run; three more spikes are a new run, still rejected
  const rows = [normal(), [80, 5], [80, 5], [80, 5], normal(), [80, 5], [80, 5], [80, 5], [80, 5], normal()];
  for (const x of rows) {
    assert.equal(now.learn(1, x), then.learn(1, x));
    assert.ok(same(now.prediction, then.prediction));
  }
  assert.equal(now.count(10), then.count(10)); // C_LEVEL_SHIFT
});
