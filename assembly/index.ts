// The exported ABI of build/learner.wasm, nothing else (docs/ABI.md is the reference).

import { ABI_VERSION, M_DRIFT_MEAN, M_DRIFT_N, ERR_NO_MODEL, ERR_CAPACITY, ERR_LENGTH } from "./abi";
import { STATE, STATE_CAP, IO, IO_CAP, INPUT, OUTPUT, OUT_SIZE } from "./memory";
import { liveKind, liveFeatures, liveLength, count, counterStored, metricStored } from "./layout";
import {
  createDefault, setParam, getParam, setFeatureRange, resetLearned, snapshotBlob, validateBlob, loadBlob,
} from "./state";
import { step } from "./learner";
import { metricValue } from "./metrics";
import { driftWindowMetric } from "./drift/monitor";

export function abi_version(): i32 {
  return ABI_VERSION;
}

export function state_ptr(): usize {
  return STATE;
}
export function state_len(): i32 {
  return liveLength;
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
  return liveKind;
}
export function n_features(): i32 {
  return liveFeatures;
}

export function create(kind: i32, n_features: i32): i32 {
  return createDefault(kind, n_features);
}

export function set_param(id: i32, value: f32): i32 {
  return setParam(id, value);
}

export function get_param(id: i32): f32 {
  return getParam(id);
}

export function set_feature_range(i: i32, lo: f32, hi: f32): i32 {
  return setFeatureRange(i, lo, hi);
}

export function reset(): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
  resetLearned();
  return 0;
}

export function learn_one(y: f32): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
  return <i32>step(INPUT, y, true, OUTPUT);
}

export function predict_one(): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
  return <i32>step(INPUT, NaN, false, OUTPUT);
}

export function learn_batch(n: i32): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
  const nf = liveFeatures;
  const stride = (nf + 1) << 2;
  if (n < 0 || <i64>n * <i64>(stride + OUT_SIZE) > <i64>IO_CAP) return ERR_CAPACITY;
  let x = IO;
  let out = IO + <usize>(n * stride);
  for (let i = 0; i < n; i++) {
    step(x, load<f32>(x + <usize>(nf << 2)), true, out);
    x += <usize>stride;
    out += <usize>OUT_SIZE;
  }
  return n;
}

export function snapshot(): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
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
  if (liveKind == 0 || !counterStored(id)) return 0;
  return <i32>count(id);
}

export function get_metric(id: i32): f32 {
  if (liveKind == 0) return NaN;
  if (id == M_DRIFT_MEAN || id == M_DRIFT_N) return driftWindowMetric(id);
  if (!metricStored(id)) return NaN;
  return metricValue(id);
}

export { load_blob as load };
