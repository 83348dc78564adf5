// Extension points for issue 3 (drift detectors, Half-Space Trees, AR, k-means).
// The core (assembly/core/) calls these and nothing else; issue 3 owns this file and fills
// the bodies. Every function here must be total: no traps, no allocation, no imports.
//
// Ids reserved for issue 3: kinds 3..5 (and up), params 32..63, counts 32..63, metrics 32..63.
// How to add a kind: docs/ABI.md, "Adding a kind".

/** A kind handled here (3..5 once implemented). */
export function ext_kind_valid(kind: i32): bool {
  return false;
}

/** Does the kind need a target to learn (AR: yes; HALFSPACE, KMEANS: no)? */
export function ext_supervised(kind: i32): bool {
  return false;
}

/** Bytes of the model section of an ext kind (negative: does not fit / invalid params). */
export function ext_model_size(kind: i32, nf: i32, params: usize): i32 {
  return -1;
}

/** Bytes of the ext section present in every blob of every kind (drift detectors, background
 * model); 0 when nothing is configured. Must depend only on (kind, nf, params). */
export function ext_section_size(kind: i32, nf: i32, params: usize): i32 {
  return 0;
}

/** Fresh learned state for the model section of an ext kind and for the ext section
 * (both are already zeroed). */
export function ext_init(kind: i32, nf: i32, model: usize, ext: usize): void {}

/**
 * One accepted reading of an ext kind. `x`: raw features; `z`: features standardized with the
 * scaler's statistics before this reading (raw when the scaler is off); `y`: target (NaN when
 * absent); `learn`: update the model. Fill the output record at `out` (all fields) and return
 * the flags to add (F_PREDICTED, F_LEARNED, F_ANOMALY, ...).
 */
export function ext_step(kind: i32, nf: i32, model: usize, ext: usize, x: usize, z: usize, y: f32, learn: bool, out: usize): u32 {
  return 0;
}

/**
 * Called after each scored reading of every kind, with the prequential error (absolute error for
 * regression and forecasts, 0/1 for a classification mistake) — the drift hook. Return flags to
 * add (F_DRIFT_WARNING, F_DRIFT, F_MODEL_SWAPPED).
 */
export function ext_observe(kind: i32, nf: i32, model: usize, ext: usize, err: f32, flags: u32): u32 {
  return 0;
}

/** Parameter table for ids 32..63: NaN default = unknown id. */
export function ext_param_default(kind: i32, id: i32): f32 {
  return NaN;
}
export function ext_param_min(kind: i32, id: i32): f32 {
  return 0;
}
export function ext_param_max(kind: i32, id: i32): f32 {
  return 0;
}
/** 1 = integer, 2 = structural (a change clears the learned state and may change the layout). */
export function ext_param_flags(kind: i32, id: i32): i32 {
  return 0;
}

/** Metric ids 32..63: derive from the accumulator slot (`slot` is the raw stored value). */
export function ext_get_metric(kind: i32, id: i32, slot: f32): f32 {
  return slot;
}
