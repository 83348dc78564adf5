// What the migration tests of older blobs share: fixtures written by an older module (hex blobs
// with predict_one's output on a probe reading) and the two checks every such blob gets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ABI_VERSION, DriftDetector, DriftResponse, Flag, Kind, Learner, Param, compileLearner } from "../../host/learner/index.js";
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

/** Counters and metrics 32–35 / 32–33: the drift detector's answers and window. */
const DRIFT_COUNTS = [32, 33, 34, 35];
const DRIFT_METRICS = [32, 33];

/** Every counter and metric id below 64, as the module reports them (NaN as null, so that
 * deepEqual compares them); without the drift detector's when withoutDrift. */
function countsAndMetrics(l: Learner, withoutDrift = false): { counts: (number | null)[]; metrics: (number | null)[] } {
  const ids = Array.from({ length: 64 }, (_, i) => i);
  return {
    counts: ids.map((i) => (withoutDrift && DRIFT_COUNTS.includes(i) ? null : l.raw.get_count(i))),
    metrics: ids.map((i) => { const v = l.raw.get_metric(i); return Number.isNaN(v) || (withoutDrift && DRIFT_METRICS.includes(i)) ? null : v; }),
  };
}

/** A parameter as a blob of any version stores it (docs/ABI.md "Blob layout"). */
function blobParam(blob: Uint8Array, id: Param): number {
  return new DataView(blob.buffer, blob.byteOffset, blob.byteLength).getFloat32(24 + 4 * id, true);
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
const UNUSED_V3_BYTES = 352;

const round16 = (n: number): number => (n + 15) & ~15;

/**
 * How much shorter an older blob is in this version's layout, worked out from its header and
 * parameters (docs/ABI.md "Versions and migration"), independently of the module: versions 1–3
 * drop 352 bytes of unused slots; versions 1–4 four bytes per guard slot (n + 1 of them), and
 * AR the lower half of its m × m covariance, m = order + exogenous inputs + 1, in its own section
 * and in a background model's (sections are padded to 16 bytes).
 */
function layoutShrink(blob: Uint8Array): number {
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const version = view.getUint16(4, true);
  const kind = view.getUint16(6, true);
  const n = view.getUint16(16, true);
  const param = (id: Param): number => blobParam(blob, id);
  let shrink = version <= 3 ? UNUSED_V3_BYTES : 0;
  if (version <= 4) {
    shrink += 4 * (n + 1);
    if (kind === Kind.AR) {
      const p = param(Param.ArOrder);
      const m = p + (param(Param.ArExog) !== 0 ? n : 0) + 1;
      const section = (covariance: number): number => round16(32 + 4 * (p + m + covariance));
      const background = param(Param.DriftDetector) !== DriftDetector.None && param(Param.DriftResponse) === DriftResponse.Background;
      shrink += (background ? 2 : 1) * (section(m * m) - section((m * (m + 1)) / 2));
    }
  }
  return shrink;
}

/**
 * Migrated, it learns the readings as the older module does from the same blob; the snapshot is
 * a blob of this version, shorter by layoutShrink, that reloads to the same state; every counter and metric reads as before. AR learns by a
 * newer rule (Huber's bound on a step, a scale that widens: models/forecast.ts), so after the
 * first reading (the same state: the same forecast, its score in the new unit) its forecasts
 * are held to stay within the target's noise of the older module's. A module that already learned
 * AR by today's rule (ABI version 3's latest: olderArRule false) must match it exactly. SURPRISE's
 * scores after the first reading are held within 0.01 of the older module's, its flags exactly.
 */
export function testLearnsAsBefore(f: Fixture, what: string, older: WebAssembly.Module, readings: { x: number[]; y: number }[], olderArRule = true): void {
  test(`${what} of ${f.name}: migrated, it learns as the older module does and snapshots as version ${ABI_VERSION}`, () => {
    const now = new Learner();
    const then = new Learner(older);
    assert.equal(now.load(bytes(f)), 0);
    assert.equal(then.load(bytes(f)), 0);
    const ar = olderArRule && f.kind === Kind.AR;
    // SURPRISE keeps a far jump that is not yet a level out of its range (models/surprise.ts),
    // which older modules did not: a background model started afresh at a warning has so narrow
    // a range that the stream's slow moves can be such jumps, and its scores then move apart
    // from the older module's by a little (its flags may not)
    const surprise = f.kind === Kind.Surprise;
    // Page-Hinkley now works in its stream's own standard deviations (drift/page_hinkley.ts): a
    // blob saved before restarts its test, so its warnings, drifts and window are its own, and
    // once either module answers a drift (and responds) the two models learn apart
    const ph = blobParam(bytes(f), Param.DriftDetector) === DriftDetector.PageHinkley;
    const driftFlags = ph ? Flag.DriftWarning | Flag.Drift | Flag.ModelSwapped : 0;
    const flagMask = ~(ar ? Flag.Anomaly : 0) & ~driftFlags; // AR's flag follows its score's unit
    const compared = (l: Learner) => countsAndMetrics(l, ph);
    let worst = 0, total = 0;
    assert.deepEqual(compared(now), compared(then), "counters and metrics");
    let apart = false;
    readings.forEach((r, k) => {
      const a = now.learn(r.y, r.x), b = then.learn(r.y, r.x);
      apart ||= ((a | b) & Flag.Drift) !== 0 && ph;
      if (apart) return;
      assert.equal(a & flagMask, b & flagMask, "flags");
      if (surprise && k > 0) {
        assert.ok(Math.abs(now.score - then.score) < 0.01, `score ${now.score} vs ${then.score}`);
      } else if (!ar || k === 0) {
        assert.ok(same(now.prediction, then.prediction), `prediction ${now.prediction} vs ${then.prediction}`);
        assert.ok(ar ? sameScore(f.kind, now.score, then.score) : same(now.score, then.score), `score ${now.score} vs ${then.score}`);
      } else {
        const d = Math.abs(now.prediction - then.prediction);
        worst = Math.max(worst, d);
        total += d;
      }
    });
    if (!ar && !apart) assert.deepEqual(compared(now), compared(then), "counters and metrics after learning");
    if (ar) {
      // the readings' targets carry uniform noise of width 1
      assert.ok(worst < 0.25 && total / (readings.length - 1) < 0.05, `forecasts apart by up to ${worst}, ${total / (readings.length - 1)} on average`);
    }
    const snap = now.snapshot();
    const h = readBlobHeader(snap);
    assert.equal(h?.abiVersion, ABI_VERSION);
    assert.equal(snap.length, bytes(f).length - layoutShrink(bytes(f)), "the length of this version's layout");
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

/**
 * The tests every fixture set of an older version gets (test/fixtures/abi<version>-blobs.json,
 * written by test/fixtures/learner-abi<version>.wasm): the fixtures are that version's blobs,
 * written by that module, of every kind when everyKind; each loads and predicts as before, and,
 * migrated, learns `readings` near its probe as the older module does.
 */
export function testOlderVersion(version: number, opts: { seed: number; everyKind: boolean; olderArRule: boolean }): { fixtures: Fixture[]; older: WebAssembly.Module } {
  const fixtures = fixturesIn(`abi${version}-blobs.json`);
  const older = fixtureModule(`learner-abi${version}.wasm`);
  test(`the version-${version} fixtures are version-${version} blobs${opts.everyKind ? " of every kind" : ""}, written by the version-${version} module`, () => {
    assert.equal((new WebAssembly.Instance(older, {}).exports.abi_version as () => number)(), version);
    for (const f of fixtures) assert.equal(readBlobHeader(bytes(f))?.abiVersion, version, f.name);
    const kinds = opts.everyKind ? [Kind.Linear, Kind.Logistic, Kind.HalfSpace, Kind.AR, Kind.KMeans, Kind.Surprise, Kind.Mean] : [Kind.Surprise];
    for (const k of kinds) assert.ok(fixtures.some((f) => f.kind === k), Kind[k]);
  });
  for (const f of fixtures) {
    testPredictsAsBefore(f, `version-${version} blob`);
    testLearnsAsBefore(f, `version-${version} blob`, older, nearProbe(f, 400, opts.seed), opts.olderArRule);
  }
  return { fixtures, older };
}
