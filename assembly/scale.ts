// Online standardization, z = (x − mean) / std, per feature and for the target (index n).
// Section: a 16-byte head (n u32, then reserved) and one ScalerSlot per value. inv_std is 0
// while the variance is 0, so a constant feature contributes 0 (as River's StandardScaler).
//   SCALER = 0  off: z = x
//   SCALER = 1  exact (Welford, in variance form): mean += d/n, var += (d (x − mean') − var)/n,
//               which equals M2/n without M2's growth. n is capped at 2^20 (SCALER_NMAX): past
//               that the update is an EW average with weight 2^-20, so a long-running sensor's
//               variance neither freezes nor decays when f32 can no longer resolve 1/n steps.
//   SCALER = 2  exponentially weighted, α = SCALER_ALPHA:
//               mean += α d, var = (1 − α)(var + α d²)  (West 1979)

import { scalerAt, hotScaler } from "./layout";

@unmanaged export class ScalerSlot {
  mean: f32;
  variance: f32; // population variance
  invStd: f32;
}

const HEAD: i32 = 16;
const SLOT: i32 = <i32>offsetof<ScalerSlot>();
export const SCALER_NMAX: u32 = 1 << 20;

/** Bytes of the scaler section for nf features and the target. */
export function scalerBytes(nf: i32): i32 {
  return HEAD + (nf + 1) * SLOT;
}

/** Slot i of the scaler section at `scaler` (loops keep the section address in a local). */
@inline export function scalerSlot(scaler: usize, i: i32): ScalerSlot {
  return changetype<ScalerSlot>(scaler + <usize>(HEAD + i * SLOT));
}

/** Readings the scaler has learned. */
@inline export function scalerCount(): u32 {
  return load<u32>(scalerAt);
}

/** Counts one more reading; returns the new count. */
@inline export function scalerNext(): u32 {
  const n = load<u32>(scalerAt) + 1;
  store<u32>(scalerAt, n);
  return n;
}

/** Standardizes n features from x into z with the current statistics. */
export function standardize(x: usize, z: usize, nf: i32): void {
  const base = scalerAt;
  if (hotScaler == 0) {
    memory.copy(z, x, <usize>nf << 2);
    return;
  }
  for (let i = 0; i < nf; i++) {
    const s = scalerSlot(base, i);
    const o = <usize>i << 2;
    store<f32>(z + o, (load<f32>(x + o) - s.mean) * s.invStd);
  }
}

@inline export function welford(s: ScalerSlot, v: f32, invn: f32): void {
  welfordZ(s, v, s.mean, invn);
}

/** Welford step of value v in slot s whose mean the caller has read; returns v standardized
 * with the updated statistics. */
@inline export function welfordZ(s: ScalerSlot, v: f32, mean: f32, invn: f32): f32 {
  const d = v - mean;
  const mean1 = mean + d * invn;
  const var0 = s.variance;
  const v2 = var0 + (d * (v - mean1) - var0) * invn;
  const inv: f32 = v2 > 0 ? <f32>1.0 / Mathf.sqrt(v2) : 0;
  s.mean = mean1;
  s.variance = v2;
  s.invStd = inv;
  return (v - mean1) * inv;
}

/** 1/n for the exact scaler, n capped at SCALER_NMAX. */
@inline export function welfordStep(n: u32): f32 {
  return <f32>1.0 / <f32>(n < SCALER_NMAX ? n : SCALER_NMAX);
}

/** EW step of value v in slot s with weight a (the first value only sets the mean). */
@inline export function ewma(s: ScalerSlot, v: f32, a: f32, first: bool): void {
  if (first) {
    s.mean = v;
    return;
  }
  const mean = s.mean;
  const d = v - mean;
  s.mean = mean + a * d;
  const var1 = (<f32>1.0 - a) * (s.variance + a * d * d);
  s.variance = var1;
  s.invStd = var1 > 0 ? <f32>1.0 / Mathf.sqrt(var1) : 0;
}

/** EW-standardized value v after ewma (the slot's updated statistics). */
@inline export function ewmaZ(s: ScalerSlot, v: f32): f32 {
  return (v - s.mean) * s.invStd;
}

/** v standardized with the slot's current statistics. */
@inline export function scaled(s: ScalerSlot, v: f32): f32 {
  return (v - s.mean) * s.invStd;
}

/** Mean of value i. */
@inline export function scalerMean(i: i32): f32 {
  return scalerSlot(scalerAt, i).mean;
}

/** Standard deviation of value i (0 until it varies). Inlined: the per-reading path asks for the
 * target's twice, and a wasm call costs V8 the spills of every live register around it. */
@inline export function scalerStd(i: i32): f32 {
  const inv = scalerSlot(scalerAt, i).invStd;
  return inv > 0 ? <f32>1.0 / inv : 0;
}
