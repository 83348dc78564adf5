// What the migration tests of older blobs share: fixtures written by an older module (hex blobs
// with predict_one's output on a probe reading) and the two checks every such blob gets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ABI_VERSION, Flag, Kind, Learner, compileLearner } from "../../host/learner/index.js";
import { blobCrc } from "../../host/learner/crc32.js";
import { readBlobHeader } from "../../host/learner/inspect.js";

export interface Fixture {
  name: string;
  kind: number;
  nFeatures: number;
  blob: string;
  probe: number[];
  prediction: number | null;
  score: number | null;
  flags: number;
}

/** The blobs of test/fixtures/<file>. */
export function fixturesIn(file: string): Fixture[] {
  return (JSON.parse(readFileSync(new URL(`../../../test/fixtures/${file}`, import.meta.url), "utf8")) as { blobs: Fixture[] }).blobs;
}

/** The older module test/fixtures/<file>. */
export function fixtureModule(file: string): WebAssembly.Module {
  return compileLearner(fileURLToPath(new URL(`../../../test/fixtures/${file}`, import.meta.url)));
}

/** A seeded uniform [0, 1) generator (a 32-bit LCG's top 24 bits): the streams replayed through
 * both modules must be the same on every run. */
export function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) >>> 8) / 16777216;
}

/**
 * n readings near a fixture's probe, moving slowly (no jump of 12 typical changes), each with the
 * target its kind learns from: a noisy sum of the features for LINEAR and MEAN, a class for
 * LOGISTIC, a wave for AR, none for the anomaly kinds.
 */
export function nearProbe(f: Fixture, n: number, seed: number): { x: number[]; y: number }[] {
  const rnd = lcg(seed);
  return Array.from({ length: n }, (_, i) => {
    const x = f.probe.map((v, j) => v + 0.02 * (rnd() - 0.5) + 0.3 * Math.sin(i / (20 + 3 * j)));
    const sum = x.reduce((a, v) => a + v, 0);
    const y =
      f.kind === Kind.Linear || f.kind === Kind.Mean ? sum * 0.3 + rnd()
      : f.kind === Kind.Logistic ? (x[0] + 0.5 * (rnd() - 0.5) > 10 ? 1 : 0)
      : f.kind === Kind.AR ? 12 + Math.sin(i / 17) + 0.05 * (rnd() - 0.5)
      : Number.NaN;
    return { x, y };
  });
}

/** Same f32 (null in a fixture is NaN). */
export const same = (a: number, b: number | null): boolean => (b === null ? Number.isNaN(a) : Object.is(Math.fround(a), Math.fround(b)));
export const bytes = (f: Fixture): Uint8Array => Uint8Array.from(Buffer.from(f.blob, "hex"));

/** It loads, and predicts the probe as the module that wrote it did. */
export function testPredictsAsBefore(f: Fixture, what: string): void {
  test(`${what} of ${f.name} loads and predicts as before`, () => {
    const l = new Learner();
    const blob = bytes(f);
    assert.equal(l.validate(blob), 0);
    assert.equal(l.load(blob), 0);
    assert.equal(l.kind, f.kind);
    l.predict(f.probe);
    const o = l.output();
    assert.ok(same(o.prediction, f.prediction), `prediction ${o.prediction} vs ${f.prediction}`);
    assert.ok(same(o.score, f.score), `score ${o.score} vs ${f.score}`);
    assert.equal(o.flags, f.flags);
  });
}

/**
 * AR's residual score is counted in units of two residual deviations since ABI 3 (docs/ABI.md
 * "Anomaly scores"): 1 − exp(−z²/8) where older modules gave 1 − exp(−z²/2). The score an older
 * module gave, carried over to the new unit; undefined where it had saturated (z lost).
 */
function arScoreInNewUnit(old: number): number | undefined {
  if (Number.isNaN(old)) return Number.NaN;
  if (old > 0.999) return undefined;
  const z2 = -2 * Math.log1p(-old);
  return -Math.expm1(-z2 / 8);
}

/** Every counter and metric id below 64, as the module reports them (NaN as null, so that
 * deepEqual compares them). */
function countsAndMetrics(l: Learner): { counts: number[]; metrics: (number | null)[] } {
  const ids = Array.from({ length: 64 }, (_, i) => i);
  return {
    counts: ids.map((i) => l.raw.get_count(i)),
    metrics: ids.map((i) => { const v = l.raw.get_metric(i); return Number.isNaN(v) ? null : v; }),
  };
}

/** Same score as the older module's, or for AR the same in the new unit (to 1e-3). */
function sameScore(kind: number, now: number, then: number): boolean {
  if (kind !== Kind.AR) return same(now, then);
  const want = arScoreInNewUnit(then);
  if (want === undefined) return now > 0.1; // a saturated old score is a large residual
  return Number.isNaN(want) ? Number.isNaN(now) : Math.abs(now - want) < 1e-3;
}

/** Bytes a blob of versions 1 to 3 had beyond version 4's layout: counters and metric slots that
 * were never used (assembly/layout.ts). */
export const UNUSED_V3_BYTES = 352;

/**
 * Migrated, it learns the readings as the older module does from the same blob; the snapshot is
 * a blob of this version, 352 bytes shorter than a blob of versions 1 to 3, that reloads to the
 * same state; every counter and metric reads as before. AR learns by a
 * newer rule (Huber's bound on a step, a scale that widens: models/forecast.ts), so after the
 * first reading (the same state: the same forecast, its score in the new unit) its forecasts
 * are held to stay within the target's noise of the older module's. A module that already learned
 * AR by today's rule (ABI version 3's latest: olderArRule false) must match it exactly.
 */
export function testLearnsAsBefore(f: Fixture, what: string, older: WebAssembly.Module, readings: { x: number[]; y: number }[], olderArRule = true): void {
  test(`${what} of ${f.name}: migrated, it learns as the older module does and snapshots as version ${ABI_VERSION}`, () => {
    const now = new Learner();
    const then = new Learner(older);
    assert.equal(now.load(bytes(f)), 0);
    assert.equal(then.load(bytes(f)), 0);
    const ar = olderArRule && f.kind === Kind.AR;
    const flagMask = ar ? ~Flag.Anomaly : ~0; // AR's flag follows its score's unit
    let worst = 0, total = 0;
    assert.deepEqual(countsAndMetrics(now), countsAndMetrics(then), "counters and metrics");
    readings.forEach((r, k) => {
      assert.equal(now.learn(r.y, r.x) & flagMask, then.learn(r.y, r.x) & flagMask, "flags");
      if (!ar || k === 0) {
        assert.ok(same(now.prediction, then.prediction), `prediction ${now.prediction} vs ${then.prediction}`);
        assert.ok(ar ? sameScore(f.kind, now.score, then.score) : same(now.score, then.score), `score ${now.score} vs ${then.score}`);
      } else {
        const d = Math.abs(now.prediction - then.prediction);
        worst = Math.max(worst, d);
        total += d;
      }
    });
    if (!ar) assert.deepEqual(countsAndMetrics(now), countsAndMetrics(then), "counters and metrics after learning");
    if (ar) {
      // the readings' targets carry uniform noise of width 1
      assert.ok(worst < 0.25 && total / (readings.length - 1) < 0.05, `forecasts apart by up to ${worst}, ${total / (readings.length - 1)} on average`);
    }
    const snap = now.snapshot();
    const h = readBlobHeader(snap);
    assert.equal(h?.abiVersion, ABI_VERSION);
    // every fixture is of version 1 to 3, which stored 64 counter and 64 metric slots; 24 and 16 are kept
    assert.equal(snap.length, bytes(f).length - UNUSED_V3_BYTES, "the length of this version's layout");
    assert.equal(h?.crcStored, blobCrc(snap, snap.length));
    // the migrated blob reloads and predicts what the live state predicts
    const again = new Learner();
    assert.equal(again.load(snap), 0);
    now.predict(f.probe);
    again.predict(f.probe);
    assert.ok(same(again.prediction, now.prediction) && same(again.score, now.score));
    assert.deepEqual(again.snapshot(), snap);
  });
}
