// A stand-in online learner for the compare tests that must not depend on the module:
// online standardization plus plain SGD on squared or logistic loss.

import type { OnlineLearner } from "../../host/compare/runners.js";

export function sgdLearner(task: "regression" | "classification", d: number, lr = 0.05): OnlineLearner {
  const w = new Float64Array(d);
  let b = 0;
  const mean = new Float64Array(d);
  const m2 = new Float64Array(d);
  let n = 0;
  const z = new Float64Array(d);
  return {
    label: "test SGD",
    detectsDrift: false,
    stateBytes: () => (3 * d + 2) * 8,
    memoryBytes: () => (3 * d + 2) * 8,
    learnOne(x, y) {
      n++;
      for (let j = 0; j < d; j++) {
        const dl = x[j] - mean[j];
        mean[j] += dl / n;
        m2[j] += dl * (x[j] - mean[j]);
        z[j] = n > 1 ? (x[j] - mean[j]) / Math.sqrt(m2[j] / (n - 1) + 1e-12) : 0;
      }
      let s = b;
      for (let j = 0; j < d; j++) s += w[j] * z[j];
      const pred = task === "regression" ? s : 1 / (1 + Math.exp(-s));
      const g = pred - y;
      for (let j = 0; j < d; j++) w[j] -= lr * g * z[j];
      b -= lr * g;
      return { prediction: pred, flags: (1 << 8) | (1 << 9) };
    },
  };
}
