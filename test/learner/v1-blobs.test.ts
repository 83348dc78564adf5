// Blobs written by the released 0.1.0 module (ABI version 1: test/fixtures/learner-0.1.0.wasm,
// blobs in test/fixtures/v1-blobs.json) still load in this one (ABI_VERSION): the module
// migrates them on load, they predict exactly what they predicted there, keep learning exactly
// as the 0.1.0 module does from the same blob, and the next snapshot is a blob of this version.
// A blob that cannot be migrated is refused with its reason and the previous state kept.

import { test } from "node:test";
import assert from "node:assert/strict";
import { ABI_VERSION, ErrorCode, Flag, Kind, Learner } from "../../host/learner/index.js";
import { blobCrc } from "../../host/learner/crc32.js";
import { readBlobHeader } from "../../host/learner/inspect.js";
import { type Fixture, bytes, fixtureModule, fixturesIn, lcg, same, testLearnsAsBefore, testPredictsAsBefore } from "./old-blobs.js";

const fixtures = fixturesIn("v1-blobs.json");
const V1_MODULE = fixtureModule("learner-0.1.0.wasm");

/** A deterministic stream for a fixture: its probe drifting slowly, with a target. */
function stream(f: Fixture, n: number): { x: number[]; y: number }[] {
  const rnd = lcg(7);
  return Array.from({ length: n }, (_, i) => {
    const x = f.probe.map((v, j) => v + 0.05 * (rnd() - 0.5) * (1 + Math.abs(v)) + 0.001 * i * (j % 2 ? 1 : -1));
    const y = f.kind === Kind.Logistic ? (rnd() < 0.5 ? 0 : 1) : x.reduce((a, v) => a + v, 0) * 0.3 + rnd();
    return { x, y: f.kind === Kind.HalfSpace || f.kind === Kind.KMeans || f.kind === Kind.Surprise ? NaN : y };
  });
}

test("the 0.1.0 fixtures are version-1 blobs", () => {
  for (const f of fixtures) assert.equal(readBlobHeader(bytes(f))?.abiVersion, 1, f.name);
});

for (const f of fixtures) {
  testPredictsAsBefore(f, "0.1.0 blob");
  testLearnsAsBefore(f, "0.1.0 blob", V1_MODULE, stream(f, 300));
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
  for (const v of [0, ABI_VERSION + 1, 0xffff]) assert.equal(l.load(withVersion(bytes(f), v)), ErrorCode.Version, `version ${v}`);
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
  // an accepted reading ends the run; three more spikes are a new run, still rejected (spikes
  // that move: a far value repeated exactly is a fault code, which this module never accepts as
  // a level and 0.1.0 did)
  const rows = [normal(), [80, 5], [80.5, 5], [81, 5], normal(), [80, 5], [80.5, 5], [81, 5], [81.5, 5], normal()];
  // the drift detector's warnings are its own: Page-Hinkley restarts on a blob saved before it
  // worked in its stream's standard deviations (drift/page_hinkley.ts)
  const guardFlags = ~(Flag.DriftWarning | Flag.Drift | Flag.ModelSwapped);
  for (const x of rows) {
    assert.equal(now.learn(1, x) & guardFlags, then.learn(1, x) & guardFlags);
    assert.ok(same(now.prediction, then.prediction));
  }
  assert.equal(now.count(10), then.count(10)); // C_LEVEL_SHIFT
});
