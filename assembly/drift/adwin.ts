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

@unmanaged class AdwinHead {
  width: u32; // values in the window
  total: f32; // sum of the window
  variance: f32; // sum of squared deviations of the window
  tick: u32; // values seen since the last reset
  delta: f32; // δ
  deltaWarn: f32; // δ for the warning level
  rows: i32; // rows in use (read clamped, as u32)
  level: u32; // bits 0–7: warning level from the last check (0/1); bit 8: increases only
}
const O_COUNTS: usize = offsetof<AdwinHead>(); // u32[ROWS] buckets per row

function head(p: usize): AdwinHead {
  return changetype<AdwinHead>(p);
}
const O_BUCKETS: usize = O_COUNTS + 4 * ADWIN_ROWS; // Bucket[ROWS][M], oldest first

/** 2^row consecutive values: their sum and sum of squared deviations. */
@unmanaged class Bucket {
  total: f32;
  variance: f32;
}
const BUCKET: i32 = <i32>offsetof<Bucket>();

function bucketAt(b: usize): Bucket {
  return changetype<Bucket>(b);
}

/** Bytes of state one ADWIN needs. */
export const ADWIN_BYTES: i32 = <i32>O_BUCKETS + BUCKET * ADWIN_ROWS * ADWIN_M;

// @ts-ignore: decorator
function bkt(p: usize, row: i32, j: i32): usize {
  return p + O_BUCKETS + (((row * ADWIN_M + j) * BUCKET) as usize);
}
// Row counts and rows in use are read clamped to their bounds, so even a blob with a valid CRC
// but inconsistent counters never indexes outside this detector's state.
// @ts-ignore: decorator
function rowCount(p: usize, row: i32): i32 {
  return <i32>min<u32>(load<u32>(p + O_COUNTS + ((row << 2) as usize)), <u32>ADWIN_M);
}
// @ts-ignore: decorator
function rows(p: usize): i32 {
  return <i32>min<u32>(<u32>head(p).rows, <u32>ADWIN_ROWS);
}
// @ts-ignore: decorator
function setRowCount(p: usize, row: i32, n: i32): void {
  store<i32>(p + O_COUNTS + ((row << 2) as usize), n);
}

const UP_ONLY: u32 = 256;

/** Clears the window, keeps δ and the mode. */
export function adwinReset(p: usize): void {
  const d = head(p).delta, dw = head(p).deltaWarn;
  const mode = head(p).level & UP_ONLY;
  memory.fill(p, 0, ADWIN_BYTES);
  head(p).delta = d;
  head(p).deltaWarn = dw;
  head(p).level = mode;
}

/**
 * Fresh detector with confidence δ (River's default 0.002) and warning confidence δ_warn.
 * `upOnly`: report only changes where the newer part has the larger mean (an error stream
 * getting worse); the window still shrinks on every change, as ADWIN's does.
 */
export function adwinInit(p: usize, delta: f32, delta_warn: f32, upOnly: bool): void {
  head(p).delta = delta;
  head(p).deltaWarn = delta_warn;
  head(p).level = upOnly ? UP_ONLY : 0;
  adwinReset(p);
}

/** Values currently in the window. */
export function adwinWidth(p: usize): u32 {
  return head(p).width;
}

/** Mean of the window (0 when empty). */
export function adwinMean(p: usize): f32 {
  const w = head(p).width;
  return w == 0 ? 0 : head(p).total / <f32>w;
}

/** Removes the oldest bucket (first of the last row). Returns its size. */
function deleteOldest(p: usize): f32 {
  const last = rows(p) - 1;
  if (last < 0) return 0;
  const b = bkt(p, last, 0);
  const n1 = <f32>(1 << last);
  const u = bucketAt(b).total, v = bucketAt(b).variance;
  const w = <f32>(head(p).width - (1 << last));
  head(p).width = <u32>w;
  const total = head(p).total - u;
  head(p).total = total;
  if (w > 0) {
    const d = u / n1 - total / w;
    head(p).variance = max<f32>(0, head(p).variance - (v + n1 * w * d * d / (n1 + w)));
  } else {
    head(p).variance = 0;
  }
  const k = max<i32>(rowCount(p, last) - 1, 0);
  memory.copy(b, b + <usize>BUCKET, (k * BUCKET) as usize);
  setRowCount(p, last, k);
  if (k == 0) head(p).rows = last;
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
      const older = bucketAt(a), next = bucketAt(a + <usize>BUCKET);
      const t0 = older.total, t1 = next.total;
      const d = (t0 - t1) / n; // mean difference
      pushBucket(p, row + 1, t0 + t1, older.variance + next.variance + n * n * d * d / (n + n));
      memory.copy(a, a + 2 * <usize>BUCKET, ((ADWIN_M - 2) * BUCKET) as usize);
      setRowCount(p, row, ADWIN_M - 2);
    }
  }
  const k = rowCount(p, row);
  const b = bkt(p, row, k);
  bucketAt(b).total = total;
  bucketAt(b).variance = v;
  setRowCount(p, row, k + 1);
  if (row >= head(p).rows) head(p).rows = row + 1;
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
  const w0 = <f32>head(p).width;
  const total0 = head(p).total;
  if (w0 > 0) {
    const d = x - total0 / w0;
    head(p).variance = head(p).variance + w0 * d * d / (w0 + 1);
  }
  head(p).width = <u32>w0 + 1;
  head(p).total = total0 + x;
  pushBucket(p, 0, x, 0);

  const tick = head(p).tick + 1;
  head(p).tick = tick;
  const mode = head(p).level & UP_ONLY;
  if (tick % CLOCK != 0 || head(p).width <= GRACE) return head(p).level & 0xff;

  let detected = false;
  let warning = false;
  let again = true;
  while (again) {
    again = false;
    const n = <f32>head(p).width;
    const total = head(p).total;
    const v = head(p).variance / n;
    const ln2n: f32 = 2 * flog(n);
    const dd = flog(ln2n / head(p).delta);
    const ddw = flog(ln2n / head(p).deltaWarn);
    let n0: f32 = 0, u0: f32 = 0;
    // oldest buckets first: last row down to row 0, each row oldest first
    for (let row = rows(p) - 1; row >= 0 && !again; row--) {
      const size = <f32>(1 << row);
      const k = rowCount(p, row);
      for (let j = 0; j < k; j++) {
        n0 += size;
        u0 += bucketAt(bkt(p, row, j)).total;
        const n1 = n - n0;
        if (n1 <= MIN_LEN) break;
        if (n0 <= MIN_LEN) continue;
        const diff = u0 / n0 - (total - u0) / n1;
        const counts = mode == 0 || diff < 0; // diff < 0: the newer part is larger
        if (cutExceeds(diff, n0, n1, v, dd)) {
          if (counts) detected = true;
          again = head(p).width > 0;
          if (again) deleteOldest(p);
          break;
        }
        if (counts && !warning && cutExceeds(diff, n0, n1, v, ddw)) warning = true;
      }
    }
  }
  head(p).level = mode | (warning && !detected ? DRIFT_WARNING : DRIFT_NONE);
  return detected ? DRIFT_DETECTED : warning ? DRIFT_WARNING : DRIFT_NONE;
}

/** Sum of the window (its mean is this over adwinWidth). */
export function adwinTotal(p: usize): f32 {
  return head(p).total;
}
