// Per-device rollback guards and their wiring into the service: every reading's output feeds the
// device's guard; a checkpoint is known-good only when the guard says the device is healthy; when
// the guard calls for it the device rolls back to its newest known-good checkpoint, that state is
// checkpointed at once by the rollback itself (so a crash right after cannot bring the bad state
// back), and the device's health (retained, edgelearn/<device>/health) goes out with the rollback
// count and reason.
//
// Each checkpoint keeps its guard's state beside the blob (`state`; host/store keeps it as it is),
// and a restart resumes each device's guard from the checkpoint it restored (`resume`): a restart
// in the middle of a burst of bad data stays on probation, and the model from before the burst
// stays the one a rollback goes back to. A checkpoint without it (written before it was kept)
// starts the guard afresh: no baseline, judging nothing until its first known-good checkpoint.
//
// A reset or a loaded blob makes the device's model a different one: its guard is forgotten, so
// the loss level and baseline of the model it replaced do not judge it (a loaded model worse than
// that baseline would be rolled back to the checkpoint before the load, undoing it). The
// checkpoint of the new state then keeps a fresh guard, and a restart resumes that.

import type { Config } from "../config/types.js";
import type { Learner, Output } from "../learner/index.js";
import type { CheckpointMeta } from "../store/types.js";
import { MIN_READINGS, ReleasedStats } from "../privacy/aggregate.js";
import { RollbackGuard, lossOf, type GuardOptions, type GuardRecord, type GuardStatus, type Verdict } from "./guard.js";

/** What the monitor needs from the service (host/service/service.ts implements it). */
export interface GuardedService {
  readonly events: {
    on(e: "reading", f: (device: string, flags: number, learner: Learner, published: boolean, ts: number) => void): unknown;
    on(e: "rollback", f: (device: string, meta: CheckpointMeta) => void): unknown;
    on(e: "checkpoint", f: (meta: CheckpointMeta) => void): unknown;
    on(e: "reset" | "load" | "forget", f: (device: string) => void): unknown;
  };
  /** Results as host/service/result.ts defines them (only `ok` and `error` are read here). */
  rollbackDevice(name: string): { ok: true; value: CheckpointMeta } | { ok: false; error: string };
  publishHealth(force: boolean): void;
  /** The device's checkpoints (host/store/types.ts); only the newest known-good one's metadata is read. */
  readonly store?: { lastKnownGood(device: string): { meta: CheckpointMeta } | undefined };
  addHealthFields(fn: (device: string) => Record<string, unknown>): void;
  readonly log: { info(m: string): void; warn(m: string): void };
}

/** Guard options from the configuration's `guard` section (host/config). */
export function guardOptions(c: Config["guard"]): Partial<GuardOptions> {
  return {
    enabled: c.enabled,
    factor: c.factor,
    okFactor: c.okFactor,
    halfLife: c.halfLifeReadings,
    warmup: c.warmupReadings,
    confirmReadings: c.confirmReadings,
    confirmMs: c.confirmSeconds * 1000,
    maxRollbacks: c.maxRollbacks,
  };
}

/** The guard's rolling loss, when defined (what a release copies). */
function liveLevel(g: RollbackGuard): number | undefined {
  const l = g.status().level;
  return Number.isFinite(l) ? l : undefined;
}

export interface LastRollback {
  ts: number;
  reason: "guard" | "command";
  to_seq: number;
  to_readings: number;
}

type KnownGood = { seq: number; time: number; readings: number };

/** A guard's record as a checkpoint keeps it, with the baseline as last published. */
export type StoredGuard = GuardRecord & { released_baseline: number | null };

export class HealthMonitor {
  private readonly guards = new Map<string, RollbackGuard>();
  /**
   * What may be published of each guard's loss level (host/privacy/aggregate.ts): the level as
   * last released, and the baseline as the released level current when the baseline was last
   * set (the exact baseline is the level at a checkpoint, at any reading: it is not published).
   */
  private readonly released = new Map<string, { level: ReleasedStats<number>; baseline: number | null }>();
  private readonly last = new Map<string, LastRollback>();
  /**
   * Each device's newest known-good checkpoint (null: none), the one a rollback goes back to: as
   * written since start, else read once from the store (after a restart it still holds it).
   */
  private readonly knownGoodAt = new Map<string, KnownGood | null>();
  private store: GuardedService["store"];
  private readonly out = {} as Output;
  private rolling: string | undefined;
  /** Rollbacks on this host since start (guard and command). */
  rollbacks = 0;
  failedRollbacks = 0;

  constructor(readonly opts: Partial<GuardOptions> = {}, private readonly now: () => number = Date.now) {
    new RollbackGuard(opts); // validates the options once, up front
  }

  guard(device: string): RollbackGuard {
    let g = this.guards.get(device);
    if (!g) this.guards.set(device, (g = new RollbackGuard(this.opts)));
    return g;
  }

  private releasedOf(device: string): { level: ReleasedStats<number>; baseline: number | null } {
    let r = this.released.get(device);
    if (!r) this.released.set(device, (r = { level: new ReleasedStats<number>(), baseline: null }));
    return r;
  }

  /** One reading's output (the learner's last record) and its timestamp: what the device's guard decides. */
  observe(device: string, learner: Learner, flags: number, ts: number): Verdict {
    learner.output(this.out);
    this.out.flags = flags;
    const loss = lossOf(learner.kind, this.out);
    const g = this.guard(device);
    const verdict = g.observe(loss, flags, ts);
    if (Number.isFinite(loss) && g.opts.enabled) {
      this.releasedOf(device).level.observe(liveLevel, g);
    }
    return verdict;
  }

  /** Asked at each checkpoint: is this one known-good? */
  knownGood(device: string): boolean {
    const good = this.guard(device).checkpoint();
    if (good) {
      const r = this.releasedOf(device);
      r.baseline = r.level.value ?? null;
    }
    return good;
  }

  /** What a checkpoint of the device keeps of its guard (undefined: the device has none yet). */
  state(device: string): StoredGuard | undefined {
    const g = this.guards.get(device);
    if (!g) return undefined;
    return { ...g.save(MIN_READINGS), released_baseline: this.released.get(device)?.baseline ?? null };
  }

  /** The device was restored from a checkpoint at start: its guard goes on from the state kept with it. */
  resume(device: string, record: Readonly<Record<string, unknown>> | undefined, log?: (m: string) => void): void {
    if (!record) return;
    const g = new RollbackGuard(this.opts);
    const why = g.resume(record);
    if (why) {
      log?.(`device ${device}: the guard state in its checkpoint cannot be used (${why}); the guard starts afresh`);
      return;
    }
    this.guards.set(device, g);
    const b = record.released_baseline;
    this.releasedOf(device).baseline = typeof b === "number" && Number.isFinite(b) ? b : null;
  }

  /**
   * The device is going back to an earlier checkpoint, before that state is written: a rollback
   * the guard did not call for (a command) restarts its judging from the known-good level.
   */
  rollingBack(device: string): void {
    if (this.rolling === device) return;
    const g = this.guard(device);
    g.restart();
    g.rollbacks++;
  }

  forget(device: string): void {
    this.guards.delete(device);
    this.released.delete(device);
    this.knownGoodAt.delete(device);
  }

  /** Fields added to the device's health object. */
  health(device: string): Record<string, unknown> {
    const g = this.guards.get(device);
    if (!g) return { rollbacks: 0, last_known_good: this.lastKnownGood(device) };
    const s: GuardStatus = g.status();
    const rel = this.releasedOf(device);
    const r = (x: number | null | undefined) => (x != null && Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);
    return {
      rollbacks: s.rollbacks,
      // level and baseline as released (host/privacy/aggregate.ts), never the live values
      guard: { state: s.mode, healthy: s.healthy, level: r(rel.level.value), baseline: r(rel.baseline), confirmed_drifts: s.confirmedDrifts },
      last_known_good: this.lastKnownGood(device),
      ...(this.last.has(device) ? { last_rollback: this.last.get(device) } : {}),
    };
  }

  private lastKnownGood(device: string): KnownGood | null {
    let k = this.knownGoodAt.get(device);
    if (k === undefined) {
      const m = this.store?.lastKnownGood(device)?.meta;
      this.knownGoodAt.set(device, (k = m ? { seq: m.seq, time: m.time, readings: m.readings } : null));
    }
    return k;
  }

  /** Wires the guards into a service. */
  attach(service: GuardedService): this {
    this.store = service.store;
    // The reading's own time, not the host's: the guard confirms a change by reading time.
    service.events.on("reading", (device, flags, learner, _published, ts) => {
      if (this.observe(device, learner, flags, ts) !== "rollback") return;
      this.rolling = device;
      try {
        const r = service.rollbackDevice(device);
        if (!r.ok) {
          this.failedRollbacks++;
          service.log.warn(`device ${device}: the rollback guard found the model degraded but cannot roll back: ${r.error}`);
          return;
        }
        service.log.warn(`device ${device}: error degraded past the guard's factor without a confirmed drift; rolled back to checkpoint ${r.value.seq}`);
      } finally {
        this.rolling = undefined;
      }
    });
    service.events.on("rollback", (device, meta) => {
      const byGuard = this.rolling === device;
      this.releasedOf(device).level.restart(false);
      this.rollbacks++;
      this.last.set(device, { ts: this.now(), reason: byGuard ? "guard" : "command", to_seq: meta.seq, to_readings: meta.readings });
      service.publishHealth(true);
    });
    service.events.on("checkpoint", (m) => {
      if (m.knownGood) this.knownGoodAt.set(m.device, { seq: m.seq, time: m.time, readings: m.readings });
    });
    service.events.on("reset", (device) => this.forget(device));
    service.events.on("load", (device) => this.forget(device));
    service.events.on("forget", (device) => {
      this.forget(device);
      this.last.delete(device);
    });
    service.addHealthFields((device) => this.health(device));
    return this;
  }
}
