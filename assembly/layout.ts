// Where the state blob's parts live. The blob (docs/ABI.md "State blob"):
//
//   [0, 24)            header (Header below)
//   [24, 280)          parameters: 64 × f32 (ids 0..63)
//   [280, R)           ranges: (n+1) × (lo f32, hi f32), the last pair is the target's
//   ---- learned (cleared by reset) ----
//   [R, R+96)          counters: 24 × u32 (ids 0..15, then 32..39: counterSlot)
//   [R+96, R+160)      metric accumulators: 16 × f32 (ids 0..15)
//   guard              guard.ts
//   scaler             scale.ts
//   model              the kind's section (models/model.ts), rounded up to 16 bytes
//   monitor            drift detector, z-score baseline, background model (drift/monitor.ts),
//                      may be 0 bytes
//
// Section addresses are recomputed from (kind, n, parameters) by state.ts whenever the header
// changes; they are never stored. This file holds them for everyone else to read.

import {
  N_PARAMS, N_COUNTS, N_METRICS, P_STUCK_K, P_STUCK_EPS, P_STUCK_FACTOR, P_SPIKE_T, P_SPIKE_ALPHA,
  P_WARMUP, P_TARGET_SPIKE, P_SCALER, P_SCALER_ALPHA, P_INTERCEPT, P_TARGET_SCALE, P_LOSS, P_LR,
  P_L2, P_OPTIMIZER, P_GRAD_FORGET, P_METRIC_ALPHA, P_DRIFT_DETECTOR, P_DRIFT_RESPONSE, P_ZSCORE,
} from "./abi";
import { STATE } from "./memory";

/** The blob header; the CRC covers every byte but its own field. */
@unmanaged export class Header {
  magic: u32;
  version: u16;
  kind: u16;
  length: u32;
  crc: u32;
  nFeatures: u16;
  reserved16: u16;
  reserved32: u32;
}

@inline export function headerAt(p: usize): Header {
  return changetype<Header>(p);
}

/** Offset of the parameters in a blob. */
export const PARAMS_OFFSET: usize = offsetof<Header>();
/** Offset of the ranges in a blob. */
export const RANGES_OFFSET: usize = PARAMS_OFFSET + (<usize>N_PARAMS << 2);
/** Offset of the CRC field (the CRC skips it). */
export const CRC_OFFSET: usize = offsetof<Header>("crc");

/** The live parameters. */
export const PARAMS: usize = STATE + PARAMS_OFFSET;

@inline export function param(id: i32): f32 {
  return load<f32>(PARAMS + (<usize>id << 2));
}

// The parameters every reading reads, mirrored in globals: a global is a register load, a
// parameter in the state a bounds-checked memory load on the microcontroller runtimes (about 8
// instructions each, some 30 per reading). state.ts calls cacheParams after every change of the
// parameters (create, load, set_param); param() stays the source for everything else.
export let hotStuckK: f32 = 0; // STUCK_K, or ∞ when the test is off (0): a run no value reaches
export let hotStuckEps: f32 = 0;
export let hotStuckFactor: f32 = 0;
export let hotSpikeT: f32 = 0; // SPIKE_T, or ∞ when the test is off (0): a spread no value exceeds
export let hotSpikeAlpha: f32 = 0;
export let hotWarmup: u32 = 0; // an integer parameter (≤ 1e6): counts compare to it exactly as their f32 did
export let hotTargetSpike: i32 = 0; // an integer parameter, converted once here
export let hotScaler: i32 = 0; // an integer parameter, converted once here
export let hotScalerAlpha: f32 = 0;
export let hotIntercept: i32 = 0; // an integer parameter, converted once here
export let hotTargetScale: i32 = 0; // an integer parameter, converted once here
export let hotLoss: i32 = 0; // an integer parameter, converted once here
export let hotLr: f32 = 0;
export let hotL2: f32 = 0;
export let hotOptimizer: i32 = 0; // an integer parameter, converted once here
export let hotGradKeep: f32 = 0; // 1 − GRAD_FORGET, AdaGrad's ρ (the subtraction done once here)
export let hotMetricAlpha: f32 = 0;
export let hotDriftDetector: i32 = 0; // an integer parameter, converted once here
export let hotDriftResponse: i32 = 0; // an integer parameter, converted once here
export let hotZscore: i32 = 0; // an integer parameter, converted once here
// Not a parameter: the guard's weight of a completed run's reading, 2^-10 (GUARD_RUN_WEIGHT). The fold reads
// it once before its loop; as a literal, V8 rebuilt the constant in three instructions on every
// pass. Set in cacheParams (before any reading), not at the declaration, so the optimizer cannot
// fold it back into a literal.
export let hotRunWeight: f32 = 0;
// Whether the guard keeps its per-value statistics: only while its stuck or its spike test is on
// (STUCK_K or SPIKE_T > 0), the only readers of them. With both off it is a range test alone
// (guard.ts rangeFlags, fold.ts foldScalerOnly), and switching a test back on restarts it.
export let hotGuardStats: bool = false;

/** The EW weight of one reading of a completed run in the guard's mean run length (guard.ts):
 * its memory is about 1,024 readings. */
export const GUARD_RUN_WEIGHT: f32 = 0.0009765625;

/** Copies the live parameters into the globals above. */
export function cacheParams(): void {
  const k = param(P_STUCK_K);
  hotStuckK = k > 0 ? k : Infinity;
  hotStuckEps = param(P_STUCK_EPS);
  hotStuckFactor = param(P_STUCK_FACTOR);
  const t = param(P_SPIKE_T);
  hotSpikeT = t > 0 ? t : Infinity;
  hotSpikeAlpha = param(P_SPIKE_ALPHA);
  hotGuardStats = k > 0 || t > 0;
  hotWarmup = <u32>param(P_WARMUP);
  hotTargetSpike = <i32>param(P_TARGET_SPIKE);
  hotScaler = <i32>param(P_SCALER);
  hotScalerAlpha = param(P_SCALER_ALPHA);
  hotIntercept = <i32>param(P_INTERCEPT);
  hotTargetScale = <i32>param(P_TARGET_SCALE);
  hotLoss = <i32>param(P_LOSS);
  hotLr = param(P_LR);
  hotL2 = param(P_L2);
  hotOptimizer = <i32>param(P_OPTIMIZER);
  hotGradKeep = <f32>1 - param(P_GRAD_FORGET);
  hotMetricAlpha = param(P_METRIC_ALPHA);
  hotDriftDetector = <i32>param(P_DRIFT_DETECTOR);
  hotDriftResponse = <i32>param(P_DRIFT_RESPONSE);
  hotZscore = <i32>param(P_ZSCORE);
  hotRunWeight = GUARD_RUN_WEIGHT;
}

@inline export function rangeLo(i: i32): f32 {
  return load<f32>(STATE + RANGES_OFFSET + (<usize>i << 3));
}

@inline export function rangeHi(i: i32): f32 {
  return load<f32>(STATE + RANGES_OFFSET + (<usize>i << 3), 4);
}

@inline export function setRange(i: i32, lo: f32, hi: f32): void {
  store<f32>(STATE + RANGES_OFFSET + (<usize>i << 3), lo);
  store<f32>(STATE + RANGES_OFFSET + (<usize>i << 3), hi, 4);
}

/** End of the ranges: where the learned part of a blob with nf features starts. */
@inline export function rangesEnd(nf: i32): i32 {
  return <i32>RANGES_OFFSET + ((nf + 1) << 3);
}

// The live blob's kind (0: no model yet), feature count, length and section addresses.
export let liveKind: i32 = 0;
export let liveFeatures: i32 = 0;
export let liveLength: i32 = 0;
export let learnedAt: usize = 0;
export let countsAt: usize = 0;
export let metricsAt: usize = 0;
export let guardAt: usize = 0;
export let scalerAt: usize = 0;
export let modelAt: usize = 0;
export let monitorAt: usize = 0;

/** n rounded up to 16: model and monitor sections, and the monitor's parts, start 16-aligned. */
@inline export function round16(n: i32): i32 {
  return (n + 15) & ~15;
}

/** Records the live blob's shape and section sizes (state.ts calls it after every header change). */
export function setSections(kind: i32, nf: i32, len: i32, guardBytes: i32, scalerBytes: i32, modelBytes: i32): void {
  liveKind = kind;
  liveFeatures = nf;
  liveLength = len;
  learnedAt = STATE + <usize>rangesEnd(nf);
  countsAt = learnedAt;
  metricsAt = countsAt + (<usize>COUNT_SLOTS << 2);
  guardAt = metricsAt + (<usize>METRIC_SLOTS << 2);
  scalerAt = guardAt + <usize>guardBytes;
  modelAt = scalerAt + <usize>scalerBytes;
  monitorAt = modelAt + <usize>round16(modelBytes);
}

// Counters and metrics are named by ids below 64 (abi.ts), but a blob stores only the ids that
// exist and room for a few more: counters 0..15 and 32..39, metric accumulators 0..15. Up to
// ABI version 3 every blob carried all 64 of each, 352 bytes that were always zero; ids stay
// as they are (the host and docs/ABI.md name them), only their place in the blob moved.

/** Counter ids 0..COUNT_LOW − 1 have slots 0..COUNT_LOW − 1 ... */
export const COUNT_LOW: i32 = 16;
/** ... and ids COUNT_HIGH_AT .. COUNT_HIGH_AT + COUNT_HIGH − 1 the slots after them. */
export const COUNT_HIGH_AT: i32 = 32;
export const COUNT_HIGH: i32 = 8;
/** Counter slots a blob stores: ids 0..15, then 32..39. */
export const COUNT_SLOTS: i32 = COUNT_LOW + COUNT_HIGH;
/** Metric slots a blob stores: ids 0..15. */
export const METRIC_SLOTS: i32 = 16;
/** Bytes versions 1..3 of the blob, which stored a slot for every id below N_COUNTS and
 * N_METRICS, spent on the ids that do not exist. */
export const UNUSED_V3_BYTES: i32 = (N_COUNTS + N_METRICS - COUNT_SLOTS - METRIC_SLOTS) << 2;

/** Whether counter id has a slot (ids 16..31 and 40..63 do not, and read 0). */
@inline export function counterStored(id: i32): bool {
  return <u32>id < <u32>COUNT_LOW || <u32>(id - COUNT_HIGH_AT) < <u32>COUNT_HIGH;
}

/** The slot of a stored counter id: its place among ids 0..15, 32..39. */
@inline export function counterSlot(id: i32): i32 {
  return id < COUNT_HIGH_AT ? id : id - (COUNT_HIGH_AT - COUNT_LOW);
}

/** Whether metric id has a slot. */
@inline export function metricStored(id: i32): bool {
  return <u32>id < <u32>METRIC_SLOTS;
}

@inline export function count(id: i32): u32 {
  return load<u32>(countsAt + (<usize>counterSlot(id) << 2));
}

@inline export function countAdd(id: i32, d: u32): void {
  const p = countsAt + (<usize>counterSlot(id) << 2);
  store<u32>(p, load<u32>(p) + d);
}

@inline export function setCount(id: i32, v: u32): void {
  store<u32>(countsAt + (<usize>counterSlot(id) << 2), v);
}

@inline export function metricSlot(id: i32): usize {
  return metricSlotIn(metricsAt, id);
}

/** Metric `id`'s slot in the metrics section at mb (a caller that holds the section's address:
 * a global read back after stores costs the microcontroller runtimes a load and a bounds check). */
@inline export function metricSlotIn(mb: usize, id: i32): usize {
  return mb + (<usize>id << 2);
}
