// The state blob's life: create, configure, validate, load, snapshot, reset. Nothing here traps,
// and a refused blob or parameter never touches the state. layout.ts says where the parts are.

import {
  MAGIC, ABI_VERSION, MAX_FEATURES, N_PARAMS, N_COUNTS, N_METRICS, ERR_MAGIC, ERR_VERSION, ERR_KIND,
  ERR_LENGTH, ERR_CRC, ERR_FEATURES, ERR_NONFINITE, ERR_PARAM, ERR_CAPACITY, ERR_NO_MODEL, P_RANGE_LO,
  P_RANGE_HI, P_ZSCORE, P_ZSCORE_ALPHA, KIND_AR,
} from "./abi";
import { STATE, STATE_CAP, PARAM_SCRATCH, finite } from "./memory";
import {
  Header, headerAt, PARAMS, PARAMS_OFFSET, RANGES_OFFSET, CRC_OFFSET, liveKind, liveFeatures, liveLength,
  learnedAt, modelAt, monitorAt, param, setRange, rangesEnd, round16, setSections, cacheParams, COUNT_SLOTS,
  COUNT_LOW, COUNT_HIGH_AT, COUNT_HIGH, METRIC_SLOTS, UNUSED_V3_BYTES, hotGuardStats,
} from "./layout";
import { paramDefault, paramOk, paramFlags, writeDefaults, PF_STRUCTURAL } from "./params";
import { guardBytes, guardBytesV4, guardCopyV4, guardMarkPendingSpikes, guardRestart } from "./guard";
import { scalerBytes } from "./scale";
import { zscoreInit } from "./zscore";
import { isLinearKind } from "./models/linear";
import { kindValid, modelBytes, modelBytesV4, modelCopyV4, modelInit, modelMigrateV2 } from "./models/model";
import {
  monitorBytes, monitorFrontBytes, hasBackground, monitorInit, monitorLoaded, hasMonitor, zscorePtr, backgroundSection,
} from "./drift/monitor";
import { crcUpdate } from "./util/crc32";

/** The z-score baseline's warm-up: readings before it scores. */
const ZSCORE_WARM: u32 = 30;

/** CRC of a blob at p of length len: every byte but the CRC field. */
export function blobCrc(p: usize, len: i32): u32 {
  let c = crcUpdate(0xFFFFFFFF, p, <i32>CRC_OFFSET);
  c = crcUpdate(c, p + CRC_OFFSET + 4, len - <i32>CRC_OFFSET - 4);
  return ~c;
}

function minFeatures(kind: i32): i32 {
  return kind == KIND_AR ? 0 : 1; // AR: 0 = a pure series
}

/** Total blob length for (kind, n, params), or a negative number when a part refuses. */
export function blobLen(kind: i32, nf: i32, params: usize): i32 {
  const m = modelBytes(kind, nf, params);
  const e = monitorBytes(kind, nf, params);
  if (m < 0 || e < 0) return -1;
  return rangesEnd(nf) + ((COUNT_SLOTS + METRIC_SLOTS) << 2)
    + guardBytes(nf) + scalerBytes(nf) + round16(m) + round16(e);
}

/** Recomputes the section addresses from the header of the state region. */
function applyLayout(): void {
  const h = headerAt(STATE);
  const kind = <i32>h.kind;
  const nf = <i32>h.nFeatures;
  setSections(kind, nf, <i32>h.length, guardBytes(nf), scalerBytes(nf), modelBytes(kind, nf, PARAMS));
  cacheParams();
}

/** Writes a header (CRC left 0 until snapshot). */
function writeHeader(kind: i32, nf: i32, len: i32): void {
  const h = headerAt(STATE);
  h.magic = MAGIC;
  h.version = <u16>ABI_VERSION;
  h.kind = <u16>kind;
  h.length = <u32>len;
  h.crc = 0;
  h.nFeatures = <u16>nf;
  h.reserved16 = 0;
  h.reserved32 = 0;
}

/** The older versions a blob may have, 1 to 4: load lays them out anew (copyOlder) and
 * migrates them (migrate). */
const ABI_VERSION_1: i32 = 1;
const ABI_VERSION_3: i32 = 3;

/** Bytes of the counters and metric accumulators in a blob of `version`: up to version 3 a slot
 * for every id. */
@inline function countsBytes(version: i32): i32 {
  return version <= ABI_VERSION_3 ? (N_COUNTS + N_METRICS) << 2 : (COUNT_SLOTS + METRIC_SLOTS) << 2;
}

/** Total length of a blob of an older version (1 to 4) for (kind, nf, params): its guard slots
 * were 32 bytes, AR stored its whole covariance, and up to version 3 every counter and metric id
 * had a slot. */
function olderBlobLen(version: i32, kind: i32, nf: i32, params: usize): i32 {
  const m = modelBytesV4(kind, nf, params);
  if (m < 0) return -1;
  const front = monitorFrontBytes(kind, nf, params);
  const monitor = front + (hasBackground(params) ? round16(m) : 0);
  return rangesEnd(nf) + countsBytes(version) + guardBytesV4(nf) + scalerBytes(nf) + round16(m) + monitor;
}

/** Checks a blob of len bytes at p; 0 or an error code. An older blob passes when it is valid
 * as written (its CRC covers its own version number); load then migrates it. */
export function validateBlob(p: usize, len: i32): i32 {
  if (len < <i32>RANGES_OFFSET || len > STATE_CAP + UNUSED_V3_BYTES) return ERR_LENGTH;
  const h = headerAt(p);
  if (h.magic != MAGIC) return ERR_MAGIC;
  const version = <i32>h.version;
  if (version < ABI_VERSION_1 || version > ABI_VERSION) return ERR_VERSION;
  if (version == ABI_VERSION && len > STATE_CAP) return ERR_LENGTH;
  const kind = <i32>h.kind;
  if (!kindValid(kind)) return ERR_KIND;
  if (h.length != <u32>len) return ERR_LENGTH;
  if (blobCrc(p, len) != h.crc) return ERR_CRC;
  const nf = <i32>h.nFeatures;
  if (nf < minFeatures(kind) || nf > MAX_FEATURES) return ERR_FEATURES;
  if (h.reserved16 != 0 || h.reserved32 != 0) return ERR_LENGTH;
  const params = p + PARAMS_OFFSET;
  for (let id = 0; id < N_PARAMS; id++) {
    const v = load<f32>(params + (<usize>id << 2));
    if (!finite(v)) return ERR_NONFINITE;
    if (isNaN(paramDefault(kind, id))) {
      if (v != 0) return ERR_PARAM;
    } else if (!paramOk(kind, id, v, params)) return ERR_PARAM;
  }
  const newLen = blobLen(kind, nf, params);
  if ((version == ABI_VERSION ? newLen : olderBlobLen(version, kind, nf, params)) != len) return ERR_LENGTH;
  if (newLen > STATE_CAP) return ERR_LENGTH; // an older blob, laid out in this version, must fit the state
  for (let i = 0; i <= nf; i++) {
    const lo = load<f32>(p + RANGES_OFFSET + (<usize>i << 3));
    const hi = load<f32>(p + RANGES_OFFSET + (<usize>i << 3), 4);
    if (!finite(lo) || !finite(hi)) return ERR_NONFINITE;
    if (lo > hi) return ERR_PARAM;
  }
  return 0;
}

/** Clears everything learned and every counter, keeps header, configuration and ranges. */
export function resetLearned(): void {
  memory.fill(learnedAt, 0, <usize>(STATE + <usize>liveLength - learnedAt));
  const kind = liveKind, nf = liveFeatures;
  if (!isLinearKind(kind)) modelInit(kind, nf, modelAt);
  if (!hasMonitor()) return;
  monitorInit(monitorAt);
  if (isLinearKind(kind) && param(P_ZSCORE) != 0) zscoreInit(zscorePtr(monitorAt), nf, param(P_ZSCORE_ALPHA), ZSCORE_WARM);
}

/** Sets every range (features and target) to [lo, hi]. */
function fillRanges(lo: f32, hi: f32): void {
  for (let i = 0; i <= liveFeatures; i++) setRange(i, lo, hi);
}

/** Fresh state from the parameters at `params` (64 × f32); the state is kept on error. */
function createFrom(kind: i32, nf: i32, params: usize, keepRanges: bool): i32 {
  if (!kindValid(kind)) return ERR_KIND;
  if (nf < minFeatures(kind) || nf > MAX_FEATURES) return ERR_FEATURES;
  const len = blobLen(kind, nf, params);
  if (len < 0 || len > STATE_CAP) return ERR_CAPACITY;
  if (params != PARAMS) memory.copy(PARAMS, params, <usize>N_PARAMS << 2);
  writeHeader(kind, nf, len);
  applyLayout();
  if (!keepRanges) fillRanges(load<f32>(params, <usize>P_RANGE_LO << 2), load<f32>(params, <usize>P_RANGE_HI << 2));
  resetLearned();
  return 0;
}

/** A fresh model of `kind` with nf features and the kind's default parameters. */
export function createDefault(kind: i32, nf: i32): i32 {
  if (!kindValid(kind)) return ERR_KIND;
  writeDefaults(kind, PARAM_SCRATCH);
  return createFrom(kind, nf, PARAM_SCRATCH, false);
}

/** Sets parameter id of the live model; structural ones rebuild it (ranges kept). */
export function setParam(id: i32, value: f32): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
  if (!finite(value)) return ERR_NONFINITE;
  if (id < 0 || id >= N_PARAMS) return ERR_PARAM;
  if (!paramOk(liveKind, id, value, PARAMS)) return ERR_PARAM;
  const p = PARAMS + (<usize>id << 2);
  const old = load<f32>(p);
  if (old == value) return 0;
  if ((paramFlags(liveKind, id) & PF_STRUCTURAL) != 0) {
    // The layout may change: rebuild from a copy of the parameters, keep the ranges.
    memory.copy(PARAM_SCRATCH, PARAMS, <usize>N_PARAMS << 2);
    store<f32>(PARAM_SCRATCH + (<usize>id << 2), value);
    return createFrom(liveKind, liveFeatures, PARAM_SCRATCH, true);
  }
  const guardKept = hotGuardStats;
  store<f32>(p, value);
  cacheParams();
  // the guard's statistics start or stop: either way they start again from nothing (a guard that
  // keeps none stays all zeros, so a blob's bytes do not hold values nothing follows)
  if (hotGuardStats != guardKept) guardRestart(liveFeatures);
  if (id == P_RANGE_LO || id == P_RANGE_HI) fillRanges(param(P_RANGE_LO), param(P_RANGE_HI));
  return 0;
}

/** The live value of parameter id; NaN when it does not apply. */
export function getParam(id: i32): f32 {
  if (liveKind == 0 || id < 0 || id >= N_PARAMS || isNaN(paramDefault(liveKind, id))) return NaN;
  return param(id);
}

/** Sets the range of feature i (i = n: the target). */
export function setFeatureRange(i: i32, lo: f32, hi: f32): i32 {
  if (liveKind == 0) return ERR_NO_MODEL;
  if (i < 0 || i > liveFeatures) return ERR_FEATURES;
  if (isNaN(lo) || isNaN(hi)) return ERR_NONFINITE;
  if (lo > hi) return ERR_PARAM;
  // Stored finite (±Inf becomes ±f32 max) so the guard's range test also rejects ±Inf.
  setRange(i, Mathf.max(lo, -F32.MAX_VALUE), Mathf.min(hi, F32.MAX_VALUE));
  return 0;
}

/** Writes the CRC; returns the length. */
export function snapshotBlob(): i32 {
  headerAt(STATE).crc = blobCrc(STATE, liveLength);
  return liveLength;
}

/** Validates the blob at p and copies it into the state, migrating an older one. */
export function loadBlob(p: usize, len: i32): i32 {
  const r = validateBlob(p, len);
  if (r != 0) return r;
  const version = <i32>headerAt(p).version;
  if (version != ABI_VERSION) copyOlder(p, version);
  else memory.copy(STATE, p, <usize>len);
  applyLayout();
  if (version != ABI_VERSION) migrate(version);
  if (hasMonitor()) monitorLoaded(monitorAt);
  return 0;
}

/**
 * A blob of version 1 to 4 (validated) copied into the state in this version's layout, section by
 * section (sections are contiguous; their sizes come from the header and the parameters):
 *  3 → 4: counters and metric accumulators took 64 slots each; the ids that have slots now
 *         (layout.ts) are copied, the rest were never written (zero), except metric ids 32 and 33
 *         of a version-1 blob, a copy of the drift detector's window that get_metric reads from
 *         the detector itself.
 *  4 → 5: a guard slot's changes and spikes share one word (guard.ts); AR keeps the upper
 *         triangle of its symmetric covariance (models/forecast.ts), in the live model's section
 *         and in a background model's.
 * Every other byte is copied unchanged; the header gets the new length.
 */
function copyOlder(p: usize, version: i32): void {
  const kind = <i32>headerAt(p).kind;
  const nf = <i32>headerAt(p).nFeatures;
  const params = p + PARAMS_OFFSET;
  const at = <usize>rangesEnd(nf);
  memory.copy(STATE, p, at);
  const len = blobLen(kind, nf, params);
  memory.fill(STATE + at, 0, <usize>len - at); // the padding after each section: zero, as written
  let from = p + at, to = STATE + at;
  // counters 0..15, 32..39, metrics 0..15: where versions 1–3 kept a slot for every id, or in a row
  const v3 = version <= ABI_VERSION_3;
  memory.copy(to, from, <usize>COUNT_LOW << 2);
  memory.copy(to + (<usize>COUNT_LOW << 2), from + (<usize>(v3 ? COUNT_HIGH_AT : COUNT_LOW) << 2), <usize>COUNT_HIGH << 2);
  memory.copy(to + (<usize>COUNT_SLOTS << 2), from + (<usize>(v3 ? N_COUNTS : COUNT_SLOTS) << 2), <usize>METRIC_SLOTS << 2);
  from += <usize>countsBytes(version);
  to += <usize>countsBytes(ABI_VERSION);
  guardCopyV4(nf, to, from);
  from += <usize>guardBytesV4(nf);
  to += <usize>guardBytes(nf);
  const scaler = <usize>scalerBytes(nf);
  memory.copy(to, from, scaler);
  from += scaler;
  to += scaler;
  const oldModel = <usize>round16(modelBytesV4(kind, nf, params));
  const newModel = <usize>round16(modelBytes(kind, nf, params));
  modelCopyV4(kind, nf, params, to, from);
  from += oldModel;
  to += newModel;
  const front = <usize>monitorFrontBytes(kind, nf, params);
  memory.copy(to, from, front);
  if (hasBackground(params)) modelCopyV4(kind, nf, params, to + front, from + front);
  headerAt(STATE).length = <u32>len;
}

/**
 * An older blob, moved to this version (copyOlder has laid it out; these steps then work on
 * the sections in place):
 *  1 → 2: the guard's head marks whether any spike count is pending (a reserved, zero field in
 *         version 1), derived here from the counts themselves.
 *  2 → 3: a SURPRISE section (the live model's and a background model's) no longer stores each
 *         transition row's total, the sum of its counts, and keeps the spike statistics there,
 *         starting empty.
 * Every byte the module reads is kept, so the model predicts exactly what it predicted before.
 * The next snapshot writes this version and its CRC.
 */
function migrate(from: i32): void {
  const kind = liveKind, nf = liveFeatures;
  if (from == ABI_VERSION_1) guardMarkPendingSpikes(nf);
  if (from < ABI_VERSION_3) {
    modelMigrateV2(kind, nf, modelAt);
    const bg = backgroundSection(kind, nf, monitorAt);
    if (bg != 0) modelMigrateV2(kind, nf, bg);
  }
  headerAt(STATE).version = <u16>ABI_VERSION;
}
