// Seeded, deterministic stream generators: the common test and benchmark data of edgelearn.
//
// Every generator takes a seed and a length and yields plain samples; the same options give
// the same sequence on every run and platform. Features are `x`, the supervised target is `y`
// (NaN for unsupervised streams), and ground truth for evaluation rides along: `concept` (which
// concept produced the sample), `anomaly` (an injected anomaly) and `cluster` (blob index).
// Use `take()` to collect a stream into an array.

import { Prng } from "./prng.js";

export interface Sample {
  /** Feature values of the reading. */
  x: number[];
  /** Target: class 0/1, regression value, or the series value; NaN when there is none. */
  y: number;
  /** Index of the concept that generated the sample (drift streams). */
  concept?: number;
  /** True for an injected anomaly (spike streams). */
  anomaly?: boolean;
  /** True blob index (cluster streams). */
  cluster?: number;
}

/** Collects a (finite) stream into an array. */
export function take(stream: Iterable<Sample>): Sample[] {
  return Array.from(stream);
}

/** The concept index in force at reading t for change points `at` (sorted). */
function conceptAt(t: number, at: readonly number[]): number {
  let c = 0;
  while (c < at.length && t >= at[c]) c++;
  return c;
}

export interface SeaOptions {
  seed: number;
  n: number;
  /** Readings at which the concept changes abruptly (default: every n/4). */
  driftAt?: number[];
  /** Threshold θ per concept, cycled (SEA's own: 8, 9, 7, 9.5). */
  thresholds?: number[];
  /** Probability of flipping the label (SEA's class noise, default 0.1). */
  noise?: number;
  /** Invert the label rule on odd concepts, so a swap really contradicts the old model (default false). */
  invertOdd?: boolean;
}

/**
 * SEA-like abrupt concept swaps (Street & Kim 2001). Three features uniform in [0, 10]; the
 * label is 1 when x0 + x1 ≤ θ (x2 is irrelevant), θ changes abruptly at each drift point.
 * With `invertOdd`, odd concepts use the opposite rule (x0 + x1 > θ), a swap no stale model
 * survives.
 */
export function* sea(o: SeaOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const at = o.driftAt ?? [o.n / 4, o.n / 2, (3 * o.n) / 4].map(Math.floor);
  const th = o.thresholds ?? [8, 9, 7, 9.5];
  const noise = o.noise ?? 0.1;
  for (let t = 0; t < o.n; t++) {
    const c = conceptAt(t, at);
    const x = [r.range(0, 10), r.range(0, 10), r.range(0, 10)];
    let y = x[0] + x[1] <= th[c % th.length] ? 1 : 0;
    if (o.invertOdd && c % 2 === 1) y = 1 - y;
    if (r.chance(noise)) y = 1 - y;
    yield { x, y, concept: c };
  }
}

export interface HyperplaneOptions {
  seed: number;
  n: number;
  /** Number of features (default 4). */
  nFeatures?: number;
  /** First reading of the transition (default n/2). */
  start?: number;
  /** Length of the transition in readings (default 2000); 1 makes it abrupt. */
  width?: number;
  /** Label noise probability (default 0.05). */
  noise?: number;
}

/**
 * Gradual drift between two random hyperplanes. Features uniform in [-1, 1]; the label is 1
 * when w·x > 0. During the transition each reading comes from the new concept with a
 * probability rising linearly from 0 to 1 (MOA/River ConceptDriftStream style).
 */
export function* gradualDrift(o: HyperplaneOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const d = o.nFeatures ?? 4;
  const start = o.start ?? Math.floor(o.n / 2);
  const width = Math.max(1, o.width ?? 2000);
  const noise = o.noise ?? 0.05;
  const wA = Array.from({ length: d }, () => r.range(-1, 1));
  // the new concept is a rotation that disagrees with the old on a large share of inputs
  const wB = wA.map((w, i) => (i % 2 === 0 ? -w : w) + r.range(-0.3, 0.3));
  for (let t = 0; t < o.n; t++) {
    const p = Math.min(1, Math.max(0, (t - start) / width));
    const c = r.uniform() < p ? 1 : 0;
    const w = c === 0 ? wA : wB;
    const x = Array.from({ length: d }, () => r.range(-1, 1));
    let s = 0;
    for (let i = 0; i < d; i++) s += w[i] * x[i];
    let y = s > 0 ? 1 : 0;
    if (r.chance(noise)) y = 1 - y;
    yield { x, y, concept: c };
  }
}

export interface RecurringOptions {
  seed: number;
  n: number;
  /** Readings per concept before switching to the next (default 5000). */
  period?: number;
  /** Label noise probability (default 0.05). */
  noise?: number;
}

/**
 * Recurring concepts: two hyperplane concepts A and B (B is A inverted on two features)
 * alternating every `period` readings, A B A B ..., so a model that remembers A can reuse it.
 */
export function* recurring(o: RecurringOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const period = o.period ?? 5000;
  const noise = o.noise ?? 0.05;
  const wA = [0.9, -0.6, 0.4, 0.2];
  const wB = [-0.9, 0.6, 0.4, 0.2];
  for (let t = 0; t < o.n; t++) {
    const c = Math.floor(t / period) % 2;
    const w = c === 0 ? wA : wB;
    const x = [r.range(-1, 1), r.range(-1, 1), r.range(-1, 1), r.range(-1, 1)];
    let y = w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + w[3] * x[3] > 0 ? 1 : 0;
    if (r.chance(noise)) y = 1 - y;
    yield { x, y, concept: c };
  }
}

export interface RegressionDriftOptions {
  seed: number;
  n: number;
  /** Number of features (default 4). */
  nFeatures?: number;
  /** Readings at which the function changes abruptly (default n/2). */
  driftAt?: number[];
  /** Standard deviation of the additive Gaussian noise (default 0.1). */
  noise?: number;
}

/**
 * Regression with a changing function: y = w_c·x + b_c + N(0, noise²), features N(0, 1);
 * each concept c draws fresh weights in [-2, 2] and intercept in [-1, 1].
 */
export function* regressionDrift(o: RegressionDriftOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const d = o.nFeatures ?? 4;
  const at = o.driftAt ?? [Math.floor(o.n / 2)];
  const noise = o.noise ?? 0.1;
  const ws: number[][] = [];
  const bs: number[] = [];
  for (let c = 0; c <= at.length; c++) {
    ws.push(Array.from({ length: d }, () => r.range(-2, 2)));
    bs.push(r.range(-1, 1));
  }
  for (let t = 0; t < o.n; t++) {
    const c = conceptAt(t, at);
    const x = Array.from({ length: d }, () => r.normal());
    let y = bs[c];
    for (let i = 0; i < d; i++) y += ws[c][i] * x[i];
    yield { x, y: y + r.normal(0, noise), concept: c };
  }
}

export interface MeanShiftOptions {
  seed: number;
  n: number;
  /** Reading at which the mean shifts (default n/2; n or more: never). */
  at?: number;
  /** Size of the shift in standard deviations (default 1). */
  shift?: number;
  /** Mean before the shift (default 0) and standard deviation (default 1). */
  mean?: number;
  sd?: number;
}

/**
 * Univariate Gaussian readings whose mean jumps by `shift`·sd at reading `at`: the error
 * stream a drift detector sees. x = [value], y = value.
 */
export function* meanShift(o: MeanShiftOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const at = o.at ?? Math.floor(o.n / 2);
  const sd = o.sd ?? 1;
  const m = o.mean ?? 0;
  const shift = o.shift ?? 1;
  for (let t = 0; t < o.n; t++) {
    const c = t >= at ? 1 : 0;
    const v = r.normal(m + c * shift * sd, sd);
    yield { x: [v], y: v, concept: c };
  }
}

export interface SinusoidOptions {
  seed: number;
  n: number;
  /** Period in readings (default 50). */
  period?: number;
  /** Amplitude (default 1), offset (default 0), noise standard deviation (default 0.1). */
  amplitude?: number;
  offset?: number;
  noise?: number;
}

/**
 * Noisy sinusoid: y_t = offset + amplitude·sin(2πt/period) + N(0, noise²); x = [] (a pure
 * univariate series for the forecaster; the target y is the value).
 */
export function* noisySinusoid(o: SinusoidOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const period = o.period ?? 50;
  const a = o.amplitude ?? 1;
  const off = o.offset ?? 0;
  const noise = o.noise ?? 0.1;
  for (let t = 0; t < o.n; t++) {
    yield { x: [], y: off + a * Math.sin((2 * Math.PI * t) / period) + r.normal(0, noise) };
  }
}

export interface SpikeOptions {
  seed: number;
  n: number;
  /** Number of features (default 3). */
  nFeatures?: number;
  /** Probability that a reading is a spike (default 0.01). */
  rate?: number;
  /** Spike size in standard deviations (default 6), applied with a random sign. */
  magnitude?: number;
  /** Readings at the start that are never spikes (default 200). */
  clean?: number;
}

/**
 * Injected spikes with labels: features follow slow sinusoids (periods 100, 170, 290...)
 * plus N(0, 0.1²) noise, values around 0 with amplitude 1. A spike adds ±magnitude·0.5 to
 * one randomly chosen feature (and to all features with probability 1/2). `anomaly` marks it.
 */
export function* spikes(o: SpikeOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const d = o.nFeatures ?? 3;
  const rate = o.rate ?? 0.01;
  const mag = o.magnitude ?? 6;
  const clean = o.clean ?? 200;
  const periods = [100, 170, 290, 410, 530, 670, 810, 970];
  for (let t = 0; t < o.n; t++) {
    const x = Array.from({ length: d }, (_, i) => Math.sin((2 * Math.PI * t) / periods[i % periods.length] + i) + r.normal(0, 0.1));
    const anomaly = t >= clean && r.chance(rate);
    if (anomaly) {
      const sign = r.chance(0.5) ? 1 : -1;
      if (r.chance(0.5)) for (let i = 0; i < d; i++) x[i] += sign * mag * 0.5;
      else x[r.int(d)] += sign * mag * 0.5;
    }
    yield { x, y: NaN, anomaly };
  }
}

export interface BlobOptions {
  seed: number;
  n: number;
  /** Number of features (default 2). */
  nFeatures?: number;
  /** Blob centres (default three centres 10 units apart); each must have nFeatures entries. */
  centers?: number[][];
  /** Standard deviation of each blob (default 1). */
  spread?: number;
}

/**
 * Separated Gaussian blobs: each reading picks a blob uniformly and draws N(centre, spread²)
 * per feature; `cluster` is the true blob index. Default: three blobs in 2-D at (0,0),
 * (10,0), (5,9) with spread 1.
 */
export function* blobs(o: BlobOptions): Generator<Sample> {
  const r = new Prng(o.seed);
  const d = o.nFeatures ?? 2;
  const spread = o.spread ?? 1;
  const centers =
    o.centers ?? [
      Array.from({ length: d }, () => 0),
      Array.from({ length: d }, (_, i) => (i === 0 ? 10 : 0)),
      Array.from({ length: d }, (_, i) => (i === 0 ? 5 : i === 1 ? 9 : 0)),
    ];
  for (let t = 0; t < o.n; t++) {
    const k = r.int(centers.length);
    const x = centers[k].map((c) => r.normal(c, spread));
    yield { x, y: NaN, cluster: k };
  }
}
