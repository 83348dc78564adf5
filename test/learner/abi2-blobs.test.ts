// Blobs written by a module of state-blob ABI version 2 (test/fixtures/learner-abi2.wasm, blobs
// in test/fixtures/abi2-blobs.json, written by scripts/blob-fixtures.ts) still load in this one:
// the module migrates them on load (SURPRISE's row totals, the sums of their counts, make room
// for the spike statistics), they predict exactly what they predicted there, learn as that
// module does from the same blob while no spike comes back, and the next snapshot is a blob of
// this version. A spike that comes back is then reported, as the version-2 module could not.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Flag, Kind, Learner } from "../../host/learner/index.js";
import { readBlobHeader } from "../../host/learner/inspect.js";
import { bytes, fixtureModule, fixturesIn, nearProbe, testLearnsAsBefore, testPredictsAsBefore } from "./old-blobs.js";

const fixtures = fixturesIn("abi2-blobs.json");
const V2_MODULE = fixtureModule("learner-abi2.wasm");

test("the version-2 fixtures are version-2 blobs, written by the version-2 module", () => {
  assert.equal((new WebAssembly.Instance(V2_MODULE, {}).exports.abi_version as () => number)(), 2);
  for (const f of fixtures) assert.equal(readBlobHeader(bytes(f))?.abiVersion, 2, f.name);
  assert.ok(fixtures.some((f) => f.kind === Kind.Surprise));
});

for (const f of fixtures) {
  testPredictsAsBefore(f, "version-2 blob");
  testLearnsAsBefore(f, "version-2 blob", V2_MODULE, nearProbe(f, 400, 9));
}

test("after migration, a spike that comes back is reported; the version-2 module did not see it", () => {
  const f = fixtures.find((x) => x.kind === Kind.Surprise && x.nFeatures === 1)!;
  const now = new Learner(), then = new Learner(V2_MODULE);
  assert.equal(now.load(bytes(f)), 0);
  assert.equal(then.load(bytes(f)), 0);
  const rows = nearProbe(f, 400, 9);
  // one spike as high as the fixture's own level change (within the range it has seen)
  let nowAlarms = 0, thenAlarms = 0;
  rows.forEach((r, i) => {
    const x = i === 300 ? [r.x[0] + 2] : r.x;
    const a = now.learn(Number.NaN, x), b = then.learn(Number.NaN, x);
    if (i === 300 || i === 301) {
      if (a & Flag.Anomaly) nowAlarms++;
      if (b & Flag.Anomaly) thenAlarms++;
    }
  });
  assert.equal(thenAlarms, 0, "the version-2 module: nothing");
  assert.equal(nowAlarms, 1, "this one: the spike, once");
});
