// The rollback guard: per device, a rolling loss compared with its level at the last known-good
// checkpoint. Pure: fed one output per reading, it answers what to do; the service carries it out
// (load the known-good blob, publish on edgelearn/<device>/health, count).
//
// Bad data and real drift both raise the error, and only time tells them apart: bad data ends
// (the sensor is recalibrated, the burst passes) and the old model is right again; real drift
// stays. So:
//   healthy    loss ≤ okFactor × baseline: checkpoints are known-good, the baseline follows them.
//   degraded   loss > factor × baseline with no drift signalled by the module: roll back to
//              known-good, and put the change on probation.
//   probation  an unconfirmed change (degradation, or DRIFT from the module's detector): the model
//              is left to adapt, but nothing it learns is known-good yet. The change is confirmed
//              (baseline moves to the new level, known-good resumes) once it has held for
//              `confirmReadings` readings and `confirmMs` of reading time. If instead the loss
//              degrades against the level the adapted model reached (or drift is signalled again)
//              before that, the change was a burst that ended: roll back to the pre-change model,
//              which fits the data again at once, instead of re-learning it.
// `maxRollbacks` in a row without a healthy checkpoint between stops the rolling back: the
// change then goes on probation as it is.
//
// Reading time is the readings' own timestamps, not the host's clock: a restart's downtime is not
// time the change held, and a replay of old data confirms as the data did. It is measured as the
// sum of the gaps between consecutive readings, a gap that goes backwards counting 0 and none
// more than a tenth of `confirmMs`: one reading stamped far ahead (a device with a bad clock, a
// gap of lost readings across a restart) cannot confirm a change on its own, and a clock that goes
// back does not stop the count.

import { Flag, Kind, REJECT_MASK, type Output } from "../learner/index.js";

export interface GuardOptions {
  /** Off: never rolls back; every checkpoint is known-good (default on). */
  enabled: boolean;
  /** Roll back when the rolling loss exceeds factor × baseline (default 2). */
  factor: number;
  /** A checkpoint is known-good only while the loss is ≤ okFactor × baseline (default 1.5). */
  okFactor: number;
  /** Half-life of the rolling loss, in readings (default 50). */
  halfLife: number;
  /** Readings after a start, rollback or drift before the loss is judged (default 200). */
  warmup: number;
  /** Absolute floor under the baseline, so a near-perfect model is not judged on noise (default 1e-6). */
  floor: number;
  /** Readings a change must hold before it is a confirmed drift (default 7200). */
  confirmReadings: number;
  /**
   * And reading time, ms (default 2 h): a burst shorter than this is rolled back when it ends.
   * One gap between readings counts for at most a tenth of it (see above).
   */
  confirmMs: number;
  /** Rollbacks in a row (no healthy checkpoint between) before a change is put on probation (default 3). */
  maxRollbacks: number;
}

export const DEFAULT_GUARD: GuardOptions = {
  enabled: true,
  factor: 2,
  okFactor: 1.5,
  halfLife: 50,
  warmup: 200,
  floor: 1e-6,
  confirmReadings: 7200,
  confirmMs: 2 * 3600_000,
  maxRollbacks: 3,
};

/** No gap between two readings counts for more than confirmMs / this, towards the confirmation. */
export const GAP_SHARE = 10;

export type Verdict = "ok" | "rollback" | "drift-confirmed";
export type GuardMode = "healthy" | "probation";

/**
 * What a checkpoint keeps of a guard, so that a restart goes on judging where it stopped (JSON:
 * NaN and infinity are null). `level` and `baseline` are loss statistics: `save` leaves them out
 * while fewer than `minScored` readings are behind them (host/privacy/aggregate.ts).
 * `probation_ms` is the reading time the change on probation has held, `last_ts` the timestamp of
 * the last reading (the next gap is measured from it). Version 1 kept the host time at which the
 * probation started instead; it is still read, with the probation's reading time starting again.
 */
export type GuardRecord = {
  v: 2;
  mode: GuardMode;
  level: number | null;
  baseline: number | null;
  scored: number;
  since: number;
  probation_ms: number;
  last_ts: number | null;
  probation_ref: number | null;
  in_a_row: number;
  rollbacks: number;
  confirmed_drifts: number;
};

export interface GuardStatus {
  mode: GuardMode;
  /** Rolling loss (NaN before the first scored reading). */
  level: number;
  /** Loss level at the last known-good checkpoint (NaN until there is one). */
  baseline: number;
  rollbacks: number;
  confirmedDrifts: number;
  healthy: boolean;
}

/** The loss the guard watches, from one output record; NaN when the reading was not scored. */
export function lossOf(kind: Kind | number, o: Output): number {
  // A refused reading or target is not the model's loss: AR and MEAN still predict (and AR
  // scores) a target its tests refuse, but the module's own metrics leave it out too.
  if (o.flags & (REJECT_MASK | Flag.RejBadTarget) || !(o.flags & Flag.Predicted)) return Number.NaN;
  switch (kind) {
    case Kind.Linear:
    case Kind.AR:
      return Math.abs(o.error);
    case Kind.Logistic:
      return o.error;
    case Kind.HalfSpace:
    case Kind.Surprise:
      return o.flags & Flag.Anomaly ? 1 : 0;
    case Kind.KMeans:
      return o.extra;
    default:
      return Math.abs(o.error);
  }
}

export class RollbackGuard {
  readonly opts: GuardOptions;
  private mode: GuardMode = "healthy";
  private level = Number.NaN;
  private baseline = Number.NaN;
  private scored = 0;
  /** Scored readings since the last start, rollback or probation start. */
  private since = 0;
  /** Reading time (ms) the change on probation has held. */
  private probMs = 0;
  /** The last reading's timestamp (NaN: none yet). */
  private lastT = Number.NaN;
  private probRef = Number.POSITIVE_INFINITY;
  private inARow = 0;
  /** Scored readings behind the baseline when it was set. */
  private baselineScored = 0;
  private readonly alpha: number;
  private readonly maxGap: number;
  rollbacks = 0;
  confirmedDrifts = 0;

  constructor(opts: Partial<GuardOptions> = {}) {
    this.opts = { ...DEFAULT_GUARD, ...opts };
    const o = this.opts;
    if (!(o.factor > 1 && o.okFactor >= 1 && o.okFactor <= o.factor)) {
      throw new RangeError(`guard: need factor > 1 and 1 ≤ okFactor ≤ factor (got ${o.factor}, ${o.okFactor})`);
    }
    if (!(o.halfLife >= 1 && o.warmup >= 0 && o.floor >= 0 && o.maxRollbacks >= 0)) {
      throw new RangeError("guard: halfLife ≥ 1, warmup, floor, maxRollbacks ≥ 0");
    }
    this.alpha = 1 - Math.pow(2, -1 / o.halfLife);
    this.maxGap = o.confirmMs / GAP_SHARE;
  }

  /** One reading's loss (see lossOf) and flags, and its timestamp `ts` (ms): what to do. */
  observe(loss: number, flags: number, ts: number): Verdict {
    if (!this.opts.enabled) return "ok";
    this.clock(ts); // every reading's time, scored or not
    if (!Number.isFinite(loss)) return "ok";
    this.scored++;
    this.since++;
    const a = Math.max(this.alpha, 1 / this.scored);
    this.level = Number.isNaN(this.level) ? loss : this.level + a * (loss - this.level);
    const drift = (flags & Flag.Drift) !== 0;
    const { factor, warmup, floor } = this.opts;
    const settled = this.since >= warmup;

    if (this.mode === "healthy") {
      if (Number.isNaN(this.baseline)) return "ok";
      if (drift) return this.probation();
      if (settled && this.level > factor * Math.max(this.baseline, floor)) {
        if (this.inARow >= this.opts.maxRollbacks) return this.probation();
        this.rollback();
        this.probation();
        return "rollback";
      }
      return "ok";
    }

    // probation: an unconfirmed change; the model adapts, nothing becomes known-good
    if (settled) this.probRef = Math.min(this.probRef, this.level);
    const ref = Math.max(this.probRef, floor);
    if (settled && Number.isFinite(this.probRef) && (drift || this.level > factor * ref)) {
      this.rollback(); // the change ended (or another began) before it was confirmed
      return "rollback";
    }
    if (
      settled &&
      this.since >= this.opts.confirmReadings &&
      this.probMs >= this.opts.confirmMs &&
      this.level <= factor * ref
    ) {
      this.mode = "healthy";
      this.baseline = this.level;
      this.inARow = 0;
      this.confirmedDrifts++;
      return "drift-confirmed";
    }
    return "ok";
  }

  /** Adds the gap since the previous reading to the probation's reading time (see the top of this file). */
  private clock(ts: number): void {
    if (!Number.isFinite(ts)) return;
    if (this.mode === "probation" && !Number.isNaN(this.lastT)) this.probMs += Math.min(Math.max(ts - this.lastT, 0), this.maxGap);
    this.lastT = ts;
  }

  private probation(): Verdict {
    this.mode = "probation";
    this.since = 0;
    this.probMs = 0;
    this.probRef = Number.POSITIVE_INFINITY;
    return "ok";
  }

  /** Back to the known-good model and its level; the next readings say how it fares now. */
  private rollback(): void {
    this.mode = "healthy";
    this.rollbacks++;
    this.inARow++;
    this.level = this.baseline;
    this.since = 0;
  }

  /** True while the device is healthy enough for a checkpoint to become known-good. */
  healthy(): boolean {
    if (!this.opts.enabled) return true;
    if (this.mode !== "healthy" || this.since < this.opts.warmup) return false;
    return Number.isNaN(this.baseline) || this.level <= this.opts.okFactor * Math.max(this.baseline, this.opts.floor);
  }

  /**
   * A checkpoint is being written: true when it is known-good. The baseline then becomes the
   * current level (it is what "good" looks like from now on).
   */
  checkpoint(): boolean {
    if (!this.healthy()) return false;
    if (this.opts.enabled && !Number.isNaN(this.level)) {
      this.baseline = this.level;
      this.baselineScored = this.scored;
    }
    this.inARow = 0;
    return true;
  }

  /** The device was reset or rolled back by hand: start judging afresh from the known-good level. */
  restart(): void {
    this.mode = "healthy";
    this.level = this.baseline;
    this.since = 0;
    this.inARow = 0;
  }

  /** The guard's state for a checkpoint; level and baseline only once `minScored` readings are behind each. */
  save(minScored = 1): GuardRecord {
    const num = (x: number, n: number) => (Number.isFinite(x) && n >= minScored ? x : null);
    return {
      v: 2,
      mode: this.mode,
      level: num(this.level, this.scored),
      baseline: num(this.baseline, this.baselineScored),
      scored: this.scored,
      since: this.since,
      probation_ms: this.probMs,
      last_ts: Number.isFinite(this.lastT) ? this.lastT : null,
      probation_ref: Number.isFinite(this.probRef) ? this.probRef : null,
      in_a_row: this.inARow,
      rollbacks: this.rollbacks,
      confirmed_drifts: this.confirmedDrifts,
    };
  }

  /**
   * Continues from a saved state (a restart): undefined, or why the record cannot be used (the
   * guard is then left as it was). A level left out by `save` starts again from the next reading,
   * with the counts that went before it; a baseline left out waits for the next known-good checkpoint.
   */
  resume(r: unknown): string | undefined {
    const why = recordProblem(r);
    if (why) return why;
    const g = r as GuardRecord | GuardRecordV1;
    this.mode = g.mode;
    this.level = g.level ?? Number.NaN;
    this.scored = g.level === null ? 0 : g.scored;
    this.baseline = g.baseline ?? Number.NaN;
    this.baselineScored = g.baseline === null ? 0 : g.scored;
    this.since = g.since;
    // A version 1 record's probation start is host time, not reading time: the count starts again.
    this.probMs = g.v === 2 ? g.probation_ms : 0;
    this.lastT = g.v === 2 ? (g.last_ts ?? Number.NaN) : Number.NaN;
    this.probRef = g.probation_ref ?? Number.POSITIVE_INFINITY;
    this.inARow = g.in_a_row;
    this.rollbacks = g.rollbacks;
    this.confirmedDrifts = g.confirmed_drifts;
    return undefined;
  }

  status(): GuardStatus {
    return {
      mode: this.mode,
      level: this.level,
      baseline: this.baseline,
      rollbacks: this.rollbacks,
      confirmedDrifts: this.confirmedDrifts,
      healthy: this.healthy(),
    };
  }
}

/** A record as version 1 kept it: the probation's start in host time. */
type GuardRecordV1 = Omit<GuardRecord, "v" | "probation_ms" | "last_ts"> & { v: 1; probation_start: number };

/** What is wrong with a stored guard record, or undefined. */
function recordProblem(r: unknown): string | undefined {
  if (typeof r !== "object" || r === null) return "not an object";
  const g = r as Record<string, unknown>;
  if (g.v !== 1 && g.v !== 2) return `version ${String(g.v)} (this one reads 1 and 2)`;
  if (g.mode !== "healthy" && g.mode !== "probation") return `mode ${String(g.mode)}`;
  const count = (k: string) => Number.isSafeInteger(g[k]) && (g[k] as number) >= 0;
  const bad = ["scored", "since", "in_a_row", "rollbacks", "confirmed_drifts"].find((k) => !count(k));
  if (bad) return `${bad} is not a count`;
  const lossOrNull = (k: string) => g[k] === null || (typeof g[k] === "number" && (g[k] as number) >= 0 && Number.isFinite(g[k]));
  const badLoss = ["level", "baseline", "probation_ref"].find((k) => !lossOrNull(k));
  if (badLoss) return `${badLoss} is not a loss level`;
  const time = (k: string) => typeof g[k] === "number" && Number.isFinite(g[k]);
  if (g.v === 1) return time("probation_start") ? undefined : "probation_start is not a time";
  if (!time("probation_ms") || (g.probation_ms as number) < 0) return "probation_ms is not a duration";
  if (g.last_ts !== null && !time("last_ts")) return "last_ts is not a time";
  return undefined;
}
