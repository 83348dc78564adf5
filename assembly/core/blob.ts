// Creating, validating, loading and snapshotting the state blob. Nothing here traps, and a
// refused blob never touches the state.

import {
  MAGIC, ABI_VERSION, MAX_FEATURES, N_PARAMS, ERR_MAGIC, ERR_VERSION, ERR_KIND, ERR_LENGTH,
  ERR_CRC, ERR_FEATURES, ERR_NONFINITE, ERR_PARAM, ERR_CAPACITY, P_RANGE_LO, P_RANGE_HI, KIND_AR,
} from "../abi";
import { STATE, STATE_CAP, finite } from "./mem";
import {
  H_MAGIC, H_VERSION, H_KIND, H_LEN, H_CRC, H_NF, H_PARAMS, H_RANGES, g_kind, g_len, g_learned,
  g_nf, g_model, g_ext, kindValid, blobLen, applyLayout, writeHeader, isCoreKind,
} from "./state";
import { blobCrc } from "./crc";
import { paramDefault, paramOk, writeDefaults } from "./params";
import { ext_init } from "../ext";

/** Checks a blob of len bytes at p; 0 or an error code. */
export function validateBlob(p: usize, len: i32): i32 {
  if (len < <i32>H_RANGES || len > STATE_CAP) return ERR_LENGTH;
  if (load<u32>(p, H_MAGIC) != MAGIC) return ERR_MAGIC;
  if (<i32>load<u16>(p, H_VERSION) != ABI_VERSION) return ERR_VERSION;
  const kind = <i32>load<u16>(p, H_KIND);
  if (!kindValid(kind)) return ERR_KIND;
  if (load<u32>(p, H_LEN) != <u32>len) return ERR_LENGTH;
  if (blobCrc(p, len) != load<u32>(p, H_CRC)) return ERR_CRC;
  const nf = <i32>load<u16>(p, H_NF);
  if (nf < (kind == KIND_AR ? 0 : 1) || nf > MAX_FEATURES) return ERR_FEATURES; // AR: 0 = a pure series
  if (load<u16>(p, H_NF + 2) != 0 || load<u32>(p, H_NF + 4) != 0) return ERR_LENGTH;
  const params = p + H_PARAMS;
  for (let id = 0; id < N_PARAMS; id++) {
    const v = load<f32>(params + (<usize>id << 2));
    if (!finite(v)) return ERR_NONFINITE;
    if (isNaN(paramDefault(kind, id))) {
      if (v != 0) return ERR_PARAM;
    } else if (!paramOk(kind, id, v, params)) return ERR_PARAM;
  }
  if (blobLen(kind, nf, params) != len) return ERR_LENGTH;
  for (let i = 0; i <= nf; i++) {
    const lo = load<f32>(p + H_RANGES + (<usize>i << 3));
    const hi = load<f32>(p + H_RANGES + (<usize>i << 3), 4);
    if (!finite(lo) || !finite(hi)) return ERR_NONFINITE;
    if (lo > hi) return ERR_PARAM;
  }
  return 0;
}

/** Clears everything learned and every counter, keeps header, configuration and ranges. */
export function resetLearned(): void {
  memory.fill(g_learned, 0, <usize>(STATE + <usize>g_len - g_learned));
  ext_init(g_kind, g_nf, g_model, g_ext); // ext kinds' models, and every kind's ext section
}

/** Sets every range (features and target) to [lo, hi]. */
export function fillRanges(lo: f32, hi: f32): void {
  for (let i = 0; i <= g_nf; i++) {
    store<f32>(STATE + H_RANGES + (<usize>i << 3), lo);
    store<f32>(STATE + H_RANGES + (<usize>i << 3), hi, 4);
  }
}

/** Fresh state from the parameters at `params` (64 × f32); the state is kept on error. */
export function createFrom(kind: i32, nf: i32, params: usize, keepRanges: bool): i32 {
  if (!kindValid(kind)) return ERR_KIND;
  if (nf < (kind == KIND_AR ? 0 : 1) || nf > MAX_FEATURES) return ERR_FEATURES; // AR: 0 = a pure series
  const len = blobLen(kind, nf, params);
  if (len < 0 || len > STATE_CAP) return ERR_CAPACITY;
  if (params != STATE + H_PARAMS) memory.copy(STATE + H_PARAMS, params, <usize>N_PARAMS << 2);
  writeHeader(kind, nf, len);
  applyLayout();
  if (!keepRanges) fillRanges(load<f32>(params, <usize>P_RANGE_LO << 2), load<f32>(params, <usize>P_RANGE_HI << 2));
  resetLearned();
  return 0;
}

export function createDefault(kind: i32, nf: i32, scratch: usize): i32 {
  if (!kindValid(kind)) return ERR_KIND;
  writeDefaults(kind, scratch);
  return createFrom(kind, nf, scratch, false);
}

/** Writes the CRC; returns the length. */
export function snapshotBlob(): i32 {
  store<u32>(STATE, blobCrc(STATE, g_len), H_CRC);
  return g_len;
}

/** Validates the blob at p and copies it into the state. */
export function loadBlob(p: usize, len: i32): i32 {
  const r = validateBlob(p, len);
  if (r != 0) return r;
  memory.copy(STATE, p, <usize>len);
  applyLayout();
  return 0;
}
