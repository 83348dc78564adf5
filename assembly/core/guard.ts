// The guard: decides whether a reading may reach the scaler and the model.
//
// Per value (features, then the target at index n) a 32-byte slot keeps:
//   0 last   f32  value at the start of the current run of equal values (within eps)
//   4 run    u32  length of that run
//   8 runm   f32  EW mean length of completed runs (α = 1/8)
//  12 nchg   u32  number of changes seen (saturating)
//  16 mu     f32  EW mean
//  20 mad    f32  EW mean absolute deviation from mu (the robust spread)
//  24 step   f32  EW mean size of a change (quantisation-aware spread floor)
//  28 nspike u32  consecutive spikes (a level shift is accepted after SPIKE_RESET of them)
// The guard head keeps n (u32), the number of accepted readings.
//
// Stuck:  |x − last| ≤ eps for the (run+1)-th time with run+1 ≥ K and run+1 ≥ FACTOR × runm,
//         once the value has changed at least 4 times. The run-length ratio keeps discrete or
//         slow features (a door contact, an integer humidity) from looking stuck.
// Spike:  after WARMUP readings, |x − mu| > T × max(mad, step). Using the typical step as a
//         floor means a binary feature toggling is never a spike, but an 85 °C power-on value
//         from a 21 °C sensor is.

import {
  REJ_NONFINITE, REJ_RANGE, REJ_STUCK, REJ_SPIKE, REJ_NO_TARGET, REJ_BAD_TARGET, KIND_LOGISTIC,
  P_STUCK_K, P_STUCK_EPS, P_STUCK_FACTOR, P_SPIKE_T, P_SPIKE_ALPHA, P_WARMUP, P_SPIKE_RESET,
  P_TARGET_SPIKE, P_SCALER, C_LEVEL_SHIFT,
} from "../abi";
import { finite } from "./mem";
import { scalerSlot, S_MEAN, S_INV } from "./scaler";
import { weightPtr } from "./linear";
import { g_guard, g_scaler, g_nf, param, rangeLo, rangeHi, countAdd, GUARD_HEAD, GUARD_SLOT } from "./state";

const G_LAST: usize = 0;
const G_RUN: usize = 4;
const G_RUNM: usize = 8;
const G_NCHG: usize = 12;
const G_MU: usize = 16;
const G_MAD: usize = 20;
const G_STEP: usize = 24;
const G_NSPIKE: usize = 28;
const SAT: u32 = 0x3FFFFFFF;

@inline export function slot(i: i32): usize {
  return slotAt(g_guard, i);
}

/** Slot i of the guard section at g (loops keep the section address in a local). */
@inline export function slotAt(g: usize, i: i32): usize {
  return g + <usize>(GUARD_HEAD + i * GUARD_SLOT);
}

/** Accepted readings so far. */
@inline export function guardN(): u32 {
  return load<u32>(g_guard);
}

@inline function warm(): bool {
  return <f32>guardN() >= param(P_WARMUP) && guardN() > 0;
}

/** Stuck test for value v in slot s (no state change). */
@inline function isStuck(s: usize, v: f32, k: f32, eps: f32, factor: f32): bool {
  if (Mathf.abs(v - load<f32>(s, G_LAST)) > eps) return false;
  const run1 = <f32>(load<u32>(s, G_RUN) + 1);
  return run1 >= k && load<u32>(s, G_NCHG) >= 4 && run1 >= factor * load<f32>(s, G_RUNM);
}

/** Spike test (no state change). max(mad, step) is written out: both are finite and ≥ 0. */
@inline function spiking(s: usize, v: f32, t: f32): bool {
  const mad = load<f32>(s, G_MAD);
  const step = load<f32>(s, G_STEP);
  const sp = mad > step ? mad : step;
  return Mathf.abs(v - load<f32>(s, G_MU)) > t * sp && sp > 0;
}

/** A spike seen with commit: counts consecutive spikes and accepts a level shift after
 * SPIKE_RESET of them (re-centres the mean, counts C_LEVEL_SHIFT, returns false). */
function spikeCommit(s: usize, v: f32): bool {
  const ns = load<u32>(s, G_NSPIKE) + 1;
  if (<f32>ns >= param(P_SPIKE_RESET)) {
    store<f32>(s, v, G_MU);
    store<u32>(s, 0, G_NSPIKE);
    countAdd(C_LEVEL_SHIFT, 1);
    return false;
  }
  store<u32>(s, ns, G_NSPIKE);
  return true;
}

/** f = w·z (+ b) of the model section given to the last guardFeatures call. */
export let g_dot: f32 = 0;

/** Reject bits for the features at x (bits 0..3). With commit, a reading rejected for spikes
 * alone advances the guard's own bookkeeping (consecutive spikes, level shifts); a reading with
 * any other reject reason changes nothing.
 * The same pass standardizes x into z with the scaler's current statistics and leaves the model
 * section at m's f = w·z (+ b) in g_dot (the sum and order of linDot), so the pipeline needs no
 * second pass over the features; both mean nothing when the reading is rejected or m = 0. */
export function guardFeatures(x: usize, commit: bool, z: usize, m: usize, intercept: bool): u32 {
  const nf = g_nf;
  const k = param(P_STUCK_K);
  const eps = param(P_STUCK_EPS);
  const factor = param(P_STUCK_FACTOR);
  const t = param(P_SPIKE_T);
  const seen = guardN() > 0;
  const stuckOn = seen && k > 0;
  const spikes = t > 0 && warm();
  let flags: u32 = 0;
  const gb = g_guard;
  const sb = g_scaler;
  const on = param(P_SCALER) != 0;
  let f: f32 = intercept ? load<f32>(weightPtr(m, nf)) : 0;
  for (let i = 0; i < nf; i++) {
    const o = <usize>i << 2;
    const v = load<f32>(x + o);
    const sc = scalerSlot(sb, i);
    const zi = on ? (v - load<f32>(sc, S_MEAN)) * load<f32>(sc, S_INV) : v;
    store<f32>(z + o, zi);
    f += load<f32>(weightPtr(m, i)) * zi;
    if (!(v >= rangeLo(i) && v <= rangeHi(i))) {
      // One test catches NaN, ±Inf and out-of-range values; tell them apart only here.
      if (!finite(v)) {
        flags |= REJ_NONFINITE;
        continue;
      }
      flags |= REJ_RANGE;
    }
    const s = slotAt(gb, i);
    if (stuckOn && isStuck(s, v, k, eps, factor)) flags |= REJ_STUCK;
    if (spikes && spiking(s, v, t)) flags |= REJ_SPIKE;
  }
  g_dot = f;
  if (commit && flags == REJ_SPIKE) {
    // Rare path: count the spikes; a feature whose new level is accepted no longer spikes.
    flags = 0;
    for (let i = 0; i < nf; i++) {
      const v = load<f32>(x + (<usize>i << 2));
      const s = slot(i);
      if (spiking(s, v, t) && spikeCommit(s, v)) flags |= REJ_SPIKE;
    }
  }
  return flags;
}

/** Target bits (4..5) for a supervised kind: missing, non-finite, out of range, not 0/1 for
 * LOGISTIC, or (TARGET_SPIKE) a spike. */
export function guardTarget(y: f32, kind: i32, commit: bool): u32 {
  if (isNaN(y)) return REJ_NO_TARGET;
  const nf = g_nf;
  if (!finite(y) || !(y >= rangeLo(nf) && y <= rangeHi(nf))) return REJ_BAD_TARGET;
  if (kind == KIND_LOGISTIC) return y == 0 || y == 1 ? 0 : REJ_BAD_TARGET;
  const t = param(P_SPIKE_T);
  if (param(P_TARGET_SPIKE) != 0 && t > 0 && warm() && spiking(slot(nf), y, t) && (!commit || spikeCommit(slot(nf), y))) {
    return REJ_BAD_TARGET;
  }
  return 0;
}

/** Folds an accepted value into its guard slot. */
@inline export function updateSlot(s: usize, v: f32, first: bool, eps: f32, a: f32): void {
  if (first) {
    store<f32>(s, v, G_LAST);
    store<u32>(s, 1, G_RUN);
    store<f32>(s, v, G_MU);
    return;
  }
  const d = Mathf.abs(v - load<f32>(s, G_LAST));
  const run = load<u32>(s, G_RUN);
  if (d <= eps) {
    store<u32>(s, run < SAT ? run + 1 : run, G_RUN);
  } else {
    const nchg = load<u32>(s, G_NCHG);
    const runm = load<f32>(s, G_RUNM);
    const step = load<f32>(s, G_STEP);
    store<f32>(s, nchg == 0 ? <f32>run : runm + (<f32>run - runm) * 0.125, G_RUNM);
    store<f32>(s, nchg == 0 ? d : step + a * (d - step), G_STEP);
    store<u32>(s, nchg < SAT ? nchg + 1 : nchg, G_NCHG);
    store<u32>(s, 1, G_RUN);
    store<f32>(s, v, G_LAST);
  }
  const mu = load<f32>(s, G_MU);
  const dm = v - mu;
  store<f32>(s, mu + a * dm, G_MU);
  const mad = load<f32>(s, G_MAD);
  store<f32>(s, mad + a * (Mathf.abs(dm) - mad), G_MAD);
  store<u32>(s, 0, G_NSPIKE);
}

export const GUARD_SAT: u32 = SAT;
