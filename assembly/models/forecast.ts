// Kind AR (4): AR(p) forecaster with optional exogenous inputs, fitted by recursive least squares with a
// forgetting factor λ (Ljung & Söderström 1983):
//   φ = [ỹ_{t−1} … ỹ_{t−p}, x_1 … x_q, 1],  ŷ = θᵀφ,  e = ỹ_t − ŷ
//   g = Pφ,  den = λ + φᵀg,  θ += g e / den,  P = (P − g gᵀ / den) / λ
// The series is normalised, ỹ = (y − c) / s, with c and s the mean and standard deviation of
// the first AR_WARM values, then frozen (a fixed affine map keeps RLS consistent; f32 RLS on
// raw sensor units with an offset of 90 would be ill-conditioned). Until then the forecast is
// the last value (naive). P starts at 100·I; when its trace exceeds 1e4·m (no excitation) the
// division by λ is skipped, the usual guard against covariance wind-up. g_i g_j is commutative
// in IEEE arithmetic, so P stays exactly symmetric: only its upper triangle is stored (ABI 5;
// the whole matrix before), and updated, which halves the update's work with the same bits.
//
// The residual feeds an anomaly score: z = e / (its EW standard deviation, α = 0.01), counted in
// units of RES_UNIT = 2 deviations: score 1 − exp(−(z/2)²/2) (score.ts). Forecast errors of real
// series are heavy-tailed: on NAB the best threshold lies near 8 deviations, where the Gaussian
// map of z itself is already 1 in f32 and every large error ties; in units of two they still
// rank, and the shared default threshold (0.99) flags an error beyond about six deviations.
//
// Size: 32 + 4·(p + m + m(m+1)/2) bytes, m = p + q + 1 (p = 8, q = 0: 280 bytes).

import { P_AR_ORDER, P_AR_EXOG, P_AR_FORGET } from "../abi";
import { param } from "../layout";
import { setPrediction } from "./prediction";
import { z2Score } from "../score";

export const AR_MAX_ORDER: i32 = 16;
export const AR_MAX_DIM: i32 = 64;
export const AR_WARM: u32 = 32;
const P0: f32 = 100;
const RES_ALPHA: f32 = 0.01;
/** Huber's bound on a learning step, in residual deviations (see arLearn). */
const HUBER: f32 = 2;
/** A value this many scales from the centre widens the scale (widenScale) ... */
const WIDEN_AT: f32 = 16;
/** ... until it lies within this many. */
const WIDEN_TO: f32 = 8;
/** The score's unit, in residual standard deviations (see the top of this file). */
const RES_UNIT: f32 = 2;

@unmanaged class ForecastHead {
  p: u32; // order
  q: u32; // exogenous inputs
  n: u32; // values seen
  centre: f32; // running mean until frozen
  scale: f32; // running M2 until frozen
  residualVar: f32; // EW variance of the normalised residual
  last: f32; // last value (raw)
  reserved: u32;
}
// then f32[p] raw values, newest first; θ[m]; P's upper triangle by rows: (0,0..m−1), (1,1..m−1), …
const O_LAGS: usize = offsetof<ForecastHead>();
const O_N: usize = offsetof<ForecastHead>("n");

function head(a: usize): ForecastHead {
  return changetype<ForecastHead>(a);
}

const G = memory.data(4 * AR_MAX_DIM); // Pφ
const PHI = memory.data(4 * AR_MAX_DIM); // φ

// @ts-ignore: decorator
function dim(a: usize): u32 {
  return head(a).p + head(a).q + 1;
}
// @ts-ignore: decorator
function theta(a: usize): usize {
  return a + O_LAGS + (head(a).p << 2);
}
// @ts-ignore: decorator
function pmat(a: usize): usize {
  return theta(a) + (dim(a) << 2);
}

export function arBytes(p: i32, q: i32): i32 {
  const m = p + q + 1;
  return <i32>O_LAGS + 4 * (p + m + triangle(m));
}

/** Entries of an m × m symmetric matrix's upper triangle. */
@inline function triangle(m: i32): i32 {
  return (m * (m + 1)) >> 1;
}

/** Where row i of the stored triangle starts (its entry (i, i)), in entries. */
@inline function rowStart(i: u32, m: u32): u32 {
  return i * m - ((i * (i - 1)) >> 1);
}

/** Forgets everything learned (also the frozen normalisation). */
export function arReset(a: usize): void {
  memory.fill(a + O_N, 0, (arBytes(head(a).p, head(a).q) - <i32>O_N) as usize);
  arRestart(a);
}

/** Restarts the RLS covariance (P = 100·I), keeping θ: the "reset the accumulators" response. */
export function arRestart(a: usize): void {
  const m = dim(a);
  const P = pmat(a);
  memory.fill(P, 0, (triangle(m) * 4) as usize);
  for (let i: u32 = 0; i < m; i++) store<f32>(P + (rowStart(i, m) << 2), P0);
}

/** Writes the structural head (p, q). */
export function arShape(a: usize, p: i32, q: i32): void {
  head(a).p = p;
  head(a).q = q;
}

export function arInit(a: usize, p: i32, q: i32): void {
  arShape(a, p, q);
  arReset(a);
}

/** True once the normalisation is frozen and RLS runs. */
export function arReady(a: usize): bool {
  return head(a).n >= AR_WARM;
}

/** Fills PHI from the lags and the q exogenous inputs at xe. */
function buildPhi(a: usize, xe: usize): void {
  const p = head(a).p, q = head(a).q;
  const c = head(a).centre, s = head(a).scale;
  for (let i: u32 = 0; i < p; i++) store<f32>(PHI + (i << 2), (load<f32>(a + O_LAGS + (i << 2)) - c) / s);
  for (let j: u32 = 0; j < q; j++) store<f32>(PHI + ((p + j) << 2), load<f32>(xe + (j << 2)));
  store<f32>(PHI + ((p + q) << 2), 1);
}

/** Normalised forecast θᵀφ for the current PHI. */
function dotTheta(a: usize): f32 {
  const m = dim(a);
  const th = theta(a);
  let f: f32 = 0;
  for (let i: u32 = 0; i < m; i++) f += load<f32>(th + (i << 2)) * load<f32>(PHI + (i << 2));
  return f;
}

/** Forecast of the next value (raw units) given exogenous inputs xe (q f32). */
export function arPredict(a: usize, xe: usize): f32 {
  if (!arReady(a)) return head(a).n == 0 ? 0 : head(a).last;
  buildPhi(a, xe);
  return head(a).centre + head(a).scale * dotTheta(a);
}

/** Anomaly score of value y (raw) against its forecast `pred`, before learning it. */
export function arScore(a: usize, y: f32, pred: f32): f32 {
  if (!arReady(a) || head(a).n < AR_WARM * 2) return 0;
  const e = (y - pred) / head(a).scale;
  const v = head(a).residualVar;
  return z2Score(e * e / (max<f32>(v, 1e-12) * (RES_UNIT * RES_UNIT)));
}

/** The series scale s (1 until frozen). */
export function arScale(a: usize): f32 {
  return arReady(a) ? head(a).scale : 1;
}

/** Shifts value v into the lags without learning from it (a protected reading's stand-in). */
export function arShift(a: usize, v: f32): void {
  const p = head(a).p;
  if (p > 1) memory.copy(a + O_LAGS + 4, a + O_LAGS, ((p - 1) << 2) as usize);
  store<f32>(a, v, O_LAGS);
  head(a).last = v;
}

/**
 * The scale frozen from the first AR_WARM values can be far too small for what comes later (a
 * counter that sat still, then moved by millions), and RLS in f32 on normalised values of 10^5
 * diverges. A value more than WIDEN_AT scales from the centre widens the scale by a power of two
 * f, until it lies within WIDEN_TO; the model is re-expressed in the new units: the lag weights
 * are unit-free, the weights of the exogenous inputs and of the constant are divided by f, and so
 * are their rows and columns of P; the residual variance by f². Powers of two keep each product
 * exact (and P exactly symmetric).
 */
export function widenScale(a: usize, y: f32): void {
  const h = head(a);
  const r = Mathf.abs((y - h.centre) / h.scale);
  if (!(r > WIDEN_AT)) return;
  let f: f32 = 2;
  while (r > WIDEN_TO * f && f < <f32>1e30) f *= 2;
  const inv = <f32>1 / f;
  h.scale *= f;
  h.residualVar *= inv * inv;
  const p = h.p, m = dim(a);
  const th = theta(a), P = pmat(a);
  for (let i: u32 = 0; i < m; i++) {
    const di: f32 = i < p ? 1 : inv;
    if (i >= p) store<f32>(th + (i << 2), load<f32>(th + (i << 2)) * inv);
    const row = P + ((rowStart(i, m) - i) << 2); // where entry (i, 0) would be
    for (let j: u32 = i; j < m; j++) {
      const pij = row + (j << 2);
      store<f32>(pij, load<f32>(pij) * (j < p ? di : di * inv));
    }
  }
}

/** Learns value y (raw) with exogenous inputs xe; forgetting factor lambda. */
export function arLearn(a: usize, y: f32, xe: usize, lambda: f32): void {
  const n = head(a).n;
  if (n < AR_WARM) {
    // Welford on the first values; freeze at AR_WARM
    const n1 = <f32>(n + 1);
    const c = head(a).centre;
    const d = y - c;
    const c1 = c + d / n1;
    const m2 = head(a).scale + d * (y - c1);
    head(a).centre = c1;
    head(a).scale = m2;
    if (n + 1 == AR_WARM) {
      const sd = Mathf.sqrt(m2 / n1);
      head(a).scale = sd > 0 ? sd : 1;
    }
  } else {
    widenScale(a, y);
    buildPhi(a, xe);
    const m = dim(a);
    const th = theta(a), P = pmat(a);
    const s = head(a).scale;
    const e = (y - head(a).centre) / s - dotTheta(a);
    // Huber's step: the weights move by at most HUBER residual deviations' worth, so a spike or
    // the first readings of a new level do not throw the forecaster off (the residual's
    // variance below still takes the whole error). Not in the first steps, while that variance
    // is still forming.
    const lim = n < AR_WARM + 8 ? <f32>Infinity : HUBER * Mathf.sqrt(head(a).residualVar);
    const eStep = Mathf.max(-lim, Mathf.min(e, lim));
    // g = Pφ, den = λ + φᵀg. Row i of P is column i of the triangle down to the diagonal, then
    // the triangle's row i: the same entries in the same order as the whole matrix's row.
    let den = lambda;
    for (let i: u32 = 0; i < m; i++) {
      let gi: f32 = 0;
      let col = P + (i << 2); // entry (0, i)
      for (let j: u32 = 0; j < i; j++) {
        gi += load<f32>(col) * load<f32>(PHI + (j << 2));
        col += (m - j - 1) << 2; // to entry (j + 1, i)
      }
      const row = P + ((rowStart(i, m) - i) << 2); // where entry (i, 0) would be
      for (let j: u32 = i; j < m; j++) gi += load<f32>(row + (j << 2)) * load<f32>(PHI + (j << 2));
      store<f32>(G + (i << 2), gi);
      den += load<f32>(PHI + (i << 2)) * gi;
    }
    if (den > 0) {
      const inv = <f32>1 / den;
      let trace: f32 = 0;
      for (let i: u32 = 0; i < m; i++) trace += load<f32>(P + (rowStart(i, m) << 2));
      const il: f32 = trace > <f32>1e4 * <f32>m ? 1 : <f32>1 / lambda;
      for (let i: u32 = 0; i < m; i++) {
        const gi = load<f32>(G + (i << 2));
        const t = th + (i << 2);
        store<f32>(t, load<f32>(t) + gi * eStep * inv);
        // (g_i g_j) / den is (g_j g_i) / den: the entry below the diagonal would get the same bits
        const row = P + ((rowStart(i, m) - i) << 2);
        for (let j: u32 = i; j < m; j++) {
          const pij = row + (j << 2);
          store<f32>(pij, (load<f32>(pij) - gi * load<f32>(G + (j << 2)) * inv) * il);
        }
      }
    }
    const v = head(a).residualVar;
    head(a).residualVar = n < AR_WARM + 8 ? max<f32>(v, e * e) : v + RES_ALPHA * (e * e - v);
  }
  arShift(a, y);
  head(a).n = n + 1;
}

// ---- the model interface (models/model.ts) ----------------------------------------------

/** Exogenous inputs: the features (AR_EXOG = 1) or none. */
function exogenous(params: usize, nf: i32): i32 {
  return load<f32>(params + (<usize>P_AR_EXOG << 2)) != 0 ? nf : 0;
}

/** The order p in the parameters at params. */
function orderIn(params: usize): i32 {
  return <i32>load<f32>(params + (<usize>P_AR_ORDER << 2));
}

export function forecastBytes(nf: i32, params: usize): i32 {
  return arBytes(orderIn(params), exogenous(params, nf));
}

export function forecastShape(m: usize, nf: i32): void {
  arShape(m, <i32>param(P_AR_ORDER), param(P_AR_EXOG) != 0 ? nf : 0);
}

/** Forecast, and with a target y its error and anomaly score. */
export function forecastPredict(m: usize, z: usize, y: f32): void {
  const pred = arPredict(m, z);
  let err: f32 = NaN, score: f32 = NaN;
  if (y - y == 0) {
    err = y - pred;
    score = arScore(m, y, pred);
  }
  setPrediction(pred, score, err, NaN, -1, !arReady(m), true);
}

export function forecastLearn(m: usize, z: usize, y: f32): void {
  arLearn(m, y, z, param(P_AR_FORGET));
}

// ---- versions 1 to 4 of the blob, which stored the whole covariance ----------------------

/** Bytes of an AR section of blob versions 1 to 4 for nf features and the parameters at params:
 * this version's and P's lower half. */
export function forecastBytesV4(nf: i32, params: usize): i32 {
  const p = orderIn(params), q = exogenous(params, nf);
  const m = p + q + 1;
  return arBytes(p, q) + 4 * (m * m - triangle(m));
}

/** Copies an AR section of versions 1 to 4 at src to dst in this version's layout: head, lags
 * and θ as they are, then P's upper triangle (P is symmetric, so nothing it held is lost). The
 * shape comes from the (validated) parameters, not from the section's head. */
export function forecastCopyV4(nf: i32, params: usize, dst: usize, src: usize): void {
  const p = <u32>orderIn(params);
  const m = p + <u32>exogenous(params, nf) + 1;
  const front = O_LAGS + ((p + m) << 2);
  memory.copy(dst, src, front);
  let to = dst + front;
  const P = src + front;
  for (let i: u32 = 0; i < m; i++) {
    for (let j: u32 = i; j < m; j++) {
      store<f32>(to, load<f32>(P + ((i * m + j) << 2)));
      to += 4;
    }
  }
}
