// The one dispatch over model kinds. Each kind is one file in this folder with the same set of
// functions: bytes (section size from a parameter block), shape (writes the structural head
// from the live parameters), reset, restart (the RESET drift response: keep what is known,
// move fast again), predict (sets models/prediction.ts) and learn. LINEAR and LOGISTIC share
// models/linear.ts; the pipeline runs their predict and learn fused with the guard's pass.
// Adding a kind: its file here, its rows in abi.ts and params.ts, and one case per switch below.

import {
  KIND_LINEAR, KIND_LOGISTIC, KIND_HALFSPACE, KIND_AR, KIND_KMEANS, KIND_SURPRISE, KIND_MEAN, P_INTERCEPT, P_THRESHOLD,
} from "../abi";
import { param } from "../layout";
import { scalerStd } from "../scale";
import { linearBytes, linearLearn, linearRestart, isLinearKind, linearDot, linearPrediction, targetMeanFor } from "./linear";
import { halfspaceBytes, halfspaceShape, halfspacePredict, halfspaceLearn, hstReset } from "./halfspace";
import {
  forecastBytes, forecastShape, forecastPredict, forecastLearn, arReset, arRestart, arShift, arPredict, forecastBytesV4,
  forecastCopyV4,
} from "./forecast";
import { kmeansBytes, kmeansShape, kmeansPredict, kmeansLearn, kmReset, kmRestart } from "./kmeans";
import {
  surpriseBytes, surpriseShape, surprisePredict, surpriseLearn, surpriseCommit, surpriseReset, surpriseMigrateV2,
} from "./surprise";
import { meanBytes, meanReset, meanPredict, meanLearn, meanValue } from "./mean";

export function kindValid(kind: i32): bool {
  return kind >= KIND_LINEAR && kind <= KIND_MEAN;
}

/** Does the kind read the standardized features? SURPRISE scores the raw values and MEAN ignores
 * the features, so the pipeline does not standardize for them. */
@inline export function readsScaled(kind: i32): bool {
  return <u32>(kind - KIND_SURPRISE) > <u32>(KIND_MEAN - KIND_SURPRISE); // one comparison: 6 and 7
}

/** Does the kind learn from a target? One bit test per reading instead of four comparisons
 * (kind is a valid kind, 1..7, wherever this is asked). */
@inline export function supervised(kind: i32): bool {
  return ((1 << kind) & ((1 << KIND_LINEAR) | (1 << KIND_LOGISTIC) | (1 << KIND_AR) | (1 << KIND_MEAN))) != 0;
}

/** Bytes of the model section for (kind, nf, the parameters at params); -1 for an unknown kind. */
export function modelBytes(kind: i32, nf: i32, params: usize): i32 {
  if (isLinearKind(kind)) return linearBytes(nf);
  if (kind == KIND_HALFSPACE) return halfspaceBytes(params);
  if (kind == KIND_AR) return forecastBytes(nf, params);
  if (kind == KIND_KMEANS) return kmeansBytes(nf, params);
  if (kind == KIND_SURPRISE) return surpriseBytes(nf);
  if (kind == KIND_MEAN) return meanBytes();
  return -1;
}

/**
 * Writes the structural head of a model section from the live parameters. Called before every
 * use, so a blob with a valid CRC whose heads disagree with its configuration can never make a
 * model index outside its section (the counters inside are read clamped).
 */
export function modelShape(kind: i32, nf: i32, m: usize): void {
  if (kind == KIND_HALFSPACE) halfspaceShape(m, nf);
  else if (kind == KIND_AR) forecastShape(m, nf);
  else if (kind == KIND_KMEANS) kmeansShape(m, nf);
  else if (kind == KIND_SURPRISE) surpriseShape(m, nf);
}

/** A fresh model in a zeroed section (linear kinds: zero is fresh). */
export function modelInit(kind: i32, nf: i32, m: usize): void {
  modelShape(kind, nf, m);
  if (kind == KIND_HALFSPACE) hstReset(m);
  else if (kind == KIND_AR) arReset(m);
  else if (kind == KIND_KMEANS) kmReset(m);
  else if (kind == KIND_SURPRISE) surpriseReset(m);
}

/** Bytes of the model section of (kind, nf, the parameters at params) in blob versions 1 to 4,
 * where AR stored its whole covariance matrix (a valid kind). */
export function modelBytesV4(kind: i32, nf: i32, params: usize): i32 {
  return kind == KIND_AR ? forecastBytesV4(nf, params) : modelBytes(kind, nf, params);
}

/** Copies a model section of blob versions 1 to 4 at src to dst in this version's layout. */
export function modelCopyV4(kind: i32, nf: i32, params: usize, dst: usize, src: usize): void {
  if (kind == KIND_AR) forecastCopyV4(nf, params, dst, src);
  else memory.copy(dst, src, <usize>modelBytes(kind, nf, params));
}

/** A section a blob of ABI version 1 or 2 holds, moved to this version's layout (only
 * SURPRISE's changed: its row totals made room for the spike statistics). */
export function modelMigrateV2(kind: i32, nf: i32, m: usize): void {
  if (kind == KIND_SURPRISE) surpriseMigrateV2(m, nf);
}

/** The RESET drift response. */
export function modelRestart(kind: i32, nf: i32, m: usize): void {
  if (isLinearKind(kind)) linearRestart(m, nf);
  else if (kind == KIND_AR) arRestart(m);
  else if (kind == KIND_KMEANS) kmRestart(m);
  else if (kind == KIND_SURPRISE) surpriseReset(m);
  else if (kind == KIND_MEAN) meanReset(m);
  else hstReset(m);
}

/** Predicts (and scores) the reading: raw features x, standardized z, target y (NaN: none). */
export function modelPredict(kind: i32, nf: i32, m: usize, x: usize, z: usize, y: f32): void {
  if (kind == KIND_SURPRISE) surprisePredict(m, x);
  else if (kind == KIND_HALFSPACE) halfspacePredict(m, nf, x, z);
  else if (kind == KIND_AR) forecastPredict(m, z, y);
  else if (kind == KIND_MEAN) meanPredict(m, y);
  else kmeansPredict(m, z);
}

/** Learns the reading; false when nothing changed (a linear model's gradient not finite). */
export function modelLearn(kind: i32, nf: i32, m: usize, x: usize, z: usize, y: f32): bool {
  if (isLinearKind(kind)) return linearLearn(m, kind, nf, z, y, param(P_INTERCEPT) != 0);
  if (kind == KIND_HALFSPACE) halfspaceLearn(m, nf, x, z);
  else if (kind == KIND_AR) forecastLearn(m, z, y);
  else if (kind == KIND_KMEANS) kmeansLearn(m, z);
  else if (kind == KIND_SURPRISE) surpriseLearn(m, x);
  else if (kind == KIND_MEAN) meanLearn(m, y);
  return true;
}

/**
 * After predict, with learning on: kinds whose score keeps statistics of its own (SURPRISE)
 * apply the reading now, the model itself only unless keepOut. Returns true when that already
 * was the lesson (modelLearn must not run again).
 */
export function modelCommit(kind: i32, m: usize, x: usize, score: f32, keepOut: bool): bool {
  if (kind != KIND_SURPRISE) return false;
  surpriseCommit(m, x, score, keepOut);
  return true;
}

/** A reading kept out of learning: the forecaster shifts its forecast into the lags instead. */
export function modelKeepOut(kind: i32, m: usize, prediction: f32): void {
  if (kind == KIND_AR) arShift(m, prediction);
}

/** The extra output once a reading was learned, kept out or held out (AR: the forecast of the
 * next value from the history as it now stands; a held-out reading left it as it was), else
 * `extra`. */
export function modelExtraAfter(kind: i32, m: usize, z: usize, extra: f32): f32 {
  return kind == KIND_AR ? arPredict(m, z) : extra;
}

/** A supervised model's prediction for standardized features z, read without changing it (the
 * background model's, beside the live one's); NaN for the kinds without a target. */
export function modelPrediction(kind: i32, nf: i32, m: usize, z: usize): f32 {
  if (isLinearKind(kind)) {
    const intercept = param(P_INTERCEPT) != 0;
    return linearPrediction(kind, linearDot(m, z, nf, intercept), targetMeanFor(kind, nf, intercept), scalerStd(nf));
  }
  if (kind == KIND_AR) return arPredict(m, z);
  if (kind == KIND_MEAN) return meanValue(m);
  return NaN;
}

/** The loss of prediction `pred` for target y as the drift detector sees it: a mistake (0 or 1)
 * for LOGISTIC, |y − pred| for the others. */
export function predictionLoss(kind: i32, pred: f32, y: f32): f32 {
  if (kind == KIND_LOGISTIC) return <f32>((pred >= param(P_THRESHOLD)) != (y != 0));
  return Mathf.abs(y - pred);
}
