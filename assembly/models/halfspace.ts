// Kind HALFSPACE (3): Half-Space Trees (Tan, Ting & Liu 2011), River's variant, with thresholds
// that are not stored.
//
// Each of T trees is a complete binary tree of height H over the unit cube [0, 1]^d (the
// caller maps its features there). Node i of tree t splits on a feature chosen with
// probability proportional to the width of that feature's current sub-range, at a point
// uniform in the middle 70% of it (padding 0.15, as River). Both draws come from
// hash3(seed, t, i): the tree structure is a pure function of the seed, so the state is only
// the mass counters, one u32 per node: low 16 bits count the current window ("latest"),
// high 16 bits hold the previous, complete window ("reference").
//
// Learning adds 1 to every node on the reading's path; every W readings the latest masses
// become the reference and restart at 0. The score walks the path summing
// reference_mass · 2^depth and stops after the first node whose mass is below 0.1·W, then
//   score = 1 − sum / (T · W · (2^(H+1) − 1))   (higher = more anomalous, in [0, 1])
// which is River's score. Until the first window is complete the score is 0.
//
// Size: 32 + 4 · T · (2^(H+1) − 1) bytes; the defaults T = 10, H = 6 take 5,112 bytes.

import { P_HST_TREES, P_HST_HEIGHT, P_HST_WINDOW, P_HST_SEED, P_HST_RANGE, MAX_FEATURES } from "../abi";
import { param, rangeLo, rangeHi } from "../layout";
import { setPrediction } from "./prediction";
import { hash3, xorshift32, unitF32 } from "../util/prng";

export const HST_MAX_FEATURES: i32 = 32;
const PAD: f32 = 0.15;

@unmanaged class HalfSpaceHead {
  trees: u32;
  height: u32;
  window: u32; // window size (≤ 65535)
  seed: u32;
  d: u32; // features
  count: u32; // readings in the current window
  ready: u32; // 1 once a reference window exists
  reserved: u32;
}
// then the masses, u32[T][2^(H+1) − 1]
const O_MASS: usize = offsetof<HalfSpaceHead>();

function head(p: usize): HalfSpaceHead {
  return changetype<HalfSpaceHead>(p);
}

// per-feature sub-range of the current node while walking (scratch, not state)
const LO = memory.data(4 * HST_MAX_FEATURES);
const HI = memory.data(4 * HST_MAX_FEATURES);

export function hstBytes(trees: i32, height: i32): i32 {
  return <i32>O_MASS + 4 * trees * ((2 << height) - 1);
}

export function hstReset(p: usize): void {
  const nodes = head(p).trees * ((2 << head(p).height) - 1);
  head(p).count = 0;
  head(p).ready = 0;
  memory.fill(p + O_MASS, 0, (nodes << 2) as usize);
}

/** Writes the structural head (everything but the window counter and the masses). */
export function hstShape(p: usize, trees: i32, height: i32, window: i32, seed: u32, d: i32): void {
  head(p).trees = trees;
  head(p).height = height;
  head(p).window = window;
  head(p).seed = seed;
  head(p).d = d;
}

export function hstInit(p: usize, trees: i32, height: i32, window: i32, seed: u32, d: i32): void {
  hstShape(p, trees, height, window, seed, d);
  hstReset(p);
}

/**
 * The child taken at node `i` of tree `t` by reading x, narrowing LO/HI to it.
 * Returns the child's index (2i + 1 left, 2i + 2 right).
 */
function descend(seed: u32, t: u32, i: u32, d: u32, x: usize): u32 {
  const h = hash3(seed, t, i);
  // feature, weighted by the width of its current sub-range
  let total: f32 = 0;
  for (let f: u32 = 0; f < d; f++) total += load<f32>(HI + (f << 2)) - load<f32>(LO + (f << 2));
  let target = unitF32(h) * total;
  let f: u32 = 0;
  for (; f < d - 1; f++) {
    target -= load<f32>(HI + (f << 2)) - load<f32>(LO + (f << 2));
    if (target < 0) break;
  }
  const lo = load<f32>(LO + (f << 2)), hi = load<f32>(HI + (f << 2));
  const w = hi - lo;
  const at = lo + PAD * w + unitF32(xorshift32(h)) * (<f32>1 - <f32>2 * PAD) * w;
  if (load<f32>(x + (f << 2)) < at) {
    store<f32>(HI + (f << 2), at);
    return 2 * i + 1;
  }
  store<f32>(LO + (f << 2), at);
  return 2 * i + 2;
}

// @ts-ignore: decorator
function startWalk(d: u32): void {
  for (let f: u32 = 0; f < d; f++) {
    store<f32>(LO + (f << 2), 0);
    store<f32>(HI + (f << 2), 1);
  }
}

/** Anomaly score of x (d f32 in [0, 1] at x), before learning it. */
export function hstScore(p: usize, x: usize): f32 {
  if (head(p).ready == 0) return 0;
  const T = head(p).trees, H = head(p).height, W = head(p).window;
  const seed = head(p).seed, d = head(p).d;
  const nodes: u32 = (2 << H) - 1;
  const limit = <f32>W * <f32>0.1;
  let sum: f32 = 0;
  for (let t: u32 = 0; t < T; t++) {
    startWalk(d);
    const base = p + O_MASS + ((t * nodes) << 2);
    let i: u32 = 0;
    for (let depth: u32 = 0; depth <= H; depth++) {
      const mass = <f32>(load<u32>(base + (i << 2)) >>> 16);
      sum += mass * <f32>(1 << depth);
      if (mass < limit || depth == H) break;
      i = descend(seed, t, i, d, x);
    }
  }
  return max<f32>(0, <f32>1 - sum / (<f32>T * <f32>W * <f32>nodes));
}

/** Counts x in the current window; rolls the window every W readings. */
export function hstLearn(p: usize, x: usize): void {
  const T = head(p).trees, H = head(p).height, W = head(p).window;
  const seed = head(p).seed, d = head(p).d;
  const nodes: u32 = (2 << H) - 1;
  for (let t: u32 = 0; t < T; t++) {
    startWalk(d);
    const base = p + O_MASS + ((t * nodes) << 2);
    let i: u32 = 0;
    for (let depth: u32 = 0; ; depth++) {
      const a = base + (i << 2);
      store<u32>(a, load<u32>(a) + 1);
      if (depth == H) break;
      i = descend(seed, t, i, d, x);
    }
  }
  const c = head(p).count + 1;
  if (c < W) {
    head(p).count = c;
    return;
  }
  // latest window becomes the reference
  const m = p + O_MASS;
  const n = T * nodes;
  for (let k: u32 = 0; k < n; k++) {
    const a = m + (k << 2);
    store<u32>(a, load<u32>(a) << 16);
  }
  head(p).count = 0;
  head(p).ready = 1;
}

/** True once a reference window exists (scores are 0 before). */
export function hstReady(p: usize): bool {
  return head(p).ready != 0;
}

// ---- the model interface (models/model.ts) ----------------------------------------------

const UNIT = memory.data(4 * MAX_FEATURES); // the reading mapped to [0, 1]^d

export function halfspaceBytes(params: usize): i32 {
  return hstBytes(<i32>load<f32>(params + (<usize>P_HST_TREES << 2)), <i32>load<f32>(params + (<usize>P_HST_HEIGHT << 2)));
}

export function halfspaceShape(m: usize, nf: i32): void {
  hstShape(m, <i32>param(P_HST_TREES), <i32>param(P_HST_HEIGHT), <i32>param(P_HST_WINDOW), <u32>param(P_HST_SEED), nf);
}

/** Maps the reading to the unit cube: standardized values z over ±HST_RANGE, or (HST_RANGE =
 * 0) raw values x over the feature ranges. */
function toUnit(nf: i32, x: usize, z: usize): usize {
  const r = param(P_HST_RANGE);
  for (let i = 0; i < nf; i++) {
    const o = <usize>i << 2;
    let u: f32;
    if (r > 0) u = (load<f32>(z + o) + r) / (r + r);
    else {
      const lo = rangeLo(i), w = rangeHi(i) - lo;
      u = w > 0 ? (load<f32>(x + o) - lo) / w : <f32>0.5;
    }
    store<f32>(UNIT + o, u);
  }
  return UNIT;
}

export function halfspacePredict(m: usize, nf: i32, x: usize, z: usize): void {
  const score = hstScore(m, toUnit(nf, x, z));
  setPrediction(score, score, NaN, NaN, -1, !hstReady(m), true);
}

export function halfspaceLearn(m: usize, nf: i32, x: usize, z: usize): void {
  hstLearn(m, toUnit(nf, x, z));
}
