// Generalized linear model on standardized features, f = w·z + b, with two adaptive optimizers.
// Pointer-based (the model section at `m`) so a second model (issue 3's background model) can
// reuse it. Section: head (t u32, N f32, 8 reserved bytes), then slot i = 0..n (n is the bias):
// w f32, G f32 (sum of squared gradients), s f32 (NAG: largest |z_i| seen).
//
//   OPTIMIZER 0  AdaGrad (Duchi et al. 2011) with forgetting: G ← ρ G + g², w −= η g / (√G + 1e-7).
//                ρ = 1 − GRAD_FORGET (1e-5): plain AdaGrad's steps only shrink, so after a change the
//                model would crawl; forgetting keeps G to its last ~1/(1 − ρ) readings, a floor
//                on the step size that stationary data never notices (GRAD_FORGET = 0, which blobs written before it existed hold, is plain AdaGrad).
//   OPTIMIZER 1  normalized adaptive gradient, NAG (Ross, Mineiro, Langford 2013): invariant to
//                feature scale, so it also works with SCALER = 0 on raw sensor units.
// L2 adds λ w to each weight's gradient (never to the bias).

import { MODEL_HEAD, MODEL_SLOT } from "./state";
import { fexp } from "./fmath";

const M_T: usize = 0;
const M_N: usize = 4;
const W: usize = 0;
const G: usize = 4;
const S: usize = 8;

@inline function mslot(m: usize, i: i32): usize {
  return m + <usize>(MODEL_HEAD + i * MODEL_SLOT);
}

/** Address of weight i (i = n: the bias) of the model section at m. */
@inline export function weightPtr(m: usize, i: i32): usize {
  return mslot(m, i) + W;
}

/** f = w·z (+ b). */
@inline export function linDot(m: usize, z: usize, nf: i32, intercept: bool): f32 {
  let f: f32 = intercept ? load<f32>(mslot(m, nf), W) : 0;
  for (let i = 0; i < nf; i++) f += load<f32>(mslot(m, i), W) * load<f32>(z + (<usize>i << 2));
  return f;
}

@inline export function sigmoid(f: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + fexp(-Mathf.min(Mathf.max(f, -30), 30)));
}

/** Input i of the model: feature z_i, or the constant 1 of the bias (i = n). */
@inline function input(z: usize, nf: i32, i: i32): f32 {
  return i < nf ? load<f32>(z + (<usize>i << 2)) : 1;
}

/** AdaGrad on the slot at s: G ← ρ G + gi², w −= lr gi / (√G + 1e-7). */
@inline function adaStep(s: usize, w: f32, gi: f32, lr: f32, rho: f32): void {
  const acc = load<f32>(s, G) * rho + gi * gi;
  store<f32>(s, acc, G);
  store<f32>(s, w - lr * gi / (Mathf.sqrt(acc) + 1e-7), W);
}

/** One step for dloss/df = g at the point z. The bias is weight n with a constant input 1. */
export function linUpdate(m: usize, z: usize, nf: i32, g: f32, lr: f32, l2: f32, opt: i32, intercept: bool, rho: f32): void {
  const t = load<u32>(m, M_T) + 1;
  store<u32>(m, t, M_T);
  const end = intercept ? nf + 1 : nf;
  if (opt == 0) {
    // features, then the bias (input 1, no L2: g·1 + 0 is g + 0)
    for (let i = 0; i < nf; i++) {
      const s = mslot(m, i);
      const w = load<f32>(s, W);
      adaStep(s, w, g * load<f32>(z + (<usize>i << 2)) + l2 * w, lr, rho);
    }
    if (intercept) {
      const s = mslot(m, nf);
      adaStep(s, load<f32>(s, W), g + <f32>0, lr, rho);
    }
    return;
  }
  // NAG: rescale weights when an input's range grows, then a normalized AdaGrad step.
  let nsum: f32 = 0;
  for (let i = 0; i < end; i++) {
    const s = mslot(m, i);
    const x = Mathf.abs(input(z, nf, i));
    let sc = load<f32>(s, S);
    if (x > sc) {
      if (sc > 0) store<f32>(s, load<f32>(s, W) * (sc * sc) / (x * x), W);
      sc = x;
      store<f32>(s, sc, S);
    }
    if (sc > 0) nsum += (x * x) / (sc * sc);
  }
  const nacc = load<f32>(m, M_N) + nsum;
  store<f32>(m, nacc, M_N);
  if (!(nacc > 0)) return;
  const rate = lr * Mathf.sqrt(<f32>t / nacc);
  for (let i = 0; i < end; i++) {
    const s = mslot(m, i);
    const sc = load<f32>(s, S);
    if (!(sc > 0)) continue;
    const w = load<f32>(s, W);
    const gi = g * input(z, nf, i) + (i < nf ? l2 * w : 0);
    const acc = load<f32>(s, G) + gi * gi;
    store<f32>(s, acc, G);
    if (acc > 0) store<f32>(s, w - rate * gi / (sc * Mathf.sqrt(acc)), W);
  }
}

/** Weight i (i = n: bias), for specs and hosts that inspect the model. */
export function linWeight(m: usize, i: i32): f32 {
  return load<f32>(mslot(m, i), W);
}
