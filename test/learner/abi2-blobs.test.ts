// Blobs written by a module of state-blob ABI version 2 (test/fixtures/learner-abi2.wasm, blobs
// in test/fixtures/abi2-blobs.json, written by scripts/blob-fixtures.ts) still load in this one:
// the module migrates them on load (SURPRISE's row totals, the sums of their counts, make room
// for the spike statistics), they predict exactly what they predicted there, learn as that
// module does from the same blob while no spike comes back, and the next snapshot is a blob of
// this version. A spike that comes back is then reported, as the version-2 module could not.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Flag, Kind, Learner } from "../../host/learner/index.js";
import { bytes, nearProbe, testOlderVersion } from "./old-blobs.js";

const { fixtures, older: V2_MODULE } = testOlderVersion(2, { seed: 9, everyKind: false, olderArRule: true });

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
