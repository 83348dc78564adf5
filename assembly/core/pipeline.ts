// One reading through the pipeline: guard → standardize → predict (prequential score) →
// scaler update → learn. Kinds 1..2 run here; other kinds dispatch to assembly/ext.ts.

import {
  KIND_LINEAR, KIND_LOGISTIC, KIND_SURPRISE, REJ_NONFINITE, REJECT_MASK, REJ_NO_TARGET, REJ_BAD_TARGET, F_LEARNED, F_PREDICTED,
  F_WARMUP, F_PROTECTED, P_LR, P_L2, P_LOSS, P_HUBER_DELTA, P_OPTIMIZER, P_INTERCEPT, P_TARGET_SCALE,
  P_THRESHOLD, P_WARMUP, P_GRAD_FORGET, C_READINGS, C_LEARNED, C_PREDICTED, C_REJECTED, C_NONFINITE,
} from "../abi";
import { ZBUF, O_ERROR, writeOut, finite } from "./mem";
import { g_kind, g_nf, g_model, g_ext, g_counts, param, countAdd, isCoreKind } from "./state";
import { guardFeatures, guardTarget, g_dot } from "./guard";
import { scalerMean, scalerStd } from "./scaler";
import { absorb } from "./absorb";
import { linDot, linUpdate, sigmoid } from "./linear";
import { metricsUpdate } from "./metrics";
import { flog } from "./fmath";
import { ext_step, ext_observe, ext_supervised, ext_score, ext_last_score, bgLearn } from "../ext";

const LOGLOSS_EPS: f32 = 1e-7;

@inline function supervised(kind: i32): bool {
  return isCoreKind(kind) || ext_supervised(kind);
}

/** Per-reason counters for the reject/target bits: bit b (0..5) counts in C_NONFINITE + b. */
function countReasons(flags: u32): void {
  if ((flags & 0x3F) == 0) return; // the usual reading: no reason to count
  if (flags & REJECT_MASK) countAdd(C_REJECTED, 1);
  for (let b = 0; b < 6; b++) if (flags & (1 << b)) countAdd(C_NONFINITE + b, 1);
}

@inline function targetScaled(kind: i32): bool {
  return kind == KIND_LINEAR && param(P_TARGET_SCALE) != 0;
}

/** Prediction of the core model from its f: value (LINEAR) or P(y = 1) (LOGISTIC). */
@inline function corePredict(kind: i32, nf: i32, f: f32, intercept: bool): f32 {
  if (kind == KIND_LOGISTIC) return sigmoid(f);
  if (!targetScaled(kind)) return f;
  const sd = scalerStd(nf);
  return (intercept ? scalerMean(nf) : 0) + (sd > 0 ? sd : 1) * f;
}

/**
 * dloss/df of the core model section at m for standardized z and target y (after the scaler
 * learned the reading). Also trains issue 3's background model, so it takes the section.
 */
export function coreGrad(m: usize, kind: i32, nf: i32, z: usize, y: f32, intercept: bool): f32 {
  return gradAt(linDot(m, z, nf, intercept), kind, nf, y, intercept);
}

/** dloss/df at the model's f (see coreGrad). */
function gradAt(f: f32, kind: i32, nf: i32, y: f32, intercept: bool): f32 {
  if (kind == KIND_LOGISTIC) return sigmoid(f) - y;
  let r: f32;
  if (targetScaled(kind)) {
    const sd = scalerStd(nf);
    r = f - (y - (intercept ? scalerMean(nf) : 0)) / (sd > 0 ? sd : 1);
  } else {
    r = f - y;
  }
  if (param(P_LOSS) != 0) {
    const d = param(P_HUBER_DELTA);
    r = Mathf.min(Mathf.max(r, -d), d);
  }
  return r;
}

/**
 * One reading: features at x, target y, output record at out. learn = false is predict_one:
 * nothing in the state changes. Returns the flags.
 */
export function step(x: usize, y: f32, learn: bool, out: usize): u32 {
  const kind = g_kind;
  const nf = g_nf;
  const sup = supervised(kind);
  // The guard's bookkeeping advances only on readings free of non-finite values (target included).
  const core = isCoreKind(kind);
  const intercept = param(P_INTERCEPT) != 0;
  const z = ZBUF;
  // The guard's pass also standardizes x into z and takes the core model's dot product.
  let flags = guardFeatures(x, learn && (!sup || finite(y)), z, core ? g_model : 0, core && intercept);
  if (learn) countAdd(C_READINGS, 1);
  if ((flags & REJECT_MASK) != 0 && kind == KIND_SURPRISE && (flags & REJ_NONFINITE) == 0) {
    // The anomaly detector scores a reading the guard keeps out (range, stuck, spike): it is
    // flagged when anomalous and never learned. Only a non-finite value goes unscored.
    flags |= ext_step(kind, nf, g_model, g_ext, x, z, NaN, learn, out, true);
    if (learn) {
      countReasons(flags);
      countAdd(C_PREDICTED, 1);
    }
    store<u32>(out, flags, 16);
    return flags;
  }
  if (flags & REJECT_MASK) {
    if (learn) countReasons(flags);
    writeOut(out, NaN, NaN, NaN, NaN, flags, -1);
    return flags;
  }
  if (learn && sup) flags |= guardTarget(y, kind, true);
  const canLearn = learn && (flags & (REJ_NO_TARGET | REJ_BAD_TARGET)) == 0;
  if (<f32>load<u32>(g_counts, <usize>C_LEARNED << 2) < param(P_WARMUP)) flags |= F_WARMUP;

  if (!core) {
    flags |= ext_step(kind, nf, g_model, g_ext, x, z, canLearn ? y : NaN, canLearn, out, false);
    if (canLearn && (flags & F_LEARNED)) {
      absorb(x, nf, y, sup, false, ZBUF, 0, false);
    }
    if (learn) {
      const e = load<f32>(out, O_ERROR);
      if (sup && canLearn && finite(e)) {
        metricsUpdate(e, false, 0, 0);
        flags |= ext_observe(kind, nf, g_model, g_ext, Mathf.abs(e), flags);
      }
      countReasons(flags);
      if (flags & F_PREDICTED) countAdd(C_PREDICTED, 1);
      if (flags & F_LEARNED) countAdd(C_LEARNED, 1);
    }
    store<u32>(out, flags, 16);
    return flags;
  }

  flags |= ext_score(kind, nf, g_ext, x, canLearn); // anomaly score before learning (ZSCORE, PROTECT)
  const pred = corePredict(kind, nf, g_dot, intercept);
  const cls = kind == KIND_LOGISTIC;
  const label: i32 = cls ? (pred >= param(P_THRESHOLD) ? 1 : 0) : -1;
  flags |= F_PREDICTED;
  let err: f32 = NaN;
  if (canLearn && (flags & F_PROTECTED) == 0) {
    // Prequential score, then the lesson.
    let ll: f32 = 0;
    if (cls) {
      const p = Mathf.min(Mathf.max(pred, LOGLOSS_EPS), 1 - LOGLOSS_EPS);
      ll = -flog(y == 1 ? p : 1 - p);
      err = ll;
    } else {
      err = y - pred;
    }
    metricsUpdate(y - pred, cls, <f32>(label == <i32>y), ll);
    flags |= ext_observe(kind, nf, g_model, g_ext, cls ? <f32>(label != <i32>y) : Mathf.abs(y - pred), flags);

    const ts = targetScaled(kind);
    const g = gradAt(absorb(x, nf, y, true, ts, z, g_model, intercept), kind, nf, y, intercept);
    if (finite(g)) {
      linUpdate(g_model, z, nf, g, param(P_LR), param(P_L2), <i32>param(P_OPTIMIZER), intercept, <f32>1 - param(P_GRAD_FORGET));
      flags |= F_LEARNED;
      countAdd(C_LEARNED, 1);
      bgLearn(kind, nf, g_ext, x, z, y); // the background model (DRIFT_RESPONSE = 2), if one runs
    }
  }
  if (learn) {
    countReasons(flags);
    countAdd(C_PREDICTED, 1);
  }
  writeOut(out, pred, ext_last_score, err, NaN, flags, label);
  return flags;
}
