// Parameter table for ids 0..31 (core): default, min, max, and flags
// (1 = integer, 2 = structural: a change clears the learned state).
// Ids 32..63 are answered by assembly/ext.ts.

import {
  N_CORE_PARAMS, EXT_PARAM_BASE, N_PARAMS, KIND_LINEAR, KIND_SURPRISE,
  P_TARGET_SCALE, P_LR, P_RANGE_LO, P_RANGE_HI, P_STUCK_K, P_SPIKE_T,
} from "../abi";
import { ext_param_default, ext_param_min, ext_param_max, ext_param_flags } from "../ext";

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
  /* 10 RANGE_LO     */ -1e6, -3.4e38, 3.4e38,
  /* 11 RANGE_HI     */ 1e6, -3.4e38, 3.4e38,
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

@inline function tab(id: i32, col: i32): f32 {
  return load<f32>(TABLE + (<usize>(id * 3 + col) << 2));
}

/** Default of a parameter for a kind; NaN for an unknown id. */
export function paramDefault(kind: i32, id: i32): f32 {
  if (id >= EXT_PARAM_BASE && id < N_PARAMS) return ext_param_default(kind, id);
  if (id < 0 || id >= N_CORE_PARAMS) return NaN;
  if (id == P_TARGET_SCALE && kind == KIND_LINEAR) return 1.0;
  if (id == P_LR && kind == KIND_LINEAR) return 0.2;
  if (kind == KIND_SURPRISE) {
    // The anomaly detector scores every finite reading: a spike is what it reports, a value
    // outside any range is novelty, and a constant series is not a fault by itself. Only
    // non-finite values (and ranges the user sets) are refused as sensor faults.
    if (id == P_STUCK_K || id == P_SPIKE_T) return 0;
    if (id == P_RANGE_LO) return -3.4e38;
    if (id == P_RANGE_HI) return 3.4e38;
  }
  return tab(id, 0);
}

export function paramMin(kind: i32, id: i32): f32 {
  if (id >= EXT_PARAM_BASE) return ext_param_min(kind, id);
  return tab(id, 1);
}

export function paramMax(kind: i32, id: i32): f32 {
  if (id >= EXT_PARAM_BASE) return ext_param_max(kind, id);
  return tab(id, 2);
}

export function paramFlags(kind: i32, id: i32): i32 {
  if (id >= EXT_PARAM_BASE) return ext_param_flags(kind, id);
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
