// DDM, the Drift Detection Method (Gama et al. 2004), for a 0/1 error stream.
//   p = error rate so far, s = sqrt(p (1 − p) / n); remember (p_min, s_min) where p + s was
//   smallest; warning when p + s > p_min + w·s_min, drift when p + s > p_min + d·s_min.
// Defaults as River: warm start 30 values, w = 2, d = 3. Any x > 0.5 counts as an error.
// Unlike River, the minimum is only taken once an error has been seen (with s = 0 the first
// error of a perfect model would be a drift). After a drift the detector restarts.

import { DRIFT_NONE, DRIFT_WARNING, DRIFT_DETECTED } from "./level";

const WARM_START: u32 = 30;

const O_N: usize = 0; // u32 values since the last reset
const O_ERR: usize = 4; // u32 errors since the last reset
const O_PMIN: usize = 8; // f32 p at the minimum of p + s
const O_SMIN: usize = 12; // f32 s at the minimum of p + s
const O_WARN: usize = 16; // f32 warning level w
const O_DRIFT: usize = 20; // f32 drift level d
const O_LAST: usize = 24; // u32 last answer

export const DDM_BYTES: i32 = 28;

export function ddmReset(p: usize): void {
  store<u32>(p, 0, O_N);
  store<u32>(p, 0, O_ERR);
  store<f32>(p, Infinity, O_PMIN);
  store<f32>(p, Infinity, O_SMIN);
  store<u32>(p, 0, O_LAST);
}

export function ddmInit(p: usize, warning: f32, drift: f32): void {
  store<f32>(p, warning, O_WARN);
  store<f32>(p, drift, O_DRIFT);
  ddmReset(p);
}

/** Feeds one error indicator. Returns DRIFT_NONE, DRIFT_WARNING or DRIFT_DETECTED. */
export function ddmUpdate(p: usize, x: f32): i32 {
  if (load<u32>(p, O_LAST) == DRIFT_DETECTED) ddmReset(p);
  const n = load<u32>(p, O_N) + 1;
  const e = load<u32>(p, O_ERR) + (x > 0.5 ? 1 : 0);
  store<u32>(p, n, O_N);
  store<u32>(p, e, O_ERR);
  const fn = <f32>n;
  const pr = <f32>e / fn;
  const s = Mathf.sqrt(pr * (1 - pr) / fn);
  let res = DRIFT_NONE;
  if (n > WARM_START) {
    let pmin = load<f32>(p, O_PMIN), smin = load<f32>(p, O_SMIN);
    if (e > 0 && pr + s <= pmin + smin) { // no minimum while error-free: s = 0 would make any error a drift
      pmin = pr;
      smin = s;
      store<f32>(p, pr, O_PMIN);
      store<f32>(p, s, O_SMIN);
    }
    if (pr + s > pmin + load<f32>(p, O_DRIFT) * smin) res = DRIFT_DETECTED;
    else if (pr + s > pmin + load<f32>(p, O_WARN) * smin) res = DRIFT_WARNING;
  }
  store<u32>(p, res, O_LAST);
  return res;
}

/** Values since the last reset. */
export function ddmCount(p: usize): u32 {
  return load<u32>(p, O_N);
}

/** Error rate since the last reset (n: the count as f32, > 0). */
export function ddmRate(p: usize, n: f32): f32 {
  return <f32>load<u32>(p, O_ERR) / n;
}
