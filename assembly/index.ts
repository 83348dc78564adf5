// The exported ABI of build/learner.wasm — nothing else lives here. docs/ABI.md is the reference.

import {
  ABI_VERSION, N_PARAMS, N_COUNTS, N_METRICS, ERR_FEATURES, ERR_NONFINITE, ERR_PARAM, ERR_NO_MODEL,
  ERR_CAPACITY, ERR_LENGTH, EXT_PARAM_BASE, P_RANGE_LO, P_RANGE_HI, M_RMSE, M_RMSE_EW, M_TARGET_MEAN,
  M_TARGET_STD, C_SCORED, KIND_LOGISTIC, M_ACCURACY, M_LOGLOSS, M_ACCURACY_EW, M_LOGLOSS_EW,
} from "./abi";
import { STATE, STATE_CAP, IO, IO_CAP, INPUT, OUTPUT, OUT_SIZE, PSCRATCH, finite } from "./core/mem";
import {
  H_PARAMS, H_RANGES, g_kind, g_nf, g_len, g_counts, g_metrics, param, isCoreKind,
} from "./core/state";
import { paramDefault, paramOk, paramFlags, PF_STRUCTURAL } from "./core/params";
import {
  createDefault, createFrom, resetLearned, snapshotBlob, validateBlob, loadBlob, fillRanges,
} from "./core/blob";
import { step } from "./core/pipeline";
import { scalerMean, scalerStd } from "./core/scaler";
import { ext_get_metric } from "./ext";

export function abi_version(): i32 {
  return ABI_VERSION;
}

export function state_ptr(): usize {
  return STATE;
}
export function state_len(): i32 {
  return g_len;
}
export function state_cap(): i32 {
  return STATE_CAP;
}
export function io_ptr(): usize {
  return IO;
}
export function io_cap(): i32 {
  return IO_CAP;
}
export function input_ptr(): usize {
  return INPUT;
}
export function output_ptr(): usize {
  return OUTPUT;
}
/** Current kind (0 before create/load) and feature count. */
export function kind(): i32 {
  return g_kind;
}
export function n_features(): i32 {
  return g_nf;
}

export function create(kind: i32, n_features: i32): i32 {
  return createDefault(kind, n_features, PSCRATCH);
}

export function set_param(id: i32, value: f32): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  if (!finite(value)) return ERR_NONFINITE;
  if (id < 0 || id >= N_PARAMS) return ERR_PARAM;
  const params = STATE + H_PARAMS;
  if (!paramOk(g_kind, id, value, params)) return ERR_PARAM;
  const p = params + (<usize>id << 2);
  const old = load<f32>(p);
  if (old == value) return 0;
  if ((paramFlags(g_kind, id) & PF_STRUCTURAL) != 0) {
    // The layout may change: rebuild from a copy of the parameters, keep the ranges.
    memory.copy(PSCRATCH, params, <usize>N_PARAMS << 2);
    store<f32>(PSCRATCH + (<usize>id << 2), value);
    return createFrom(g_kind, g_nf, PSCRATCH, true);
  }
  store<f32>(p, value);
  if (id == P_RANGE_LO || id == P_RANGE_HI) fillRanges(param(P_RANGE_LO), param(P_RANGE_HI));
  return 0;
}

export function get_param(id: i32): f32 {
  if (g_kind == 0 || id < 0 || id >= N_PARAMS || isNaN(paramDefault(g_kind, id))) return NaN;
  return param(id);
}

export function set_feature_range(i: i32, lo: f32, hi: f32): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  if (i < 0 || i > g_nf) return ERR_FEATURES;
  if (isNaN(lo) || isNaN(hi)) return ERR_NONFINITE;
  if (lo > hi) return ERR_PARAM;
  // Stored finite (±Inf becomes ±f32 max) so the guard's range test also rejects ±Inf.
  store<f32>(STATE + H_RANGES + (<usize>i << 3), Mathf.max(lo, -F32.MAX_VALUE));
  store<f32>(STATE + H_RANGES + (<usize>i << 3), Mathf.min(hi, F32.MAX_VALUE), 4);
  return 0;
}

export function reset(): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  resetLearned();
  return 0;
}

export function learn_one(y: f32): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  return <i32>step(INPUT, y, true, OUTPUT);
}

export function predict_one(): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  return <i32>step(INPUT, NaN, false, OUTPUT);
}

export function learn_batch(n: i32): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  const stride = (g_nf + 1) << 2;
  if (n < 0 || <i64>n * <i64>(stride + OUT_SIZE) > <i64>IO_CAP) return ERR_CAPACITY;
  let x = IO;
  let out = IO + <usize>(n * stride);
  for (let i = 0; i < n; i++) {
    step(x, load<f32>(x + <usize>(g_nf << 2)), true, out);
    x += <usize>stride;
    out += <usize>OUT_SIZE;
  }
  return n;
}

export function snapshot(): i32 {
  if (g_kind == 0) return ERR_NO_MODEL;
  return snapshotBlob();
}

export function validate(len: i32): i32 {
  if (len < 0 || len > IO_CAP) return ERR_LENGTH;
  return validateBlob(IO, len);
}

function load_blob(len: i32): i32 {
  if (len < 0 || len > IO_CAP) return ERR_LENGTH;
  return loadBlob(IO, len);
}

export function get_count(id: i32): i32 {
  if (g_kind == 0 || id < 0 || id >= N_COUNTS) return 0;
  return load<i32>(g_counts + (<usize>id << 2));
}

export function get_metric(id: i32): f32 {
  if (g_kind == 0 || id < 0 || id >= N_METRICS) return NaN;
  const slot = load<f32>(g_metrics + (<usize>id << 2));
  if (id >= EXT_PARAM_BASE) return ext_get_metric(g_kind, id, slot);
  if (id == M_TARGET_MEAN) return scalerMean(g_nf);
  if (id == M_TARGET_STD) return scalerStd(g_nf);
  if (id > M_TARGET_STD) return NaN;
  if (load<u32>(g_counts + (<usize>C_SCORED << 2)) == 0) return NaN;
  if ((id == M_ACCURACY || id == M_LOGLOSS || id == M_ACCURACY_EW || id == M_LOGLOSS_EW)
    && !(g_kind == KIND_LOGISTIC)) return NaN;
  if (id == M_RMSE || id == M_RMSE_EW) return Mathf.sqrt(slot);
  return slot;
}

export { load_blob as load };
