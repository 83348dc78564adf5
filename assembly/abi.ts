// ABI constants shared by every part of the learner (docs/ABI.md is the reference).
// Ids are stable once released: add, never renumber.

export const ABI_VERSION: i32 = 1;
export const MAGIC: u32 = 0x4E524C45; // "ELRN" little-endian

// Model kinds. 1..2 core, 3..6 in assembly/ext.ts.
export const KIND_LINEAR: i32 = 1;
export const KIND_LOGISTIC: i32 = 2;
export const KIND_HALFSPACE: i32 = 3;
export const KIND_AR: i32 = 4;
export const KIND_KMEANS: i32 = 5;
export const KIND_SURPRISE: i32 = 6;

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

// Parameter ids 0..31 (core). 32..63 belong to issue 3 (assembly/ext.ts).
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
export const EXT_PARAM_BASE: i32 = 32;

// Counter ids 0..31 (core), 32..63 issue 3.
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
export const N_COUNTS: i32 = 64;

// Metric ids 0..31 (core), 32..63 issue 3. Slots hold accumulators; get_metric derives.
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
export const N_METRICS: i32 = 64;
