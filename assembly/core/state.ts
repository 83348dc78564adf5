// The state blob: header, configuration, learned payload — and where each section lives.
//
//   [0, 16)            header: magic u32, version u16, kind u16, length u32, crc u32
//   [16, 24)           n_features u16, reserved u16 (0), reserved u32 (0)
//   [24, 280)          params: 64 × f32 (ids 0..63)
//   [280, R)           ranges: (n+1) × (lo f32, hi f32), the last pair is the target's
//   ---- learned (cleared by reset) ----
//   [R, R+256)         counts: 64 × u32
//   [R+256, R+512)     metrics: 64 × f32 accumulators
//   guard              16-byte head + (n+1) × 32 bytes (features, then the target)
//   scaler             16-byte head + (n+1) × 12 bytes
//   model              the kind's model section (core: 16 + (n+1) × 12)
//   ext                issue 3's per-blob section (drift detectors etc.), may be 0 bytes
//
// Offsets are recomputed from (kind, n, params) by `layout`; they are never stored.

import { MAGIC, ABI_VERSION, N_PARAMS, N_COUNTS, N_METRICS, KIND_LINEAR, KIND_LOGISTIC } from "../abi";
import { STATE } from "./mem";
import { ext_kind_valid, ext_model_size, ext_section_size } from "../ext";

export const H_MAGIC: usize = 0;
export const H_VERSION: usize = 4;
export const H_KIND: usize = 6;
export const H_LEN: usize = 8;
export const H_CRC: usize = 12;
export const H_NF: usize = 16;
export const H_PARAMS: usize = 24;
export const H_RANGES: usize = H_PARAMS + (<usize>N_PARAMS << 2); // 280

export const GUARD_HEAD: i32 = 16;
export const GUARD_SLOT: i32 = 32;
export const SCALER_HEAD: i32 = 16;
export const SCALER_SLOT: i32 = 12;
export const MODEL_HEAD: i32 = 16;
export const MODEL_SLOT: i32 = 12;

// Current layout (absolute addresses inside the state region). g_kind = 0: no model yet.
export let g_kind: i32 = 0;
export let g_nf: i32 = 0;
export let g_len: i32 = 0;
export let g_learned: usize = 0;
export let g_counts: usize = 0;
export let g_metrics: usize = 0;
export let g_guard: usize = 0;
export let g_scaler: usize = 0;
export let g_model: usize = 0;
export let g_ext: usize = 0;

@inline export function isCoreKind(kind: i32): bool {
  return kind == KIND_LINEAR || kind == KIND_LOGISTIC;
}

export function kindValid(kind: i32): bool {
  return isCoreKind(kind) || ext_kind_valid(kind);
}

/** Bytes of the model section of a kind. */
export function modelSize(kind: i32, nf: i32, params: usize): i32 {
  if (isCoreKind(kind)) return MODEL_HEAD + (nf + 1) * MODEL_SLOT;
  return ext_model_size(kind, nf, params);
}

@inline function rangesEnd(nf: i32): i32 {
  return <i32>H_RANGES + ((nf + 1) << 3);
}

/** Total blob length for (kind, n, params), or a negative number when a part refuses. */
export function blobLen(kind: i32, nf: i32, params: usize): i32 {
  const m = modelSize(kind, nf, params);
  const e = ext_section_size(kind, nf, params);
  if (m < 0 || e < 0) return -1;
  return rangesEnd(nf) + ((N_COUNTS + N_METRICS) << 2)
    + GUARD_HEAD + (nf + 1) * GUARD_SLOT
    + SCALER_HEAD + (nf + 1) * SCALER_SLOT
    + ((m + 15) & ~15) + ((e + 15) & ~15);
}

/** Recomputes the section addresses from the header of the state region. */
export function applyLayout(): void {
  const kind = <i32>load<u16>(STATE, H_KIND);
  const nf = <i32>load<u16>(STATE, H_NF);
  const params = STATE + H_PARAMS;
  g_kind = kind;
  g_nf = nf;
  g_len = <i32>load<u32>(STATE, H_LEN);
  g_learned = STATE + <usize>rangesEnd(nf);
  g_counts = g_learned;
  g_metrics = g_counts + (<usize>N_COUNTS << 2);
  g_guard = g_metrics + (<usize>N_METRICS << 2);
  g_scaler = g_guard + <usize>(GUARD_HEAD + (nf + 1) * GUARD_SLOT);
  g_model = g_scaler + <usize>(SCALER_HEAD + (nf + 1) * SCALER_SLOT);
  g_ext = g_model + <usize>((modelSize(kind, nf, params) + 15) & ~15);
}

/** Writes a header (CRC left 0 until snapshot). */
export function writeHeader(kind: i32, nf: i32, len: i32): void {
  store<u32>(STATE, MAGIC, H_MAGIC);
  store<u16>(STATE, <u16>ABI_VERSION, H_VERSION);
  store<u16>(STATE, <u16>kind, H_KIND);
  store<u32>(STATE, <u32>len, H_LEN);
  store<u32>(STATE, 0, H_CRC);
  store<u16>(STATE, <u16>nf, H_NF);
  store<u16>(STATE, 0, H_NF + 2);
  store<u32>(STATE, 0, H_NF + 4);
}

@inline export function param(id: i32): f32 {
  return load<f32>(STATE + H_PARAMS + (<usize>id << 2));
}

@inline export function rangeLo(i: i32): f32 {
  return load<f32>(STATE + H_RANGES + (<usize>i << 3));
}

@inline export function rangeHi(i: i32): f32 {
  return load<f32>(STATE + H_RANGES + (<usize>i << 3), 4);
}

@inline export function countAdd(id: i32, d: u32): void {
  const p = g_counts + (<usize>id << 2);
  store<u32>(p, load<u32>(p) + d);
}
