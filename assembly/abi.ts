// The one table of the module's ABI: kinds, error codes, flags and the ids of parameters,
// counters and metrics. host/learner/abi.ts is generated from this file
// (scripts/generate-abi.ts) and docs/ABI.md's tables are checked against it by a test.
// Ids are stable once released: add, never renumber.

export const ABI_VERSION: i32 = 5;
export const MAGIC: u32 = 0x4E524C45; // "ELRN" little-endian

// Model kinds: one file each under models/, chosen by the dispatch in models/model.ts.
export const KIND_LINEAR: i32 = 1;
export const KIND_LOGISTIC: i32 = 2;
export const KIND_HALFSPACE: i32 = 3;
export const KIND_AR: i32 = 4;
export const KIND_KMEANS: i32 = 5;
export const KIND_SURPRISE: i32 = 6;
export const KIND_MEAN: i32 = 7;

export const MAX_FEATURES: i32 = 32;

// Error codes (negative i32).
export const ERR_MAGIC: i32 = -1;
export const ERR_VERSION: i32 = -2;
export const ERR_KIND: i32 = -3;
export const ERR_LENGTH: i32 = -4;
export const ERR_CRC: i32 = -5;
export const ERR_FEATURES: i32 = -6;
export const ERR_NONFINITE: i32 = -7;
export const ERR_PARAM: i32 = -8;
export const ERR_NO_MODEL: i32 = -9;
export const ERR_CAPACITY: i32 = -10;

// Flags of learn_one / predict_one / batch records.
export const REJ_NONFINITE: u32 = 1 << 0;
export const REJ_RANGE: u32 = 1 << 1;
export const REJ_STUCK: u32 = 1 << 2;
export const REJ_SPIKE: u32 = 1 << 3;
export const REJ_NO_TARGET: u32 = 1 << 4;
export const REJ_BAD_TARGET: u32 = 1 << 5;
export const F_LEARNED: u32 = 1 << 8;
export const F_PREDICTED: u32 = 1 << 9;
export const F_WARMUP: u32 = 1 << 10;
export const F_ANOMALY: u32 = 1 << 11;
export const F_PROTECTED: u32 = 1 << 12;
export const F_DRIFT_WARNING: u32 = 1 << 13;
export const F_DRIFT: u32 = 1 << 14;
export const F_MODEL_SWAPPED: u32 = 1 << 15;
/** Bits that reject the whole reading. */
export const REJECT_MASK: u32 = 0x0F;

// Parameter ids 0..31: guard, scaler, linear models, metrics.
export const P_LR: i32 = 0;
export const P_L2: i32 = 1;
export const P_LOSS: i32 = 2;
export const P_HUBER_DELTA: i32 = 3;
export const P_OPTIMIZER: i32 = 4;
export const P_INTERCEPT: i32 = 5;
export const P_SCALER: i32 = 6;
export const P_SCALER_ALPHA: i32 = 7;
export const P_TARGET_SCALE: i32 = 8;
export const P_METRIC_ALPHA: i32 = 9;
export const P_RANGE_LO: i32 = 10;
export const P_RANGE_HI: i32 = 11;
export const P_STUCK_K: i32 = 12;
export const P_STUCK_EPS: i32 = 13;
export const P_STUCK_FACTOR: i32 = 14;
export const P_SPIKE_T: i32 = 15;
export const P_SPIKE_ALPHA: i32 = 16;
export const P_WARMUP: i32 = 17;
export const P_SPIKE_RESET: i32 = 18;
export const P_THRESHOLD: i32 = 19;
export const P_TARGET_SPIKE: i32 = 20;
export const P_GRAD_FORGET: i32 = 21;
export const N_CORE_PARAMS: i32 = 22;
export const N_PARAMS: i32 = 64;
/** First id of the drift, anomaly and per-kind parameters (32..63). */
export const MONITOR_PARAM_BASE: i32 = 32;

// Parameter ids 32..63: drift detection and response, anomaly scoring, the kinds' own settings.
export const P_DRIFT_DETECTOR: i32 = 32; // DETECTOR_* below
export const P_DRIFT_RESPONSE: i32 = 33; // RESPONSE_* below
export const P_ADWIN_DELTA: i32 = 34;
export const P_ADWIN_DELTA_WARN: i32 = 35;
export const P_PH_DELTA: i32 = 36;
export const P_PH_LAMBDA: i32 = 37;
export const P_PH_ALPHA: i32 = 38;
export const P_DDM_WARN: i32 = 39;
export const P_DDM_DRIFT: i32 = 40;
export const P_ANOMALY_THRESHOLD: i32 = 41;
export const P_PROTECT: i32 = 42;
export const P_ZSCORE: i32 = 43;
export const P_ZSCORE_ALPHA: i32 = 44;
export const P_HST_TREES: i32 = 45;
export const P_HST_HEIGHT: i32 = 46;
export const P_HST_WINDOW: i32 = 47;
export const P_HST_SEED: i32 = 48;
export const P_HST_RANGE: i32 = 49;
export const P_AR_ORDER: i32 = 50;
export const P_AR_FORGET: i32 = 51;
export const P_AR_EXOG: i32 = 52;
export const P_KM_K: i32 = 53;
export const P_KM_RATE: i32 = 54;
export const P_KM_WARMUP: i32 = 55;
export const P_NOVELTY_TOL: i32 = 56;
export const P_LIKELIHOOD_ALPHA: i32 = 57;
export const P_SCORE_WARMUP: i32 = 58;
export const P_PROTECT_RUN: i32 = 59;
export const P_RECENT_DECAY: i32 = 60;
export const P_MEAN_ALPHA: i32 = 61;
/** Ids MONITOR_PARAM_BASE .. MONITOR_PARAM_BASE + N_MONITOR_PARAMS − 1 exist. */
export const N_MONITOR_PARAMS: i32 = 30;

// Values of DRIFT_DETECTOR and DRIFT_RESPONSE.
export const DETECTOR_NONE: i32 = 0;
export const DETECTOR_ADWIN: i32 = 1;
export const DETECTOR_PAGE_HINKLEY: i32 = 2;
export const DETECTOR_DDM: i32 = 3;
export const RESPONSE_NOTIFY: i32 = 0;
export const RESPONSE_RESET: i32 = 1;
export const RESPONSE_BACKGROUND: i32 = 2;

// Counter ids.
export const C_READINGS: i32 = 0;
export const C_LEARNED: i32 = 1;
export const C_PREDICTED: i32 = 2;
export const C_REJECTED: i32 = 3;
// C_NONFINITE..C_BAD_TARGET count flag bits 0..5 in order (the pipeline relies on it).
export const C_NONFINITE: i32 = 4;
export const C_RANGE: i32 = 5;
export const C_STUCK: i32 = 6;
export const C_SPIKE: i32 = 7;
export const C_NO_TARGET: i32 = 8;
export const C_BAD_TARGET: i32 = 9;
export const C_LEVEL_SHIFT: i32 = 10;
export const C_SCORED: i32 = 11;
export const C_DRIFTS: i32 = 32;
export const C_WARNINGS: i32 = 33;
export const C_SWAPS: i32 = 34;
export const C_LAST_DRIFT: i32 = 35;
export const C_ANOMALIES: i32 = 36;
export const C_PROTECTED: i32 = 37;
/** Counter ids lie below this; a blob stores a slot only for those that exist (layout.ts). */
export const N_COUNTS: i32 = 64;

// Metric ids. Slots hold accumulators; get_metric derives the value.
export const M_MAE: i32 = 0;
export const M_RMSE: i32 = 1; // slot holds the mean squared error
export const M_ACCURACY: i32 = 2;
export const M_LOGLOSS: i32 = 3;
export const M_MAE_EW: i32 = 4;
export const M_RMSE_EW: i32 = 5; // slot holds the EW mean squared error
export const M_ACCURACY_EW: i32 = 6;
export const M_LOGLOSS_EW: i32 = 7;
export const M_TARGET_MEAN: i32 = 8; // derived from the target scaler
export const M_TARGET_STD: i32 = 9; // derived from the target scaler
export const M_DRIFT_MEAN: i32 = 32; // mean of the stream the drift detector watches
export const M_DRIFT_N: i32 = 33; // values in the detector's window
/** Metric ids lie below this; a blob stores a slot only for those that exist (layout.ts). */
export const N_METRICS: i32 = 64;
