// The three prequential runners of `edgelearn compare`. Each walks the rows in order and, for
// every row, first predicts (if it has a model yet) and then does whatever it does with the
// row: the online learner learns from it; the frozen offline model ignores it after training;
// the periodic pipeline stores it and retrains every N rows on everything stored.
//
// Each runner returns its per-row predictions (NaN where it had no model) and its costs. The
// costs are accounted, not sampled: bytes of raw data a pipeline keeps so that it can retrain,
// peak bytes of working memory (kept rows + solver workspace, or the module's linear memory),
// and how many new models it had to ship to the device.

import type { Dataset, Task } from "./csv.js";
import { fitLogistic, fitRidge, linearScore, logisticProbability, type LinearModel } from "./batch.js";

/** Bit 14 of the module's flags: drift detected at this reading (docs/ABI.md). */
export const FLAG_DRIFT = 1 << 14;

/** What the online runner needs from a learner: predict-then-learn on one row. */
export interface OnlineLearner {
  /** Predicts (value, or P(y = 1)) then learns; prediction is NaN when the learner gave none. */
  learnOne(x: Float64Array, y: number): { prediction: number; flags: number };
  /** Bytes of the learner's whole state (the blob a device keeps). */
  stateBytes(): number;
  /** Bytes of memory the learner runs in (for the module: its linear memory). */
  memoryBytes(): number;
  /** True when the learner reports drifts in its flags (FLAG_DRIFT); else the host detects them. */
  readonly detectsDrift: boolean;
  /** Short description for the report, e.g. "edgelearn module (LINEAR, AdaGrad)". */
  readonly label: string;
  close?(): void;
}

export type RunnerName = "online" | "offline" | "periodic";

export interface RunResult {
  name: RunnerName;
  label: string;
  predictions: Float64Array;
  /** Module flags per row (online only). */
  flags?: Uint32Array;
  cpuMs: number;
  peakMemoryBytes: number;
  dataRetainedBytes: number;
  /** New models shipped to the device (0 for online: it updates itself). */
  updatesPushed: number;
  /** Model updates made where the model runs (online: rows learned). */
  inPlaceUpdates: number;
}

function cpuMsSince(start: NodeJS.CpuUsage): number {
  const u = process.cpuUsage(start);
  return (u.user + u.system) / 1000;
}

/** Bytes of one stored row: d features and the target as f64. */
function rowBytes(d: number): number {
  return (d + 1) * 8;
}

export function runOnline(ds: Dataset, learner: OnlineLearner): RunResult {
  const { n, d, X, y } = ds;
  const predictions = new Float64Array(n);
  const flags = new Uint32Array(n);
  const x = new Float64Array(d);
  let learned = 0;
  const start = process.cpuUsage();
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) x[j] = X[i * d + j];
    const out = learner.learnOne(x, y[i]);
    predictions[i] = out.prediction;
    flags[i] = out.flags;
    if (out.flags & (1 << 8)) learned++;
  }
  const cpuMs = cpuMsSince(start);
  return {
    name: "online", label: learner.label, predictions, flags, cpuMs,
    peakMemoryBytes: learner.memoryBytes(), dataRetainedBytes: 0,
    updatesPushed: 0, inPlaceUpdates: learned,
  };
}

export interface BatchOptions {
  task: Task;
  /** Rows [0, trainRows) train the first batch model. */
  trainRows: number;
  /** L2 strength on standardized features. */
  lambda: number;
}

function fit(ds: Dataset, rows: number, opts: BatchOptions): { model: LinearModel; workBytes: number } {
  const p = ds.d + 1;
  if (opts.task === "regression") {
    return { model: fitRidge(ds.X, ds.y, rows, ds.d, opts.lambda), workBytes: (p * p + 3 * p) * 8 };
  }
  // IRLS keeps the standardized design (rows × p) and the Hessian.
  return { model: fitLogistic(ds.X, ds.y, rows, ds.d, opts.lambda), workBytes: (rows * p + p * p + 4 * p) * 8 };
}

function predictRow(model: LinearModel, ds: Dataset, task: Task, i: number): number {
  return task === "regression" ? linearScore(model, ds.X, ds.d, i) : logisticProbability(model, ds.X, ds.d, i);
}

export function runOffline(ds: Dataset, opts: BatchOptions): RunResult {
  const { n } = ds;
  const predictions = new Float64Array(n).fill(NaN);
  const start = process.cpuUsage();
  const trainRows = Math.min(opts.trainRows, n);
  const { model, workBytes } = fit(ds, trainRows, opts);
  for (let i = trainRows; i < n; i++) predictions[i] = predictRow(model, ds, opts.task, i);
  const cpuMs = cpuMsSince(start);
  const kept = trainRows * rowBytes(ds.d);
  return {
    name: "offline", label: `${opts.task === "regression" ? "ridge (closed form)" : "logistic (Newton/IRLS)"}, trained once on rows [0, ${trainRows})`,
    predictions, cpuMs, peakMemoryBytes: kept + workBytes, dataRetainedBytes: kept,
    updatesPushed: 1, inPlaceUpdates: 0,
  };
}

export function runPeriodic(ds: Dataset, opts: BatchOptions & { every: number }): RunResult {
  const { n } = ds;
  const every = Math.max(1, Math.floor(opts.every));
  const predictions = new Float64Array(n).fill(NaN);
  const start = process.cpuUsage();
  let model: LinearModel | undefined;
  let pushes = 0;
  let peakWork = 0;
  const first = Math.min(opts.trainRows, n);
  for (let i = 0; i < n; i++) {
    // Retrain on rows [0, i) at the first training point, then every `every` rows after it.
    if (i >= first && (i - first) % every === 0) {
      const r = fit(ds, i, opts);
      model = r.model;
      peakWork = Math.max(peakWork, r.workBytes + i * rowBytes(ds.d));
      pushes++;
    }
    if (model) predictions[i] = predictRow(model, ds, opts.task, i);
  }
  const cpuMs = cpuMsSince(start);
  const kept = n * rowBytes(ds.d);
  return {
    name: "periodic", label: `same batch model, retrained on all rows seen every ${every} rows`,
    predictions, cpuMs, peakMemoryBytes: Math.max(peakWork, kept), dataRetainedBytes: kept,
    updatesPushed: pushes, inPlaceUpdates: 0,
  };
}
