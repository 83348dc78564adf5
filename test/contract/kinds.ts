// The registry the contract suite (contract.test.ts) runs against: one entry per model kind.
// Issue 3 adds its kinds here. Every entry gets every check: learning, bit-identical
// snapshot → load → continue, corrupt blobs refused, non-finite input kept out, reset, bad calls.

import { Kind, Learner, LearnerConfig, Loss, Metric, Optimizer, Param, DriftDetector, DriftResponse } from "../../host/learner/index.js";

export interface ContractKind {
  name: string;
  kind: Kind;
  nFeatures: number;
  config?: LearnerConfig;
  /** Needs a target to learn: a NaN/±Inf target must then be refused. */
  supervised: boolean;
  /** Writes reading i (deterministic) into x and returns its target (NaN when unsupervised). */
  reading(i: number, x: Float32Array): number;
  /** Readings to learn before `learned` is asked. */
  trainReadings: number;
  /**
   * The kind's learning property, asked after `trainReadings` readings through learn_one;
   * `tail` holds the output records of the last readings. Returns a failure message or
   * undefined. Supervised regression: MAE < 1e-3 on a noiseless target.
   */
  learned(learner: Learner, tail: TailOutputs): string | undefined;
}

export interface TailOutputs {
  prediction: number[];
  error: number[];
  label: number[];
  target: number[];
}

/** A small deterministic generator (LCG, 31 bits) so every runner reproduces the stream. */
export function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return (s >>> 1) / 2147483648;
  };
}

/** Uniform features in raw sensor-like units: offsets and spans differ by feature. */
function sensorFeatures(i: number, x: Float32Array, n: number): void {
  const r = lcg(0x9e3779b1 ^ i);
  for (let j = 0; j < n; j++) x[j] = 10 * j - 20 + (1 + j) * 3 * r();
}

const W = [0.8, -0.5, 0.3, 0.25, -0.2, 0.15, 0.1, -0.05];

function mean(a: number[]): number {
  return a.reduce((s, v) => s + v, 0) / a.length;
}

export const KINDS: ContractKind[] = [
  {
    name: "LINEAR",
    kind: Kind.Linear,
    nFeatures: 8,
    supervised: true,
    reading: linearReading,
    trainReadings: 20000,
    learned: maeBelow(1e-3),
  },
  {
    name: "LINEAR (Huber loss, NAG optimizer)",
    kind: Kind.Linear,
    nFeatures: 4,
    config: { params: { [Param.Loss]: Loss.Huber, [Param.Optimizer]: Optimizer.NAG } },
    supervised: true,
    reading(i, x) {
      sensorFeatures(i, x, 4);
      return Math.fround(3 - 0.4 * x[0] + 0.2 * x[1] + 0.1 * x[2] - 0.3 * x[3]);
    },
    trainReadings: 20000,
    learned: maeBelow(1e-3),
  },
  {
    name: "LOGISTIC",
    kind: Kind.Logistic,
    nFeatures: 6,
    supervised: true,
    reading: logisticReading,
    trainReadings: 20000,
    learned(l, tail) {
      const wrong = tail.label.filter((p, k) => p !== tail.target[k]).length / tail.label.length;
      if (wrong > 0.02) return `error rate on the last ${tail.label.length} readings ${wrong} > 0.02`;
      const acc = l.metric(Metric.Accuracy_EW);
      return acc >= 0.97 ? undefined : `EW accuracy ${acc} < 0.97`;
    },
  },
  // ---- issue 3: drift detectors and responses on the core kinds, and kinds 3..5 ----
  ...issue3Kinds(),
  {
    name: "MEAN (baseline)",
    kind: Kind.Mean,
    nFeatures: 3,
    supervised: true,
    reading(i, x) {
      sensorFeatures(i, x, 3);
      return Math.fround(12 + Math.sin(i / 5) + 0.5 * (lcg(0x5eed ^ i)() - 0.5));
    },
    trainReadings: 4000,
    learned(l, tail) {
      // it predicts the level (12), not the wave, and its error is the target's own spread
      const off = Math.abs(mean(tail.prediction) - 12);
      if (off > 0.1) return `mean prediction off the level by ${off}`;
      const mae = l.metric(Metric.MAE);
      return mae > 0.5 && mae < 0.8 ? undefined : `MAE ${mae} not the spread of the target around its mean`;
    },
  },
];

/** Readings of the LOGISTIC entries: a noiseless linear boundary through the middle of the
 * feature box of 6 raw sensor features. */
function logisticReading(i: number, x: Float32Array): number {
  sensorFeatures(i, x, 6);
  let f = 0;
  for (let j = 0; j < 6; j++) f += W[j] * (x[j] - (10 * j - 20 + 1.5 * (1 + j)));
  return f > 0 ? 1 : 0;
}

/** Readings of the first LINEAR entry (8 raw sensor features, noiseless target). */
function linearReading(i: number, x: Float32Array): number {
  sensorFeatures(i, x, 8);
  let y = 12;
  for (let j = 0; j < 8; j++) y += W[j] * x[j];
  return Math.fround(y);
}

/** Regression learned a noiseless target: MAE < 1e-3 on the tail. */
/** The learned check of a regression or forecast: MAE over the tail below `limit`. */
function maeBelow(limit: number): ContractKind["learned"] {
  return (_l, tail) => {
    const mae = mean(tail.error.map(Math.abs));
    return mae < limit ? undefined : `MAE on the last ${tail.error.length} readings ${mae} ≥ ${limit}`;
  };
}

/** An unsupervised detector on the spike stream, learned when its spike ROC AUC reaches minAuc. */
function spikeDetector(name: string, kind: Kind, minAuc: number): ContractKind {
  return {
    name,
    kind,
    nFeatures: 3,
    supervised: false,
    reading(i, x) {
      smoothReading(i, x, 3);
      return NaN;
    },
    trainReadings: 6000,
    learned(_l, tail) {
      const auc = spikeAuc(tail.prediction, 5000);
      return auc >= minAuc ? undefined : `spike ROC AUC ${auc} < ${minAuc}`;
    },
  };
}

/** Spike every SPIKE_EVERY readings on a smooth 3-feature signal (HALFSPACE, KMEANS). */
const SPIKE_EVERY = 53;
function smoothReading(i: number, x: Float32Array, n: number): void {
  const r = lcg(0x51ed ^ i);
  for (let j = 0; j < n; j++) x[j] = Math.sin((2 * Math.PI * i) / (60 + 37 * j) + j) + 0.05 * (r() - 0.5);
  if (i % SPIKE_EVERY === 0) x[i % n] += i % 2 ? 4 : -4;
}

/** ROC AUC of the tail's scores for spike readings against normal ones (ties count one half). */
function spikeAuc(scores: number[], firstIndex: number): number {
  const normal: number[] = [];
  const spike: number[] = [];
  scores.forEach((s, k) => ((firstIndex + k) % SPIKE_EVERY === 0 ? spike : normal).push(s));
  let wins = 0;
  for (const a of spike) for (const b of normal) wins += a > b ? 1 : a === b ? 0.5 : 0;
  return wins / (spike.length * normal.length);
}

function issue3Kinds(): ContractKind[] {
  /** The first LINEAR entry with issue 3's parameters on top. */
  const linearWith = (name: string, params: Record<number, number>): ContractKind => ({
    name: `LINEAR + ${name}`,
    kind: Kind.Linear,
    nFeatures: 8,
    config: { params },
    supervised: true,
    reading: linearReading,
    trainReadings: 20000,
    learned: maeBelow(1e-3),
  });
  return [
    linearWith("ADWIN, background model", { [Param.DriftDetector]: DriftDetector.ADWIN, [Param.DriftResponse]: DriftResponse.Background }),
    linearWith("Page-Hinkley, reset accumulators", { [Param.DriftDetector]: DriftDetector.PageHinkley, [Param.DriftResponse]: DriftResponse.ResetAccumulators }),
    linearWith("EW z-score, protect", { [Param.ZScore]: 1, [Param.Protect]: 1, [Param.DriftDetector]: DriftDetector.None }),
    {
      name: "LOGISTIC + DDM, background model",
      kind: Kind.Logistic,
      nFeatures: 6,
      config: { params: { [Param.DriftDetector]: DriftDetector.DDM, [Param.DriftResponse]: DriftResponse.Background } },
      supervised: true,
      reading: logisticReading,
      trainReadings: 20000,
      learned(_l, tail) {
        const wrong = tail.label.filter((p, k) => p !== tail.target[k]).length / tail.label.length;
        return wrong <= 0.03 ? undefined : `error rate on the last ${tail.label.length} readings ${wrong} > 0.03`;
      },
    },
    // one-feature spikes among three smooth features: a hard case for axis-parallel trees
    // (test/learner/ asserts AUC ≥ 0.9 on host/tools/sim's spike stream)
    spikeDetector("HALFSPACE", Kind.HalfSpace, 0.75),
    spikeDetector("SURPRISE", Kind.Surprise, 0.9),
    {
      name: "AR(8) on a sinusoid, the value as its feature",
      kind: Kind.AR,
      nFeatures: 1,
      supervised: true,
      reading(i, x) {
        const y = Math.fround(20 + 5 * Math.sin((2 * Math.PI * i) / 40));
        x[0] = y;
        return y;
      },
      trainReadings: 6000,
      learned: maeBelow(1e-2),
    },
    {
      name: "AR(4) with exogenous inputs + ADWIN, background model",
      kind: Kind.AR,
      nFeatures: 2,
      config: {
        params: {
          [Param.ArOrder]: 4,
          [Param.ArExog]: 1,
          [Param.DriftDetector]: DriftDetector.ADWIN,
          [Param.DriftResponse]: DriftResponse.Background,
        },
      },
      supervised: true,
      reading(i, x) {
        const r = lcg(0xa5 ^ i);
        x[0] = 10 * r();
        x[1] = Math.sin(i / 7);
        return Math.fround(3 + 0.5 * x[0] - 2 * x[1]);
      },
      trainReadings: 6000,
      learned: maeBelow(1e-2),
    },
    {
      name: "KMEANS (k = 3)",
      kind: Kind.KMeans,
      nFeatures: 2,
      supervised: false,
      reading(i, x) {
        const r = lcg(0xb10b ^ i);
        const b = Math.floor(3 * r()) % 3;
        x[0] = [0, 10, 5][b] + (r() - 0.5);
        x[1] = [0, 0, 9][b] + (r() - 0.5);
        return NaN;
      },
      trainReadings: 6000,
      learned(_l, tail) {
        // the same true blob must always get the same cluster, and different blobs different ones
        const byBlob = new Map<number, Set<number>>();
        tail.prediction.forEach((c, k) => {
          const r = lcg(0xb10b ^ (5000 + k));
          const b = Math.floor(3 * r()) % 3;
          if (!byBlob.has(b)) byBlob.set(b, new Set());
          byBlob.get(b)!.add(c);
        });
        const labels = [...byBlob.values()].map((s) => [...s]);
        if (labels.some((s) => s.length !== 1)) return `a blob was split over clusters: ${JSON.stringify(labels)}`;
        return new Set(labels.map((s) => s[0])).size === 3 ? undefined : `blobs share a cluster: ${JSON.stringify(labels)}`;
      },
    },
  ];
}
