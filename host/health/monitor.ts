// Per-device rollback guards and their wiring into the service: every reading's output feeds the
// device's guard; a checkpoint is known-good only when the guard says the device is healthy; when
// the guard calls for it the device rolls back to its newest known-good checkpoint, that state is
// checkpointed at once by the rollback itself (so a crash right after cannot bring the bad state
// back), and the device's health (retained, edgelearn/<device>/health) goes out with the rollback
// count and reason.
//
// The guards live in memory only. After a restart the store still knows which checkpoints are
// known-good (health reports the newest at once), but each guard starts afresh: no baseline and
// not on probation, so it judges nothing until its first known-good checkpoint, and that one is
// known-good whatever the loss. Keeping mode, baseline and probation progress across restarts
// needs them stored with each checkpoint.
// What that costs: a device comes back from its newest checkpoint, known-good or not. A restart
// during a burst of bad data (on probation, or degraded before the guard acted) resumes the
// burst's model, judges it against nothing for `warmup` readings, then makes it known-good with
// its loss as the baseline; later rollbacks go back to it, not to the model before the burst.
// Starting such a guard on probation is no cure: the store cannot tell a change on probation
// from a device still in its warmup, whose checkpoints are not known-good either.

import type { Config } from "../config/types.js";
import type { Learner, Output } from "../learner/index.js";
import type { CheckpointMeta } from "../store/types.js";
import { ReleasedStats } from "../privacy/aggregate.js";
import { RollbackGuard, lossOf, type GuardOptions, type GuardStatus, type Verdict } from "./guard.js";

/** What the monitor needs from the service (host/service/service.ts implements it). */
export interface GuardedService {
  readonly events: {
    on(e: "reading", f: (device: string, flags: number, learner: Learner) => void): unknown;
    on(e: "rollback", f: (device: string, meta: CheckpointMeta) => void): unknown;
    on(e: "checkpoint", f: (meta: CheckpointMeta) => void): unknown;
    on(e: "reset" | "forget", f: (device: string) => void): unknown;
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

  /** One reading's output (the learner's last record): what the device's guard decides. */
  observe(device: string, learner: Learner, flags: number, ts = this.now()): Verdict {
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
    service.events.on("reading", (device, flags, learner) => {
      if (this.observe(device, learner, flags) !== "rollback") return;
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
      if (!byGuard) {
        const g = this.guard(device);
        g.restart();
        g.rollbacks++;
      }
      this.releasedOf(device).level.restart(false);
      this.rollbacks++;
      this.last.set(device, { ts: this.now(), reason: byGuard ? "guard" : "command", to_seq: meta.seq, to_readings: meta.readings });
      service.publishHealth(true);
    });
    service.events.on("checkpoint", (m) => {
      if (m.knownGood) this.knownGoodAt.set(m.device, { seq: m.seq, time: m.time, readings: m.readings });
    });
    service.events.on("reset", (device) => this.forget(device));
    service.events.on("forget", (device) => {
      this.forget(device);
      this.last.delete(device);
    });
    service.addHealthFields((device) => this.health(device));
    return this;
  }
}
