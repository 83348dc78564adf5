// A blob whose CRC matches can still hold values no module wrote: a writer's bug, or bytes
// damaged before the CRC was computed (a host that re-seals what it stores). Such a blob may be
// refused or give wrong answers, but the module must never trap on it: a trap aborts the
// firmware and costs the gateway the instance. Seeded: blobs of every kind, drift detector and
// response, and the older versions' fixtures, each damaged in a few random bytes and re-sealed,
// then loaded, taught 20 readings, snapshotted and reloaded, and every counter and metric read.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Kind, Learner, Param } from "../../host/learner/index.js";
import { blobCrc } from "../../host/learner/crc32.js";
import { bytes, fixturesIn, lcg } from "./old-blobs.js";

const CASES = 3000;

function seeds(rnd: () => number): { kind: Kind; blob: Uint8Array }[] {
  const out = ["v1-blobs.json", "abi2-blobs.json", "abi3-blobs.json", "abi4-blobs.json"].flatMap((f) => fixturesIn(f).map((x) => ({ kind: x.kind as Kind, blob: bytes(x) })));
  for (const kind of [Kind.Linear, Kind.Logistic, Kind.HalfSpace, Kind.AR, Kind.KMeans, Kind.Surprise, Kind.Mean]) {
    for (const detector of [0, 1, 2, 3]) {
      for (const response of [0, 1, 2]) {
        const l = new Learner().create(kind, kind === Kind.AR ? 2 : 3, {
          params: { [Param.DriftDetector]: detector, [Param.DriftResponse]: response, ...(kind === Kind.AR ? { [Param.ArExog]: 1 } : {}) },
        });
        for (let i = 0; i < 300; i++) {
          const x = Array.from({ length: l.nFeatures }, (_, j) => 10 * (j + 1) + Math.sin(i / 9) + rnd() + (i > 150 ? 3 : 0));
          l.learn(target(kind, x, rnd), x);
        }
        out.push({ kind, blob: l.snapshot() });
      }
    }
  }
  return out;
}

function target(kind: Kind, x: number[], rnd: () => number): number {
  if (kind === Kind.Logistic) return rnd() < 0.5 ? 0 : 1;
  if (kind === Kind.HalfSpace || kind === Kind.KMeans || kind === Kind.Surprise) return Number.NaN;
  return x[0] + rnd();
}

test(`${CASES} damaged blobs with a matching CRC: refused or learned from, never a trap`, () => {
  const rnd = lcg(2026);
  const all = seeds(rnd);
  let loaded = 0;
  for (let c = 0; c < CASES; c++) {
    const s = all[Math.floor(rnd() * all.length)];
    const b = s.blob.slice();
    const flips = 1 + Math.floor(rnd() * 8);
    for (let k = 0; k < flips; k++) {
      const at = 24 + Math.floor(rnd() * (b.length - 24)); // past the header: the CRC still has to match
      b[at] = rnd() < 0.5 ? Math.floor(rnd() * 256) : b[at] ^ (1 << Math.floor(rnd() * 8));
    }
    new DataView(b.buffer, b.byteOffset).setUint32(12, blobCrc(b, b.length), true);
    const l = new Learner();
    assert.doesNotThrow(() => {
      if (l.load(b) !== 0) return;
      loaded++;
      for (let i = 0; i < 20; i++) {
        const x = Array.from({ length: l.nFeatures }, () => 10 + rnd());
        l.learn(target(s.kind, x, rnd), x);
      }
      const again = new Learner();
      assert.equal(again.load(l.snapshot()), 0, "its own snapshot loads");
      for (let id = 0; id < 64; id++) {
        again.raw.get_count(id);
        again.raw.get_metric(id);
      }
    }, `case ${c}: kind ${Kind[s.kind]}`);
  }
  assert.ok(loaded > CASES / 4, `only ${loaded} of ${CASES} loaded: the damage is too blunt to reach the sections`);
});
