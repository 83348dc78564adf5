// Learning the statistics of an accepted reading in one pass over its values: the guard's
// statistics, the scaler's, the features standardized with the updated scaler (what the model
// then learns from), and the model's f at that point. One loop instead of four keeps the hot
// path short; the target is folded in after the features' loop.

import { P_SCALER, P_SCALER_ALPHA, P_STUCK_EPS, P_SPIKE_ALPHA } from "../abi";
import { g_guard, g_scaler, param } from "./state";
import { slotAt, updateSlot, guardN, GUARD_SAT } from "./guard";
import { scalerSlot, welford, welfordZ, welfordStep, ewma, S_MEAN, S_INV } from "./scaler";
import { weightPtr } from "./linear";

/**
 * Folds features x[0..nf) into the guard and the scaler and writes their standardized values to
 * z. The target y goes into the guard when guardTarget, into the scaler when scaleTarget.
 * Returns f = w·z (+ b) of the model section at m for the new z (the core kinds' gradient
 * point, the same sum in the same order as linDot); with m = 0 the result means nothing.
 */
export function absorb(x: usize, nf: i32, y: f32, guardTarget: bool, scaleTarget: bool, z: usize, m: usize, intercept: bool): f32 {
  const gn = guardN();
  const gfirst = gn == 0;
  const eps = param(P_STUCK_EPS);
  // EW weight with a warm start: a plain running mean until 1/(n+1) falls below SPIKE_ALPHA, so
  // the guard's spread is not underestimated (and spikes over-reported) right after warm-up.
  // Once α (n+1) ≥ 2 the division cannot win the max, so it is skipped (same bits).
  const alpha = param(P_SPIKE_ALPHA);
  const gn1 = <f32>(gn + 1);
  const ga = alpha * gn1 >= 2 ? alpha : Mathf.max(alpha, <f32>1.0 / gn1);
  const sc = g_scaler;
  const mode = <i32>param(P_SCALER);
  const n = load<u32>(sc) + 1;
  store<u32>(sc, n);
  const invn = welfordStep(n);
  const sa = param(P_SCALER_ALPHA);
  const sfirst = n == 1;
  let f: f32 = intercept ? load<f32>(weightPtr(m, nf)) : 0;
  // The target's guard slot is value nf of the same loop (one inlined copy of updateSlot).
  const end = guardTarget ? nf + 1 : nf;
  const gb = g_guard;
  for (let i = 0; i < end; i++) {
    const o = <usize>i << 2;
    const v = i < nf ? load<f32>(x + o) : y;
    updateSlot(slotAt(gb, i), v, gfirst, eps, ga);
    if (i == nf) break;
    const s = scalerSlot(sc, i);
    let zi = v;
    if (mode == 1) zi = welfordZ(s, v, invn);
    else if (mode == 2) {
      ewma(s, v, sa, sfirst);
      zi = (v - load<f32>(s, S_MEAN)) * load<f32>(s, S_INV);
    }
    store<f32>(z + o, zi);
    f += load<f32>(weightPtr(m, i)) * zi;
  }
  if (scaleTarget) {
    // the target is exact in modes 0 and 1
    const s = scalerSlot(sc, nf);
    if (mode == 2) ewma(s, y, sa, sfirst);
    else welford(s, y, invn);
  }
  store<u32>(g_guard, gn < GUARD_SAT ? gn + 1 : gn);
  return f;
}
