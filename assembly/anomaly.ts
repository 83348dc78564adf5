// Anomaly flags for any kind's score, and the EW z-score baseline that gives the linear kinds
// a score (ZSCORE = 1; it lives in the monitor section).

import {
  F_ANOMALY, F_PROTECTED, C_ANOMALIES, C_PROTECTED, P_ANOMALY_THRESHOLD, P_PROTECT,
} from "./abi";
import { param, countAdd, hotZscore } from "./layout";
import { zscoreShape, zscoreScore, zscoreLearn } from "./zscore";
import { zscorePtr } from "./drift/monitor";

/** Flags for a score: ANOMALY above the threshold, PROTECTED when it must not be learned. */
export function anomalyFlags(score: f32, learn: bool, mayProtect: bool): u32 {
  if (!(score > param(P_ANOMALY_THRESHOLD))) return 0;
  let f = F_ANOMALY;
  if (learn) countAdd(C_ANOMALIES, 1);
  if (param(P_PROTECT) != 0 && mayProtect) {
    f |= F_PROTECTED;
    if (learn) countAdd(C_PROTECTED, 1);
  }
  return f;
}

/** Score of the last baselineScore call (NaN when the baseline is off). */
export let baselineLastScore: f32 = NaN;

/**
 * Linear kinds: the EW z-score of the features before learning (ZSCORE = 1), in
 * baselineLastScore, and ANOMALY / PROTECTED flags. Learns the reading into the baseline
 * unless protected.
 */
export function baselineScore(nf: i32, monitor: usize, x: usize, learn: bool): u32 {
  baselineLastScore = NaN;
  if (hotZscore == 0) return 0;
  const zp = zscorePtr(monitor);
  zscoreShape(zp, nf); // the baseline's feature count, from the configuration
  const s = zscoreScore(zp, x);
  baselineLastScore = s;
  const f = anomalyFlags(s, learn, true);
  if (learn && (f & F_PROTECTED) == 0) zscoreLearn(zp, x);
  return f;
}
