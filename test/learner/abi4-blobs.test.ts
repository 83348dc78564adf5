// Blobs written by a module of state-blob ABI version 4 (test/fixtures/learner-abi4.wasm, blobs
// of every kind and AR on exogenous inputs in test/fixtures/abi4-blobs.json, written by
// scripts/blob-fixtures.ts) still load in this one: the module lays them out in version 5 (a
// guard slot's two counts in one word, AR's covariance as its upper triangle), they predict
// exactly what they predicted there, report the same counters and metrics, learn as that module
// does from the same blob, and the next snapshot is a blob of this version.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Kind } from "../../host/learner/index.js";
import { testOlderVersion } from "./old-blobs.js";

const { fixtures } = testOlderVersion(4, { seed: 7, everyKind: true, olderArRule: false });

test("the version-4 fixtures hold a forecaster on exogenous inputs (a covariance of another size)", () => {
  assert.ok(fixtures.some((f) => f.kind === Kind.AR && f.nFeatures > 0));
});
