// Generalized linear model on standardized features, f = w·z + b, with two adaptive optimizers.
// Kinds LINEAR (1) and LOGISTIC (2). Every function takes the model section at `m`, so the
// background model of the drift response runs the same code. Section: a LinearHead, then one
// LinearSlot per weight, i = 0..n (n is the bias).
//
//   OPTIMIZER 0  AdaGrad (Duchi et al. 2011) with forgetting: G ← ρ G + g², w −= η g / (√G + 1e-7).
//                ρ = 1 − GRAD_FORGET (1e-5): plain AdaGrad's steps only shrink, so after a change the
//                model would crawl; forgetting keeps G to its last ~1/(1 − ρ) readings, a floor
//                on the step size that stationary data never notices (GRAD_FORGET = 0, which blobs
//                written before it existed hold, is plain AdaGrad).
//   OPTIMIZER 1  normalized adaptive gradient, NAG (Ross, Mineiro, Langford 2013): invariant to
//                feature scale, so it also works with SCALER = 0 on raw sensor units.
// L2 adds λ w to each weight's gradient (never to the bias).

import {
  KIND_LINEAR, KIND_LOGISTIC, P_HUBER_DELTA,
} from "../abi";
import { param, hotTargetScale, hotLoss, hotLr, hotL2, hotOptimizer, hotGradKeep } from "../layout";
import { scalerMean, scalerStd } from "../scale";
import { fexp } from "../util/fmath";

@unmanaged class LinearHead {
  updates: u32; // t, steps taken (NAG)
  nagSum: f32; // N, NAG's sum of normalized squared inputs
  reserved0: u32;
  reserved1: u32;
}

@unmanaged class LinearSlot {
  w: f32;
  g: f32; // G, sum of squared gradients
  s: f32; // NAG: largest |z_i| seen
}

const HEAD: i32 = <i32>offsetof<LinearHead>();
const SLOT: i32 = <i32>offsetof<LinearSlot>();

@inline function head(m: usize): LinearHead {
  return changetype<LinearHead>(m);
}

@inline function slotOf(m: usize, i: i32): LinearSlot {
  return changetype<LinearSlot>(m + <usize>(HEAD + i * SLOT));
}

@inline export function isLinearKind(kind: i32): bool {
  return kind == KIND_LINEAR || kind == KIND_LOGISTIC;
}

/** Bytes of a linear model section with nf features. */
export function linearBytes(nf: i32): i32 {
  return HEAD + (nf + 1) * SLOT;
}

/** Weight i (i = n: the bias) of the model section at m. */
@inline export function weight(m: usize, i: i32): f32 {
  return slotOf(m, i).w;
}

/** f = w·z (+ b). */
export function linearDot(m: usize, z: usize, nf: i32, intercept: bool): f32 {
  let f: f32 = intercept ? slotOf(m, nf).w : 0;
  for (let i = 0; i < nf; i++) f += slotOf(m, i).w * load<f32>(z + (<usize>i << 2));
  return f;
}

@inline export function sigmoid(f: f32): f32 {
  return <f32>1.0 / (<f32>1.0 + fexp(-Mathf.min(Mathf.max(f, -30), 30)));
}

/** LINEAR with TARGET_SCALE = 1 learns the standardized target. */
@inline export function targetScaled(kind: i32): bool {
  return kind == KIND_LINEAR && hotTargetScale != 0;
}

/** Prediction from the model's f: a value (LINEAR) or P(y = 1) (LOGISTIC). A target-scaled
 * LINEAR model's f is mapped back with the target's mean (0 without an intercept) and standard
 * deviation before this reading (targetMean, targetSd: see targetScale). */
@inline export function linearPrediction(kind: i32, f: f32, targetMean: f32, targetSd: f32): f32 {
  if (kind == KIND_LOGISTIC) return sigmoid(f);
  if (!targetScaled(kind)) return f;
  return targetMean + (targetSd > 0 ? targetSd : 1) * f;
}

/** The target's mean as a target-scaled prediction uses it: 0 without an intercept. */
@inline export function targetMeanFor(kind: i32, nf: i32, intercept: bool): f32 {
  return targetScaled(kind) && intercept ? scalerMean(nf) : 0;
}

/** dloss/df at the model's f for target y (after the scaler learned the reading). */
export function linearGradient(f: f32, kind: i32, nf: i32, y: f32, intercept: bool): f32 {
  if (kind == KIND_LOGISTIC) return sigmoid(f) - y;
  let r: f32;
  if (targetScaled(kind)) {
    const sd = scalerStd(nf);
    r = f - (y - (intercept ? scalerMean(nf) : 0)) / (sd > 0 ? sd : 1);
  } else {
    r = f - y;
  }
  if (hotLoss != 0) {
    const d = param(P_HUBER_DELTA);
    r = Mathf.min(Mathf.max(r, -d), d);
  }
  return r;
}

/** Learns standardized features z with target y into the model at m; false when the gradient
 * is not finite (nothing changes then). */
export function linearLearn(m: usize, kind: i32, nf: i32, z: usize, y: f32, intercept: bool): bool {
  const g = linearGradient(linearDot(m, z, nf, intercept), kind, nf, y, intercept);
  if (g - g != 0) return false;
  linearStep(m, z, nf, g, intercept);
  return true;
}

/** One step of the configured optimizer for dloss/df = g. */
@inline export function linearStep(m: usize, z: usize, nf: i32, g: f32, intercept: bool): void {
  linearUpdate(m, z, nf, g, hotLr, hotL2, hotOptimizer, intercept, hotGradKeep);
}

/** Input i of the model: feature z_i, or the constant 1 of the bias (i = n). */
@inline function input(z: usize, nf: i32, i: i32): f32 {
  return i < nf ? load<f32>(z + (<usize>i << 2)) : 1;
}

/** AdaGrad on slot s: G ← ρ G + gi², w −= lr gi / (√G + 1e-7). */
@inline function adaStep(s: LinearSlot, w: f32, gi: f32, lr: f32, rho: f32): void {
  const acc = s.g * rho + gi * gi;
  s.g = acc;
  s.w = w - lr * gi / (Mathf.sqrt(acc) + 1e-7);
}

/** One step for dloss/df = g at the point z. The bias is weight n with a constant input 1. */
export function linearUpdate(m: usize, z: usize, nf: i32, g: f32, lr: f32, l2: f32, opt: i32, intercept: bool, rho: f32): void {
  const h = head(m);
  const t = h.updates + 1;
  h.updates = t;
  const end = intercept ? nf + 1 : nf;
  if (opt == 0) {
    // features, then the bias (input 1, no L2: g·1 + 0 is g + 0)
    for (let i = 0; i < nf; i++) {
      const s = slotOf(m, i);
      const w = s.w;
      adaStep(s, w, g * load<f32>(z + (<usize>i << 2)) + l2 * w, lr, rho);
    }
    if (intercept) {
      const s = slotOf(m, nf);
      adaStep(s, s.w, g + <f32>0, lr, rho);
    }
    return;
  }
  // NAG: rescale weights when an input's range grows, then a normalized AdaGrad step.
  let nsum: f32 = 0;
  for (let i = 0; i < end; i++) {
    const s = slotOf(m, i);
    const x = Mathf.abs(input(z, nf, i));
    let sc = s.s;
    if (x > sc) {
      if (sc > 0) s.w = s.w * (sc * sc) / (x * x);
      sc = x;
      s.s = sc;
    }
    if (sc > 0) nsum += (x * x) / (sc * sc);
  }
  const nacc = h.nagSum + nsum;
  h.nagSum = nacc;
  if (!(nacc > 0)) return;
  const rate = lr * Mathf.sqrt(<f32>t / nacc);
  for (let i = 0; i < end; i++) {
    const s = slotOf(m, i);
    const sc = s.s;
    if (!(sc > 0)) continue;
    const w = s.w;
    const gi = g * input(z, nf, i) + (i < nf ? l2 * w : 0);
    const acc = s.g + gi * gi;
    s.g = acc;
    if (acc > 0) s.w = w - rate * gi / (sc * Mathf.sqrt(acc));
  }
}

/** Resets the optimizer's accumulators (t, N, every G): the model keeps its weights but moves
 * fast again (the RESET drift response). */
export function linearRestart(m: usize, nf: i32): void {
  const h = head(m);
  h.updates = 0;
  h.nagSum = 0;
  for (let i = 0; i <= nf; i++) slotOf(m, i).g = 0;
}
