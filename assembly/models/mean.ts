// MEAN (kind 7): the baseline every regression model should beat. It predicts the
// exponentially weighted mean of the target seen so far and ignores the features, so a user can
// run it beside LINEAR or AR on the same readings and see what the model adds over "the usual
// value" (its MAE/RMSE are the prequential metrics of that guess). Section: one MeanHead.
//   mean ← mean + a (y − mean),  a = max(MEAN_ALPHA, 1/n) after n targets (a plain running mean
//   until 1/n falls below MEAN_ALPHA, so the start is not biased towards 0).

import { P_MEAN_ALPHA } from "../abi";
import { param } from "../layout";
import { setPrediction } from "./prediction";

@unmanaged class MeanHead {
  n: u32; // targets learned (saturating)
  mean: f32; // EW mean of the target
}

const N_SAT: u32 = 0x3FFFFFFF;

@inline function head(m: usize): MeanHead {
  return changetype<MeanHead>(m);
}

/** Bytes of the section (no parameter changes it). */
export function meanBytes(): i32 {
  return <i32>offsetof<MeanHead>();
}

/** Forgets the mean (reset, and the RESET drift response). */
export function meanReset(m: usize): void {
  head(m).n = 0;
  head(m).mean = 0;
}

/** Predicts the current mean (0 before the first target); the error needs a target y. */
export function meanPredict(m: usize, y: f32): void {
  const h = head(m);
  const pred = h.mean;
  setPrediction(pred, NaN, y - y == 0 ? y - pred : NaN, NaN, -1, h.n == 0, true);
}

export function meanLearn(m: usize, y: f32): void {
  const h = head(m);
  const n = h.n < N_SAT ? h.n + 1 : h.n;
  h.n = n;
  const a = Mathf.max(param(P_MEAN_ALPHA), <f32>1.0 / <f32>n);
  h.mean = h.mean + a * (y - h.mean);
}

/** The current mean (what meanPredict predicts). */
export function meanValue(m: usize): f32 {
  return head(m).mean;
}
