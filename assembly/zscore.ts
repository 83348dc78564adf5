// Exponentially weighted z-score baseline for anomaly detection.
// Per feature an EW mean m and EW variance v (West 1979):
//   d = x − m;  m += a·d;  v = (1 − a)(v + a·d²),  a = max(α, 1/n) so the start is a plain mean.
// Score before learning: z² = max_i (x_i − m_i)² / v_i, then 1 − exp(−z²/2) (score.ts).
// Score 0 during the first `warm` readings.

import { z2Score } from "./score";

@unmanaged class ZScoreHead {
  n: u32; // readings learned
  d: u32; // features
  alpha: f32;
  warm: u32; // warm-up readings
}
// then f32 mean[d], f32 var[d]
const O_DATA: usize = offsetof<ZScoreHead>();

function head(p: usize): ZScoreHead {
  return changetype<ZScoreHead>(p);
}

export function zscoreBytes(d: i32): i32 {
  return <i32>O_DATA + 8 * d;
}

export function zscoreReset(p: usize): void {
  head(p).n = 0;
  memory.fill(p + O_DATA, 0, (8 * head(p).d) as usize);
}

/** Sets the feature count from the configuration before every use. */
export function zscoreShape(p: usize, d: i32): void {
  head(p).d = d;
}

export function zscoreInit(p: usize, d: i32, alpha: f32, warm: u32): void {
  const h = head(p);
  h.d = d;
  h.alpha = alpha;
  h.warm = warm;
  zscoreReset(p);
}

/** Largest squared z over the features of x (d f32 at x); 0 while warming up. */
export function zscoreZ2(p: usize, x: usize): f32 {
  if (head(p).n < head(p).warm) return 0;
  const d = head(p).d;
  const mv = p + O_DATA;
  let z2: f32 = 0;
  for (let i: u32 = 0; i < d; i++) {
    const dx = load<f32>(x + (i << 2)) - load<f32>(mv + (i << 2));
    const v = load<f32>(mv + ((d + i) << 2));
    z2 = max<f32>(z2, dx * dx / max<f32>(v, 1e-12));
  }
  return z2;
}

export function zscoreScore(p: usize, x: usize): f32 {
  return z2Score(zscoreZ2(p, x));
}

export function zscoreLearn(p: usize, x: usize): void {
  const h = head(p);
  const n = h.n + 1;
  h.n = n;
  const d = h.d;
  const a = max<f32>(h.alpha, <f32>1 / <f32>n);
  const mv = p + O_DATA;
  for (let i: u32 = 0; i < d; i++) {
    const pm = mv + (i << 2), pv = mv + ((d + i) << 2);
    const dx = load<f32>(x + (i << 2)) - load<f32>(pm);
    store<f32>(pm, load<f32>(pm) + a * dx);
    store<f32>(pv, (1 - a) * (load<f32>(pv) + a * dx * dx));
  }
}
