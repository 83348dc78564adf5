// Page-Hinkley test (Page 1954), River's form with a forgetting factor:
//   mean_t = running mean of x;  S_t = α S_{t−1} + (x_t − mean_t − δ)
//   drift (increase) when S_t − min S > λ, after `min_instances` values.
// The decrease side mirrors it: D_t = α D_{t−1} + (x_t − mean_t + δ), drift when max D − D_t > λ.
// Defaults δ = 0.005, λ = 50, α = 0.9999, min_instances = 30 (River's). On an error stream only
// increases matter (mode 1). Warning level: the statistic above λ/2.
// After a drift the detector restarts from scratch on the next value.

import { DRIFT_NONE, DRIFT_WARNING, DRIFT_DETECTED } from "./level";

const MIN_INSTANCES: u32 = 30;

@unmanaged class PageHinkley {
  n: u32; // values since the last reset
  mean: f32; // running mean
  up: f32; // S (increase)
  minUp: f32; // min S
  down: f32; // D (decrease)
  maxDown: f32; // max D
  delta: f32;
  lambda: f32;
  alpha: f32;
  mode: u32; // 1 = increase, 2 = decrease, 3 = both
  last: u32; // last answer (a drift restarts the test on the next value)
}

@inline function at(p: usize): PageHinkley {
  return changetype<PageHinkley>(p);
}

export const PH_BYTES: i32 = <i32>offsetof<PageHinkley>();

/** Restarts the test, keeps the configuration. */
export function pageHinkleyReset(p: usize): void {
  const s = at(p);
  s.n = 0;
  s.mean = 0;
  s.up = 0;
  s.minUp = 0;
  s.down = 0;
  s.maxDown = 0;
  s.last = 0;
}

export function pageHinkleyInit(p: usize, delta: f32, lambda: f32, alpha: f32, mode: u32): void {
  const s = at(p);
  s.delta = delta;
  s.lambda = lambda;
  s.alpha = alpha;
  s.mode = mode;
  pageHinkleyReset(p);
}

/** Feeds one value. Returns DRIFT_NONE, DRIFT_WARNING or DRIFT_DETECTED. */
@inline export function pageHinkleyUpdate(p: usize, x: f32): i32 {
  const s = at(p);
  if (s.last == DRIFT_DETECTED) pageHinkleyReset(p);
  const n = s.n + 1;
  s.n = n;
  const mean = s.mean + (x - s.mean) / <f32>n;
  s.mean = mean;
  const a = s.alpha, delta = s.delta;
  const dev = x - mean;
  const up = a * s.up + dev - delta;
  const dn = a * s.down + dev + delta;
  const minup = min<f32>(s.minUp, up);
  const maxdn = max<f32>(s.maxDown, dn);
  s.up = up;
  s.down = dn;
  s.minUp = minup;
  s.maxDown = maxdn;
  let res = DRIFT_NONE;
  if (n >= MIN_INSTANCES) {
    const mode = s.mode;
    let stat: f32 = 0;
    if (mode & 1) stat = up - minup;
    if (mode & 2) stat = max<f32>(stat, maxdn - dn);
    const lambda = s.lambda;
    res = stat > lambda ? DRIFT_DETECTED : stat > 0.5 * lambda ? DRIFT_WARNING : DRIFT_NONE;
  }
  s.last = res;
  return res;
}

/** Values since the last reset. */
export function pageHinkleyCount(p: usize): u32 {
  return at(p).n;
}

/** Running mean of the values since the last reset. */
export function pageHinkleyMean(p: usize): f32 {
  return at(p).mean;
}
