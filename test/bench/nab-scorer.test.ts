// The project's NAB scorer reproduces NAB's published results for two detectors from their
// stored score files (../shared/data/nab/README.md gives the figures).

import { test } from "node:test";
import assert from "node:assert/strict";
import { hasNab, loadNab } from "../../bench/nab/corpus.js";
import { loadReferenceScores } from "../../bench/nab/reference.js";
import { PROFILES, planRows, sweep, type ScoredFile } from "../../bench/nab/scorer.js";
import { requireOrSkip } from "../helpers/require.js";

const PUBLISHED: Record<string, number[]> = {
  numenta: [70.101, 63.117, 74.32],
  randomCutForest: [51.717, 38.361, 59.749],
};

test("NAB scorer reproduces the published scores of numenta and randomCutForest", (t) => {
  if (!hasNab()) return requireOrSkip(t, "the NAB corpus (../shared/data/nab)");
  const corpus = loadNab();
  assert.equal(corpus.files.length, 58);
  let id = 0;
  const plans = corpus.files.map((f) => {
    const p = planRows(f.values.length, f.windows, id);
    id += f.windows.length;
    return p;
  });
  for (const [detector, expected] of Object.entries(PUBLISHED)) {
    const ref = loadReferenceScores(corpus, detector);
    assert.ok(ref, `reference scores for ${detector}`);
    const scored: ScoredFile[] = corpus.files.map((f, i) => ({ plan: plans[i], scores: ref.get(f.path)! }));
    PROFILES.forEach((profile, k) => {
      const r = sweep(scored, profile, corpus.labelCount);
      assert.ok(Math.abs(r.normalized - expected[k]) < 0.1, `${detector} ${profile.name}: ${r.normalized.toFixed(3)} vs published ${expected[k]}`);
    });
  }
});
