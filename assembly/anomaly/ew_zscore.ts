// Exponentially weighted z-score baseline for anomaly detection.
// Per feature an EW mean m and EW variance v (West 1979):
//   d = x − m;  m += a·d;  v = (1 − a)(v + a·d²),  a = max(α, 1/n) so the start is a plain mean.
// Score before learning: z² = max_i (x_i − m_i)² / v_i, then 1 − exp(−z²/2) (anomaly/score.ts).
// Score 0 during the first `warm` readings.

import { z2_score } from "./score";

const O_N: usize = 0; // u32 readings learned
const O_D: usize = 4; // u32 features
const O_ALPHA: usize = 8; // f32 α
const O_WARM: usize = 12; // u32 warm-up readings
const O_DATA: usize = 16; // f32 mean[d], then f32 var[d]

export function ewz_bytes(d: i32): i32 {
  return <i32>O_DATA + 8 * d;
}

export function ewz_reset(p: usize): void {
  store<u32>(p, 0, O_N);
  memory.fill(p + O_DATA, 0, (8 * load<u32>(p, O_D)) as usize);
}

export function ewz_init(p: usize, d: i32, alpha: f32, warm: u32): void {
  store<u32>(p, d, O_D);
  store<f32>(p, alpha, O_ALPHA);
  store<u32>(p, warm, O_WARM);
  ewz_reset(p);
}

/** Largest squared z over the features of x (d f32 at x); 0 while warming up. */
export function ewz_z2(p: usize, x: usize): f32 {
  if (load<u32>(p, O_N) < load<u32>(p, O_WARM)) return 0;
  const d = load<u32>(p, O_D);
  const mv = p + O_DATA;
  let z2: f32 = 0;
  for (let i: u32 = 0; i < d; i++) {
    const dx = load<f32>(x + (i << 2)) - load<f32>(mv + (i << 2));
    const v = load<f32>(mv + ((d + i) << 2));
    z2 = max<f32>(z2, dx * dx / max<f32>(v, 1e-12));
  }
  return z2;
}

export function ewz_score(p: usize, x: usize): f32 {
  return z2_score(ewz_z2(p, x));
}

export function ewz_learn(p: usize, x: usize): void {
  const n = load<u32>(p, O_N) + 1;
  store<u32>(p, n, O_N);
  const d = load<u32>(p, O_D);
  const a = max<f32>(load<f32>(p, O_ALPHA), <f32>1 / <f32>n);
  const mv = p + O_DATA;
  for (let i: u32 = 0; i < d; i++) {
    const pm = mv + (i << 2), pv = mv + ((d + i) << 2);
    const dx = load<f32>(x + (i << 2)) - load<f32>(pm);
    store<f32>(pm, load<f32>(pm) + a * dx);
    store<f32>(pv, (1 - a) * (load<f32>(pv) + a * dx * dx));
  }
}
