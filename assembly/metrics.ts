// Prequential metrics: each reading with a valid target is scored before the model learns it.
// Cumulative metrics are running means over C_SCORED readings; EW metrics use METRIC_ALPHA and
// start at the first value. RMSE slots hold mean squared errors (metricValue takes the root).

import {
  C_SCORED, M_MAE, M_RMSE, M_ACCURACY, M_LOGLOSS, M_MAE_EW, M_RMSE_EW, M_ACCURACY_EW,
  M_LOGLOSS_EW, M_TARGET_MEAN, M_TARGET_STD, KIND_LOGISTIC,
} from "./abi";
import {
  countsAt, metricsAt, metricSlot, metricSlotIn, liveKind, liveFeatures, count, hotMetricAlpha,
} from "./layout";
import { scalerMean, scalerStd } from "./scale";

@inline function track(mb: usize, cum: i32, ew: i32, v: f32, invn: f32, a: f32, first: bool): void {
  const c = load<f32>(metricSlotIn(mb, cum));
  store<f32>(metricSlotIn(mb, cum), c + (v - c) * invn);
  const e = load<f32>(metricSlotIn(mb, ew));
  store<f32>(metricSlotIn(mb, ew), first ? v : e + a * (v - e));
}

/** Scores one prediction: e = y − prediction; for classifiers also correct (0/1) and log-loss.
 * Inlined into the pipeline's two paths (a wasm call costs V8 the spills around it). */
@inline export function metricsUpdate(e: f32, classifier: bool, correct: f32, logloss: f32): void {
  const p = countsAt + (<usize>C_SCORED << 2);
  const n = load<u32>(p) + 1;
  store<u32>(p, n);
  const invn: f32 = <f32>1.0 / <f32>n;
  const a = hotMetricAlpha;
  const first = n == 1;
  const mb = metricsAt; // read once (metricSlotIn)
  track(mb, M_MAE, M_MAE_EW, Mathf.abs(e), invn, a, first);
  track(mb, M_RMSE, M_RMSE_EW, e * e, invn, a, first);
  if (classifier) {
    track(mb, M_ACCURACY, M_ACCURACY_EW, correct, invn, a, first);
    track(mb, M_LOGLOSS, M_LOGLOSS_EW, logloss, invn, a, first);
  }
}

/** The value of metric id (a stored one: layout.ts metricStored) of the live model; NaN when it
 * has none. The drift detector's window (M_DRIFT_MEAN, M_DRIFT_N) is read from the detector
 * (drift/monitor.ts) and has no slot. */
export function metricValue(id: i32): f32 {
  const slot = load<f32>(metricSlot(id));
  if (id == M_TARGET_MEAN) return scalerMean(liveFeatures);
  if (id == M_TARGET_STD) return scalerStd(liveFeatures);
  if (id > M_TARGET_STD) return NaN;
  if (count(C_SCORED) == 0) return NaN;
  if ((id == M_ACCURACY || id == M_LOGLOSS || id == M_ACCURACY_EW || id == M_LOGLOSS_EW)
    && !(liveKind == KIND_LOGISTIC)) return NaN;
  if (id == M_RMSE || id == M_RMSE_EW) return Mathf.sqrt(slot);
  return slot;
}
