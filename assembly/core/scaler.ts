// Online standardization, z = (x − mean) / std, per feature and for the target (index n).
// Head: n (u32). Slot i: mean f32, variance f32 (population), inv_std f32
// (0 while the variance is 0, so a constant feature contributes 0, as River's StandardScaler).
//   SCALER = 0  off: z = x
//   SCALER = 1  exact (Welford, in variance form): mean += d/n, var += (d (x − mean') − var)/n,
//               which equals M2/n without M2's growth. n is capped at 2^20 (SCALER_NMAX): past
//               that the update is an EW average with weight 2^-20, so a long-running sensor's
//               variance neither freezes nor decays when f32 can no longer resolve 1/n steps.
//   SCALER = 2  exponentially weighted, α = SCALER_ALPHA:
//               mean += α d, var = (1 − α)(var + α d²)  (West 1979)

import { P_SCALER, P_SCALER_ALPHA } from "../abi";
import { g_scaler, param, SCALER_HEAD, SCALER_SLOT } from "./state";

export const S_MEAN: usize = 0;
const S_M: usize = 4;
export const SCALER_NMAX: u32 = 1 << 20;
export const S_INV: usize = 8;

@inline export function scalerSlot(scaler: usize, i: i32): usize {
  return scaler + <usize>(SCALER_HEAD + i * SCALER_SLOT);
}

/** Standardizes n features from x into z. */
@inline export function standardize(x: usize, z: usize, nf: i32): void {
  const base = g_scaler;
  if (param(P_SCALER) == 0) {
    memory.copy(z, x, <usize>nf << 2);
    return;
  }
  for (let i = 0; i < nf; i++) {
    const s = scalerSlot(base, i);
    const o = <usize>i << 2;
    store<f32>(z + o, (load<f32>(x + o) - load<f32>(s, S_MEAN)) * load<f32>(s, S_INV));
  }
}

@inline export function welford(s: usize, v: f32, invn: f32): void {
  welfordZ(s, v, invn);
}

/** Welford step of value v in slot s; returns v standardized with the updated statistics. */
@inline export function welfordZ(s: usize, v: f32, invn: f32): f32 {
  const mean = load<f32>(s, S_MEAN);
  const d = v - mean;
  const mean1 = mean + d * invn;
  const var0 = load<f32>(s, S_M);
  const v2 = var0 + (d * (v - mean1) - var0) * invn;
  const inv: f32 = v2 > 0 ? <f32>1.0 / Mathf.sqrt(v2) : 0;
  store<f32>(s, mean1, S_MEAN);
  store<f32>(s, v2, S_M);
  store<f32>(s, inv, S_INV);
  return (v - mean1) * inv;
}

/** 1/n for the exact scaler, n capped at SCALER_NMAX. */
@inline export function welfordStep(n: u32): f32 {
  return <f32>1.0 / <f32>(n < SCALER_NMAX ? n : SCALER_NMAX);
}

@inline export function ewma(s: usize, v: f32, a: f32, first: bool): void {
  if (first) {
    store<f32>(s, v, S_MEAN);
    return;
  }
  const mean = load<f32>(s, S_MEAN);
  const d = v - mean;
  store<f32>(s, mean + a * d, S_MEAN);
  const var1 = (<f32>1.0 - a) * (load<f32>(s, S_M) + a * d * d);
  store<f32>(s, var1, S_M);
  store<f32>(s, var1 > 0 ? <f32>1.0 / Mathf.sqrt(var1) : 0, S_INV);
}

/** Mean of value i. */
@inline export function scalerMean(i: i32): f32 {
  return load<f32>(scalerSlot(g_scaler, i), S_MEAN);
}

/** Standard deviation of value i (0 until it varies). */
export function scalerStd(i: i32): f32 {
  const s = scalerSlot(g_scaler, i);
  const inv = load<f32>(s, S_INV);
  return inv > 0 ? <f32>1.0 / inv : 0;
}
