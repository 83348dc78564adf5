// Page-Hinkley test (Page 1954) on the value in units of its own standard deviation, so one λ
// means the same on every error stream: an AR residual, a LINEAR error, a 0/1 mistake or an
// anomaly score, large or small. With the raw value, δ and λ were in the value's units and
// the false alarm rate followed its scale (a forecaster's residual alarmed every ~11,000
// readings of stationary noise, a classifier's mistakes a few times a million).
//   mean_t  running mean of x since the restart;  σ_t its running standard deviation
//   z_t = min((x_t − mean_t) / σ, CLIP)
//   G_t = max(0, α G_{t−1} + z_t − δ)       drift (increase) when G_t > λ, warning above λ/2
// G is S − min S of the classic form (S_t = S_{t−1} + z_t − δ) written as a reflected sum, which
// lets the forgetting factor α act on the evidence itself: applied to S (River's form) it pulls
// S towards −δ/(1−α) while min S keeps its record, so on a long stationary run S − min S grows
// to the size of S's own fluctuations and alarms whatever λ is.
// The decrease side mirrors it: D_t = max(0, α D_{t−1} − z_t − δ). On an error stream only
// increases matter (mode 1).
// σ: the variance takes each value at weight 1/n (the mean of all so far) until that weight
// falls to 1 − α, then at 1 − α (the detector's own memory); 1/σ is refreshed every 32 values
// (a square root and a division, not one per value). CLIP bounds what one value adds: a single
// wild residual is not a drift, and a classifier that rarely errs (each 0/1 mistake many of its
// small deviations) needs a run of λ/CLIP = 50 mistakes to alarm on them alone, as when λ = 50
// counted raw mistakes (a burst of them where a daily cycle crosses the label threshold).
// Defaults δ = 0.03, λ = 150, α = 0.9999, 30 values before the first answer; after a drift the
// detector restarts from scratch on the next value.

import { DRIFT_NONE, DRIFT_WARNING, DRIFT_DETECTED } from "./level";
import { P_PH_DELTA, P_PH_LAMBDA } from "../abi";
import { PARAMS, liveKind } from "../layout";
import { paramDefault } from "../params";

const MIN_INSTANCES: u32 = 30;
const CLIP: f32 = 3;
const REFRESH_MASK: u32 = 31;
const VAR_FLOOR: f32 = 1e-12; // a run of equal values: any later change is far beyond it
// the defaults while δ and λ were in the value's own units: a state saved then still holding
// them takes this form's (its test restarts)
const DELTA_RAW_DEFAULT: f32 = 0.005;
const LAMBDA_RAW_DEFAULT: f32 = 50;

@unmanaged class PageHinkley {
  n: u32; // values since the last reset
  mean: f32; // running mean
  up: f32; // G (increase)
  variance: f32; // running variance
  down: f32; // D (decrease)
  invSd: f32; // 1/σ, refreshed every 32 values
  delta: f32; // in standard deviations
  lambda: f32; // in standard deviations
  alpha: f32;
  mode: u32; // 1 = increase, 2 = decrease, 3 = both
  last: u32; // last answer (a drift restarts the test on the next value)
  scaled: u32; // 1 in this form; 0 in a state saved when the test ran on raw values
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
  s.variance = 0;
  s.down = 0;
  s.invSd = 0;
  s.last = 0;
  s.scaled = 1;
}

/** A state just loaded: one saved before the test was scaled (the same blob version: `scaled`
 * was padding, 0) kept its statistics in the value's units, so the test restarts, and δ and λ
 * left at that form's defaults take this form's (in the parameters too, so the blob reads back
 * what runs). Done at load, not on every value. */
export function pageHinkleyLoaded(p: usize): void {
  const s = at(p);
  if (s.scaled != 0) return;
  if (s.delta == DELTA_RAW_DEFAULT && s.lambda == LAMBDA_RAW_DEFAULT) {
    const delta = paramDefault(liveKind, P_PH_DELTA), lambda = paramDefault(liveKind, P_PH_LAMBDA);
    s.delta = delta;
    s.lambda = lambda;
    store<f32>(PARAMS + (<usize>P_PH_DELTA << 2), delta);
    store<f32>(PARAMS + (<usize>P_PH_LAMBDA << 2), lambda);
  }
  pageHinkleyReset(p);
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
  const a = s.alpha;
  const w = <f32>1 / <f32>n;
  const before = x - s.mean;
  const mean = s.mean + before * w;
  s.mean = mean;
  const dev = x - mean;
  const variance = s.variance + (before * dev - s.variance) * max<f32>(w, 1 - a);
  s.variance = variance;
  let res = DRIFT_NONE;
  if (n >= MIN_INSTANCES) {
    let inv = s.invSd;
    if (n == MIN_INSTANCES || (n & REFRESH_MASK) == 0) {
      inv = <f32>1 / Mathf.sqrt(max<f32>(variance, VAR_FLOOR));
      s.invSd = inv;
    }
    const z = min<f32>(dev * inv, CLIP);
    const delta = s.delta;
    const mode = s.mode;
    let stat: f32 = 0;
    if (mode & 1) {
      const up = max<f32>(0, a * s.up + z - delta);
      s.up = up;
      stat = up;
    }
    if (mode & 2) {
      const dn = max<f32>(0, a * s.down - z - delta);
      s.down = dn;
      stat = max<f32>(stat, dn);
    }
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
