// DDM, the Drift Detection Method (Gama et al. 2004), for a 0/1 error stream.
//   p = error rate so far, s = sqrt(p (1 − p) / n); remember (p_min, s_min) where p + s was
//   smallest; warning when p + s > p_min + w·s_min, drift when p + s > p_min + d·s_min.
// Defaults as River: warm start 30 values, w = 2, d = 3. Any x > 0.5 counts as an error.
// Unlike River, the minimum is only taken once an error has been seen (with s = 0 the first
// error of a perfect model would be a drift). After a drift the detector restarts.

import { DRIFT_NONE, DRIFT_WARNING, DRIFT_DETECTED } from "./level";

const WARM_START: u32 = 30;

@unmanaged class Ddm {
  n: u32; // values since the last reset
  errors: u32; // errors since the last reset
  pMin: f32; // p at the minimum of p + s
  sMin: f32; // s at the minimum of p + s
  warn: f32; // warning level w
  drift: f32; // drift level d
  last: u32; // last answer
}

@inline function at(p: usize): Ddm {
  return changetype<Ddm>(p);
}

export const DDM_BYTES: i32 = <i32>offsetof<Ddm>();

export function ddmReset(p: usize): void {
  const s = at(p);
  s.n = 0;
  s.errors = 0;
  s.pMin = Infinity;
  s.sMin = Infinity;
  s.last = 0;
}

export function ddmInit(p: usize, warning: f32, drift: f32): void {
  at(p).warn = warning;
  at(p).drift = drift;
  ddmReset(p);
}

/** Feeds one error indicator. Returns DRIFT_NONE, DRIFT_WARNING or DRIFT_DETECTED. */
export function ddmUpdate(p: usize, x: f32): i32 {
  const d = at(p);
  if (d.last == DRIFT_DETECTED) ddmReset(p);
  const n = d.n + 1;
  const e = d.errors + (x > 0.5 ? 1 : 0);
  d.n = n;
  d.errors = e;
  const fn = <f32>n;
  const pr = <f32>e / fn;
  const s = Mathf.sqrt(pr * (1 - pr) / fn);
  let res = DRIFT_NONE;
  if (n > WARM_START) {
    let pmin = d.pMin, smin = d.sMin;
    if (e > 0 && pr + s <= pmin + smin) { // no minimum while error-free: s = 0 would make any error a drift
      pmin = pr;
      smin = s;
      d.pMin = pr;
      d.sMin = s;
    }
    if (pr + s > pmin + d.drift * smin) res = DRIFT_DETECTED;
    else if (pr + s > pmin + d.warn * smin) res = DRIFT_WARNING;
  }
  d.last = res;
  return res;
}

/** Values since the last reset. */
export function ddmCount(p: usize): u32 {
  return at(p).n;
}

/** Error rate since the last reset (n: the count as f32, > 0). */
export function ddmRate(p: usize, n: f32): f32 {
  return <f32>at(p).errors / n;
}
