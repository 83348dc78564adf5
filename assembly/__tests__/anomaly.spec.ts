import { hstBytes, hstInit, hstScore, hstLearn, hstReset } from "../models/halfspace";
import { zscoreBytes, zscoreInit, zscoreScore, zscoreLearn } from "../zscore";
import { z2Score } from "../score";
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
    const s = hst ? hstScore(p, u) : zscoreScore(p, x);
    if (t >= 500) {
      if (isSpike) pos[npos++] = s;
      else neg[nn++] = s;
    }
    if (hst) hstLearn(p, u);
    else zscoreLearn(p, x);
  }
  return auc(pos, npos, neg, nn);
}

describe("Half-Space Trees", () => {
  it("sizes its state from trees and height", () => {
    expect(hstBytes(10, 6)).toBe(32 + 4 * 10 * 127);
  });

  it("scores 0 before the first window, then in [0, 1]", () => {
    const p = region(hstBytes(10, 6));
    hstInit(p, 10, 6, 250, 42, D);
    rseed(1);
    for (let t = 0; t < 250; t++) {
      next(t);
      expect(hstScore(p, u)).toBe(0);
      hstLearn(p, u);
    }
    for (let t = 250; t < 600; t++) {
      next(t);
      const s = hstScore(p, u);
      expect(s).toBeGreaterThanOrEqual(0);
      expect(s).toBeLessThanOrEqual(1);
      hstLearn(p, u);
    }
  });

  it("ROC AUC ≥ 0.9 on a seeded stream with injected spikes", () => {
    const p = region(hstBytes(10, 6));
    hstInit(p, 10, 6, 250, 42, D);
    const a = spikeAuc(true, p);
    log<string>("HST AUC " + a.toString() + " spikes " + npos.toString());
    expect(npos).toBeGreaterThan(20);
    expect(a).toBeGreaterThanOrEqual(0.9);
  });

  it("is a pure function of seed and readings; reset forgets", () => {
    const a = region(hstBytes(4, 5)), b = region(hstBytes(4, 5));
    hstInit(a, 4, 5, 50, 3, D);
    hstInit(b, 4, 5, 50, 3, D);
    rseed(2);
    for (let t = 0; t < 300; t++) {
      next(t);
      hstLearn(a, u);
      hstLearn(b, u);
    }
    expect(memory.compare(a, b, hstBytes(4, 5))).toBe(0);
    hstReset(a);
    next(301);
    expect(hstScore(a, u)).toBe(0);
  });
});

describe("EW z-score", () => {
  it("maps z² to [0, 1) monotonically", () => {
    expect(z2Score(0)).toBe(0);
    expect(z2Score(9)).toBeGreaterThan(0.98);
    expect(z2Score(4)).toBeLessThan(z2Score(9));
    expect(z2Score(<f32>NaN)).toBe(0);
  });

  it("ROC AUC ≥ 0.9 on the spike stream", () => {
    const p = region(zscoreBytes(D));
    zscoreInit(p, D, 0.02, 30);
    const a = spikeAuc(false, p);
    log<string>("EWZ AUC " + a.toString());
    expect(a).toBeGreaterThanOrEqual(0.9);
  });
});
