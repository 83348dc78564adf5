// From a device's configured model (task, features, target, params by name, ranges by field) to
// what the module's `create` takes (kind, feature count, parameter ids, range indices).

import { Kind, Param, type LearnerConfig } from "../learner/index.js";
import type { ModelConfig, Task } from "../config/types.js";

export const TASK_KIND: Record<Task, Kind> = {
  regression: Kind.Linear,
  classification: Kind.Logistic,
  anomaly: Kind.Surprise,
  forecast: Kind.AR,
  cluster: Kind.KMeans,
};

/**
 * The task each kind serves. Two kinds detect anomalies and two predict a value: the library API
 * still creates HALFSPACE, and MEAN, the baseline a regression model has to beat.
 */
export const KIND_TASK: Record<number, Task> = {
  [Kind.Linear]: "regression",
  [Kind.Logistic]: "classification",
  [Kind.HalfSpace]: "anomaly",
  [Kind.AR]: "forecast",
  [Kind.KMeans]: "cluster",
  [Kind.Surprise]: "anomaly",
  [Kind.Mean]: "regression",
};

function norm(s: string): string {
  return s.toLowerCase().replace(/[_\-\s]/g, "");
}

/** Parameter names the configuration accepts: the wrapper's names (learning_rate), the ABI's (lr), or the id. */
export function paramId(name: string): number | undefined {
  if (/^\d+$/.test(name)) return Number(name);
  const n = norm(name);
  if (n === "lr") return Param.LearningRate;
  for (const [k, v] of Object.entries(Param)) {
    if (typeof v === "number" && norm(k) === n) return v;
  }
  return undefined;
}

export function paramNames(): string[] {
  return Object.keys(Param)
    .filter((k) => Number.isNaN(Number(k)))
    .map((k) => k.replace(/([a-z0-9])([A-Z])/g, "$1_$2").toLowerCase());
}

export interface ModelSpec {
  kind: Kind;
  nFeatures: number;
  config: LearnerConfig;
}

/**
 * The create arguments for a model over `features`. Problems (unknown parameter, a range for a
 * field that is neither a feature nor the target) come back as "path: message" strings.
 */
export function modelSpec(m: ModelConfig, features: readonly string[], path = "model"): ModelSpec | string[] {
  const problems: string[] = [];
  const params: Record<number, number> = {};
  for (const [name, v] of Object.entries(m.params)) {
    const id = paramId(name);
    if (id === undefined) problems.push(`${path}.params.${name}: unknown parameter (known: ${paramNames().join(", ")}, or a numeric id)`);
    else params[id] = v;
  }
  const ranges: Record<number, [number, number]> = {};
  for (const [field, r] of Object.entries(m.ranges)) {
    let i = features.indexOf(field);
    if (i < 0 && field === m.target) i = features.length;
    if (i < 0) {
      // With inferred features a range may name a field that only shows up in readings; checked again then.
      if (m.features.length > 0) problems.push(`${path}.ranges.${field}: not a feature or the target`);
      continue;
    }
    ranges[i] = r;
  }
  if (problems.length) return problems;
  return { kind: TASK_KIND[m.task], nFeatures: features.length, config: { params, ranges } };
}
