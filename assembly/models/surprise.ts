// Kind SURPRISE (6): the default anomaly detector. A calibrated score in [0, 1) from three kinds of
// evidence, each in fixed memory per feature:
//
//  1. Novelty: how far the reading lies outside the range [lo, hi] this feature has taken so far,
//     in units of that range: e = max(x − hi, lo − x)/(hi − lo). Outside (e > 0) the score is
//     0.9 + 0.1 · e/(e + tol): a value never seen before is the strongest evidence there is.
//     The same against the recent range [rlo, rhi], which forgets (each reading pulls both ends
//     inwards by RECENT_DECAY of its width): beyond it by more than half its width (e > 0.5),
//     0.85 + 0.08 · (e − 0.5)/(e − 0.5 + 0.1). A value that is ordinary for the sensor but not
//     for the last few hundred readings is local novelty. The half-width margin keeps this band
//     rare on stationary noise (0.05 % of readings), where a forgetting range is often exceeded
//     by a little.
//  2. Temporal context: the value is put in one of 8 bins of [lo, hi]; per feature an 8 × 8
//     table counts the transitions between consecutive bins (u16 counts, halved when a row
//     passes 1,000, so old habits fade). The transition's surprise 1 − P(bin | previous bin)
//     (Laplace-smoothed), averaged over the features and over the last 10 readings, is compared
//     with its own long-run distribution (EW mean and variance, α = LIKELIHOOD_ALPHA): the tail
//     probability p = Q(z) of that windowed mean is turned into decades of surprise
//     S = −log10 p and mapped to S/(S + 4): 0.5 ↔ p = 1e-4, 0.667 ↔ 1e-8, 0.8 ↔ 1e-16.
//  3. Point spikes: per feature the last value that was not a jump and the EW mean size of a
//     change between such values (`step`). A jump is a move of more than JUMP × step from that
//     value; one that also took a transition between bins this feature has (almost) never made
//     (P < JUMP_RARE) and came back within JUMP_RUN − 1 readings was a spike. It is reported on
//     the reading that comes back, as 0.9 + 0.1 · e/(e + tol) with e = |jump|/(JUMP × step) − 1:
//     only then is a spike told apart from a change of level (a jump that stays, which the
//     range and the transitions judge). The first two kinds of evidence do not see a spike that
//     repeats: it has widened the range and its transitions are no longer new to the table. But
//     a jump that lands more than a range width beyond the range changes neither until it is a
//     new level (its JUMP_RUN-th reading): one sentinel reading (85.0, −127, 65535) does not
//     stretch the bins for good. One that repeats a value exactly is parked instead (PARKED):
//     a sentinel that lasts is flagged on its first reading, then neither scored nor learned.
//
// The score is the largest of these, 0 during the first SCORE_WARMUP readings, and damped
// (× 0.9) for 30 readings after it passed 0.95, so one event does not raise a string of alarms.
// A reading scored above ANOMALY_THRESHOLD is, with PROTECT = 1, kept out of the range and the
// transition table (so a spike does not widen what counts as normal), at most PROTECT_RUN
// readings in a row: a change that lasts becomes the new normal.
//
// Scoring (surpriseScoreOf) changes nothing; surpriseCommitTo applies the reading afterwards.

import { P_NOVELTY_TOL, P_SCORE_WARMUP, P_LIKELIHOOD_ALPHA, P_RECENT_DECAY, P_PROTECT_RUN, MAX_FEATURES } from "../abi";
import { param } from "../layout";
import { setPrediction } from "./prediction";
import { flog } from "../util/fmath";

const BINS: i32 = 8;
const WINDOW: i32 = 10;
const ROW_CAP: u32 = 1000;
const REST: u32 = 30;
const REST_TRIGGER: f32 = 0.95;
const REST_DAMP: f32 = 0.9;
const NOVEL_BASE: f32 = 0.9;
const MAX_SCORE: f32 = 0.99999994; // the largest f32 below 1: the score never reaches 1
const RECENT_BASE: f32 = 0.85;
const RECENT_SPAN: f32 = 0.08;
const RECENT_TOL: f32 = 0.1;
const RECENT_MARGIN: f32 = 0.5;
/** A jump: a move of more than JUMP typical changes. */
const JUMP: f32 = 12;
/** A spike's transition between bins had a (Laplace-smoothed) probability below this. */
const JUMP_RARE: f32 = 0.003;
/** The JUMP_RUN-th jump in a row is a new level: `last` moves to it. */
const JUMP_RUN: u32 = 3;
/** EW weight of a change in `step`. */
const JUMP_ALPHA: f32 = 0.01;
/** `jumps` of a parked feature: a far jump that repeated one value exactly for JUMP_RUN readings
 * is a fault code (a DS18B20's −127 while disconnected, 65535 from a failed read), not a level.
 * Its first reading was scored as novel; while it lasts it is neither scored nor learned, so the
 * range, the bins and the transitions stay the sensor's own (learned as a level, it stretched
 * them for good and the sensor's later spikes went unseen). The same value parked again after
 * the sensor came back from it is one of its states (a meter at 0 W at night) and is a level. */
const PARKED: u32 = JUMP_RUN;
/** firstJump once the run's jumps differed (NaN bits: a finite reading never has them). */
const VARIED: u32 = 0xFFFFFFFF;

@unmanaged class SurpriseHead {
  n: u32; // readings committed
  nf: u32; // features
  protectedRun: u32; // protected readings in a row
  rest: u32; // readings of damping left
  ringNext: u32; // next ring slot
  ringSum: f32; // sum of the ring
  longMean: f32; // long-run mean of the windowed surprise
  longVar: f32; // long-run variance
  longN: u32; // readings in the long-run statistics
  parkedMark: u32; // bits + 1 of the last value parked (below; 0: none, as in older blobs)
  reserved1: u32;
  reserved2: u32;
}
// then the ring, f32 × WINDOW
const O_RING: usize = offsetof<SurpriseHead>();
const HEAD: i32 = <i32>O_RING + 4 * WINDOW;

@inline function head(m: usize): SurpriseHead {
  return changetype<SurpriseHead>(m);
}

// Per feature: a FeatureSlot, then the transition counts u16 × 64 (row = previous bin). A row's
// total is the sum of its counts (ABI version 2 stored it where the spike statistics are now).
@unmanaged class FeatureSlot {
  lo: f32;
  hi: f32;
  recentLo: f32;
  recentHi: f32;
  previousBin: i32;
  last: f32; // last value that was not a jump (NaN: none yet)
  step: f32; // EW mean size of a change between such values (0: none yet)
  jumps: u32; // jumps in a row since `last`; PARKED: a far value repeated exactly, kept out
  spike: f32; // evidence e of the first of them (0: not a spike candidate)
  firstJump: u32; // bits of the first of them while every later one repeated it, else VARIED
}
const F_CNT: usize = offsetof<FeatureSlot>();
const SLOT: i32 = <i32>F_CNT + 2 * BINS * BINS;
/** Bytes 24..40 of a slot, where ABI version 2 kept the row totals (surpriseMigrateV2). */
const V2_TOTALS: usize = 24;

@inline function feature(s: usize): FeatureSlot {
  return changetype<FeatureSlot>(s);
}

export function surpriseBytes(nf: i32): i32 {
  return HEAD + nf * SLOT;
}

export function surpriseShape(m: usize, nf: i32): void {
  head(m).nf = nf;
}

export function surpriseReset(m: usize): void {
  const nf = head(m).nf;
  memory.fill(m, 0, <usize>surpriseBytes(<i32>nf));
  head(m).nf = nf;
  for (let i: u32 = 0; i < nf; i++) {
    feature(slot(m, i)).previousBin = -1;
    feature(slot(m, i)).last = NaN;
  }
}

/** A section written by ABI version 2 (or 1): its slots kept each row's total where the spike
 * statistics are now. The totals are the sums of the counts, so nothing is lost; the spike
 * statistics start empty, as in a fresh section. */
export function surpriseMigrateV2(m: usize, nf: i32): void {
  for (let i: u32 = 0; i < <u32>nf; i++) {
    const s = slot(m, i);
    memory.fill(s + V2_TOTALS, 0, <usize>F_CNT - V2_TOTALS);
    feature(s).last = NaN;
  }
}

// @ts-ignore: decorator
@inline function slot(m: usize, i: u32): usize {
  return m + <usize>HEAD + <usize>(i * <u32>SLOT);
}

// A blob's CRC proves it arrived as written, not that a writer kept these fields in range: the
// two that index memory are read through these, so a damaged blob that passes its checks gives
// wrong scores, never an access outside the section (test/learner/drift.test.ts,
// damaged-blobs.test.ts).

/** Whether a stored previous bin indexes a row (−1: none yet; anything else out of range: none). */
// @ts-ignore: decorator
@inline function binValid(b: i32): bool {
  return <u32>b < <u32>BINS;
}

/** The ring's next slot, within the ring whatever the blob holds. */
// @ts-ignore: decorator
@inline function ringNext(m: usize): u32 {
  return head(m).ringNext % <u32>WINDOW;
}

/** Bin of x in [lo, hi] (hi > lo), clamped to 0..7. */
// @ts-ignore: decorator
@inline function binOf(x: f32, lo: f32, hi: f32): i32 {
  const b = <i32>Mathf.floor((x - lo) / (hi - lo) * <f32>BINS);
  return min(BINS - 1, max(0, b));
}

/** −log10 Q(z) for z ≥ 0 (0 below), Q the upper tail of the standard normal, through
 * Börjesson and Sundberg's approximation Q(z) ≈ φ(z)/(0.661 z + 0.339 √(z² + 5.51)) (relative
 * error < 0.3 % for every z ≥ 0) taken in logs, so it never underflows. */
function tailDecades(z: f32): f32 {
  if (!(z > 0)) z = 0;
  const lnq = <f32>-0.5 * z * z - <f32>0.9189385 - flog(<f32>0.661 * z + <f32>0.339 * Mathf.sqrt(z * z + <f32>5.51));
  return lnq * <f32>-0.4342945;
}

// Results of the last surpriseScoreOf, read by surpriseCommitTo and the pipeline (kept in globals
// and scratch memory so scoring allocates nothing).
/** Per feature, the evidence e the reading would give as a spike (0: none), for the commit. */
const SPIKE_E = memory.data(4 * MAX_FEATURES);
let lastMeanSurprise: f32 = 0; // this reading's transition surprise, averaged over the features
let lastScored: bool = false; // any feature had a previous bin and a range
/** Feature that contributed most to the last score, or -1. */
export let surpriseFeature: i32 = -1;

/** Score of the features at x; changes nothing. */
export function surpriseScoreOf(m: usize, x: usize, tol: f32, warm: u32): f32 {
  const nf = head(m).nf;
  let novel: f32 = 0, sum: f32 = 0, best: f32 = 0;
  let k: i32 = 0;
  surpriseFeature = -1;
  for (let i: u32 = 0; i < nf; i++) {
    const s = slot(m, i);
    const v = load<f32>(x + (<usize>i << 2));
    const lo = feature(s).lo, hi = feature(s).hi;
    store<f32>(SPIKE_E + (<usize>i << 2), 0); // before any `continue`: the commit reads it
    if (!(hi > lo) || parkedOn(s, v)) continue;
    const e = max<f32>(v - hi, lo - v) / (hi - lo);
    let sc: f32 = 0;
    // 1 − 0.1 · tol/(e + tol): the same value as 0.9 + 0.1 · e/(e + tol), rounding to 1.0 in f32
    // only some 10^5 ranges out (clamped below 1 at the end)
    if (e > 0) sc = 1 - (1 - NOVEL_BASE) * (tol / (e + tol));
    const rlo = feature(s).recentLo, rhi = feature(s).recentHi;
    if (rhi > rlo) {
      const er = max<f32>(v - rhi, rlo - v) / (rhi - rlo) - RECENT_MARGIN;
      if (er > 0) sc = max<f32>(sc, RECENT_BASE + RECENT_SPAN * (er / (er + RECENT_TOL)));
    }
    // a spike that came back: its evidence, recorded when it jumped
    const last = feature(s).last;
    const jumpAt = JUMP * feature(s).step; // 0 until a change was seen: no jumps then
    const back = Mathf.abs(v - last) <= jumpAt;
    if (back && feature(s).jumps != 0) {
      const es = feature(s).spike;
      if (es > 0) sc = max<f32>(sc, 1 - (1 - NOVEL_BASE) * (tol / (es + tol)));
    }
    if (sc > novel) {
      novel = sc;
      surpriseFeature = <i32>i;
    }
    const pb = feature(s).previousBin;
    if (!binValid(pb)) continue;
    const row = s + F_CNT + (<usize>(pb * BINS) << 1);
    const c = <f32>load<u16>(row + (<usize>binOf(v, lo, hi) << 1));
    const tot = <f32>rowTotal(row);
    const p = (c + <f32>0.5) / (tot + <f32>0.5 * <f32>BINS);
    const r = <f32>1 - p;
    // a jump along a transition this feature has (almost) never made may be a spike
    if (!back && jumpAt > 0 && p < JUMP_RARE) store<f32>(SPIKE_E + (<usize>i << 2), Mathf.abs(v - last) / jumpAt - 1);
    sum += r;
    k++;
    if (novel == 0 && r > best) {
      best = r;
      surpriseFeature = <i32>i;
    }
  }
  lastScored = k > 0;
  lastMeanSurprise = k > 0 ? sum / <f32>k : 0;
  // windowed mean: the ring holds the last WINDOW means; this one replaces the oldest
  const n = head(m).n;
  const ri = ringNext(m);
  const ringSum = head(m).ringSum - load<f32>(m + O_RING + (<usize>ri << 2)) + lastMeanSurprise;
  const avg = ringSum / <f32>min<u32>(n + 1, <u32>WINDOW);
  const sd = Mathf.sqrt(head(m).longVar);
  let lik: f32 = 0;
  if (head(m).longN > 1 && sd > 0) {
    const sur = tailDecades((avg - head(m).longMean) / max<f32>(sd, 1e-4));
    lik = sur / (sur + 4);
  }
  let score = min<f32>(max<f32>(novel, lik), MAX_SCORE);
  if (n < warm) score = 0;
  if (head(m).rest > 0) score *= REST_DAMP;
  if (score == 0) surpriseFeature = -1;
  return score;
}

/** Applies the reading scored last (same x): the long-run statistics and the damping always,
 * the range and the transition table unless `keepOut` (a protected reading) or, feature by
 * feature, a far jump not yet a level (below). */
export function surpriseCommitTo(m: usize, x: usize, score: f32, keepOut: bool, alpha: f32, decay: f32): void {
  const nf = head(m).nf;
  const n = head(m).n + 1;
  head(m).n = n;
  // ring and long-run statistics of the windowed surprise
  const ri = ringNext(m);
  const pr = m + O_RING + (<usize>ri << 2);
  const ringSum = head(m).ringSum - load<f32>(pr) + lastMeanSurprise;
  store<f32>(pr, lastMeanSurprise);
  head(m).ringSum = ringSum;
  head(m).ringNext = ri + 1 == <u32>WINDOW ? 0 : ri + 1;
  if (lastScored) {
    const avg = ringSum / <f32>min<u32>(n, <u32>WINDOW);
    const ln = head(m).longN + 1;
    head(m).longN = ln;
    const a = max<f32>(alpha, <f32>1 / <f32>ln);
    const d = avg - head(m).longMean;
    head(m).longMean = head(m).longMean + a * d;
    head(m).longVar = (1 - a) * (head(m).longVar + a * d * d);
  }
  // damping after a strong score
  const rest = head(m).rest;
  head(m).rest = rest > 0 ? rest - 1 : score >= REST_TRIGGER ? REST : 0;
  for (let i: u32 = 0; i < nf; i++) spikeCommit(m, slot(m, i), load<f32>(x + (<usize>i << 2)), load<f32>(SPIKE_E + (<usize>i << 2)));
  // protected readings stay out of what counts as normal, a bounded number in a row
  if (keepOut) {
    head(m).protectedRun = head(m).protectedRun + 1;
    return;
  }
  head(m).protectedRun = 0;
  for (let i: u32 = 0; i < nf; i++) {
    const s = slot(m, i);
    const v = load<f32>(x + (<usize>i << 2));
    let lo = feature(s).lo, hi = feature(s).hi;
    // A jump (spikeCommit above) that lands more than a range width beyond the range, and is not
    // yet a new level, shapes nothing that counts as normal: one sentinel reading (a DS18B20's
    // 85.0 or −127, 65535 from a failed read) widened the range for good, and with it every bin,
    // so the transitions and spikes of the sensor's real values all fell in one bin and went
    // unseen. A level that stays is learned from its JUMP_RUN-th reading on, and a nearer spike
    // widens the range as before (a spike that repeats stops being novel).
    if (feature(s).jumps != 0 && max<f32>(v - hi, lo - v) > hi - lo) continue;
    let rlo = feature(s).recentLo, rhi = feature(s).recentHi;
    const pb = feature(s).previousBin;
    if (n == 1) {
      lo = v;
      hi = v;
      rlo = v;
      rhi = v;
    }
    const w = decay * (rhi - rlo);
    feature(s).recentLo = min<f32>(v, rlo + w);
    feature(s).recentHi = max<f32>(v, rhi - w);
    let b: i32 = -1;
    if (hi > lo) {
      b = binOf(v, lo, hi);
      if (binValid(pb)) countTransition(s, pb, b);
    }
    feature(s).previousBin = b;
    feature(s).lo = min<f32>(lo, v);
    feature(s).hi = max<f32>(hi, v);
  }
}

/** Transitions counted in a row of the table. */
function rowTotal(row: usize): u32 {
  let t: u32 = 0;
  for (let j = 0; j < BINS; j++) t += load<u16>(row + (<usize>j << 1));
  return t;
}

function countTransition(s: usize, from: i32, to: i32): void {
  const row = s + F_CNT + (<usize>(from * BINS) << 1);
  const pc = row + (<usize>to << 1);
  store<u16>(pc, load<u16>(pc) + 1);
  if (rowTotal(row) <= ROW_CAP) return;
  for (let j = 0; j < BINS; j++) {
    const p = row + (<usize>j << 1);
    store<u16>(p, load<u16>(p) >> 1);
  }
}

/** The spike statistics of slot s (section m) learn value v (every committed reading, kept out
 * or not); e: the evidence scoring gave it as a spike (0: none). */
function spikeCommit(m: usize, s: usize, v: f32, e: f32): void {
  const last = feature(s).last;
  if (isNaN(last)) {
    feature(s).last = v;
    return;
  }
  const d = Mathf.abs(v - last);
  const step = feature(s).step;
  if (d > JUMP * step && step > 0) {
    const bits = reinterpret<u32>(v);
    const jumps = feature(s).jumps;
    if (jumps == PARKED && feature(s).firstJump == bits) return; // the fault code goes on
    // a parked run broken by another far value starts a new run there
    const j: u32 = jumps == PARKED ? 1 : jumps + 1;
    if (j == 1) feature(s).firstJump = bits;
    else if (feature(s).firstJump != bits) feature(s).firstJump = VARIED;
    if (j < JUMP_RUN) {
      feature(s).jumps = j;
      if (j == 1) feature(s).spike = e;
      return;
    }
    // the JUMP_RUN-th: a far value repeated exactly parks, unless it parked before
    const lo = feature(s).lo, hi = feature(s).hi;
    if (feature(s).firstJump == bits && max<f32>(v - hi, lo - v) > hi - lo && head(m).parkedMark != bits + 1) {
      feature(s).jumps = PARKED;
      feature(s).spike = 0; // its end is not a spike: its start was scored
      head(m).parkedMark = bits + 1;
      return;
    }
  }
  // back, or a new level: `last` moves to v
  feature(s).jumps = 0;
  feature(s).spike = 0;
  feature(s).last = v;
  if (d > 0) feature(s).step = step == 0 ? d : step + JUMP_ALPHA * (d - step);
}

/** May the next anomalous reading still be kept out (fewer than `run` kept out in a row)? */
export function surpriseMayProtect(m: usize, run: u32): bool {
  return head(m).protectedRun < run;
}

/** True once the detector scores (past its warm-up). */
export function surpriseReady(m: usize, warm: u32): bool {
  return head(m).n >= warm;
}

/** Is feature slot s parked on value v (the fault code it repeats)? */
@inline function parkedOn(s: usize, v: f32): bool {
  return feature(s).jumps == PARKED && feature(s).firstJump == reinterpret<u32>(v);
}

// ---- the model interface (models/model.ts) ----------------------------------------------

@inline function score(m: usize, x: usize): f32 {
  return surpriseScoreOf(m, x, param(P_NOVELTY_TOL), <u32>param(P_SCORE_WARMUP));
}

export function surprisePredict(m: usize, x: usize): void {
  const s = score(m, x);
  setPrediction(s, s, NaN, NaN, surpriseFeature, !surpriseReady(m, <u32>param(P_SCORE_WARMUP)), surpriseMayProtect(m, <u32>param(P_PROTECT_RUN)));
}

/** Applies the reading just scored: the score's own statistics always, the range and the
 * transition table unless keepOut. */
export function surpriseCommit(m: usize, x: usize, s: f32, keepOut: bool): void {
  surpriseCommitTo(m, x, s, keepOut, param(P_LIKELIHOOD_ALPHA), param(P_RECENT_DECAY));
}

/** Learns a reading it has not scored (the background model). */
export function surpriseLearn(m: usize, x: usize): void {
  surpriseCommit(m, x, score(m, x), false);
}
