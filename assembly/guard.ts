// The guard: decides whether a reading may reach the scaler and the model.
//
// Per value (features, then the target at index n) a GuardSlot keeps:
// the start of the current run of equal values and its length, the EW mean length of
// completed runs (weighed by their readings), the number of changes (up to 4) and of
// consecutive spikes in one word, an EW mean and mean absolute deviation and the EW mean size of a change. The 16-byte head (GuardHead) keeps the
// number of accepted readings and whether any slot counts spikes (so an accepted reading clears
// the counts only when there are some). Only the stuck and spike tests read the section: with
// both off the guard is a range test alone (rangeFlags) and the section is left at zero.
//
// Stuck:  |x − last| ≤ eps for the (run+1)-th time with run+1 ≥ K and run+1 ≥ FACTOR × runm,
//         once the value has changed at least 4 times. The run-length ratio keeps discrete or
//         slow features (a door contact, an integer humidity) from looking stuck.
// Spike:  after WARMUP readings, |x − mu| > T × max(mad, step). Using the typical step as a
//         floor means a binary feature toggling is never a spike, but an 85 °C power-on value
//         from a 21 °C sensor is.

import {
  REJ_NONFINITE, REJ_RANGE, REJ_STUCK, REJ_SPIKE, REJ_NO_TARGET, REJ_BAD_TARGET, KIND_LOGISTIC,
  P_SPIKE_RESET, C_LEVEL_SHIFT,
} from "./abi";
import { finite } from "./memory";
import {
  guardAt, liveFeatures, param, rangeLo, rangeHi, countAdd, hotStuckK, hotStuckEps,
  hotStuckFactor, hotSpikeT, hotWarmup, hotTargetSpike,
} from "./layout";

@unmanaged export class GuardSlot {
  last: f32; // value at the start of the current run of equal values (within eps)
  run: u32; // length of that run
  runMean: f32; // EW mean length of completed runs, weighed by their readings (2^-10 each)
  // Two counts in one word (ABI 5; two words before): bits 29..31 the changes seen, counted up to
  // STUCK_MIN_CHANGES (all the stuck test reads), bits 0..28 the consecutive spikes (a level
  // shift is accepted after SPIKE_RESET ≤ 1e6 of them). With the changes on top, the stuck test
  // and the update compare the word itself: no mask on the reading's path.
  tally: u32;
  mean: f32; // EW mean
  mad: f32; // EW mean absolute deviation from mean (the robust spread)
  step: f32; // EW mean size of a change (quantisation-aware spread floor)
}

@unmanaged class GuardHead {
  n: u32; // accepted readings (saturating)
  spikesPending: u32; // 1 when some slot's spike count may be non-zero (ABI 2; 0 in version-1 blobs)
  // To tell a fault code from a new level (runNext): the current run of spikes is marked by a
  // hash of its first reading's spiking values (the features', or the target's),
  // and becomes RUN_VARIED (0) once a later spike differs; frozenMark is the mark of the last
  // run kept out for repeating one value. Reserved and 0 in blobs written before: a run they were in
  // counts on as it did.
  runMark: u32;
  frozenMark: u32;
}

const HEAD: i32 = <i32>offsetof<GuardHead>();
const SLOT: i32 = <i32>offsetof<GuardSlot>();
/** Saturation of the guard's counters. */
export const GUARD_SAT: u32 = 0x3FFFFFFF;
/** Changes a value must have shown before it can be stuck; its count stops there, so a signal
 * that changes every reading writes no count (older blobs may count higher: load clamps them). */
const STUCK_MIN_CHANGES: u32 = 4;
/** One change in a slot's tally ... */
export const TALLY_CHANGE: u32 = 1 << 29;
/** ... whose bits below count consecutive spikes. */
export const TALLY_SPIKES: u32 = TALLY_CHANGE - 1;
/** A tally at or above this has seen STUCK_MIN_CHANGES changes (2^31). */
const TALLY_STUCK_READY: u32 = STUCK_MIN_CHANGES * TALLY_CHANGE;

/** Bytes of the guard section for nf features and the target. */
export function guardBytes(nf: i32): i32 {
  return HEAD + (nf + 1) * SLOT;
}

@inline function slot(i: i32): GuardSlot {
  return slotAt(guardAt, i);
}

/** Slot i of the guard section at g (loops keep the section address in a local). */
@inline export function slotAt(g: usize, i: i32): GuardSlot {
  return changetype<GuardSlot>(g + <usize>(HEAD + i * SLOT));
}

/** The head of the guard section at g (a caller that holds the section's address: a global
 * read back after stores costs the microcontroller runtimes a load and a bounds check). */
@inline function headIn(g: usize): GuardHead {
  return changetype<GuardHead>(g);
}

@inline function guardHead(): GuardHead {
  return headIn(guardAt);
}

/** Accepted readings so far. */
@inline export function guardCount(): u32 {
  return guardCountIn(guardAt);
}

/** Accepted readings so far, in the guard section at g. */
@inline export function guardCountIn(g: usize): u32 {
  return headIn(g).n;
}

/** Counts one more accepted reading (saturating) in the guard section at g. */
@inline export function guardCountNext(g: usize, n: u32): void {
  headIn(g).n = n < GUARD_SAT ? n + 1 : n;
}

/**
 * An accepted reading ends every run of consecutive spikes: clears the counts of slots
 * 0..end−1 when any is pending (slots are read only when a spike is committed, so clearing
 * them here rather than in every updateSlot gives the same counts).
 */
@inline export function guardSpikesEnd(gb: usize, end: i32): void {
  const h = headIn(gb);
  if (h.spikesPending == 0) return;
  for (let i = 0; i < end; i++) {
    const s = slotAt(gb, i);
    s.tally = s.tally & ~TALLY_SPIKES;
  }
  h.spikesPending = 0;
}

/** Bytes of the guard section of blob versions 1 to 4, whose slots kept the changes and the
 * spikes in two words (32 bytes). */
export function guardBytesV4(nf: i32): i32 {
  return HEAD + (nf + 1) * SLOT_V4;
}

const SLOT_V4: i32 = 32;
const V4_CHANGES: usize = 12; // u32 changes, where the tally is now
const V4_SPIKES: usize = 28; // u32 consecutive spikes, the slot's last word

/** Copies a guard section of blob versions 1 to 4 at src to dst in this version's layout: every
 * slot's changes (clamped to STUCK_MIN_CHANGES: version 1 counted on, with the same meaning) and
 * spikes go into its tally; the other fields keep their places. */
export function guardCopyV4(nf: i32, dst: usize, src: usize): void {
  memory.copy(dst, src, <usize>HEAD);
  for (let i = 0; i <= nf; i++) {
    const from = src + <usize>(HEAD + i * SLOT_V4);
    const s = slotAt(dst, i);
    memory.copy(changetype<usize>(s), from, <usize>SLOT);
    const changes = min<u32>(load<u32>(from + V4_CHANGES), STUCK_MIN_CHANGES);
    s.tally = changes * TALLY_CHANGE | min<u32>(load<u32>(from + V4_SPIKES), TALLY_SPIKES);
  }
}

/** Version-1 blobs have no pending mark: derive it from the slots (nf features and the target). */
export function guardMarkPendingSpikes(nf: i32): void {
  let any: u32 = 0;
  for (let i = 0; i <= nf; i++) any |= slot(i).tally & TALLY_SPIKES;
  guardHead().spikesPending = any != 0 ? 1 : 0;
}

@inline function warm(): bool {
  return guardCount() >= hotWarmup && guardCount() > 0;
}

/** Stuck test for value v in slot s (no state change). */
@inline function isStuck(s: GuardSlot, v: f32, k: f32, eps: f32, factor: f32): bool {
  if (Mathf.abs(v - s.last) > eps) return false;
  const run1 = <f32>(s.run + 1);
  return run1 >= k && s.tally >= TALLY_STUCK_READY && run1 >= factor * s.runMean;
}

/** Spike test (no state change). max(mad, step) is written out: both are finite and ≥ 0. */
@inline function spiking(s: GuardSlot, v: f32, t: f32): bool {
  const mad = s.mad;
  const step = s.step;
  const sp = mad > step ? mad : step;
  // a spread of 0 gets a threshold nothing exceeds: the same answer as testing sp > 0 apart
  return Mathf.abs(v - s.mean) > (sp > 0 ? t * sp : Infinity);
}

/** A run mark after the run's spike readings differed, and in blobs written before runs were
 * marked (reserved then): such a run counts on as it did. A reading's own mark is never 0. */
const RUN_VARIED: u32 = 0;
/** How a spike reading goes on its run (runNext): counted towards a level shift, */
const RUN_COUNTS: i32 = 0;
/** kept out while the run repeats one value exactly, */
const RUN_FROZEN: i32 = 1;
/** or the first of a new run: a frozen run broken by another far value. */
const RUN_RESTARTS: i32 = 2;

/** The run after a spike reading whose own mark is `mark`, `before` spikes into its run.
 * The run's mark is its first reading's while every later one repeats it: such a run is frozen,
 * and kept out past SPIKE_RESET (spikeCommit). One that a different far value breaks after that
 * starts a new run there (a DS18B20 reconnected after −127 reads 85.0 once before its real
 * values, and that is no level). A value kept out frozen before, that the sensor came back from,
 * is one of its states (a meter's 0 W at night, a pump off): its run counts as any other. */
function runNext(before: u32, mark: u32): i32 {
  const h = guardHead();
  const kept = h.runMark;
  if (before != 0 && kept == mark) return RUN_FROZEN;
  const restarts = kept != RUN_VARIED && <f32>before >= param(P_SPIKE_RESET);
  h.runMark = (before == 0 && mark != h.frozenMark) || restarts ? mark : RUN_VARIED;
  return restarts ? RUN_RESTARTS : RUN_COUNTS;
}

/** The run mark with value v folded into `mark` (start: RUN_MARK_START). The values alone, not
 * which slot holds them: a reading's one feature and its target (a forecaster's) frozen at one
 * value are one frozen run, whichever test refused it. */
@inline function runMarkWith(mark: u32, v: f32): u32 {
  return (mark ^ reinterpret<u32>(v)) * 0x01000193;
}
const RUN_MARK_START: u32 = 0x811C9DC5;

/** A spike seen with commit: counts consecutive spikes and accepts a level shift after
 * SPIKE_RESET of them (re-centres the mean, counts C_LEVEL_SHIFT, returns false), unless the
 * run is frozen: the same value every time is a sensor's fault code (a DS18B20's −127 while
 * disconnected, 65535 from a failed read, a 0 from a dead input), not a level. A real change of
 * level moves, if only by its noise, and is accepted as before once its run varies. Accepted, a
 * sentinel was learned until the stuck test caught it (32 readings), and a forecaster took
 * ~1,000 readings to come back from 65535. */
function spikeCommit(s: GuardSlot, v: f32, run: i32): bool {
  const changes = s.tally & ~TALLY_SPIKES;
  const ns = run == RUN_RESTARTS ? 1 : (s.tally & TALLY_SPIKES) + 1;
  if (<f32>ns >= param(P_SPIKE_RESET)) {
    if (run != RUN_FROZEN) {
      s.mean = v;
      s.tally = changes;
      countAdd(C_LEVEL_SHIFT, 1);
      return false;
    }
    const h = guardHead();
    h.frozenMark = h.runMark;
  }
  s.tally = changes | min<u32>(ns, TALLY_SPIKES); // a frozen run counts on, saturating
  guardHead().spikesPending = 1;
  return true;
}

/** Reject bits for the features at x (bits 0..3). With commit, a reading rejected for spikes
 * alone advances the guard's own bookkeeping (consecutive spikes, level shifts), and one
 * rejected as stuck the runs of the values it repeats; nothing else changes. Only tests: the
 * features are standardized where they are learned (fold.ts) or, for the kinds that predict
 * first, by the caller. */
@inline export function guardFeatures(x: usize, commit: bool): u32 {
  const nf = liveFeatures;
  const k = hotStuckK;
  const eps = hotStuckEps;
  const factor = hotStuckFactor;
  const t = hotSpikeT;
  // A test that is off gets a threshold no value reaches (a run of ∞ readings, ∞ spreads from
  // the mean), so the loop runs both tests on every value instead of testing their gates. A
  // test switched off by its parameter has that threshold already (cacheParams).
  const kOn: f32 = guardCount() > 0 ? k : Infinity;
  const tOn: f32 = warm() ? t : Infinity;
  let flags: u32 = 0;
  const gb = guardAt;
  for (let i = 0; i < nf; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!(v >= rangeLo(i) && v <= rangeHi(i))) {
      // One test catches NaN, ±Inf and out-of-range values; tell them apart only here.
      if (!finite(v)) {
        flags |= REJ_NONFINITE;
        continue;
      }
      flags |= REJ_RANGE;
    }
    const s = slotAt(gb, i);
    if (isStuck(s, v, kOn, eps, factor)) flags |= REJ_STUCK;
    if (spiking(s, v, tOn)) flags |= REJ_SPIKE;
  }
  if (commit && (flags & REJ_STUCK) != 0) stuckRunsGoOn(gb, x, nf, eps);
  if (commit && flags == REJ_SPIKE) flags = featureSpikesCommit(x, nf, t);
  return flags;
}

/** Rare path, out of line: counts the spikes of a reading refused for spikes alone; a feature
 * whose new level is accepted no longer spikes. The run's mark is a hash of the spiking
 * values: the same mark every time is a frozen run. */
function featureSpikesCommit(x: usize, nf: i32, t: f32): u32 {
  let mark = RUN_MARK_START;
  let before: u32 = 0;
  let spiked: u32 = 0; // bit i: feature i spikes (nf ≤ MAX_FEATURES = 32)
  for (let i = 0; i < nf; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    const s = slot(i);
    if (!spiking(s, v, t)) continue;
    spiked |= 1 << i;
    before = max<u32>(before, s.tally & TALLY_SPIKES);
    mark = runMarkWith(mark, v);
  }
  const run = runNext(before, mark | 1); // | 1: never RUN_VARIED
  let flags: u32 = 0;
  for (let i = 0; i < nf; i++) {
    if ((spiked & (1 << i)) != 0 && spikeCommit(slot(i), load<f32>(x + (<usize>i << 2)), run)) flags |= REJ_SPIKE;
  }
  return flags;
}

/** Counts a spike of the target (rare path): see spikeCommit. */
function targetSpikeCommit(s: GuardSlot, y: f32): bool {
  return spikeCommit(s, y, runNext(s.tally & TALLY_SPIKES, runMarkWith(RUN_MARK_START, y) | 1));
}

/** A reading refused as stuck still lengthens the runs of the values it repeats (rare path,
 * out of line). Otherwise a long run the test refused (a first night at 0 W, a door closed for a
 * weekend) ended at the length where the refusals began, the mean run length never learned that
 * such runs happen, and the same run was refused at the same length every time. */
function stuckRunsGoOn(gb: usize, x: usize, nf: i32, eps: f32): void {
  for (let i = 0; i < nf; i++) {
    const s = slotAt(gb, i);
    const run = s.run;
    if (Mathf.abs(load<f32>(x + (<usize>i << 2)) - s.last) <= eps && run < GUARD_SAT) s.run = run + 1;
  }
}

/** Reject bits for the features at x when the guard is a range test alone (its stuck and spike
 * tests both off: the loop of guardFeatures without the slots). The test is written out in both
 * loops: one helper returning the bits for both cost the default path 130 wasm operators and 56
 * Cortex-M4F instructions per reading, since guardFeatures then compares every value's bits. */
export function rangeFlags(x: usize, nf: i32): u32 {
  let flags: u32 = 0;
  for (let i = 0; i < nf; i++) {
    const v = load<f32>(x + (<usize>i << 2));
    if (!(v >= rangeLo(i) && v <= rangeHi(i))) flags |= finite(v) ? REJ_RANGE : REJ_NONFINITE;
  }
  return flags;
}

/** Forgets every statistic of the guard (nf features and the target), as when its statistics
 * start or stop being kept: a test switched back on starts from a fresh guard, with its warm-up,
 * rather than from values it stopped following. */
export function guardRestart(nf: i32): void {
  memory.fill(guardAt, 0, <usize>guardBytes(nf));
}

/** Target bits (4..5) for a supervised kind: missing, non-finite, out of range, not 0/1 for
 * LOGISTIC, or (TARGET_SPIKE) a spike. */
@inline export function guardTarget(y: f32, kind: i32, commit: bool): u32 {
  if (isNaN(y)) return REJ_NO_TARGET;
  const nf = liveFeatures;
  // ±∞ fails the range test: ranges are always finite (stored clamped, checked on load)
  if (!(y >= rangeLo(nf) && y <= rangeHi(nf))) return REJ_BAD_TARGET;
  if (kind == KIND_LOGISTIC) return y == 0 || y == 1 ? 0 : REJ_BAD_TARGET;
  const t = hotSpikeT;
  // t = ∞ when SPIKE_T is off (cacheParams): nothing spikes then
  if (hotTargetSpike != 0 && warm() && spiking(slot(nf), y, t) && (!commit || targetSpikeCommit(slot(nf), y))) {
    return REJ_BAD_TARGET;
  }
  return 0;
}

/** The mean run length after a completed run of fr > 1 readings, each weighing runWeight (the
 * run at most 1: a run of 1/runWeight readings or more replaces the mean). */
function longerRunMean(runm: f32, fr: f32, runWeight: f32): f32 {
  const w = fr * runWeight;
  return w < 1 ? runm + (fr - runm) * w : fr;
}

/** Folds an accepted value into its guard slot (guardSpikesEnd then ends its spike run).
 * runWeight: hotRunWeight, the weight of one reading of a completed run in the mean run length
 * (2^-10). */
@inline export function updateSlot(s: GuardSlot, v: f32, first: bool, eps: f32, a: f32, runWeight: f32): void {
  if (first) {
    s.last = v;
    s.run = 1;
    s.mean = v;
    return;
  }
  const d = Mathf.abs(v - s.last);
  const run = s.run;
  if (d <= eps) {
    s.run = run < GUARD_SAT ? run + 1 : run;
  } else {
    const tally = s.tally;
    const runm = s.runMean;
    const step = s.step;
    const firstChange = tally < TALLY_CHANGE;
    // The mean run length is weighed by readings, not by runs: a completed run of r readings
    // counts r × runWeight (at most 1), so it is about the length of the run a reading of the
    // last 1/runWeight readings belonged to. Weighed by runs, the many short runs of a quantized
    // value flickering between two steps, or of a meter's daytime noise, outvoted its long
    // legitimate runs (a night at 0 W, a closed door, a slow value at one step) and the stuck
    // test refused those every time. A signal that changes every reading keeps run = 1 and its
    // mean run length at 1: those two are written only when they move (same bytes, fewer stores).
    // A run of one reading (a value that changes every reading) weighs runWeight: the common
    // case skips the product and the cap (longerRunMean).
    const fr = <f32>run;
    const runm1 = firstChange ? fr : run == 1 ? runm + (fr - runm) * runWeight : longerRunMean(runm, fr, runWeight);
    if (runm1 != runm) s.runMean = runm1;
    s.step = firstChange ? d : step + a * (d - step);
    if (tally < TALLY_STUCK_READY) s.tally = tally + TALLY_CHANGE;
    if (run != 1) s.run = 1;
    s.last = v;
  }
  const mu = s.mean;
  const dm = v - mu;
  s.mean = mu + a * dm;
  const mad = s.mad;
  s.mad = mad + a * (Mathf.abs(dm) - mad);
}
