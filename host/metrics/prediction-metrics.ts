// The model metrics that may be shown beyond MQTT (Prometheus, dashboard): errors and scores of
// the model's predictions. Health also carries statistics of the target's values (target_mean,
// target_std); those summarize raw readings and stay out of everything built here.

/** In the order a summary prefers them (recent error first). */
export const PREDICTION_METRIC_NAMES = ["mae_ew", "mae", "rmse_ew", "rmse", "accuracy_ew", "accuracy", "logloss_ew", "logloss"] as const;
export const PREDICTION_METRICS: ReadonlySet<string> = new Set(PREDICTION_METRIC_NAMES);

/** The prediction metrics of a health object's `metrics`, nothing else. */
export function predictionMetrics(m: unknown): Record<string, number> {
  const out: Record<string, number> = {};
  if (m && typeof m === "object") for (const [k, v] of Object.entries(m)) if (PREDICTION_METRICS.has(k) && typeof v === "number") out[k] = v;
  return out;
}
