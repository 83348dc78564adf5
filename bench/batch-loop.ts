// A child program for the instruction counts: `node build/bench/batch-loop.js <module.wasm> <readings> [features]`
// learns <readings> rows of the benchmark stream (LINEAR regression at defaults, 8 features unless
// told) through learn_batch, and nothing else, so that a hardware counter around two runs of different lengths
// gives the cost of one reading by difference (start-up, compilation and tier-up cancel out).

import { Kind, Learner, compileLearner } from "../host/learner/index.js";
import { regressionRows } from "./lib/regression-rows.js";

/** Rows generated once and replayed: the generator's own cost stays out of the difference. */
const CHUNK = 200_000;

const [wasm, count, features = "8"] = process.argv.slice(2);
const readings = Number(count);
const NF = Number(features);
if (!wasm || !Number.isInteger(readings) || readings <= 0 || !Number.isInteger(NF) || NF < 1) {
  console.error("usage: batch-loop.js <module.wasm> <readings> [features]");
  process.exit(2);
}
const l = new Learner(compileLearner(wasm));
l.create(Kind.Linear, NF);
const rows = regressionRows(CHUNK, NF);
for (let done = 0; done < readings; done += CHUNK) {
  const n = Math.min(CHUNK, readings - done);
  l.learnBatch(n === CHUNK ? rows : rows.subarray(0, n * (NF + 1)));
}
