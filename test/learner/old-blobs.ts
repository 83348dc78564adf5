// What the migration tests of older blobs share: fixtures written by an older module (hex blobs
// with predict_one's output on a probe reading) and the two checks every such blob gets.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { ABI_VERSION, Learner, compileLearner } from "../../host/learner/index.js";
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

/** Migrated, it learns the readings as the older module does from the same blob; the snapshot is
 * a blob of this version, of the same length, that reloads to the same state. */
export function testLearnsAsBefore(f: Fixture, what: string, older: WebAssembly.Module, readings: { x: number[]; y: number }[]): void {
  test(`${what} of ${f.name}: migrated, it learns as the older module does and snapshots as version ${ABI_VERSION}`, () => {
    const now = new Learner();
    const then = new Learner(older);
    assert.equal(now.load(bytes(f)), 0);
    assert.equal(then.load(bytes(f)), 0);
    for (const r of readings) {
      assert.equal(now.learn(r.y, r.x), then.learn(r.y, r.x), "flags");
      assert.ok(same(now.prediction, then.prediction) && same(now.score, then.score), `prediction ${now.prediction} vs ${then.prediction}`);
    }
    const snap = now.snapshot();
    const h = readBlobHeader(snap);
    assert.equal(h?.abiVersion, ABI_VERSION);
    assert.equal(snap.length, bytes(f).length, "the same length");
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
