// One reading through the learner: guard → scale → predict → metrics → drift → learn →
// respond. `step` is the only caller of the model and drift dispatches.
//
// Linear kinds (LINEAR, LOGISTIC) take the fused path: the guard's pass over the features only
// tests them, and foldReading's pass learns the guard's and the scaler's statistics and gives
// both the prediction (f with the statistics before the reading) and the gradient point (f
// after), so a learned reading costs two passes over its features plus the optimizer's.
// The other kinds predict on the features standardized before the scaler learns the reading,
// then learn, then the statistics are folded in.

import {
  KIND_LINEAR, KIND_LOGISTIC, REJ_NONFINITE, REJECT_MASK, REJ_NO_TARGET, REJ_BAD_TARGET,
  F_LEARNED, F_PREDICTED, F_WARMUP, F_PROTECTED, P_THRESHOLD, C_READINGS, C_LEARNED, C_PREDICTED,
  C_REJECTED, C_NONFINITE,
} from "./abi";
import { SCALED, Output, writeOutput, finite } from "./memory";
import { standardize, scalerStd } from "./scale";
import {
  liveKind, liveFeatures, modelAt, monitorAt, param, count, countAdd, hotWarmup, hotIntercept,
  hotGuardStats,
} from "./layout";
import { guardFeatures, guardTarget, rangeFlags } from "./guard";
import { foldReading, foldDotBefore } from "./fold";
import { metricsUpdate } from "./metrics";
import { anomalyFlags, baselineScore, baselineLastScore } from "./anomaly";
import {
  isLinearKind, linearPrediction, linearGradient, linearStep, targetScaled, targetMeanFor, linearDot,
} from "./models/linear";
import {
  supervised, readsScaled, modelShape, modelPredict, modelLearn, modelCommit, modelKeepOut,
  modelExtraAfter,
} from "./models/model";
import {
  predValue, predScore, predError, predExtra, predLabel, predWarming, predMayProtect,
} from "./models/prediction";
import { hasMonitor, backgroundLearn, driftObserve } from "./drift/monitor";
import { flog } from "./util/fmath";

const LOGLOSS_EPS: f32 = 1e-7;

/** Flag bits 0..5: the reasons counted one by one (REJ_NONFINITE .. REJ_BAD_TARGET). */
const REASON_BITS: u32 = 0x3F;

/** Per-reason counters for the reject/target bits: bit b (0..5) counts in C_NONFINITE + b. */
function countReasons(flags: u32): void {
  if ((flags & REASON_BITS) == 0) return; // the usual reading: no reason to count
  if (flags & REJECT_MASK) countAdd(C_REJECTED, 1);
  for (let b = 0; b < 6; b++) if (flags & (1 << b)) countAdd(C_NONFINITE + b, 1);
}

/**
 * One reading: features at x, target y, output record at out. learn = false is predict_one:
 * nothing in the state changes. Returns the flags.
 */
export function step(x: usize, y: f32, learn: bool, out: usize): u32 {
  const kind = liveKind;
  const nf = liveFeatures;
  const sup = supervised(kind);
  const linear = isLinearKind(kind);
  const intercept = hotIntercept != 0;
  const z = SCALED;
  // guard. The guard's bookkeeping advances only on readings free of non-finite values (target
  // included). The kinds that predict on standardized features before the scaler learns
  // standardize here (the linear kinds do it in foldReading).
  // (with its stuck and spike tests off the guard keeps no statistics: a range test alone)
  let flags = hotGuardStats ? guardFeatures(x, learn && (!sup || finite(y))) : rangeFlags(x, nf);
  if (!linear && readsScaled(kind)) standardize(x, z, nf);
  if (learn) countAdd(C_READINGS, 1);
  if (flags & REJECT_MASK) {
    // Every kind but the linear ones scores a reading the guard keeps out (range, stuck, spike):
    // the anomaly detectors by their score, the forecaster by its residual against the target.
    // It is flagged when anomalous and never learned. Only a non-finite value goes unscored.
    if (!linear && (flags & REJ_NONFINITE) == 0) {
      flags |= predictAndLearn(kind, nf, x, z, y, learn, out, true);
      if (learn) {
        countReasons(flags);
        countAdd(C_PREDICTED, 1);
      }
      changetype<Output>(out).flags = flags;
      return flags;
    }
    if (learn) countReasons(flags);
    writeOutput(out, NaN, NaN, NaN, NaN, flags, -1);
    return flags;
  }
  if (learn && sup) flags |= guardTarget(y, kind, true);
  const canLearn = learn && (flags & (REJ_NO_TARGET | REJ_BAD_TARGET)) == 0;
  if (count(C_LEARNED) < hotWarmup) flags |= F_WARMUP;
  if (linear) return stepLinear(kind, nf, x, z, y, learn, canLearn, intercept, out, flags);

  // a target kept out of learning (missing, or refused by the target's own tests) is still
  // scored when it is a number: the forecaster's residual reports the spike it refused
  flags |= predictAndLearn(kind, nf, x, z, y, learn, out, !canLearn);
  // scale: the guard's and the scaler's statistics learn the reading after the model did
  if (canLearn && (flags & F_LEARNED)) foldReading(x, nf, y, sup, false, SCALED, 0, false);
  if (learn) {
    const e = changetype<Output>(out).error;
    if (sup && canLearn && finite(e)) {
      metricsUpdate(e, false, 0, 0);
      flags |= driftObserve(kind, nf, modelAt, monitorAt, Mathf.abs(e), 0);
    }
    countReasons(flags);
    if (flags & F_PREDICTED) countAdd(C_PREDICTED, 1);
    if (flags & F_LEARNED) countAdd(C_LEARNED, 1);
  }
  changetype<Output>(out).flags = flags;
  return flags;
}

/**
 * Predict, score and learn for the kinds of models/model.ts, and write the output record.
 * `heldOut`: the reading is not to be learned (the guard kept it out, its target is missing or
 * refused, or it is predict_one): it is predicted, scored (with a target, for AR) and flagged,
 * the score's own statistics move on, nothing is learned. A reading not held out of a
 * supervised kind has a finite target (guardTarget refused the others).
 */
function predictAndLearn(kind: i32, nf: i32, x: usize, z: usize, y: f32, learn: bool, out: usize, heldOut: bool): u32 {
  const model = modelAt;
  const monitor = monitorAt;
  modelShape(kind, nf, model);
  modelPredict(kind, nf, model, x, z, y);
  const pred = predValue, score = predScore;
  let extra = predExtra;
  let flags: u32 = predWarming ? F_WARMUP : 0;
  flags |= F_PREDICTED;
  flags |= anomalyFlags(score, learn, predMayProtect);
  const sup = supervised(kind);
  const protect = (flags & F_PROTECTED) != 0;
  // the score's own statistics move on every reading; protected ones stay out of the model
  const learnedWithScore = learn && modelCommit(kind, model, x, score, heldOut || protect);
  if (learn && !heldOut) {
    if (!protect) {
      if (!learnedWithScore) modelLearn(kind, nf, model, x, z, y);
      flags |= F_LEARNED;
      if (hasMonitor()) {
        flags |= backgroundLearn(kind, nf, monitor, x, z, y, pred);
        // unsupervised kinds: the drift detector watches the anomaly score
        if (!sup) flags |= driftObserve(kind, nf, model, monitor, score > 0 ? score : 0, 0);
      }
    } else {
      modelKeepOut(kind, model, pred);
    }
  }
  // what the model expects next, from its state after this reading: learned, kept out or held out
  if (learn) extra = modelExtraAfter(kind, model, z, extra);
  writeOutput(out, pred, score, predError, extra, flags, predLabel);
  return flags;
}

/** The fused path of the linear kinds (see the top of this file). Inlined into its one caller,
 * as are the other one-caller functions of the per-reading path: V8 does not inline wasm calls,
 * and each call spills every live register around it. */
@inline function stepLinear(kind: i32, nf: i32, x: usize, z: usize, y: f32, learn: bool, canLearn: bool, intercept: bool, out: usize, flags: u32): u32 {
  const model = modelAt;
  flags |= baselineScore(nf, monitorAt, x, canLearn); // anomaly score before learning (ZSCORE, PROTECT)
  const learns = canLearn && (flags & F_PROTECTED) == 0;
  // the target's statistics before this reading: the prediction's scale and the drift unit
  const targetSd = kind == KIND_LINEAR ? scalerStd(nf) : 0;
  const targetMean = targetMeanFor(kind, nf, intercept);
  // scale (a learned reading's statistics, and f before and after them) or only standardize
  let fAfter: f32 = 0;
  let f: f32;
  if (learns) {
    fAfter = foldReading(x, nf, y, true, targetScaled(kind), z, model, intercept);
    f = foldDotBefore;
  } else {
    standardize(x, z, nf);
    f = linearDot(model, z, nf, intercept);
  }
  // predict
  const pred = linearPrediction(kind, f, targetMean, targetSd);
  const cls = kind == KIND_LOGISTIC;
  const label: i32 = cls ? (pred >= param(P_THRESHOLD) ? 1 : 0) : -1;
  flags |= F_PREDICTED;
  let err: f32 = NaN;
  if (learns) {
    // metrics: the prequential score, before the lesson
    let ll: f32 = 0;
    if (cls) {
      const p = Mathf.min(Mathf.max(pred, LOGLOSS_EPS), 1 - LOGLOSS_EPS);
      ll = -flog(y == 1 ? p : 1 - p);
      err = ll;
    } else {
      err = y - pred;
    }
    metricsUpdate(y - pred, cls, <f32>(label == <i32>y), ll);
    // drift
    flags |= driftObserve(kind, nf, model, monitorAt, cls ? <f32>(label != <i32>y) : Mathf.abs(y - pred), targetSd);
    // learn
    const g = linearGradient(fAfter, kind, nf, y, intercept);
    if (finite(g)) {
      linearStep(model, z, nf, g, intercept);
      flags |= F_LEARNED;
      countAdd(C_LEARNED, 1);
      flags |= backgroundLearn(kind, nf, monitorAt, x, z, y, pred); // the background model (DRIFT_RESPONSE = 2), if one runs
    }
  }
  // respond (the usual reading has no reason to count: tested here, the call skipped)
  if (learn) {
    if (flags & REASON_BITS) countReasons(flags);
    countAdd(C_PREDICTED, 1);
  }
  writeOutput(out, pred, baselineLastScore, err, NaN, flags, label);
  return flags;
}
