// Cross-runtime conformance: every runner replays test/conformance/vectors against
// build/learner.wasm and must match Node's recorded results bit for bit.
// A runner whose tool is not installed is SKIPPED with its install command, unless
// EDGELEARN_REQUIRE_ALL=1 (CI), where a missing runner fails.
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, readFileSync } from "node:fs";
import { REGENERATE, sha256 } from "./format.js";
import { RUNNERS, loadManifest, plantedVectors, vectorsPresent } from "./runners.js";
import { WASM_PATH } from "./paths.js";

const requireAll = process.env.EDGELEARN_REQUIRE_ALL === "1";

function freshness(): string | undefined {
  if (!existsSync(WASM_PATH)) return `${WASM_PATH} is missing: run \`npm run build\``;
  if (!vectorsPresent()) return `no vectors in test/conformance/vectors: run \`${REGENERATE}\``;
  const m = loadManifest();
  const now = sha256(new Uint8Array(readFileSync(WASM_PATH)));
  if (m.wasm_sha256 !== now)
    return `build/learner.wasm changed (sha256 ${now}) since the vectors were generated (from ${m.wasm_sha256}). ` +
      `If the change is meant, regenerate them with \`${REGENERATE}\`, review the diff and commit test/conformance/vectors.`;
  return undefined;
}
const stale = freshness();

test("vectors were generated from this build/learner.wasm", (t) => {
  if (stale && !vectorsPresent() && !requireAll) return t.skip(`SKIPPED: ${stale}`);
  assert.equal(stale, undefined, stale);
});

for (const runner of RUNNERS) {
  test(`conformance: ${runner.name}`, (t) => {
    if (stale) return t.skip("SKIPPED: the vectors do not belong to this build/learner.wasm (see the first test)");
    const missing = runner.missing();
    if (missing) {
      if (requireAll) assert.fail(`${runner.name}: ${missing} (EDGELEARN_REQUIRE_ALL=1)`);
      console.log(`SKIPPED ${runner.name}: ${missing}`);
      return t.skip(`SKIPPED: ${missing}`);
    }
    const t0 = Date.now();
    const o = runner.run();
    for (const n of o.notes) t.diagnostic(n);
    t.diagnostic(`${o.passed.length} streams bit-identical in ${Date.now() - t0} ms`);
    assert.deepEqual(o.failures, [], `${runner.name} diverged:\n${o.failures.join("\n")}`);
    assert.ok(o.passed.length > 0, "no stream replayed");
    // The runner must also see a mismatch: three planted ones, one per kind of check.
    const p = runner.run(plantedVectors());
    assert.equal(p.failures.length, 3, `${runner.name} missed a planted mismatch: passed ${p.passed.join(", ") || "none"}`);
    t.diagnostic(`and caught the 3 planted mismatches: ${p.failures.map((f) => f.slice(0, 90)).join(" | ")}`);
  });
}
