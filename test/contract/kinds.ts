// The registry the contract suite (contract.test.ts) runs against: one entry per model kind.
// Issue 3 adds its kinds here. Every entry gets every check: learning, bit-identical
// snapshot → load → continue, corrupt blobs refused, non-finite input kept out, reset, bad calls.

import { Kind, Learner, LearnerConfig, Loss, Metric, Optimizer, Param } from "../../host/learner/index.js";

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
    reading(i, x) {
      sensorFeatures(i, x, 8);
      let y = 12;
      for (let j = 0; j < 8; j++) y += W[j] * x[j];
      return Math.fround(y);
    },
    trainReadings: 20000,
    learned(_l, tail) {
      const mae = mean(tail.error.map(Math.abs));
      return mae < 1e-3 ? undefined : `MAE on the last ${tail.error.length} readings ${mae} ≥ 1e-3`;
    },
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
    learned(_l, tail) {
      const mae = mean(tail.error.map(Math.abs));
      return mae < 1e-3 ? undefined : `MAE on the last ${tail.error.length} readings ${mae} ≥ 1e-3`;
    },
  },
  {
    name: "LOGISTIC",
    kind: Kind.Logistic,
    nFeatures: 6,
    supervised: true,
    reading(i, x) {
      sensorFeatures(i, x, 6);
      // A noiseless linear boundary through the middle of the feature box.
      let f = 0;
      for (let j = 0; j < 6; j++) f += W[j] * (x[j] - (10 * j - 20 + 1.5 * (1 + j)));
      return f > 0 ? 1 : 0;
    },
    trainReadings: 20000,
    learned(l, tail) {
      const wrong = tail.label.filter((p, k) => p !== tail.target[k]).length / tail.label.length;
      if (wrong > 0.02) return `error rate on the last ${tail.label.length} readings ${wrong} > 0.02`;
      const acc = l.metric(Metric.Accuracy_EW);
      return acc >= 0.97 ? undefined : `EW accuracy ${acc} < 0.97`;
    },
  },
];
