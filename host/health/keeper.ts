// The keeper ties a device pool to durable state: restore on start, checkpoints by policy, the
// rollback guard, manual snapshot/rollback, and the shutdown flush. The service calls it at
// these points and publishes what it reports; the keeper never sees a raw reading, only output
// records (what the model said) and blobs.

import type { Kind, Output } from "../learner/index.js";
import { CheckpointPolicy, DEFAULT_CHECKPOINT, type CheckpointPolicyOptions } from "../store/policy.js";
import { pickValid, restoreAll, type BlobValidator, type RestoreResult } from "../store/restore.js";
import type { CheckpointMeta, CheckpointRequest, StateStore } from "../store/types.js";
import { RollbackGuard, lossOf, type GuardOptions, type GuardStatus } from "./guard.js";

/** Where the device states live while the host runs (LearnerPool fits). */
export interface BlobHolder {
  /** The device's current blob (a copy), or undefined for an unknown device. */
  blob(device: string): Uint8Array | undefined;
  /** Replaces (or adds) the device's state; 0 or the module's error code (nothing changed). */
  add(device: string, blob: Uint8Array): number;
}

export type KeeperEvent =
  | { type: "rollback"; device: string; reason: "guard" | "command"; toSeq: number; readings: number; rollbacks: number }
  | { type: "rollback-failed"; device: string; reason: string }
  | { type: "drift-confirmed"; device: string }
  | { type: "checkpoint-failed"; device: string; error: string };

export interface KeeperOptions {
  checkpoint?: CheckpointPolicyOptions;
  guard?: Partial<GuardOptions>;
  log?: (msg: string) => void;
  /** Told of rollbacks, confirmed drifts and failures (the service publishes them on health). */
  onEvent?: (e: KeeperEvent) => void;
  /** Clock for the checkpoint policy (default Date.now). */
  now?: () => number;
}

export interface DeviceDurability {
  lastCheckpoint?: { seq: number; time: number; readings: number; knownGood: boolean };
  unsaved: number;
  rollbacks: number;
  guard: GuardStatus;
}

export class Keeper {
  readonly policy: CheckpointPolicy;
  private readonly guards = new Map<string, RollbackGuard>();
  private readonly readings = new Map<string, number>();
  private readonly last = new Map<string, CheckpointMeta>();
  private readonly log: (msg: string) => void;
  private readonly emit: (e: KeeperEvent) => void;
  private readonly now: () => number;
  private closed = false;

  constructor(
    readonly store: StateStore,
    readonly pool: BlobHolder,
    readonly validate: BlobValidator,
    private readonly opts: KeeperOptions = {},
  ) {
    this.policy = new CheckpointPolicy(opts.checkpoint ?? DEFAULT_CHECKPOINT);
    this.log = opts.log ?? (() => {});
    this.emit = opts.onEvent ?? (() => {});
    this.now = opts.now ?? Date.now;
    new RollbackGuard(opts.guard); // validates the options once, up front
  }

  /** Loads every stored device into the pool (newest valid checkpoint each). */
  restore(): RestoreResult[] {
    const results = restoreAll(this.store, this.validate, this.log);
    for (const r of results) {
      if (!r.restored) continue;
      const code = this.pool.add(r.device, r.restored.blob);
      if (code !== 0) {
        this.log(`device ${r.device}: checkpoint ${r.restored.meta.seq} validated but did not load (${code}); starting fresh`);
        continue;
      }
      this.readings.set(r.device, r.restored.meta.readings);
      this.last.set(r.device, r.restored.meta);
    }
    return results;
  }

  private guard(device: string): RollbackGuard {
    let g = this.guards.get(device);
    if (!g) this.guards.set(device, (g = new RollbackGuard(this.opts.guard)));
    return g;
  }

  /**
   * After each reading the device's model processed (its output record, model kind and reading
   * time in ms). May roll the device back or checkpoint it; returns true when it rolled back.
   */
  learned(device: string, kind: Kind | number, out: Output, readingTime: number): boolean {
    if (this.closed) return false;
    this.readings.set(device, (this.readings.get(device) ?? 0) + 1);
    const verdict = this.guard(device).observe(lossOf(kind, out), out.flags, readingTime);
    if (verdict === "drift-confirmed") {
      this.emit({ type: "drift-confirmed", device });
      this.checkpoint([device]);
    } else if (verdict === "rollback") {
      return this.rollback(device, "guard");
    }
    if (this.policy.learned(device, this.now())) this.checkpoint([device]);
    return false;
  }

  /** Checkpoints devices whose unsaved learning is older than the policy's T (call on a timer). */
  tick(): number {
    if (this.closed) return 0;
    const due = this.policy.dueByTime(this.now());
    return due.length ? this.checkpoint(due).length : 0;
  }

  /** Writes the given devices' current states in one transaction; failures are reported, not thrown. */
  checkpoint(devices: string[]): CheckpointMeta[] {
    const items: CheckpointRequest[] = [];
    for (const device of devices) {
      const blob = this.pool.blob(device);
      if (!blob) continue;
      items.push({ device, blob, readings: this.readings.get(device) ?? 0, knownGood: this.guard(device).checkpoint() });
    }
    if (items.length === 0) return [];
    try {
      const metas = this.store.checkpointMany(items);
      for (const m of metas) {
        this.last.set(m.device, m);
        this.policy.saved(m.device);
      }
      return metas;
    } catch (e) {
      const error = (e as Error)?.message ?? String(e);
      this.log(`checkpoint of ${items.length} device(s) failed: ${error}; the states stay in memory and are retried`);
      for (const it of items) this.emit({ type: "checkpoint-failed", device: it.device, error });
      return [];
    }
  }

  /** Command `snapshot`: checkpoint now. */
  snapshot(device: string): CheckpointMeta | undefined {
    return this.checkpoint([device])[0];
  }

  /**
   * Rolls the device back to its newest known-good checkpoint the module accepts, and records that
   * state as the newest checkpoint, so a crash right after cannot bring the bad state back.
   */
  rollback(device: string, reason: "guard" | "command"): boolean {
    const pick = pickValid(this.store, device, this.validate, this.log, true);
    const g = this.guard(device);
    if (!pick.restored) {
      g.restart();
      this.emit({ type: "rollback-failed", device, reason: "no valid known-good checkpoint" });
      return false;
    }
    const code = this.pool.add(device, pick.restored.blob);
    if (code !== 0) {
      this.emit({ type: "rollback-failed", device, reason: `load refused (${code})` });
      return false;
    }
    if (reason === "command") {
      g.restart();
      g.rollbacks++;
    }
    const readings = pick.restored.meta.readings;
    this.readings.set(device, readings);
    this.policy.saved(device);
    try {
      this.last.set(device, this.store.checkpoint(device, pick.restored.blob, readings, true));
    } catch (e) {
      this.log(`device ${device}: recording the rollback failed: ${(e as Error)?.message ?? e}`);
    }
    const rollbacks = g.rollbacks;
    this.log(`device ${device}: rolled back (${reason}) to checkpoint ${pick.restored.meta.seq} (${readings} readings)`);
    this.emit({ type: "rollback", device, reason, toSeq: pick.restored.meta.seq, readings, rollbacks });
    return true;
  }

  /** The device was reset or removed: forget its guard and pending state. */
  forget(device: string, purge = false): void {
    this.guards.delete(device);
    this.readings.delete(device);
    this.policy.saved(device);
    this.last.delete(device);
    if (purge) this.store.remove(device);
  }

  status(device: string): DeviceDurability {
    const m = this.last.get(device);
    const g = this.guard(device);
    return {
      lastCheckpoint: m && { seq: m.seq, time: m.time, readings: m.readings, knownGood: m.knownGood },
      unsaved: this.policy.unsaved(device),
      rollbacks: g.rollbacks,
      guard: g.status(),
    };
  }

  /** Graceful shutdown: checkpoint every device with unsaved learning, then close the store. */
  close(): number {
    if (this.closed) return 0;
    const n = this.checkpoint(this.policy.pending()).length;
    this.closed = true;
    this.store.close();
    return n;
  }
}
