// Learning the statistics of an accepted reading in one pass over its values: the guard's
// statistics, the scaler's, and the features standardized with the updated scaler (what the
// model then learns from). One loop instead of three keeps the hot path short.

import { P_SCALER, P_SCALER_ALPHA, P_STUCK_EPS, P_SPIKE_ALPHA } from "../abi";
import { g_guard, g_scaler, param } from "./state";
import { slot, updateSlot, guardN, GUARD_SAT } from "./guard";
import { scalerSlot, welford, welfordStep, ewma, S_MEAN, S_INV } from "./scaler";

/**
 * Folds features x[0..nf) into the guard and the scaler and writes their standardized values to
 * z. The target y goes into the guard when guardTarget, into the scaler when scaleTarget.
 */
export function absorb(x: usize, nf: i32, y: f32, guardTarget: bool, scaleTarget: bool, z: usize): void {
  const gn = guardN();
  const gfirst = gn == 0;
  const eps = param(P_STUCK_EPS);
  // EW weight with a warm start: a plain running mean until 1/(n+1) falls below SPIKE_ALPHA, so
  // the guard's spread is not underestimated (and spikes over-reported) right after warm-up.
  const ga = Mathf.max(param(P_SPIKE_ALPHA), <f32>1.0 / <f32>(gn + 1));
  const sc = g_scaler;
  const mode = <i32>param(P_SCALER);
  const n = load<u32>(sc) + 1;
  store<u32>(sc, n);
  const invn = welfordStep(n);
  const sa = param(P_SCALER_ALPHA);
  const sfirst = n == 1;
  // The target is value nf of the same loop, so each update is inlined once.
  const end = guardTarget || scaleTarget ? nf + 1 : nf;
  const tmode = scaleTarget ? (mode == 2 ? 2 : 1) : 0; // the target is exact in modes 0 and 1
  for (let i = 0; i < end; i++) {
    const o = <usize>i << 2;
    const isX = i < nf;
    const v = isX ? load<f32>(x + o) : y;
    if (isX || guardTarget) updateSlot(slot(i), v, gfirst, eps, ga);
    const m = isX ? mode : tmode;
    const s = scalerSlot(sc, i);
    if (m == 1) welford(s, v, invn);
    else if (m == 2) ewma(s, v, sa, sfirst);
    if (isX) store<f32>(z + o, m == 0 ? v : (v - load<f32>(s, S_MEAN)) * load<f32>(s, S_INV));
  }
  store<u32>(g_guard, gn < GUARD_SAT ? gn + 1 : gn);
}
