// The module's metrics as they may be published: each only once enough readings are behind it
// (host/privacy/aggregate.ts), counted by the module itself.

import { Count, type Learner } from "../learner/index.js";
import { metricsOf } from "./format.js";
import { mayPublish, MIN_READINGS } from "../privacy/aggregate.js";

/** The module counter behind each metric (DRIFT_N is a metric, read separately). */
const BEHIND: Readonly<Record<string, Count>> = {
  mae: Count.Scored,
  rmse: Count.Scored,
  accuracy: Count.Scored,
  log_loss: Count.Scored,
  mae_ew: Count.Scored,
  rmse_ew: Count.Scored,
  accuracy_ew: Count.Scored,
  log_loss_ew: Count.Scored,
  target_mean: Count.Learned,
  target_std: Count.Learned,
};

/**
 * The live model's metrics that summarise at least `min` readings each; undefined while the model
 * has learned fewer than `min` readings. drift_mean needs drift_n ≥ min (ADWIN's window shrinks
 * on a drift); metrics without a known counter are left out.
 */
export function publishableMetrics(l: Learner, min: number = MIN_READINGS): Record<string, number> | undefined {
  if (!mayPublish(l.count(Count.Learned), min)) return undefined;
  const all = metricsOf(l);
  const out: Record<string, number> = {};
  for (const [name, v] of Object.entries(all)) {
    if (name === "drift_mean" || name === "drift_n") {
      if (mayPublish(all.drift_n, min)) out[name] = v;
      continue;
    }
    const c = BEHIND[name];
    if (c !== undefined && mayPublish(l.count(c), min)) out[name] = v;
  }
  return out;
}
