// Blobs written by the released 0.1.0 module (test/fixtures/learner-0.1.0.wasm, blobs in
// test/fixtures/v1-blobs.json) still load in this one,
// and predict exactly what they predicted there: users' stores and snapshots survive an upgrade.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { Learner } from "../../host/learner/index.js";

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

const same = (a: number, b: number | null): boolean => (b === null ? Number.isNaN(a) : Object.is(Math.fround(a), Math.fround(b)));

for (const f of fixtures) {
  test(`0.1.0 blob of ${f.name} loads and predicts as before`, () => {
    const l = new Learner();
    assert.equal(l.load(Uint8Array.from(Buffer.from(f.blob, "hex"))), 0);
    assert.equal(l.kind, f.kind);
    l.predict(f.probe);
    const o = l.output();
    assert.ok(same(o.prediction, f.prediction), `prediction ${o.prediction} vs ${f.prediction}`);
    assert.ok(same(o.score, f.score), `score ${o.score} vs ${f.score}`);
    assert.equal(o.flags, f.flags);
  });
}
