// ADWIN (ADaptive WINdowing, Bifet & Gavaldà 2007) in fixed memory.
//
// The window is an exponential histogram: row r holds up to ADWIN_M buckets, each summarising
// 2^r consecutive values by their sum and their sum of squared deviations. When a row would
// hold M+1 buckets its two oldest merge into one bucket of the next row. Every `clock` values
// the detector tries every cut of the window into an older part W0 and a newer part W1 and
// drops the oldest buckets while |mean(W0) − mean(W1)| exceeds the Hoeffding-style bound
//   eps = sqrt(2 m v dd) + 2/3 m dd,  m = 1/(n0−5+1) + 1/(n1−5+1),  dd = ln(2 ln n / δ)
// (v is the window variance), as in River's ADWIN (clock 32, min window 5, grace 10, M 5).
//
// Memory bound: ADWIN_ROWS = 14 rows × M = 5 buckets × 8 bytes + 14 row counts + 32-byte
// header = 648 bytes. The longest window it can represent is M·(2^14 − 1) = 81,915 values;
// beyond that the oldest bucket is dropped (the window slides instead of growing), which only
// lowers the sensitivity to changes smaller than what 82k values can resolve.
//
// Warning level: the same pass also tests each cut at a looser confidence δ_warn (default
// 10·δ); a cut that passes it but not δ reports DRIFT_WARNING until the next check.

import { DRIFT_NONE, DRIFT_WARNING, DRIFT_DETECTED } from "./level";
import { flog } from "../util/fmath";

export const ADWIN_ROWS: i32 = 14;
export const ADWIN_M: i32 = 5;
const CLOCK: u32 = 32;
const MIN_LEN: f32 = 5;
const GRACE: u32 = 10;

// header fields (byte offsets)
const O_WIDTH: usize = 0; // u32 values in the window
const O_TOTAL: usize = 4; // f32 sum of the window
const O_VAR: usize = 8; // f32 sum of squared deviations of the window
const O_TICK: usize = 12; // u32 values seen since the last reset
const O_DELTA: usize = 16; // f32 δ
const O_DELTA_W: usize = 20; // f32 δ for the warning level
const O_NROWS: usize = 24; // u32 rows in use
const O_LEVEL: usize = 28; // u32 bits 0–7: warning level from the last check (0/1); bit 8: increases only
const O_COUNTS: usize = 32; // u32[ROWS] buckets per row
const O_BUCKETS: usize = O_COUNTS + 4 * ADWIN_ROWS; // {f32 total, f32 var}[ROWS][M], oldest first

/** Bytes of state one ADWIN needs. */
export const ADWIN_BYTES: i32 = <i32>O_BUCKETS + 8 * ADWIN_ROWS * ADWIN_M;

// @ts-ignore: decorator
@inline function bkt(p: usize, row: i32, j: i32): usize {
  return p + O_BUCKETS + (((row * ADWIN_M + j) << 3) as usize);
}
// Row counts and rows in use are read clamped to their bounds, so even a blob with a valid CRC
// but inconsistent counters never indexes outside this detector's state.
// @ts-ignore: decorator
@inline function rowCount(p: usize, row: i32): i32 {
  return <i32>min<u32>(load<u32>(p + O_COUNTS + ((row << 2) as usize)), <u32>ADWIN_M);
}
// @ts-ignore: decorator
@inline function rows(p: usize): i32 {
  return <i32>min<u32>(load<u32>(p, O_NROWS), <u32>ADWIN_ROWS);
}
// @ts-ignore: decorator
@inline function set_rowCount(p: usize, row: i32, n: i32): void {
  store<i32>(p + O_COUNTS + ((row << 2) as usize), n);
}

const UP_ONLY: u32 = 256;

/** Clears the window, keeps δ and the mode. */
export function adwinReset(p: usize): void {
  const d = load<f32>(p, O_DELTA), dw = load<f32>(p, O_DELTA_W);
  const mode = load<u32>(p, O_LEVEL) & UP_ONLY;
  memory.fill(p, 0, ADWIN_BYTES);
  store<f32>(p, d, O_DELTA);
  store<f32>(p, dw, O_DELTA_W);
  store<u32>(p, mode, O_LEVEL);
}

/**
 * Fresh detector with confidence δ (River's default 0.002) and warning confidence δ_warn.
 * `upOnly`: report only changes where the newer part has the larger mean (an error stream
 * getting worse); the window still shrinks on every change, as ADWIN's does.
 */
export function adwinInit(p: usize, delta: f32, delta_warn: f32, upOnly: bool): void {
  store<f32>(p, delta, O_DELTA);
  store<f32>(p, delta_warn, O_DELTA_W);
  store<u32>(p, upOnly ? UP_ONLY : 0, O_LEVEL);
  adwinReset(p);
}

/** Values currently in the window. */
export function adwinWidth(p: usize): u32 {
  return load<u32>(p, O_WIDTH);
}

/** Mean of the window (0 when empty). */
export function adwinMean(p: usize): f32 {
  const w = load<u32>(p, O_WIDTH);
  return w == 0 ? 0 : load<f32>(p, O_TOTAL) / <f32>w;
}

/** Removes the oldest bucket (first of the last row). Returns its size. */
function deleteOldest(p: usize): f32 {
  const last = rows(p) - 1;
  if (last < 0) return 0;
  const b = bkt(p, last, 0);
  const n1 = <f32>(1 << last);
  const u = load<f32>(b), v = load<f32>(b, 4);
  const w = <f32>(load<u32>(p, O_WIDTH) - (1 << last));
  store<u32>(p, <u32>w, O_WIDTH);
  const total = load<f32>(p, O_TOTAL) - u;
  store<f32>(p, total, O_TOTAL);
  if (w > 0) {
    const d = u / n1 - total / w;
    store<f32>(p, max<f32>(0, load<f32>(p, O_VAR) - (v + n1 * w * d * d / (n1 + w))), O_VAR);
  } else {
    store<f32>(p, 0, O_VAR);
  }
  const k = max<i32>(rowCount(p, last) - 1, 0);
  memory.copy(b, b + 8, (k << 3) as usize);
  set_rowCount(p, last, k);
  if (k == 0) store<i32>(p, last, O_NROWS);
  return n1;
}

/** Appends a bucket (newest) to a row, merging the row's two oldest into the next row first if full. */
function pushBucket(p: usize, row: i32, total: f32, v: f32): void {
  if (rowCount(p, row) == ADWIN_M) {
    if (row == ADWIN_ROWS - 1) {
      deleteOldest(p); // the window is at its bound: slide
    } else {
      const a = bkt(p, row, 0);
      const n = <f32>(1 << row);
      const t0 = load<f32>(a), t1 = load<f32>(a, 8);
      const d = (t0 - t1) / n; // mean difference
      pushBucket(p, row + 1, t0 + t1, load<f32>(a, 4) + load<f32>(a, 12) + n * n * d * d / (n + n));
      memory.copy(a, a + 16, ((ADWIN_M - 2) << 3) as usize);
      set_rowCount(p, row, ADWIN_M - 2);
    }
  }
  const k = rowCount(p, row);
  const b = bkt(p, row, k);
  store<f32>(b, total);
  store<f32>(b, v, 4);
  set_rowCount(p, row, k + 1);
  if (row >= load<i32>(p, O_NROWS)) store<i32>(p, row + 1, O_NROWS);
}

/** The cut test: is |mean(W0) − mean(W1)| beyond the bound for confidence `dd`? */
function cutExceeds(diff: f32, n0: f32, n1: f32, v: f32, dd: f32): bool {
  const m: f32 = <f32>1 / (n0 - MIN_LEN + 1) + <f32>1 / (n1 - MIN_LEN + 1);
  const eps: f32 = Mathf.sqrt(<f32>2 * m * v * dd) + (<f32>2 / <f32>3) * dd * m;
  return Mathf.abs(diff) > eps;
}

/** Feeds one value. Returns DRIFT_NONE, DRIFT_WARNING or DRIFT_DETECTED. */
export function adwinUpdate(p: usize, x: f32): i32 {
  // insert
  const w0 = <f32>load<u32>(p, O_WIDTH);
  const total0 = load<f32>(p, O_TOTAL);
  if (w0 > 0) {
    const d = x - total0 / w0;
    store<f32>(p, load<f32>(p, O_VAR) + w0 * d * d / (w0 + 1), O_VAR);
  }
  store<u32>(p, <u32>w0 + 1, O_WIDTH);
  store<f32>(p, total0 + x, O_TOTAL);
  pushBucket(p, 0, x, 0);

  const tick = load<u32>(p, O_TICK) + 1;
  store<u32>(p, tick, O_TICK);
  const mode = load<u32>(p, O_LEVEL) & UP_ONLY;
  if (tick % CLOCK != 0 || load<u32>(p, O_WIDTH) <= GRACE) return load<i32>(p, O_LEVEL) & 0xff;

  let detected = false;
  let warning = false;
  let again = true;
  while (again) {
    again = false;
    const n = <f32>load<u32>(p, O_WIDTH);
    const total = load<f32>(p, O_TOTAL);
    const v = load<f32>(p, O_VAR) / n;
    const ln2n: f32 = 2 * flog(n);
    const dd = flog(ln2n / load<f32>(p, O_DELTA));
    const ddw = flog(ln2n / load<f32>(p, O_DELTA_W));
    let n0: f32 = 0, u0: f32 = 0;
    // oldest buckets first: last row down to row 0, each row oldest first
    for (let row = rows(p) - 1; row >= 0 && !again; row--) {
      const size = <f32>(1 << row);
      const k = rowCount(p, row);
      for (let j = 0; j < k; j++) {
        n0 += size;
        u0 += load<f32>(bkt(p, row, j));
        const n1 = n - n0;
        if (n1 <= MIN_LEN) break;
        if (n0 <= MIN_LEN) continue;
        const diff = u0 / n0 - (total - u0) / n1;
        const counts = mode == 0 || diff < 0; // diff < 0: the newer part is larger
        if (cutExceeds(diff, n0, n1, v, dd)) {
          if (counts) detected = true;
          again = load<u32>(p, O_WIDTH) > 0;
          if (again) deleteOldest(p);
          break;
        }
        if (counts && !warning && cutExceeds(diff, n0, n1, v, ddw)) warning = true;
      }
    }
  }
  store<u32>(p, mode | (warning && !detected ? DRIFT_WARNING : DRIFT_NONE), O_LEVEL);
  return detected ? DRIFT_DETECTED : warning ? DRIFT_WARNING : DRIFT_NONE;
}

/** Sum of the window (its mean is this over adwinWidth). */
export function adwinTotal(p: usize): f32 {
  return load<f32>(p, O_TOTAL);
}
