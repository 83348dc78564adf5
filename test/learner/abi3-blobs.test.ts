// Blobs written by a module of state-blob ABI version 3 (test/fixtures/learner-abi3.wasm, blobs
// of every kind in test/fixtures/abi3-blobs.json, written by scripts/blob-fixtures.ts) still load
// in this one: the module lays them out in this version (counters and metric slots that were
// never used are dropped, 352 bytes, then as for version 4), they predict exactly what they
// predicted there, report the same counters and metrics, learn as that module does from the same
// blob, and the next snapshot is a blob of this version.

import { testOlderVersion } from "./old-blobs.js";

testOlderVersion(3, { seed: 5, everyKind: true, olderArRule: false });
