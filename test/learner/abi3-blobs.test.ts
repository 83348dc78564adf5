// Blobs written by a module of state-blob ABI version 3 (test/fixtures/learner-abi3.wasm, blobs
// of every kind in test/fixtures/abi3-blobs.json, written by scripts/blob-fixtures.ts) still load
// in this one: the module lays them out in version 4 (counters and metric slots that were never
// used are dropped, 352 bytes), they predict exactly what they predicted there, report the same
// counters and metrics, learn as that module does from the same blob, and the next snapshot is a
// blob of this version.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Kind } from "../../host/learner/index.js";
import { readBlobHeader } from "../../host/learner/inspect.js";
import { bytes, fixtureModule, fixturesIn, nearProbe, testLearnsAsBefore, testPredictsAsBefore } from "./old-blobs.js";

const fixtures = fixturesIn("abi3-blobs.json");
const V3_MODULE = fixtureModule("learner-abi3.wasm");

test("the version-3 fixtures are version-3 blobs of every kind, written by the version-3 module", () => {
  assert.equal((new WebAssembly.Instance(V3_MODULE, {}).exports.abi_version as () => number)(), 3);
  for (const f of fixtures) assert.equal(readBlobHeader(bytes(f))?.abiVersion, 3, f.name);
  for (const k of [Kind.Linear, Kind.Logistic, Kind.HalfSpace, Kind.AR, Kind.KMeans, Kind.Surprise, Kind.Mean]) {
    assert.ok(fixtures.some((f) => f.kind === k), Kind[k]);
  }
});

for (const f of fixtures) {
  testPredictsAsBefore(f, "version-3 blob");
  testLearnsAsBefore(f, "version-3 blob", V3_MODULE, nearProbe(f, 400, 5), false);
}
