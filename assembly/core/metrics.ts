// Prequential metrics: each reading with a valid target is scored before the model learns it.
// Cumulative metrics are running means over C_SCORED readings; EW metrics use METRIC_ALPHA and
// start at the first value. RMSE slots hold mean squared errors (get_metric takes the root).

import {
  C_SCORED, M_MAE, M_RMSE, M_ACCURACY, M_LOGLOSS, M_MAE_EW, M_RMSE_EW, M_ACCURACY_EW,
  M_LOGLOSS_EW, P_METRIC_ALPHA,
} from "../abi";
import { g_counts, g_metrics, param } from "./state";

@inline function slot(id: i32): usize {
  return g_metrics + (<usize>id << 2);
}

@inline function track(cum: i32, ew: i32, v: f32, invn: f32, a: f32, first: bool): void {
  const c = load<f32>(slot(cum));
  store<f32>(slot(cum), c + (v - c) * invn);
  const e = load<f32>(slot(ew));
  store<f32>(slot(ew), first ? v : e + a * (v - e));
}

/** Scores one prediction: e = y − prediction; for classifiers also correct (0/1) and log-loss. */
export function metricsUpdate(e: f32, classifier: bool, correct: f32, logloss: f32): void {
  const p = g_counts + (<usize>C_SCORED << 2);
  const n = load<u32>(p) + 1;
  store<u32>(p, n);
  const invn: f32 = <f32>1.0 / <f32>n;
  const a = param(P_METRIC_ALPHA);
  const first = n == 1;
  track(M_MAE, M_MAE_EW, Mathf.abs(e), invn, a, first);
  track(M_RMSE, M_RMSE_EW, e * e, invn, a, first);
  if (classifier) {
    track(M_ACCURACY, M_ACCURACY_EW, correct, invn, a, first);
    track(M_LOGLOSS, M_LOGLOSS_EW, logloss, invn, a, first);
  }
}
