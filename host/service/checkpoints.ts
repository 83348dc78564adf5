// Durable state: when a device's blob is written to the store (the checkpoint policy: every N
// readings, every S seconds, on command, at shutdown), and going back to an earlier blob
// (rollback). A failing store (a full disk) does not stop learning: writes are retried now and
// then (host/store/write-state.ts) and the failure shows in the host's health.

import { errorName } from "../learner/index.js";
import type { Config } from "../config/types.js";
import type { CheckpointMeta, CheckpointRequest, StateStore } from "../store/types.js";
import { CheckpointPolicy } from "../store/policy.js";
import { pickValid } from "../store/restore.js";
import { StoreWriteState, isDiskFull } from "../store/write-state.js";
import type { Device, ServiceCore } from "./core.js";
import type { DeviceLifecycle } from "./lifecycle.js";
import { ok, fail, unknownDevice, type Failed, type Result } from "./result.js";
import { modelFacts } from "./health-record.js";
import type { CheckpointJudge } from "./checkpoint-judge.js";

const NO_STORE = fail("no_store", "no store configured (store.type is none)");

/** The policy `config.store.checkpoint` asks for; none without a store or with both triggers off. */
export function defaultPolicy(config: Config, store: StateStore | undefined): CheckpointPolicy | undefined {
  const c = config.store.checkpoint;
  if (!store || (c.everyReadings <= 0 && c.everySeconds <= 0)) return undefined;
  return new CheckpointPolicy({ everyReadings: c.everyReadings, everyMs: c.everySeconds * 1000 });
}

export class Checkpoints {
  /** Checkpoint writes failing (a full disk): learning goes on in memory, retried now and then. */
  readonly writes: StoreWriteState;
  /** When the last checkpoint was written (0: none yet). */
  lastTime = 0;

  constructor(
    private readonly core: ServiceCore,
    private readonly lifecycle: DeviceLifecycle,
    readonly store: StateStore | undefined,
    readonly policy: CheckpointPolicy | undefined,
    /** Decides whether a checkpoint is known-good and what of the guard it keeps (the rollback guard). */
    private readonly judge: CheckpointJudge,
  ) {
    this.writes = new StoreWriteState(core.log.child("store"));
  }

  /** After a learned reading: writes the device's checkpoint when the policy says it is due. */
  learned(name: string, now: number): void {
    if (this.policy?.learned(name, now)) this.checkpoint(name);
  }

  /** Writes the device's state to the store now. */
  checkpoint(name: string, knownGood?: boolean): Result<CheckpointMeta> {
    const { core } = this;
    if (!this.store) return NO_STORE;
    const d = core.pool.get(name);
    if (!d) return unknownDevice(name);
    if (!this.writes.mayTry(core.now())) return this.unavailable();
    const item = this.request(d, knownGood);
    if (!item) return fail("no_model", `device ${name} has no model yet`);
    let meta: CheckpointMeta;
    try {
      [meta] = this.store.checkpointMany([item]);
    } catch (e) {
      this.failed(e);
      return this.unavailable();
    }
    this.writes.succeeded(core.now());
    this.written(d, meta);
    return ok(meta);
  }

  /**
   * The device's state was replaced (reset, rollback, a loaded blob): written at once, so neither
   * a restart nor a kill brings back what it replaced. When the store cannot take it now the device
   * stays pending, for the periodic and the shutdown checkpoints.
   */
  replaced(name: string, knownGood?: boolean): void {
    const d = this.core.pool.get(name);
    if (!this.store || !d?.hasModel) return;
    this.policy?.changed(name, this.core.now());
    this.checkpoint(name, knownGood);
  }

  /** Checkpoints several devices in one store transaction: how many were written (devices without a model are skipped). */
  checkpointMany(names: Iterable<string>, force = false): Result<number> {
    const { core } = this;
    if (!this.store) return NO_STORE;
    if (!this.writes.mayTry(core.now(), force)) return this.unavailable();
    const items: CheckpointRequest[] = [];
    const devs: Device[] = [];
    for (const n of names) {
      const d = core.pool.get(n);
      const item = d && this.request(d);
      if (!d || !item) continue;
      items.push(item);
      devs.push(d);
    }
    if (items.length === 0) return ok(0);
    let metas: CheckpointMeta[];
    try {
      metas = this.store.checkpointMany(items);
    } catch (e) {
      this.failed(e);
      return this.unavailable();
    }
    this.writes.succeeded(core.now());
    metas.forEach((m, i) => this.written(devs[i], m));
    return ok(metas.length);
  }

  /** The policy's timer: checkpoints the devices whose time is due. */
  due(): void {
    if (!this.policy) return;
    try {
      const due = this.policy.dueByTime(this.core.now());
      if (due.length) this.checkpointMany(due);
    } catch (e) {
      this.core.log.child("store").error(`checkpoint failed: ${(e as Error).message}`);
    }
  }

  /** At shutdown: every device with something not yet checkpointed, in one transaction. */
  flush(): void {
    if (!this.store) return;
    const log = this.core.log;
    try {
      const pending = this.policy ? this.policy.pending() : [...this.core.pool.names()];
      const r = this.checkpointMany(pending, true);
      log.info(`shutdown: ${r.ok ? r.value : 0} device checkpoints flushed`);
      const f = this.writes.failure;
      if (f) log.error(`shutdown: the store cannot take checkpoints (${f.error}); what was learned since each device's last checkpoint is lost`);
    } catch (e) {
      log.error(`shutdown checkpoint failed: ${(e as Error).message}`);
    }
  }

  /**
   * Deletes the device's checkpoints (forget, reset with purge) before anything else of it
   * changes: when the store cannot delete now (a full disk) the device stays as it was and the
   * command says why, instead of being forgotten in memory while its checkpoints bring it back at
   * the next start.
   */
  purge(name: string): Result<void> {
    if (!this.store) return ok(undefined);
    if (!this.core.pool.get(name)) return unknownDevice(name);
    try {
      this.store.remove(name);
    } catch (e) {
      const why = isDiskFull(e) ? "disk full" : String((e as Error)?.message ?? e).slice(0, 200);
      return fail("store_unavailable", `device ${name}: its checkpoints cannot be deleted now (${why}); nothing was changed`);
    }
    return ok(undefined);
  }

  /** Back to the newest known-good checkpoint (or a given seq): the checkpoint gone back to. */
  rollback(name: string, seq?: number): Result<CheckpointMeta> {
    const { core } = this;
    if (!this.store) return NO_STORE;
    const d = core.pool.get(name);
    if (!d) return unknownDevice(name);
    const spare = core.pool.spare();
    let target;
    if (seq !== undefined) {
      target = this.store.candidates(name).find((c) => c.meta.seq === seq);
      if (!target) return fail("no_checkpoint", `device ${name} has no checkpoint ${seq}`);
    } else {
      target = pickValid(this.store, name, (b) => spare.validate(b), (m) => core.log.warn(m), true).restored;
      if (!target) return fail("no_checkpoint", `device ${name} has no known-good checkpoint`);
    }
    const r = this.lifecycle.install(d, target.blob, target.features);
    if (r !== 0) return fail("refused", `checkpoint ${target.meta.seq} refused: ${errorName(r)}`);
    d.meta.stats.restart(false);
    d.meta.dirty = true;
    this.judge.rollingBack?.(name);
    core.log.info(`device ${name}: rolled back to checkpoint ${target.meta.seq} (${target.meta.readings} readings)`);
    // The state gone back to is known-good: it becomes the newest checkpoint.
    this.replaced(name, true);
    core.emit("rollback", name, target.meta);
    return ok(target.meta);
  }

  private unavailable(): Failed {
    return fail("store_unavailable", `the store cannot take checkpoints now (${this.writes.failure?.error ?? "retrying later"})`);
  }

  private failed(e: unknown): void {
    this.writes.failed(e, this.core.now());
    this.core.hostDirty = true;
  }

  private written(d: Device, meta: CheckpointMeta): void {
    d.meta.lastCheckpoint = meta;
    d.meta.dirty = true;
    this.lastTime = meta.time;
    this.policy?.saved(d.name);
    this.core.emit("checkpoint", meta);
  }

  /**
   * What a checkpoint of the device holds: its blob, and beside it the timestamp of its last learned
   * reading, its feature names and its guard's state (a restart continues from them). Undefined
   * without a model.
   */
  private request(d: Device, knownGood?: boolean): CheckpointRequest | undefined {
    const blob = this.core.pool.snapshot(d);
    if (!blob) return undefined;
    const st = d.meta;
    const features = st.featureNames();
    const good = knownGood ?? this.judge.knownGood(d.name); // before the state: a known-good checkpoint moves the baseline
    const guard = this.judge.state?.(d.name);
    return {
      device: d.name,
      blob,
      readings: this.modelReadings(d),
      knownGood: good,
      ...(st.lastTs > 0 ? { lastTs: st.lastTs } : {}),
      ...(features ? { features } : {}),
      ...(guard ? { guard } : {}),
    };
  }

  /**
   * The readings the checkpointed model has seen, from the model itself whether the device is hot
   * or at rest: the host's own count (d.meta.readings) starts at 0 with each process, counts
   * payloads refused before the model, and does not go back with a reset or rollback.
   */
  private modelReadings(d: Device): number {
    return modelFacts(this.core.pool, d)?.readings ?? 0;
  }
}
