// Kind KMEANS (5): sequential k-means (MacQueen 1967) with an online farthest-point start, k ≤ 16.
//
// The first k readings become the centres. During the next `warm` readings, a reading farther
// from every centre than the two closest centres are from each other replaces them: those two
// merge (count-weighted mean) and the reading takes the freed slot. This spreads the centres
// over separated groups even when the first readings all come from one group. After that,
// the nearest centre c moves toward the reading: n_c += 1, μ_c += η (x − μ_c),
// η = max(1/n_c, rate) (rate > 0 keeps following slow drift).
//
// Each centre also keeps an EW mean of squared distances of its readings (msd, α = max(1/n_c,
// 0.01)); the anomaly score of x is 1 − exp(−(d²/msd_c)/2) (score.ts).
//
// Size: 16 + k·(8 + 4d) bytes (k = 3, d = 2: 64 bytes; k = 16, d = 32: 2,192 bytes).

import { P_KM_K, P_KM_RATE, P_KM_WARMUP, P_SCALER } from "../abi";
import { param } from "../layout";
import { scalerCount } from "../scale";
import { setPrediction } from "./prediction";
import { z2Score } from "../score";

export const KM_MAX_K: i32 = 16;

@unmanaged class KMeansHead {
  k: u32;
  d: u32; // dimensions
  used: u32; // centres in use
  n: u32; // readings learned
}
// then per centre: a Centre, then its mean f32[d]
const O_C: usize = offsetof<KMeansHead>();

@unmanaged class Centre {
  count: u32;
  msd: f32; // EW mean squared distance of its readings
}
const MEAN: usize = offsetof<Centre>();

function at(a: usize): Centre {
  return changetype<Centre>(a);
}
const O_USED: usize = offsetof<KMeansHead>("used");

function head(p: usize): KMeansHead {
  return changetype<KMeansHead>(p);
}

/** Squared distance of the last `kmNearest` call. */
export let kmD2: f32 = 0;

export function kmBytes(k: i32, d: i32): i32 {
  return <i32>O_C + k * (<i32>MEAN + 4 * d);
}

// @ts-ignore: decorator
function centre(p: usize, i: u32): usize {
  return p + O_C + i * (<u32>MEAN + 4 * head(p).d);
}

export function kmReset(p: usize): void {
  memory.fill(p + O_USED, 0, (kmBytes(head(p).k, head(p).d) - <i32>O_USED) as usize);
}

/** Writes the structural head (k, d). */
export function kmShape(p: usize, k: i32, d: i32): void {
  head(p).k = k;
  head(p).d = d;
}

export function kmInit(p: usize, k: i32, d: i32): void {
  kmShape(p, k, d);
  kmReset(p);
}

/** Centres in use, never more than k. */
// @ts-ignore: decorator
function inUse(p: usize): u32 {
  return min<u32>(head(p).used, head(p).k);
}

function dist2(a: usize, b: usize, d: u32): f32 {
  let s: f32 = 0;
  for (let i: u32 = 0; i < d; i++) {
    const t = load<f32>(a + (i << 2)) - load<f32>(b + (i << 2));
    s += t * t;
  }
  return s;
}

/** Index of the centre nearest to x (−1 when there is none); its squared distance in kmD2. */
export function kmNearest(p: usize, x: usize): i32 {
  const used = inUse(p), d = head(p).d;
  let best: i32 = -1;
  let bd: f32 = Infinity;
  for (let i: u32 = 0; i < used; i++) {
    const t = dist2(centre(p, i) + MEAN, x, d);
    if (t < bd) {
      bd = t;
      best = <i32>i;
    }
  }
  kmD2 = best < 0 ? <f32>NaN : bd;
  return best;
}

/** Anomaly score of a reading at squared distance d2 from centre c. */
export function kmScore(p: usize, c: i32, d2: f32): f32 {
  if (c < 0) return 0;
  const a = centre(p, c);
  if (at(a).count < 2) return 0;
  return z2Score(d2 / max<f32>(at(a).msd, 1e-12));
}

function place(p: usize, i: u32, x: usize): void {
  const a = centre(p, i);
  at(a).count = 1;
  at(a).msd = 0;
  memory.copy(a + MEAN, x, (head(p).d << 2) as usize);
}

/** After a drift: every centre's count drops to 1, so the next readings move it at once. */
export function kmRestart(p: usize): void {
  const used = inUse(p);
  for (let i: u32 = 0; i < used; i++) {
    const a = centre(p, i);
    if (at(a).count > 1) at(a).count = 1;
  }
}

/** Learns x. */
export function kmLearn(p: usize, x: usize, rate: f32, warm: u32): void {
  const k = head(p).k, d = head(p).d;
  const used = head(p).used;
  const n = head(p).n + 1;
  head(p).n = n;
  if (used < k) {
    place(p, used, x);
    head(p).used = used + 1;
    return;
  }
  const c = <u32>kmNearest(p, x);
  const d2 = kmD2;
  if (n <= warm + k && k > 1) {
    // closest pair of centres
    let bi: u32 = 0, bj: u32 = 1;
    let bd: f32 = Infinity;
    for (let i: u32 = 0; i < k; i++)
      for (let j = i + 1; j < k; j++) {
        const t = dist2(centre(p, i) + MEAN, centre(p, j) + MEAN, d);
        if (t < bd) {
          bd = t;
          bi = i;
          bj = j;
        }
      }
    if (d2 > bd) {
      const a = centre(p, bi), b = centre(p, bj);
      const na = <f32>at(a).count, nb = <f32>at(b).count;
      const wb = nb / (na + nb);
      for (let i: u32 = 0; i < d; i++) {
        const o = MEAN + (i << 2);
        store<f32>(a + o, load<f32>(a + o) + wb * (load<f32>(b + o) - load<f32>(a + o)));
      }
      at(a).count = at(a).count + at(b).count;
      place(p, bj, x);
      return;
    }
  }
  const a = centre(p, c);
  const cnt = at(a).count + 1;
  at(a).count = cnt;
  const inv = <f32>1 / <f32>cnt;
  const eta = max<f32>(inv, rate);
  for (let i: u32 = 0; i < d; i++) {
    const o = a + MEAN + (i << 2);
    store<f32>(o, load<f32>(o) + eta * (load<f32>(x + (i << 2)) - load<f32>(o)));
  }
  const msd = at(a).msd;
  at(a).msd = cnt == 2 ? d2 : msd + max<f32>(inv, 0.01) * (d2 - msd);
}

/** Centre i, coordinate j (for specs and hosts). */
export function kmCentre(p: usize, i: i32, j: i32): f32 {
  return load<f32>(centre(p, i) + MEAN + (j << 2));
}
export function kmCount(p: usize, i: i32): u32 {
  return load<u32>(centre(p, i));
}

// ---- the model interface (models/model.ts) ----------------------------------------------

export function kmeansBytes(nf: i32, params: usize): i32 {
  return kmBytes(<i32>load<f32>(params + (<usize>P_KM_K << 2)), nf);
}

export function kmeansShape(m: usize, nf: i32): void {
  kmShape(m, <i32>param(P_KM_K), nf);
}

export function kmeansPredict(m: usize, z: usize): void {
  const label = kmNearest(m, z);
  let pred: f32 = NaN, score: f32 = NaN, extra: f32 = NaN;
  if (label >= 0) {
    pred = <f32>label;
    extra = Mathf.sqrt(kmD2);
    score = kmScore(m, label, kmD2);
  }
  setPrediction(pred, score, NaN, extra, label, head(m).used < head(m).k, true); // fewer centres than k
}

/** Learns z, except before the scaler has seen 32 readings: standardized features from a
 * handful of readings would put centres where no reading falls once the statistics settle. */
export function kmeansLearn(m: usize, z: usize): void {
  if (param(P_SCALER) != 0 && scalerCount() < 32) return;
  kmLearn(m, z, param(P_KM_RATE), <u32>param(P_KM_WARMUP));
}
