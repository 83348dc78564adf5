// A short seeded fuzz run of the payload and configuration doors (test/fuzz/cases.ts); the
// million-case run is `npm run bench -- --only fuzz`.
import { test } from "node:test";
import assert from "node:assert/strict";
import { fuzzConfigs, fuzzPayloads } from "./cases.js";

test("fuzzed payloads: nothing crashes, only valid readings reach a model", () => {
  const r = fuzzPayloads(5000, 20261127);
  assert.deepEqual(r.failures, []);
  assert.ok(r.outcomes.learned > 100 && r.outcomes.refused_by_host > 100, JSON.stringify(r.outcomes));
});

test("fuzzed configurations: a configuration or a ConfigError, nothing else", () => {
  const r = fuzzConfigs(3000, 20261127, undefined, 50);
  assert.deepEqual(r.failures, []);
  assert.ok(r.outcomes.accepted > 10 && r.outcomes.config_error > 100, JSON.stringify(r.outcomes));
});
