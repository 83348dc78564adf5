// The parameter table: default, min, max and flags of every id (docs/ABI.md "Parameters").
// Flags: 1 = integer, 2 = structural (a change rebuilds the layout and clears what was learned).
// An id answers only for the kinds it applies to: for the others its default is NaN.

import {
  N_CORE_PARAMS, MONITOR_PARAM_BASE, N_MONITOR_PARAMS, N_PARAMS, KIND_LINEAR, KIND_HALFSPACE, KIND_AR,
  KIND_KMEANS, KIND_SURPRISE, KIND_MEAN, P_TARGET_SCALE, P_LR, P_RANGE_LO, P_RANGE_HI, P_STUCK_K, P_SPIKE_T, P_TARGET_SPIKE,
  P_DRIFT_DETECTOR, P_ANOMALY_THRESHOLD, P_ZSCORE, P_ZSCORE_ALPHA, P_HST_TREES, P_HST_RANGE,
  P_AR_ORDER, P_AR_EXOG, P_KM_K, P_KM_WARMUP, P_NOVELTY_TOL, P_RECENT_DECAY, P_MEAN_ALPHA,
} from "./abi";
import { isLinearKind } from "./models/linear";
import { supervised } from "./models/model";

export const PF_INT: i32 = 1;
export const PF_STRUCTURAL: i32 = 2;

// default, min, max per id (see docs/ABI.md "Parameters").
const TABLE: usize = memory.data<f32>([
  /* 0 LR            */ 0.1, 0.0, 1000.0,
  /* 1 L2            */ 0.0, 0.0, 1000.0,
  /* 2 LOSS          */ 0.0, 0.0, 1.0,
  /* 3 HUBER_DELTA   */ 1.35, 1e-6, 1e6,
  /* 4 OPTIMIZER     */ 0.0, 0.0, 1.0,
  /* 5 INTERCEPT     */ 1.0, 0.0, 1.0,
  /* 6 SCALER        */ 1.0, 0.0, 2.0,
  /* 7 SCALER_ALPHA  */ 0.01, 1e-6, 1.0,
  /* 8 TARGET_SCALE  */ 0.0, 0.0, 1.0,
  /* 9 METRIC_ALPHA  */ 0.01, 1e-6, 1.0,
  /* 10 RANGE_LO     */ -1e12, -3.4e38, 3.4e38,
  /* 11 RANGE_HI     */ 1e12, -3.4e38, 3.4e38,
  /* 12 STUCK_K      */ 32.0, 0.0, 1e6,
  /* 13 STUCK_EPS    */ 0.0, 0.0, 3.4e38,
  /* 14 STUCK_FACTOR */ 16.0, 0.0, 1e6,
  /* 15 SPIKE_T      */ 8.0, 0.0, 1e6,
  /* 16 SPIKE_ALPHA  */ 0.01, 1e-6, 1.0,
  /* 17 WARMUP       */ 32.0, 0.0, 1e6,
  /* 18 SPIKE_RESET  */ 4.0, 1.0, 1e6,
  /* 19 THRESHOLD    */ 0.5, 0.0, 1.0,
  /* 20 TARGET_SPIKE */ 1.0, 0.0, 1.0,
  /* 21 GRAD_FORGET  */ 0.00001, 0.0, 0.5,
]);

const FLAGS: usize = memory.data<u8>([
  0, 0, 1, 0, 3, 3, 3, 0, 3, 0, 0, 0, 1, 0, 0, 0, 0, 1, 1, 0, 1, 0,
]);

// default, min, max, flags per id from MONITOR_PARAM_BASE.
const MONITOR_TABLE: usize = memory.data<f32>([
  /* 32 DRIFT_DETECTOR   */ 2, 0, 3, 3,
  /* 33 DRIFT_RESPONSE   */ 2, 0, 2, 3,
  /* 34 ADWIN_DELTA      */ 0.002, 1e-9, 1, 2,
  /* 35 ADWIN_DELTA_WARN */ 0.02, 1e-9, 1, 2,
  /* 36 PH_DELTA         */ 0.03, 0, 1e6, 2,
  /* 37 PH_LAMBDA        */ 150, 1e-6, 1e9, 2,
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
  /* 49 HST_RANGE        */ 12, 0, 1e6, 0,
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
  /* 61 MEAN_ALPHA       */ 0.01, 1e-6, 1, 0,
]);

/** HALFSPACE's default anomaly threshold (River's score scale; see bench/nab.bench.ts). */
const HALFSPACE_THRESHOLD: f32 = 0.97;
/** SURPRISE's default anomaly threshold: the one NAB's optimiser picks for it (bench/nab). */
const SURPRISE_THRESHOLD: f32 = 0.93;
/** KMEANS's default anomaly threshold: a distance of 4 of its cluster's spreads (docs/BENCHMARKS.md). */
const KMEANS_THRESHOLD: f32 = 0.9997;

function tab(id: i32, col: i32): f32 {
  return load<f32>(TABLE + (<usize>(id * 3 + col) << 2));
}

function monitorTab(id: i32, col: i32): f32 {
  return load<f32>(MONITOR_TABLE + (<usize>((id - MONITOR_PARAM_BASE) * 4 + col) << 2));
}

/** Does parameter `id` (MONITOR_PARAM_BASE..63) apply to `kind`? */
function applies(kind: i32, id: i32): bool {
  if (id < MONITOR_PARAM_BASE || id >= MONITOR_PARAM_BASE + N_MONITOR_PARAMS) return false;
  if (id == P_ZSCORE || id == P_ZSCORE_ALPHA) return isLinearKind(kind);
  if (id >= P_HST_TREES && id <= P_HST_RANGE) return kind == KIND_HALFSPACE;
  if (id >= P_AR_ORDER && id <= P_AR_EXOG) return kind == KIND_AR;
  if (id >= P_KM_K && id <= P_KM_WARMUP) return kind == KIND_KMEANS;
  if (id >= P_NOVELTY_TOL && id <= P_RECENT_DECAY) return kind == KIND_SURPRISE;
  if (id == P_MEAN_ALPHA) return kind == KIND_MEAN;
  return true;
}

function monitorDefault(kind: i32, id: i32): f32 {
  if (!applies(kind, id)) return NaN;
  if (id == P_DRIFT_DETECTOR && (kind == KIND_HALFSPACE || kind == KIND_KMEANS || kind == KIND_SURPRISE || kind == KIND_MEAN)) return 0;
  if (id == P_ANOMALY_THRESHOLD && kind == KIND_HALFSPACE) return HALFSPACE_THRESHOLD;
  if (id == P_ANOMALY_THRESHOLD && kind == KIND_SURPRISE) return SURPRISE_THRESHOLD;
  if (id == P_ANOMALY_THRESHOLD && kind == KIND_KMEANS) return KMEANS_THRESHOLD;
  return monitorTab(id, 0);
}

/** Default of a parameter for a kind; NaN for an id that does not apply. */
export function paramDefault(kind: i32, id: i32): f32 {
  if (id >= MONITOR_PARAM_BASE && id < N_PARAMS) return monitorDefault(kind, id);
  if (id < 0 || id >= N_CORE_PARAMS) return NaN;
  if (id == P_TARGET_SCALE && kind == KIND_LINEAR) return 1.0;
  if (id == P_LR && kind == KIND_LINEAR) return 0.2;
  if (!supervised(kind)) {
    // The anomaly detectors (the kinds without a target) score every finite reading: a spike is
    // what they report and a value outside any range is novelty, so their spike test is off.
    // Their stuck test is on: a value repeated far longer than its feature's runs usually last
    // (a frozen sensor, a sentinel that lasts) is refused, still scored, and not learned as the
    // new normal. It learns how long a feature's runs last, weighed by readings, so a series
    // legitimately constant for long stretches (a meter at 0 W by night, a door, a setpoint) is
    // not refused. Non-finite values and ranges the user sets are refused as well.
    if (id == P_SPIKE_T) return 0;
    if (id == P_RANGE_LO) return -3.4e38;
    if (id == P_RANGE_HI) return 3.4e38;
  }
  // The forecaster's residual reports spikes, and its spike tests would refuse the readings of
  // every new level until the guard's statistics caught up (a burst scored against the old
  // level, never learned): they are off for it; PROTECT keeps anomalies out of learning.
  if (kind == KIND_AR && (id == P_SPIKE_T || id == P_TARGET_SPIKE)) return 0;
  return tab(id, 0);
}

export function paramMin(kind: i32, id: i32): f32 {
  if (id >= MONITOR_PARAM_BASE) return applies(kind, id) ? monitorTab(id, 1) : 0;
  return tab(id, 1);
}

export function paramMax(kind: i32, id: i32): f32 {
  if (id >= MONITOR_PARAM_BASE) return applies(kind, id) ? monitorTab(id, 2) : 0;
  return tab(id, 2);
}

export function paramFlags(kind: i32, id: i32): i32 {
  if (id >= MONITOR_PARAM_BASE) return applies(kind, id) ? <i32>monitorTab(id, 3) : 0;
  return <i32>load<u8>(FLAGS + <usize>id);
}

/** Is `v` acceptable for parameter `id` of `kind` (range, integrality, lo ≤ hi)? */
export function paramOk(kind: i32, id: i32, v: f32, params: usize): bool {
  if (isNaN(paramDefault(kind, id))) return false;
  if (!(v >= paramMin(kind, id) && v <= paramMax(kind, id))) return false;
  if ((paramFlags(kind, id) & PF_INT) != 0 && v != Mathf.floor(v)) return false;
  if (id == P_RANGE_LO && v > load<f32>(params + (<usize>P_RANGE_HI << 2))) return false;
  if (id == P_RANGE_HI && v < load<f32>(params + (<usize>P_RANGE_LO << 2))) return false;
  return true;
}

/** Fills 64 params at p with the kind's defaults (unused ids 0). */
export function writeDefaults(kind: i32, p: usize): void {
  for (let id = 0; id < N_PARAMS; id++) {
    const d = paramDefault(kind, id);
    store<f32>(p + (<usize>id << 2), isNaN(d) ? 0 : d);
  }
}
