// The replay's result: one JSON object, the last line on stdout.

import { Metric } from "../../learner/index.js";
import type { Task } from "../../config/types.js";
import { numOrNull } from "../../service/format.js";
import type { ReplayTally } from "./loop.js";

const TASK_METRICS: Record<Task, [string, number][]> = {
  regression: [["mae", Metric.MAE], ["rmse", Metric.RMSE]],
  forecast: [["mae", Metric.MAE], ["rmse", Metric.RMSE]],
  classification: [["accuracy", Metric.Accuracy], ["logloss", Metric.LogLoss]],
  anomaly: [],
  cluster: [],
};

export function replayReport(task: Task, t: ReplayTally, seconds: number): string {
  const metrics: Record<string, number | null> = {};
  if (t.learner) for (const [name, id] of TASK_METRICS[task]) metrics[name] = numOrNull(t.learner.metric(id));
  if (task === "anomaly") metrics.anomalies = t.anomalies;
  return JSON.stringify({ rows: t.rows, learned: t.learned, rejected: t.rejected, rejected_by_reason: t.byReason, metrics, drifts: t.drifts, seconds: +seconds.toFixed(3) });
}
