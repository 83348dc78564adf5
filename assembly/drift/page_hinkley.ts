// Page-Hinkley test (Page 1954), River's form with a forgetting factor:
//   mean_t = running mean of x;  S_t = α S_{t−1} + (x_t − mean_t − δ)
//   drift (increase) when S_t − min S > λ, after `min_instances` values.
// The decrease side mirrors it: D_t = α D_{t−1} + (x_t − mean_t + δ), drift when max D − D_t > λ.
// Defaults δ = 0.005, λ = 50, α = 0.9999, min_instances = 30 (River's). On an error stream only
// increases matter (mode 1). Warning level: the statistic above λ/2.
// After a drift the detector restarts from scratch on the next value.

import { DRIFT_NONE, DRIFT_WARNING, DRIFT_DETECTED } from "./level";

const MIN_INSTANCES: u32 = 30;

const O_N: usize = 0; // u32 values since the last reset
const O_MEAN: usize = 4; // f32 running mean
const O_SUP: usize = 8; // f32 S (increase)
const O_MINUP: usize = 12; // f32 min S
const O_SDN: usize = 16; // f32 D (decrease)
const O_MAXDN: usize = 20; // f32 max D
const O_DELTA: usize = 24; // f32 δ
const O_LAMBDA: usize = 28; // f32 λ
const O_ALPHA: usize = 32; // f32 α
const O_MODE: usize = 36; // u32 1 = increase, 2 = decrease, 3 = both
const O_LAST: usize = 40; // u32 last answer (a drift restarts the test on the next value)

export const PH_BYTES: i32 = 44;

/** Restarts the test, keeps the configuration. */
export function pageHinkleyReset(p: usize): void {
  store<u32>(p, 0, O_N);
  store<f32>(p, 0, O_MEAN);
  store<f32>(p, 0, O_SUP);
  store<f32>(p, 0, O_MINUP);
  store<f32>(p, 0, O_SDN);
  store<f32>(p, 0, O_MAXDN);
  store<u32>(p, 0, O_LAST);
}

export function pageHinkleyInit(p: usize, delta: f32, lambda: f32, alpha: f32, mode: u32): void {
  store<f32>(p, delta, O_DELTA);
  store<f32>(p, lambda, O_LAMBDA);
  store<f32>(p, alpha, O_ALPHA);
  store<u32>(p, mode, O_MODE);
  pageHinkleyReset(p);
}

/** Feeds one value. Returns DRIFT_NONE, DRIFT_WARNING or DRIFT_DETECTED. */
export function pageHinkleyUpdate(p: usize, x: f32): i32 {
  if (load<u32>(p, O_LAST) == DRIFT_DETECTED) pageHinkleyReset(p);
  const n = load<u32>(p, O_N) + 1;
  store<u32>(p, n, O_N);
  const mean = load<f32>(p, O_MEAN) + (x - load<f32>(p, O_MEAN)) / <f32>n;
  store<f32>(p, mean, O_MEAN);
  const a = load<f32>(p, O_ALPHA), delta = load<f32>(p, O_DELTA);
  const dev = x - mean;
  const up = a * load<f32>(p, O_SUP) + dev - delta;
  const dn = a * load<f32>(p, O_SDN) + dev + delta;
  const minup = min<f32>(load<f32>(p, O_MINUP), up);
  const maxdn = max<f32>(load<f32>(p, O_MAXDN), dn);
  store<f32>(p, up, O_SUP);
  store<f32>(p, dn, O_SDN);
  store<f32>(p, minup, O_MINUP);
  store<f32>(p, maxdn, O_MAXDN);
  let res = DRIFT_NONE;
  if (n >= MIN_INSTANCES) {
    const mode = load<u32>(p, O_MODE);
    let stat: f32 = 0;
    if (mode & 1) stat = up - minup;
    if (mode & 2) stat = max<f32>(stat, maxdn - dn);
    const lambda = load<f32>(p, O_LAMBDA);
    res = stat > lambda ? DRIFT_DETECTED : stat > 0.5 * lambda ? DRIFT_WARNING : DRIFT_NONE;
  }
  store<u32>(p, res, O_LAST);
  return res;
}

/** Values since the last reset. */
export function pageHinkleyCount(p: usize): u32 {
  return load<u32>(p, O_N);
}

/** Running mean of the values since the last reset. */
export function pageHinkleyMean(p: usize): f32 {
  return load<f32>(p, O_MEAN);
}
