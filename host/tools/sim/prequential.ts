// Runs a simulated stream through a learner in batches and returns every output record:
// the prequential (predict, then learn) view of the stream that tests and benchmarks score.
import { Learner, BatchOutputs, batchOutputs } from "../../learner/index.js";
import type { Sample } from "./streams.js";

/** Packs samples as learn_batch rows (features, then the target; n features each). */
export function toRows(samples: readonly Sample[], n: number): Float32Array {
  const rows = new Float32Array(samples.length * (n + 1));
  samples.forEach((s, i) => {
    for (let j = 0; j < n; j++) rows[i * (n + 1) + j] = s.x[j];
    rows[i * (n + 1) + n] = s.y;
  });
  return rows;
}

/** Feeds every sample through learn_batch; the learner must already be created with n features. */
export function prequential(learner: Learner, samples: readonly Sample[]): BatchOutputs {
  const n = learner.nFeatures;
  const out = batchOutputs(samples.length);
  learner.learnBatch(toRows(samples, n), out);
  return out;
}

/** Indices i where flags[i] has `bit`. */
export function flagged(out: BatchOutputs, bit: number): number[] {
  const r: number[] = [];
  out.flags.forEach((f, i) => {
    if (f & bit) r.push(i);
  });
  return r;
}
