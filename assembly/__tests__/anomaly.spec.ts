import { hst_bytes, hst_init, hst_score, hst_learn, hst_reset } from "../anomaly/halfspace_trees";
import { ewz_bytes, ewz_init, ewz_score, ewz_learn } from "../anomaly/ew_zscore";
import { z2_score } from "../anomaly/score";
import { rseed, rnorm, runi, region } from "./util/rand";
import { auc } from "./util/auc";

const D = 3;
const N = 6000;
const x = region(4 * D);
const u = region(4 * D); // x mapped to [0, 1]
let isSpike = false;

/** Spike stream like host/sim spikes(): slow sinusoids + N(0, 0.1²), 1% spikes of ±3 on one or all features. */
function next(t: i32): void {
  for (let i = 0; i < D; i++) {
    const period: f32 = i == 0 ? 100 : i == 1 ? 170 : 290;
    store<f32>(x + 4 * i, Mathf.sin(<f32>6.2831855 * <f32>t / period + <f32>i) + <f32>0.1 * rnorm());
  }
  isSpike = t >= 500 && runi() < 0.01;
  if (isSpike) {
    const sign: f32 = runi() < 0.5 ? 1 : -1;
    if (runi() < 0.5) for (let i = 0; i < D; i++) store<f32>(x + 4 * i, load<f32>(x + 4 * i) + sign * 3);
    else {
      const k = <i32>(runi() * <f32>D) % D;
      store<f32>(x + 4 * k, load<f32>(x + 4 * k) + sign * 3);
    }
  }
  for (let i = 0; i < D; i++) store<f32>(u + 4 * i, (load<f32>(x + 4 * i) + 5) / 10); // range [-5, 5]
}

const pos = new StaticArray<f32>(200);
const neg = new StaticArray<f32>(N);
let npos = 0;

/** AUC of spike scores against normal ones over the stream (seed 7), scoring before learning. */
function spikeAuc(hst: bool, p: usize): f64 {
  rseed(7);
  let nn = 0;
  npos = 0;
  for (let t = 0; t < N; t++) {
    next(t);
    const s = hst ? hst_score(p, u) : ewz_score(p, x);
    if (t >= 500) {
      if (isSpike) pos[npos++] = s;
      else neg[nn++] = s;
    }
    if (hst) hst_learn(p, u);
    else ewz_learn(p, x);
  }
  return auc(pos, npos, neg, nn);
}

describe("Half-Space Trees", () => {
  it("sizes its state from trees and height", () => {
    expect(hst_bytes(10, 6)).toBe(32 + 4 * 10 * 127);
  });

  it("scores 0 before the first window, then in [0, 1]", () => {
    const p = region(hst_bytes(10, 6));
    hst_init(p, 10, 6, 250, 42, D);
    rseed(1);
    for (let t = 0; t < 250; t++) {
      next(t);
      expect(hst_score(p, u)).toBe(0);
      hst_learn(p, u);
    }
    for (let t = 250; t < 600; t++) {
      next(t);
      const s = hst_score(p, u);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      hst_learn(p, u);
    }
  });

  it("ROC AUC ≥ 0.9 on a seeded stream with injected spikes", () => {
    const p = region(hst_bytes(10, 6));
    hst_init(p, 10, 6, 250, 42, D);
    const a = spikeAuc(true, p);
    log<string>("HST AUC " + a.toString() + " spikes " + npos.toString());
    expect(npos).toBeGreaterThan(20);
    expect(a).toBeGreaterThanOrEqual(0.9);
  });

  it("is a pure function of seed and readings; reset forgets", () => {
    const a = region(hst_bytes(4, 5)), b = region(hst_bytes(4, 5));
    hst_init(a, 4, 5, 50, 3, D);
    hst_init(b, 4, 5, 50, 3, D);
    rseed(2);
    for (let t = 0; t < 300; t++) {
      next(t);
      hst_learn(a, u);
      hst_learn(b, u);
    }
    expect(memory.compare(a, b, hst_bytes(4, 5))).toBe(0);
    hst_reset(a);
    next(301);
    expect(hst_score(a, u)).toBe(0);
  });
});

describe("EW z-score", () => {
  it("maps z² to [0, 1) monotonically", () => {
    expect(z2_score(0)).toBe(0);
    expect(z2_score(9)).toBeGreaterThan(0.98);
    expect(z2_score(4)).toBeLessThan(z2_score(9));
    expect(z2_score(<f32>NaN)).toBe(0);
  });

  it("ROC AUC ≥ 0.9 on the spike stream", () => {
    const p = region(ewz_bytes(D));
    ewz_init(p, D, 0.02, 30);
    const a = spikeAuc(false, p);
    log<string>("EWZ AUC " + a.toString());
    expect(a).toBeGreaterThanOrEqual(0.9);
  });
});
