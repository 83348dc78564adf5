// Runs the three learners over one dataset and turns their predictions into the comparison:
// error overall and after each detected drift, plus the cost columns, as JSON and as a table.
//
// Every learner is scored on the same rows: those after the batch models' training part
// (rows [trainRows, n) with a finite target), so the online learner gets no credit for the part
// where the batch models have not been trained yet.

import type { Dataset, Task } from "./csv.js";
import { PageHinkley } from "./drift.js";
import { FLAG_DRIFT, runOffline, runOnline, runPeriodic, type OnlineLearner, type RunResult } from "./runners.js";

export interface CompareOptions {
  task: Task;
  trainFraction: number;
  retrainEvery: number;
  lambda: number;
}

export interface Metrics {
  rows: number;
  /** Scored rows the learner gave no prediction for (e.g. rejected by the module's guard). */
  unpredicted: number;
  /** The headline error: MAE (regression) or error rate = 1 − accuracy (classification). */
  error: number;
  mae?: number;
  rmse?: number;
  accuracy?: number;
  logloss?: number;
}

export interface LearnerReport {
  name: RunResult["name"];
  label: string;
  overall: Metrics;
  /** Headline error over [row, next drift) for each detected drift in the scored part. */
  afterDrift: { row: number; error: number; rows: number }[];
  cpuMs: number;
  peakMemoryBytes: number;
  dataRetainedBytes: number;
  updatesPushed: number;
  inPlaceUpdates: number;
}

export interface CompareReport {
  file?: string;
  task: Task;
  target: string;
  features: string[];
  rows: number;
  trainRows: number;
  retrainEvery: number;
  errorMetric: "mae" | "error_rate";
  drift: { source: "module" | "page-hinkley"; note: string; rows: number[]; beforeScoring: number };
  learners: LearnerReport[];
}

/** Per-row loss of the headline metric: |y − ŷ|, or 0/1 misclassification at P ≥ 0.5. */
export function rowLoss(task: Task, y: number, pred: number): number {
  if (!Number.isFinite(y) || !Number.isFinite(pred)) return NaN;
  return task === "regression" ? Math.abs(y - pred) : (pred >= 0.5 ? 1 : 0) === y ? 0 : 1;
}

export function metricsOver(task: Task, y: Float64Array, pred: Float64Array, from: number, to: number): Metrics {
  let rows = 0, unpredicted = 0, abs = 0, sq = 0, wrong = 0, ll = 0;
  for (let i = from; i < to; i++) {
    const yi = y[i], p = pred[i];
    if (!Number.isFinite(yi)) continue;
    rows++;
    if (!Number.isFinite(p)) unpredicted++;
    if (task === "regression") {
      // A learner with no prediction is charged as if it predicted 0.
      const e = yi - (Number.isFinite(p) ? p : 0);
      abs += Math.abs(e);
      sq += e * e;
    } else {
      const q = Number.isFinite(p) ? Math.min(1 - 1e-15, Math.max(1e-15, p)) : 0.5;
      if ((q >= 0.5 ? 1 : 0) !== yi) wrong++;
      ll -= yi === 1 ? Math.log(q) : Math.log(1 - q);
    }
  }
  const k = Math.max(rows, 1);
  if (task === "regression") return { rows, unpredicted, error: abs / k, mae: abs / k, rmse: Math.sqrt(sq / k) };
  return { rows, unpredicted, error: wrong / k, accuracy: 1 - wrong / k, logloss: ll / k };
}

/** Drift rows: the module's own flags when it detects drift, else Page-Hinkley on its loss. */
export function detectDrifts(task: Task, ds: Dataset, online: RunResult, moduleDetects: boolean): { source: "module" | "page-hinkley"; note: string; rows: number[] } {
  if (moduleDetects && online.flags) {
    const rows: number[] = [];
    online.flags.forEach((f, i) => { if (f & FLAG_DRIFT) rows.push(i); });
    return { source: "module", note: "drift flags reported by the edgelearn module", rows };
  }
  const ph = new PageHinkley();
  const rows: number[] = [];
  for (let i = 0; i < ds.n; i++) {
    if (ph.update(rowLoss(task, ds.y[i], online.predictions[i]))) rows.push(i);
  }
  return {
    source: "page-hinkley",
    note: `host-side Page-Hinkley on the online learner's loss (delta ${ph.delta} sd, lambda ${ph.lambda} sd, warm-up ${ph.warmup} rows)`,
    rows,
  };
}

export function resolveOptions(n: number, o: { trainFraction?: number; retrainEvery?: number }): { trainRows: number; every: number } {
  const frac = o.trainFraction ?? 0.2;
  const trainRows = Math.max(1, Math.min(n - 1, Math.round(n * frac)));
  const every = o.retrainEvery ?? Math.max(1, Math.round(n / 10));
  return { trainRows, every };
}

/** Runs online, offline (frozen) and periodic retraining over ds and builds the report. */
export function compare(ds: Dataset, learner: OnlineLearner, opts: CompareOptions, file?: string): { report: CompareReport; runs: RunResult[] } {
  const { trainRows, every } = resolveOptions(ds.n, opts);
  const online = runOnline(ds, learner);
  const batch = { task: opts.task, trainRows, lambda: opts.lambda };
  const runs = [online, runOffline(ds, batch), runPeriodic(ds, { ...batch, every })];
  const drift = detectDrifts(opts.task, ds, online, learner.detectsDrift);
  const scored = drift.rows.filter((r) => r >= trainRows);
  const learners = runs.map((r): LearnerReport => ({
    name: r.name,
    label: r.label,
    overall: metricsOver(opts.task, ds.y, r.predictions, trainRows, ds.n),
    afterDrift: scored.map((row, k) => {
      const m = metricsOver(opts.task, ds.y, r.predictions, row, scored[k + 1] ?? ds.n);
      return { row, error: m.error, rows: m.rows };
    }),
    cpuMs: r.cpuMs,
    peakMemoryBytes: r.peakMemoryBytes,
    dataRetainedBytes: r.dataRetainedBytes,
    updatesPushed: r.updatesPushed,
    inPlaceUpdates: r.inPlaceUpdates,
  }));
  const report: CompareReport = {
    ...(file !== undefined ? { file } : {}),
    task: opts.task,
    target: ds.target,
    features: ds.features,
    rows: ds.n,
    trainRows,
    retrainEvery: every,
    errorMetric: opts.task === "regression" ? "mae" : "error_rate",
    drift: { ...drift, rows: scored, beforeScoring: drift.rows.length - scored.length },
    learners,
  };
  return { report, runs };
}

export function formatBytes(b: number): string {
  if (b < 1024) return `${b} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB`;
}

function fmtErr(v: number): string {
  if (!Number.isFinite(v)) return "-";
  return Math.abs(v) >= 1000 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(3) : v.toPrecision(3);
}

/** Columns of plain text, left-aligned first column, right-aligned numbers. */
export function textTable(head: string[], body: string[][]): string {
  const w = head.map((h, j) => Math.max(h.length, ...body.map((r) => (r[j] ?? "").length)));
  const line = (r: string[]) => r.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join("  ");
  return [line(head), w.map((x) => "-".repeat(x)).join("  "), ...body.map(line)].join("\n");
}

/** The human-readable table; at most `maxDrifts` drift columns (the JSON has them all). */
export function formatReport(r: CompareReport, maxDrifts = 6): string {
  const metric = r.errorMetric === "mae" ? "MAE" : "error rate";
  const shown = r.drift.rows.slice(0, maxDrifts);
  const head = ["learner", `${metric} overall`, ...shown.map((row) => `after drift @${row}`), "CPU", "peak memory", "data retained", "updates pushed"];
  const body = r.learners.map((l) => [
    l.name,
    fmtErr(l.overall.error),
    ...shown.map((_, k) => fmtErr(l.afterDrift[k]?.error ?? NaN)),
    `${l.cpuMs.toFixed(0)} ms`,
    formatBytes(l.peakMemoryBytes),
    formatBytes(l.dataRetainedBytes),
    l.name === "online" ? `0 (${l.inPlaceUpdates} in place)` : String(l.updatesPushed),
  ]);
  const lines = [
    `${r.file ?? "data"}: ${r.rows} rows, ${r.task}, target ${r.target}, features ${r.features.join(", ")}`,
    `scored on rows [${r.trainRows}, ${r.rows}); offline trained on the first ${r.trainRows}; periodic retrains every ${r.retrainEvery} rows`,
    "",
    textTable(head, body),
    "",
    ...r.learners.map((l) => `${l.name}: ${l.label}` +
      (l.overall.unpredicted ? `; no prediction for ${l.overall.unpredicted} scored rows (counted as ${r.errorMetric === "mae" ? "predicting 0" : "p = 0.5"})` : "")),
    `drifts: ${r.drift.rows.length} in the scored part${r.drift.rows.length > shown.length ? ` (first ${shown.length} shown; --json has all)` : ""}` +
      `${r.drift.beforeScoring ? `, ${r.drift.beforeScoring} before it` : ""}; ${r.drift.note}`,
  ];
  return lines.join("\n");
}
