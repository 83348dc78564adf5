// Learning the statistics of an accepted reading in one pass over its values: the guard's
// statistics, the scaler's, the features standardized with the updated scaler (what the model
// then learns from), and the linear model's f at two points: with the statistics before the
// reading (its prediction) and after (its gradient). One loop instead of five keeps the hot
// path short: each value's statistics are read once; the target is folded in after the
// features' loop. A guard that keeps no statistics gets a second copy of the loop, without it.

import { guardAt, scalerAt, hotStuckEps, hotSpikeAlpha, hotScaler, hotScalerAlpha, hotRunWeight, hotGuardStats } from "./layout";
import { slotAt, updateSlot, guardCountIn, guardCountNext, guardSpikesEnd } from "./guard";
import {
  ScalerSlot, scalerSlot, scalerNext, scalerCount, welford, welfordZ, welfordStep, ewma, ewmaZ, scaled,
} from "./scale";
import { weight } from "./models/linear";

/** f = w·z (+ b) of the linear model given to the last foldReading call, for z standardized
 * with the statistics before that reading: the model's prediction (the sum and order of
 * linearDot). */
export let foldDotBefore: f32 = 0;

/** v standardized with the slot's statistics before the reading (SCALER 0: v itself). */
function zBefore(s: ScalerSlot, v: f32, mode: i32): f32 {
  return mode != 0 ? scaled(s, v) : v;
}

/** SCALER 0 and 2 (the loop below inlines only the default, 1): learns v, returns it standardized. */
function scaleOther(s: ScalerSlot, v: f32, mode: i32): f32 {
  if (mode != 2) return v;
  ewma(s, v, hotScalerAlpha, scalerCount() == 1);
  return ewmaZ(s, v);
}

/**
 * Folds features x[0..nf) into the guard and the scaler and writes their standardized values to
 * z. The target y goes into the guard when guardTarget, into the scaler when scaleTarget.
 * Returns f = w·z (+ b) of the linear model at m for the new z (its gradient point, the same
 * sum in the same order as linearDot) and leaves f for the statistics before the reading in
 * foldDotBefore; with m = 0 both mean nothing. A guard that keeps no statistics (its stuck and
 * spike tests off) is left alone: foldScalerOnly.
 */
export function foldReading(x: usize, nf: i32, y: f32, guardTarget: bool, scaleTarget: bool, z: usize, m: usize, intercept: bool): f32 {
  if (!hotGuardStats) return foldScalerOnly(x, nf, y, scaleTarget, z, m, intercept);
  return fold(x, nf, y, guardTarget, scaleTarget, z, m, intercept, true);
}

/** foldReading without the guard: the scaler and the dot products alone. A loop of its own
 * rather than a test per value in the one below, which would cost every reading of the default
 * pipeline. */
function foldScalerOnly(x: usize, nf: i32, y: f32, scaleTarget: bool, z: usize, m: usize, intercept: bool): f32 {
  return fold(x, nf, y, false, scaleTarget, z, m, intercept, false);
}

/** The loop of both; keepGuard is a constant at each of its two inlined copies. */
@inline function fold(x: usize, nf: i32, y: f32, guardTarget: bool, scaleTarget: bool, z: usize, m: usize, intercept: bool, keepGuard: bool): f32 {
  const gb = guardAt; // read once: see guardCountIn
  const gn = keepGuard ? guardCountIn(gb) : 0; // (a load is kept even when unused: it may trap)
  const gfirst = gn == 0;
  const eps = hotStuckEps;
  // EW weight with a warm start: a plain running mean until 1/(n+1) falls below SPIKE_ALPHA, so
  // the guard's spread is not underestimated (and spikes over-reported) right after warm-up.
  // Once α (n+1) ≥ 2 the division cannot win the max, so it is skipped (same bits).
  const alpha = hotSpikeAlpha;
  const gn1 = <f32>(gn + 1);
  const ga = alpha * gn1 >= 2 ? alpha : Mathf.max(alpha, <f32>1.0 / gn1);
  const sc = scalerAt;
  const mode = hotScaler;
  const n = scalerNext();
  const invn = welfordStep(n);
  const sa = hotScalerAlpha;
  const sfirst = n == 1;
  let f: f32 = intercept ? weight(m, nf) : 0;
  let fBefore = f;
  // The target's guard slot is value nf of the same loop (one inlined copy of updateSlot).
  const end = guardTarget ? nf + 1 : nf;
  const rw = hotRunWeight;
  for (let i = 0; i < end; i++) {
    const o = <usize>i << 2;
    const v = i < nf ? load<f32>(x + o) : y;
    if (keepGuard) updateSlot(slotAt(gb, i), v, gfirst, eps, ga, rw);
    if (i == nf) break;
    const s = scalerSlot(sc, i);
    const w = weight(m, i);
    let zi: f32;
    if (mode == 1) {
      const mean = s.mean; // read once for both standardizations
      fBefore += w * ((v - mean) * s.invStd);
      zi = welfordZ(s, v, mean, invn);
    } else {
      fBefore += w * zBefore(s, v, mode);
      zi = scaleOther(s, v, mode);
    }
    store<f32>(z + o, zi);
    f += w * zi;
  }
  if (scaleTarget) {
    // the target is exact in modes 0 and 1
    const s = scalerSlot(sc, nf);
    if (mode == 2) ewma(s, y, sa, sfirst);
    else welford(s, y, invn);
  }
  if (keepGuard) {
    guardSpikesEnd(gb, end);
    guardCountNext(gb, gn);
  }
  foldDotBefore = fBefore;
  return f;
}
