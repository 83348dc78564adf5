// Issue 3's part of the learner: kinds HALFSPACE (3), AR (4), KMEANS (5), drift detection and
// response for every kind, and anomaly scoring with "protect" for every kind. The core
// (assembly/core/) calls only the hooks below; the components live in drift/, anomaly/,
// forecast/ and cluster/, each keeping its whole state at a pointer it is given.
// Every function here is total: no traps, no allocation, no imports. docs/ABI.md documents the
// parameters (32..63), counters (32..63), metrics (32..63) and the ext section's layout.
//
// Ext section (present in every blob when a detector or the z-score is configured):
//   [0, 16)   head: u32 background active, u32 readings the background learned, u32 previous
//             detector level, 4 reserved
//   detector  ADWIN 648 / Page-Hinkley 44 / DDM 28 bytes (none: 0)
//   z-score   LINEAR/LOGISTIC with ZSCORE = 1: 16 + 8 n bytes
//   background DRIFT_RESPONSE = 2: a second model section of the kind, rounded up to 16

import {
  KIND_LINEAR, KIND_LOGISTIC, KIND_HALFSPACE, KIND_AR, KIND_KMEANS, KIND_SURPRISE, F_LEARNED, F_PREDICTED,
  F_WARMUP, F_ANOMALY, F_PROTECTED, F_DRIFT_WARNING, F_DRIFT, F_MODEL_SWAPPED, C_READINGS,
  P_LR, P_L2, P_OPTIMIZER, P_INTERCEPT, P_SCALER, P_GRAD_FORGET, MAX_FEATURES,
} from "./abi";
import { writeOut, STATE } from "./core/mem";
import { g_counts, g_metrics, g_scaler, param, rangeLo, rangeHi, countAdd, isCoreKind, MODEL_HEAD, MODEL_SLOT, H_PARAMS } from "./core/state";
import { scalerStd } from "./core/scaler";
import { linUpdate } from "./core/linear";
import { coreGrad } from "./core/pipeline";
import { DRIFT_WARNING, DRIFT_DETECTED } from "./drift/detector";
import { ADWIN_BYTES, adwin_init, adwin_update } from "./drift/adwin";
import { PH_BYTES, ph_init, ph_update } from "./drift/page_hinkley";
import { DDM_BYTES, ddm_init, ddm_update } from "./drift/ddm";
import { ewz_bytes, ewz_init, ewz_score, ewz_learn } from "./anomaly/ew_zscore";
import { hst_bytes, hst_shape, hst_reset, hst_score, hst_learn } from "./anomaly/halfspace_trees";
import { ar_bytes, ar_shape, ar_reset, ar_predict, ar_learn, ar_shift, ar_score, ar_ready, ar_scale, rls_restart } from "./forecast/ar_rls";
import { km_bytes, km_shape, km_reset, km_nearest, km_score, km_learn, km_soften, km_d2 } from "./cluster/kmeans";
import { surprise_bytes, surprise_shape, surprise_reset, surprise_score, surprise_commit, surprise_ready, surprise_feature, surprise_may_protect } from "./anomaly/surprise";

// Parameter ids (docs/ABI.md).
export const P_DRIFT_DETECTOR: i32 = 32; // 0 none, 1 ADWIN, 2 Page-Hinkley, 3 DDM
export const P_DRIFT_RESPONSE: i32 = 33; // 0 notify, 1 reset accumulators, 2 background model
export const P_ADWIN_DELTA: i32 = 34;
export const P_ADWIN_DELTA_WARN: i32 = 35;
export const P_PH_DELTA: i32 = 36;
export const P_PH_LAMBDA: i32 = 37;
export const P_PH_ALPHA: i32 = 38;
export const P_DDM_WARN: i32 = 39;
export const P_DDM_DRIFT: i32 = 40;
export const P_ANOMALY_THRESHOLD: i32 = 41;
export const P_PROTECT: i32 = 42;
export const P_ZSCORE: i32 = 43;
export const P_ZSCORE_ALPHA: i32 = 44;
export const P_HST_TREES: i32 = 45;
export const P_HST_HEIGHT: i32 = 46;
export const P_HST_WINDOW: i32 = 47;
export const P_HST_SEED: i32 = 48;
export const P_HST_RANGE: i32 = 49;
export const P_AR_ORDER: i32 = 50;
export const P_AR_FORGET: i32 = 51;
export const P_AR_EXOG: i32 = 52;
export const P_KM_K: i32 = 53;
export const P_KM_RATE: i32 = 54;
export const P_KM_WARMUP: i32 = 55;
export const P_NOVELTY_TOL: i32 = 56;
export const P_LIKELIHOOD_ALPHA: i32 = 57;
export const P_SCORE_WARMUP: i32 = 58;
export const P_PROTECT_RUN: i32 = 59;
export const P_RECENT_DECAY: i32 = 60;
const N_EXT: i32 = 29;

// Counter ids.
export const C_DRIFTS: i32 = 32;
export const C_WARNINGS: i32 = 33;
export const C_SWAPS: i32 = 34;
export const C_LAST_DRIFT: i32 = 35;
export const C_ANOMALIES: i32 = 36;
export const C_PROTECTED: i32 = 37;

// Metric ids.
export const M_DRIFT_MEAN: i32 = 32;
export const M_DRIFT_N: i32 = 33;

const DET_NONE: i32 = 0;
const DET_ADWIN: i32 = 1;
const DET_PH: i32 = 2;
const DET_DDM: i32 = 3;
const RESP_RESET: i32 = 1;
const RESP_BACKGROUND: i32 = 2;
const EXT_HEAD: i32 = 16;
/** HALFSPACE's default anomaly threshold (River's score scale; see bench/nab.bench.ts). */
const HST_THRESHOLD: f32 = 0.96;
/** SURPRISE's default anomaly threshold: the one NAB's optimiser picks for it (bench/nab). */
const SURPRISE_THRESHOLD: f32 = 0.93;

// default, min, max, flags (1 int, 2 structural) per ext id; NaN default = unknown id.
const TABLE: usize = memory.data<f32>([
  /* 32 DRIFT_DETECTOR   */ 2, 0, 3, 3,
  /* 33 DRIFT_RESPONSE   */ 2, 0, 2, 3,
  /* 34 ADWIN_DELTA      */ 0.002, 1e-9, 1, 2,
  /* 35 ADWIN_DELTA_WARN */ 0.02, 1e-9, 1, 2,
  /* 36 PH_DELTA         */ 0.005, 0, 1e6, 2,
  /* 37 PH_LAMBDA        */ 50, 1e-6, 1e9, 2,
  /* 38 PH_ALPHA         */ 0.9999, 1e-6, 1, 2,
  /* 39 DDM_WARN         */ 2, 0, 100, 2,
  /* 40 DDM_DRIFT        */ 3, 0, 100, 2,
  /* 41 ANOMALY_THRESHOLD*/ 0.99, 0, 1, 0,
  /* 42 PROTECT          */ 0, 0, 1, 1,
  /* 43 ZSCORE           */ 0, 0, 1, 3,
  /* 44 ZSCORE_ALPHA     */ 0.01, 1e-6, 1, 2,
  /* 45 HST_TREES        */ 10, 1, 32, 3,
  /* 46 HST_HEIGHT       */ 6, 1, 12, 3,
  /* 47 HST_WINDOW       */ 250, 1, 65535, 3,
  /* 48 HST_SEED         */ 1, 0, 16777215, 3,
  /* 49 HST_RANGE        */ 3, 0, 1e6, 0,
  /* 50 AR_ORDER         */ 8, 1, 16, 3,
  /* 51 AR_FORGET        */ 0.995, 0.5, 1, 0,
  /* 52 AR_EXOG          */ 0, 0, 1, 3,
  /* 53 KM_K             */ 3, 1, 16, 3,
  /* 54 KM_RATE          */ 0, 0, 1, 0,
  /* 55 KM_WARMUP        */ 100, 0, 1e6, 1,
  /* 56 NOVELTY_TOL      */ 0.02, 1e-6, 1e6, 0,
  /* 57 LIKELIHOOD_ALPHA */ 0.001, 1e-6, 1, 0,
  /* 58 SCORE_WARMUP     */ 100, 0, 1e6, 1,
  /* 59 PROTECT_RUN      */ 10, 0, 1e6, 1,
  /* 60 RECENT_DECAY     */ 0.003, 0, 1, 0,
]);

// @ts-ignore: decorator
@inline function tab(id: i32, col: i32): f32 {
  return load<f32>(TABLE + (<usize>((id - 32) * 4 + col) << 2));
}

/** Does parameter `id` (32..63) apply to `kind`? */
function applies(kind: i32, id: i32): bool {
  if (id < 32 || id >= 32 + N_EXT) return false;
  if (id == P_ZSCORE || id == P_ZSCORE_ALPHA) return isCoreKind(kind);
  if (id >= P_HST_TREES && id <= P_HST_RANGE) return kind == KIND_HALFSPACE;
  if (id >= P_AR_ORDER && id <= P_AR_EXOG) return kind == KIND_AR;
  if (id >= P_KM_K && id <= P_KM_WARMUP) return kind == KIND_KMEANS;
  if (id >= P_NOVELTY_TOL && id <= P_RECENT_DECAY) return kind == KIND_SURPRISE;
  return true;
}

// @ts-ignore: decorator
@inline function pget(params: usize, id: i32): f32 {
  return load<f32>(params + (<usize>id << 2));
}

export function ext_kind_valid(kind: i32): bool {
  return kind == KIND_HALFSPACE || kind == KIND_AR || kind == KIND_KMEANS || kind == KIND_SURPRISE;
}

export function ext_supervised(kind: i32): bool {
  return kind == KIND_AR;
}

/** Bytes of the model section of any kind (core kinds: the linear model). */
function modelBytes(kind: i32, nf: i32, params: usize): i32 {
  if (isCoreKind(kind)) return MODEL_HEAD + (nf + 1) * MODEL_SLOT;
  return ext_model_size(kind, nf, params);
}

export function ext_model_size(kind: i32, nf: i32, params: usize): i32 {
  if (kind == KIND_HALFSPACE) return hst_bytes(<i32>pget(params, P_HST_TREES), <i32>pget(params, P_HST_HEIGHT));
  if (kind == KIND_AR) return ar_bytes(<i32>pget(params, P_AR_ORDER), pget(params, P_AR_EXOG) != 0 ? nf : 0);
  if (kind == KIND_KMEANS) return km_bytes(<i32>pget(params, P_KM_K), nf);
  if (kind == KIND_SURPRISE) return surprise_bytes(nf);
  return -1;
}

function detBytes(det: i32): i32 {
  return det == DET_ADWIN ? ADWIN_BYTES : det == DET_PH ? PH_BYTES : det == DET_DDM ? DDM_BYTES : 0;
}

// @ts-ignore: decorator
@inline function round16(n: i32): i32 {
  return (n + 15) & ~15;
}

function zBytes(kind: i32, nf: i32, params: usize): i32 {
  return isCoreKind(kind) && pget(params, P_ZSCORE) != 0 ? ewz_bytes(nf) : 0;
}

export function ext_section_size(kind: i32, nf: i32, params: usize): i32 {
  const det = <i32>pget(params, P_DRIFT_DETECTOR);
  const z = zBytes(kind, nf, params);
  if (det == DET_NONE && z == 0) return 0;
  let n = EXT_HEAD + round16(detBytes(det)) + round16(z);
  if (det != DET_NONE && <i32>pget(params, P_DRIFT_RESPONSE) == RESP_BACKGROUND) {
    const m = modelBytes(kind, nf, params);
    if (m < 0) return -1;
    n += round16(m);
  }
  return n;
}

// Section addresses inside the ext section (from the live parameters).
// @ts-ignore: decorator
@inline function liveParams(): usize {
  return STATE + H_PARAMS;
}
// @ts-ignore: decorator
@inline function lp(id: i32): f32 {
  return param(id);
}
// @ts-ignore: decorator
@inline function detPtr(ext: usize): usize {
  return ext + EXT_HEAD;
}
function zPtr(kind: i32, ext: usize): usize {
  return ext + EXT_HEAD + <usize>round16(detBytes(<i32>lp(P_DRIFT_DETECTOR)));
}
function bgPtr(kind: i32, nf: i32, ext: usize): usize {
  const z = isCoreKind(kind) && lp(P_ZSCORE) != 0 ? ewz_bytes(nf) : 0;
  return zPtr(kind, ext) + <usize>round16(z);
}
// @ts-ignore: decorator
@inline function hasExt(): bool {
  return lp(P_DRIFT_DETECTOR) != 0 || lp(P_ZSCORE) != 0;
}

/**
 * Writes the structural head of a model section from the live parameters. Called before every
 * use, so a blob with a valid CRC whose heads disagree with its configuration can never make a
 * component index outside its section (the counters inside are read clamped).
 */
function stamp(kind: i32, nf: i32, m: usize): void {
  if (kind == KIND_HALFSPACE) hst_shape(m, <i32>lp(P_HST_TREES), <i32>lp(P_HST_HEIGHT), <i32>lp(P_HST_WINDOW), <u32>lp(P_HST_SEED), nf);
  else if (kind == KIND_AR) ar_shape(m, <i32>lp(P_AR_ORDER), lp(P_AR_EXOG) != 0 ? nf : 0);
  else if (kind == KIND_KMEANS) km_shape(m, <i32>lp(P_KM_K), nf);
  else if (kind == KIND_SURPRISE) surprise_shape(m, nf);
}

/** Fresh model of any kind in a zeroed section. */
function modelInit(kind: i32, nf: i32, m: usize): void {
  stamp(kind, nf, m);
  if (kind == KIND_HALFSPACE) hst_reset(m);
  else if (kind == KIND_AR) ar_reset(m);
  else if (kind == KIND_KMEANS) km_reset(m);
  else if (kind == KIND_SURPRISE) surprise_reset(m);
}

export function ext_init(kind: i32, nf: i32, model: usize, ext: usize): void {
  if (!isCoreKind(kind)) modelInit(kind, nf, model);
  if (!hasExt()) return;
  const det = <i32>lp(P_DRIFT_DETECTOR);
  const d = detPtr(ext);
  if (det == DET_ADWIN) adwin_init(d, lp(P_ADWIN_DELTA), lp(P_ADWIN_DELTA_WARN), true);
  else if (det == DET_PH) ph_init(d, lp(P_PH_DELTA), lp(P_PH_LAMBDA), lp(P_PH_ALPHA), 1);
  else if (det == DET_DDM) ddm_init(d, lp(P_DDM_WARN), lp(P_DDM_DRIFT));
  if (isCoreKind(kind) && lp(P_ZSCORE) != 0) ewz_init(zPtr(kind, ext), nf, lp(P_ZSCORE_ALPHA), 30);
}

// ---- anomaly scoring (before learning) ---------------------------------------------------

/** Score of the last reading (NaN when the kind has none). */
export let ext_last_score: f32 = NaN;

/** Flags for a score: ANOMALY above the threshold, PROTECTED when it must not be learned. */
function anomalyFlags(score: f32, learn: bool, mayProtect: bool = true): u32 {
  if (!(score > lp(P_ANOMALY_THRESHOLD))) return 0;
  let f = F_ANOMALY;
  if (learn) countAdd(C_ANOMALIES, 1);
  if (lp(P_PROTECT) != 0 && mayProtect) {
    f |= F_PROTECTED;
    if (learn) countAdd(C_PROTECTED, 1);
  }
  return f;
}

/**
 * Core kinds: the EW z-score of the features before learning (ZSCORE = 1), in ext_last_score,
 * and ANOMALY / PROTECTED flags. Learns the reading into the baseline unless protected.
 */
export function ext_score(kind: i32, nf: i32, ext: usize, x: usize, learn: bool): u32 {
  ext_last_score = NaN;
  if (lp(P_ZSCORE) == 0) return 0;
  const zp = zPtr(kind, ext);
  store<u32>(zp, nf, 4); // the baseline's feature count, from the configuration (see stamp)
  const s = ewz_score(zp, x);
  ext_last_score = s;
  const f = anomalyFlags(s, learn);
  if (learn && (f & F_PROTECTED) == 0) ewz_learn(zp, x);
  return f;
}

// ---- the ext kinds ------------------------------------------------------------------------

const U = memory.data(4 * MAX_FEATURES); // features mapped to [0, 1] for Half-Space Trees

function hstMap(nf: i32, x: usize, z: usize): usize {
  const r = lp(P_HST_RANGE);
  for (let i = 0; i < nf; i++) {
    const o = <usize>i << 2;
    let u: f32;
    if (r > 0) u = (load<f32>(z + o) + r) / (r + r);
    else {
      const lo = rangeLo(i), w = rangeHi(i) - lo;
      u = w > 0 ? (load<f32>(x + o) - lo) / w : <f32>0.5;
    }
    store<f32>(U + o, u);
  }
  return U;
}

/** Learns one reading into a model section of an ext kind. */
function extLearn(kind: i32, nf: i32, m: usize, x: usize, z: usize, y: f32): void {
  if (kind == KIND_HALFSPACE) hst_learn(m, hstMap(nf, x, z));
  else if (kind == KIND_AR) ar_learn(m, y, z, lp(P_AR_FORGET));
  else if (kind == KIND_KMEANS && !scalerWarming()) km_learn(m, z, lp(P_KM_RATE), <u32>lp(P_KM_WARMUP));
  else if (kind == KIND_SURPRISE) surpriseCommit(m, x, surpriseScore(m, x), false);
}

@inline function surpriseScore(m: usize, x: usize): f32 {
  return surprise_score(m, x, lp(P_NOVELTY_TOL), <u32>lp(P_SCORE_WARMUP));
}

@inline function surpriseCommit(m: usize, x: usize, score: f32, keepOut: bool): void {
  surprise_commit(m, x, score, keepOut, lp(P_LIKELIHOOD_ALPHA), lp(P_RECENT_DECAY));
}

/** KMEANS places no centre before the scaler has seen 32 readings: standardized features from a
 * handful of readings would put centres where no reading falls once the statistics settle. */
function scalerWarming(): bool {
  return lp(P_SCALER) != 0 && load<u32>(g_scaler) < 32;
}

/**
 * One reading of an ext kind. `heldOut`: the guard keeps this reading out of learning (SURPRISE
 * only): it is scored and flagged, the score's own statistics move on, nothing is learned.
 */
export function ext_step(kind: i32, nf: i32, model: usize, ext: usize, x: usize, z: usize, y: f32, learn: bool, out: usize, heldOut: bool): u32 {
  let flags: u32 = 0;
  let pred: f32 = NaN, score: f32 = NaN, err: f32 = NaN, extra: f32 = NaN;
  let label: i32 = -1;
  stamp(kind, nf, model);
  let mayProtect = true;
  if (kind == KIND_SURPRISE) {
    score = surpriseScore(model, x);
    pred = score;
    label = surprise_feature;
    if (!surprise_ready(model, <u32>lp(P_SCORE_WARMUP))) flags |= F_WARMUP;
    mayProtect = surprise_may_protect(model, <u32>lp(P_PROTECT_RUN));
  } else if (kind == KIND_HALFSPACE) {
    score = hst_score(model, hstMap(nf, x, z));
    pred = score;
    if (load<u32>(model, 24) == 0) flags |= F_WARMUP; // no reference window yet
  } else if (kind == KIND_AR) {
    pred = ar_predict(model, z);
    if (!ar_ready(model)) flags |= F_WARMUP;
    if (y - y == 0) {
      err = y - pred;
      score = ar_score(model, y, pred);
    }
  } else {
    label = km_nearest(model, z);
    if (label >= 0) {
      pred = <f32>label;
      extra = Mathf.sqrt(km_d2);
      score = km_score(model, label, km_d2);
    }
    if (load<u32>(model, 8) < load<u32>(model)) flags |= F_WARMUP; // fewer centres than k
  }
  flags |= F_PREDICTED;
  flags |= anomalyFlags(score, learn, mayProtect);
  const sup = kind == KIND_AR;
  if (learn && kind == KIND_SURPRISE) {
    // the score's own statistics move on every reading; protected ones stay out of the model
    surpriseCommit(model, x, score, heldOut || (flags & F_PROTECTED) != 0);
  }
  if (learn && !heldOut && (!sup || y - y == 0)) {
    if ((flags & F_PROTECTED) == 0) {
      if (kind != KIND_SURPRISE) extLearn(kind, nf, model, x, z, y);
      flags |= F_LEARNED;
      if (hasExt()) {
        bgLearn(kind, nf, ext, x, z, y);
        // unsupervised kinds: the drift detectors watch the anomaly score
        if (!sup) flags |= ext_observe(kind, nf, model, ext, score > 0 ? score : 0, flags);
      }
    } else if (kind == KIND_AR) {
      ar_shift(model, pred); // the forecast stands in for the protected value in the lags
    }
    if (kind == KIND_AR) extra = ar_predict(model, z);
  }
  writeOut(out, pred, score, err, extra, flags, label);
  return flags;
}

// ---- drift: detection and response --------------------------------------------------------

/** "Reset the optimizer's accumulators": the model keeps what it knows but moves fast again. */
function soften(kind: i32, nf: i32, m: usize): void {
  if (isCoreKind(kind)) {
    store<u32>(m, 0); // updates t (NAG)
    store<f32>(m, 0, 4); // NAG sum N
    for (let i = 0; i <= nf; i++) store<f32>(m + <usize>(MODEL_HEAD + i * MODEL_SLOT), 0, 4); // G
  } else if (kind == KIND_AR) rls_restart(m);
  else if (kind == KIND_KMEANS) km_soften(m);
  else if (kind == KIND_SURPRISE) surprise_reset(m);
  else hst_reset(m);
}

/** The background model learns the reading (core kinds: called by the pipeline after the live model learned). */
export function bgLearn(kind: i32, nf: i32, ext: usize, x: usize, z: usize, y: f32): void {
  if (lp(P_DRIFT_DETECTOR) == 0 || <i32>lp(P_DRIFT_RESPONSE) != RESP_BACKGROUND || load<u32>(ext) == 0) return;
  const bg = bgPtr(kind, nf, ext);
  if (isCoreKind(kind)) {
    const intercept = lp(P_INTERCEPT) != 0;
    const g = coreGrad(bg, kind, nf, z, y, intercept);
    if (g - g != 0) return;
    linUpdate(bg, z, nf, g, lp(P_LR), lp(P_L2), <i32>lp(P_OPTIMIZER), intercept, <f32>1 - lp(P_GRAD_FORGET));
  } else {
    stamp(kind, nf, bg);
    extLearn(kind, nf, bg, x, z, y);
  }
  store<u32>(ext, load<u32>(ext, 4) + 1, 4);
}

/**
 * Called with the prequential error of every scored reading (absolute error for regression and
 * forecasts, 0/1 for a classification mistake; the anomaly score for HALFSPACE/KMEANS).
 * Regression errors are divided by the target's standard deviation (AR: the series scale) so
 * Page-Hinkley's δ and λ are in standard deviations. Returns DRIFT_WARNING / DRIFT /
 * MODEL_SWAPPED flags.
 */
export function ext_observe(kind: i32, nf: i32, model: usize, ext: usize, err: f32, flags: u32): u32 {
  const det = <i32>lp(P_DRIFT_DETECTOR);
  if (det == DET_NONE) return 0;
  let e = err;
  if (kind == KIND_LINEAR) {
    const sd = scalerStd(nf);
    if (sd > 0) e = err / sd;
  } else if (kind == KIND_AR) {
    e = err / ar_scale(model);
  }
  if (e - e != 0) return 0;
  const d = detPtr(ext);
  const level = det == DET_ADWIN ? adwin_update(d, e) : det == DET_PH ? ph_update(d, e) : ddm_update(d, e);
  // every detector keeps its count (u32) at offset 0; at offset 4 ADWIN its sum, PH its mean,
  // DDM its error count
  const n = <f32>load<u32>(d);
  const v4 = load<f32>(d, 4);
  const m = det == DET_PH ? v4 : det == DET_ADWIN ? v4 / n : <f32>load<u32>(d, 4) / n;
  store<f32>(g_metrics, n > 0 ? m : 0, <usize>M_DRIFT_MEAN << 2);
  store<f32>(g_metrics, n, <usize>M_DRIFT_N << 2);
  const resp = <i32>lp(P_DRIFT_RESPONSE);
  const prev = load<i32>(ext, 8);
  store<i32>(ext, level, 8);
  if (level == DRIFT_WARNING) {
    countAdd(C_WARNINGS, 1);
    // each warning onset (re)starts the background model, as the Adaptive Random Forest does,
    // so at the drift it has learned from the latest warning on
    if (resp == RESP_BACKGROUND && prev != DRIFT_WARNING) {
      const bg = bgPtr(kind, nf, ext);
      const n = modelBytes(kind, nf, liveParams());
      memory.fill(bg, 0, <usize>n);
      modelInit(kind, nf, bg);
      store<u32>(ext, 1);
      store<u32>(ext, 0, 4);
    }
    return F_DRIFT_WARNING;
  }
  if (level != DRIFT_DETECTED) return 0;
  countAdd(C_DRIFTS, 1);
  store<u32>(g_counts, load<u32>(g_counts, <usize>C_READINGS << 2), <usize>C_LAST_DRIFT << 2);
  let f = F_DRIFT;
  if (resp == RESP_RESET) soften(kind, nf, model);
  else if (resp == RESP_BACKGROUND) {
    if (load<u32>(ext) != 0 && load<u32>(ext, 4) > 0) {
      memory.copy(model, bgPtr(kind, nf, ext), <usize>modelBytes(kind, nf, liveParams()));
      countAdd(C_SWAPS, 1);
      f |= F_MODEL_SWAPPED;
    } else {
      soften(kind, nf, model); // no background yet (a drift without a warning): move fast instead
    }
    store<u32>(ext, 0);
    store<u32>(ext, 0, 4);
  }
  return f;
}

// ---- parameter table and metrics -----------------------------------------------------------

export function ext_param_default(kind: i32, id: i32): f32 {
  if (!applies(kind, id)) return NaN;
  if (id == P_DRIFT_DETECTOR && (kind == KIND_HALFSPACE || kind == KIND_KMEANS || kind == KIND_SURPRISE)) return 0;
  if (id == P_ANOMALY_THRESHOLD && kind == KIND_HALFSPACE) return HST_THRESHOLD;
  if (id == P_ANOMALY_THRESHOLD && kind == KIND_SURPRISE) return SURPRISE_THRESHOLD;
    return tab(id, 0);
}
export function ext_param_min(kind: i32, id: i32): f32 {
  return applies(kind, id) ? tab(id, 1) : 0;
}
export function ext_param_max(kind: i32, id: i32): f32 {
  return applies(kind, id) ? tab(id, 2) : 0;
}
export function ext_param_flags(kind: i32, id: i32): i32 {
  return applies(kind, id) ? <i32>tab(id, 3) : 0;
}

export function ext_get_metric(kind: i32, id: i32, slot: f32): f32 {
  if (id == M_DRIFT_MEAN || id == M_DRIFT_N) return lp(P_DRIFT_DETECTOR) != 0 ? slot : NaN;
  return NaN;
}
