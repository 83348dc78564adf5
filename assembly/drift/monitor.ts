// The monitor section of a blob: what watches the model rather than being it. Present when a
// drift detector or the z-score baseline is configured:
//   MonitorHead (16 bytes)
//   detector    ADWIN 648 / Page-Hinkley 44 / DDM 28 bytes (none: 0), rounded up to 16
//   z-score     LINEAR/LOGISTIC with ZSCORE = 1: 16 + 8 n bytes (zscore.ts), rounded up to 16
//   background  DRIFT_RESPONSE = 2: a second model section of the kind, rounded up to 16
// Drift detection watches the prequential error (supervised kinds) or the anomaly score, and
// responds as DRIFT_RESPONSE says: notify only, restart the model's optimizer, or swap in a
// background model that has learned since the warning.
//
// With the background response a supervised kind's detector alarm is not yet a drift: the
// background model goes on trial beside the live one, and the drift is the moment it has
// predicted better, on more readings than chance allows. A young model beats an old one on the
// few readings after a warning whenever the stream is anywhere it has not been for a while (a
// daily cycle crossing a LOGISTIC threshold: each crossing a burst of the live model's mistakes,
// which a fresh model, trained on one side of the cycle, avoids and then repeats at the next
// crossing; a forecaster's error, high by day and nil overnight): swapped at the alarm, it made
// the next alarm. On trial it loses or ties, and the live model stays.
//   trial   the first TRIAL_SKIP readings after the alarm are not compared (the burst that made
//           the alarm is still ending there); then each reading where one model's loss is
//           lower counts a win for it (a sign test: scale-free, and robust to a forecaster's
//           heavy-tailed errors); with w background wins and l live wins the background model
//           is swapped in when w − l > z √(w + l) (z = 3), dropped when l − w > z √(w + l);
//           after TRIAL_MAX readings without either, dropped and the live model's optimizer
//           restarted (the RESET response).

import {
  F_DRIFT_WARNING, F_DRIFT, F_MODEL_SWAPPED, KIND_LINEAR, KIND_AR, C_READINGS, C_DRIFTS,
  C_WARNINGS, C_SWAPS, C_LAST_DRIFT, M_DRIFT_N, P_DRIFT_DETECTOR, P_DRIFT_RESPONSE, P_ZSCORE, DETECTOR_NONE,
  DETECTOR_PAGE_HINKLEY, RESPONSE_RESET, RESPONSE_BACKGROUND,
} from "../abi";
import {
  PARAMS, param, count, countAdd, setCount, modelAt, monitorAt, hotDriftDetector, hotDriftResponse, hotZscore, round16,
} from "../layout";
import { zscoreBytes } from "../zscore";
import { isLinearKind } from "../models/linear";
import {
  modelBytes, modelInit, modelShape, modelLearn, modelRestart, modelPrediction, predictionLoss, supervised,
} from "../models/model";
import { arScale } from "../models/forecast";
import { DRIFT_WARNING, DRIFT_DETECTED } from "./level";
import {
  detectorBytes, detectorInit, detectorUpdate, detectorCount, detectorMean, detectorLoaded,
} from "./detector";

@unmanaged class MonitorHead {
  backgroundActive: u32; // BG_OFF, BG_WARNING (learning since a warning) or BG_TRIAL (since an alarm)
  backgroundLearned: u32; // readings the background model learned (on trial: since the alarm)
  previousLevel: i32; // the detector's previous answer
  trialWins: u32; // on trial: readings the background model predicted better (low 16 bits), worse (high)
}

const BG_OFF: u32 = 0;
const BG_WARNING: u32 = 1;
const BG_TRIAL: u32 = 2;
const TRIAL_SKIP: u32 = 16;
const TRIAL_MAX: u32 = 1024; // also keeps each count within 16 bits
const TRIAL_Z2: f32 = 9; // the sign test's z, squared

const HEAD: i32 = <i32>offsetof<MonitorHead>();

@inline function head(monitor: usize): MonitorHead {
  return changetype<MonitorHead>(monitor);
}

@inline function paramAt(params: usize, id: i32): f32 {
  return load<f32>(params + (<usize>id << 2));
}

/** Bytes of the z-score baseline for (kind, nf, parameters at params); 0 when off. */
function zscoreSectionBytes(kind: i32, nf: i32, params: usize): i32 {
  return isLinearKind(kind) && paramAt(params, P_ZSCORE) != 0 ? zscoreBytes(nf) : 0;
}

/** Bytes of the monitor section for (kind, nf, the parameters at params) up to its background
 * model: head, detector and z-score baseline (0 when there is no monitor section). */
export function monitorFrontBytes(kind: i32, nf: i32, params: usize): i32 {
  const det = <i32>paramAt(params, P_DRIFT_DETECTOR);
  const z = zscoreSectionBytes(kind, nf, params);
  if (det == DETECTOR_NONE && z == 0) return 0;
  return HEAD + round16(detectorBytes(det)) + round16(z);
}

/** Does the monitor section end with a background model (the parameters at params)? */
export function hasBackground(params: usize): bool {
  return <i32>paramAt(params, P_DRIFT_DETECTOR) != DETECTOR_NONE && <i32>paramAt(params, P_DRIFT_RESPONSE) == RESPONSE_BACKGROUND;
}

/** Bytes of the monitor section for (kind, nf, the parameters at params); -1 when a part refuses. */
export function monitorBytes(kind: i32, nf: i32, params: usize): i32 {
  const n = monitorFrontBytes(kind, nf, params);
  if (!hasBackground(params)) return n;
  const m = modelBytes(kind, nf, params);
  return m < 0 ? -1 : n + round16(m);
}

// Addresses inside the monitor section (from the live parameters).
@inline function detectorPtr(monitor: usize): usize {
  return monitor + HEAD;
}

/** The z-score baseline inside the monitor section. */
export function zscorePtr(monitor: usize): usize {
  return monitor + HEAD + <usize>round16(detectorBytes(hotDriftDetector));
}

function backgroundPtr(kind: i32, nf: i32, monitor: usize): usize {
  const z = isLinearKind(kind) && hotZscore != 0 ? zscoreBytes(nf) : 0;
  return zscorePtr(monitor) + <usize>round16(z);
}

/** The background model's section, or 0 when the live parameters give none (load migrates it). */
export function backgroundSection(kind: i32, nf: i32, monitor: usize): usize {
  return hotDriftDetector != DETECTOR_NONE && hotDriftResponse == RESPONSE_BACKGROUND ? backgroundPtr(kind, nf, monitor) : 0;
}

/** Is there a monitor section? */
@inline export function hasMonitor(): bool {
  return hotDriftDetector != 0 || hotZscore != 0;
}

/** A fresh detector in a zeroed monitor section (the z-score baseline is initialised by its owner). */
export function monitorInit(monitor: usize): void {
  detectorInit(hotDriftDetector, detectorPtr(monitor));
}

/** The monitor section of a blob just loaded (one is present): its detector brought up to date. */
export function monitorLoaded(monitor: usize): void {
  detectorLoaded(hotDriftDetector, detectorPtr(monitor));
}

/** The drift detector's window, read from its state when asked (nothing per reading):
 * M_DRIFT_MEAN, the mean of what it watches, or M_DRIFT_N, how many values; NaN without one. */
export function driftWindowMetric(id: i32): f32 {
  const det = hotDriftDetector;
  if (det == DETECTOR_NONE) return NaN;
  const d = detectorPtr(monitorAt);
  const n = detectorCount(det, d);
  if (id == M_DRIFT_N) return n;
  return n > 0 ? detectorMean(det, d, n) : 0;
}

/** The background model learns the reading (after the live model learned it; `pred` is the
 * live model's prediction). It rarely runs: that much is tested inline, since a call is dear in
 * V8. Returns DRIFT / MODEL_SWAPPED when its trial ends with the swap. */
@inline export function backgroundLearn(kind: i32, nf: i32, monitor: usize, x: usize, z: usize, y: f32, pred: f32): u32 {
  return hotDriftDetector != 0 && head(monitor).backgroundActive != 0 ? backgroundLearnActive(kind, nf, monitor, x, z, y, pred) : 0;
}

function backgroundLearnActive(kind: i32, nf: i32, monitor: usize, x: usize, z: usize, y: f32, pred: f32): u32 {
  if (hotDriftResponse != RESPONSE_BACKGROUND) return 0;
  const h = head(monitor);
  const bg = backgroundPtr(kind, nf, monitor);
  modelShape(kind, nf, bg);
  const trial = h.backgroundActive == BG_TRIAL;
  if (trial && h.backgroundLearned >= TRIAL_SKIP) {
    // both models' losses on this reading, each predicted before learning it
    const live = predictionLoss(kind, pred, y);
    const back = predictionLoss(kind, modelPrediction(kind, nf, bg, z), y);
    if (back < live) h.trialWins = h.trialWins + 1;
    else if (back > live) h.trialWins = h.trialWins + 0x10000;
  }
  if (!modelLearn(kind, nf, bg, x, z, y)) return 0;
  const learned = h.backgroundLearned + 1;
  h.backgroundLearned = learned;
  if (!trial) return 0;
  const w = <i32>(h.trialWins & 0xFFFF), l = <i32>(h.trialWins >>> 16);
  const sure = <f32>((w - l) * (w - l)) > TRIAL_Z2 * <f32>(w + l);
  if (w > l && sure) {
    h.backgroundActive = BG_OFF;
    return swapIn(kind, nf, modelAt, monitor);
  }
  if (l > w && sure) h.backgroundActive = BG_OFF; // the live model stays
  else if (learned >= TRIAL_MAX) {
    // neither won: the error did rise, and a fresh model is no cure, so the live one moves fast
    // again (the RESET response)
    h.backgroundActive = BG_OFF;
    modelRestart(kind, nf, modelAt);
  }
  return 0;
}

/** The background model replaces the live one: a drift. */
function swapIn(kind: i32, nf: i32, model: usize, monitor: usize): u32 {
  memory.copy(model, backgroundPtr(kind, nf, monitor), <usize>modelBytes(kind, nf, PARAMS));
  countAdd(C_DRIFTS, 1);
  setCount(C_LAST_DRIFT, count(C_READINGS));
  countAdd(C_SWAPS, 1);
  return F_DRIFT | F_MODEL_SWAPPED;
}

/**
 * Called with the prequential error of every scored reading (absolute error for regression and
 * forecasts, 0/1 for a classification mistake; the anomaly score for the unsupervised kinds).
 * Page-Hinkley takes the value as it is (it works in the value's own standard deviations); for
 * ADWIN and DDM regression errors are divided by the target's standard deviation before the
 * reading (targetSd, LINEAR only; AR: the series scale). Returns DRIFT_WARNING / DRIFT /
 * MODEL_SWAPPED flags.
 */
export function driftObserve(kind: i32, nf: i32, model: usize, monitor: usize, err: f32, targetSd: f32): u32 {
  const det = hotDriftDetector;
  if (det == DETECTOR_NONE) return 0;
  let e = err;
  // Page-Hinkley scales what it watches by its own running deviation; ADWIN and DDM need a unit
  if (det != DETECTOR_PAGE_HINKLEY) {
    if (kind == KIND_LINEAR) {
      if (targetSd > 0) e = err / targetSd;
    } else if (kind == KIND_AR) {
      e = err / arScale(model);
    }
  }
  if (e - e != 0) return 0;
  const d = detectorPtr(monitor);
  const level = detectorUpdate(det, d, e);
  const resp = hotDriftResponse;
  const h = head(monitor);
  const prev = h.previousLevel;
  if (level != prev) h.previousLevel = level;
  if (level == DRIFT_WARNING) {
    countAdd(C_WARNINGS, 1);
    // each warning onset (re)starts the background model, as the Adaptive Random Forest does,
    // so at the drift it has learned from the latest warning on; a model on trial runs on
    if (resp == RESPONSE_BACKGROUND && prev != DRIFT_WARNING && h.backgroundActive != BG_TRIAL) {
      const bg = backgroundPtr(kind, nf, monitor);
      memory.fill(bg, 0, <usize>modelBytes(kind, nf, PARAMS));
      modelInit(kind, nf, bg);
      h.backgroundActive = BG_WARNING;
      h.backgroundLearned = 0;
    }
    return F_DRIFT_WARNING;
  }
  if (level != DRIFT_DETECTED) {
    // The warning cleared without a drift: the background model stops learning. Left running,
    // a stationary stream's rare warnings kept it learning beside the live model on every reading
    // until a drift that never came. A later warning's onset starts it afresh, and Page-Hinkley's
    // statistic crosses its warning band before any drift (so its swaps are the same).
    if (prev == DRIFT_WARNING && h.backgroundActive == BG_WARNING) h.backgroundActive = BG_OFF;
    return 0;
  }
  if (resp == RESPONSE_BACKGROUND && h.backgroundActive != BG_OFF && supervised(kind)) {
    // the alarm puts the background model on trial (one already on trial runs on); flagged as
    // the warning it still is
    if (h.backgroundActive == BG_WARNING) {
      h.backgroundActive = BG_TRIAL;
      h.backgroundLearned = 0;
      h.trialWins = 0;
    }
    countAdd(C_WARNINGS, 1);
    return F_DRIFT_WARNING;
  }
  if (resp == RESPONSE_BACKGROUND && h.backgroundActive != BG_OFF && h.backgroundLearned > 0) {
    h.backgroundActive = BG_OFF;
    return swapIn(kind, nf, model, monitor); // the anomaly kinds have no loss to compare: at once
  }
  countAdd(C_DRIFTS, 1);
  setCount(C_LAST_DRIFT, count(C_READINGS));
  if (resp == RESPONSE_RESET) modelRestart(kind, nf, model);
  else if (resp == RESPONSE_BACKGROUND) {
    modelRestart(kind, nf, model); // no background yet (a drift without a warning): move fast instead
    h.backgroundActive = BG_OFF;
  }
  return F_DRIFT;
}
