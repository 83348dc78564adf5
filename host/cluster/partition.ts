// One partition while this worker owns it: load its devices' checkpoints, read its readings from
// the oldest checkpointed point (partition-reader.ts keeps that reading in order and complete),
// learn each one not yet in its device's state, publish outputs, and write checkpoints; give it
// back cleanly (release) or drop it at once (lost).
//
// Exactly-once learning, per device: a checkpoint records the stream sequence of the last reading
// in its state. On takeover the partition restarts at its floor (every reading at or below it is
// in some checkpoint) and each device skips readings at or below its own sequence. Learning is a
// pure function of the readings in order, so any writer's blob at sequence s is the same bytes.

import { headers, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import type { JetStreamManager, JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { ClusterConfig } from "../config/types.js";
import type { Logger } from "../logger.js";
import { modelFacts } from "../service/health-record.js";
import { decodeCheckpoint, decodeFloor, encodeCheckpoint, encodeFloor } from "./checkpoint.js";
import type { ClusterDevice, ClusterLearner, Outputs } from "./learn.js";
import type { Lease, LeaseTable } from "./leases.js";
import type { MqttBridge } from "./bridge.js";
import { clusterDeviceHealth } from "./device-health.js";
import { retrying } from "./nats.js";
import { PartitionReader } from "./partition-reader.js";
import { eventLoopTurns } from "./event-loop-turns.js";
import { streamName, badDeviceName, deviceOfKey, floorKey, modelKey, parseReadingSubject, partitionOf, type Subjects } from "./names.js";

export interface PartitionContext {
  worker: string;
  config: ClusterConfig;
  nc: NatsConnection;
  jsm: JetStreamManager;
  models: KV;
  leases: LeaseTable;
  learner: ClusterLearner;
  subjects: Subjects;
  /** Retained health goes through it (undefined: cluster.mqtt is off). */
  bridge: MqttBridge | undefined;
  log: Logger;
  counters: PartitionCounters;
}

export interface PartitionCounters {
  /** Readings skipped because their device's state already holds them (replay after a handover). */
  skipped: number;
  /** Readings whose subject's partition does not match FNV-1a(device) mod P (server mapping ≠ config). */
  wrongPartition: number;
  badName: number;
  checkpoints: number;
  /** Checkpoint writes refused because another writer's revision was newer. */
  conflicts: number;
  published: number;
  /** Breaks found in a consumer's delivery numbers (each makes the owner read again from its last reading). */
  deliveryGaps: number;
}

const WRITE_CONCURRENCY = 64;
/**
 * Writes of a forgotten record a forget may make while its device's readings keep arriving (each
 * write again covers the readings learned during the one before); a device busier than that is
 * not forgotten (the command fails).
 */
const MAX_FORGET_WRITES = 5;

/** The device pool cannot hold a partition's checkpointed devices: the worker must not own it. */
export class DevicePoolFull extends Error {
  constructor(p: number, devices: number, room: number, max: number) {
    super(
      `partition ${p} has ${devices} checkpointed devices this worker does not hold, and its device pool has room for ${room} ` +
        `(pool.maxDevices ${max}); it is left to a worker with room (raise pool.maxDevices or add workers)`,
    );
  }
}

/** One device's checkpoint on its way to the models bucket. */
interface CheckpointItem {
  d: ClusterDevice;
  /** Stream sequence of the last reading in the blob. */
  seq: number;
  /** The readings the blob's model has seen, by the model's own count. */
  readings: number;
  value: Uint8Array;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}

export class PartitionOwner {
  private readonly devices = new Set<ClusterDevice>();
  private dirty = new Set<ClusterDevice>();
  /** Stream sequence of the last reading handled (at first the floor): where reading resumes. */
  private lastSeq = 0;
  private closed = false;
  private writing: Promise<void> = Promise.resolve();
  private readonly reader: PartitionReader;
  private readonly hdrs: MsgHdrs;
  private warnedMapping = false;
  /** The stream holding this partition's readings (stream sequences, floor and checkpoints count in it). */
  private readonly stream: string;
  /** The lease this owner was started under; it acts only while that lease is current. */
  private readonly lease: Lease | undefined;
  /** Set when start() finished loading (handover time is measured to here). */
  loadedAt = 0;
  loadedDevices = 0;

  constructor(
    readonly p: number,
    private readonly ctx: PartitionContext,
  ) {
    this.stream = streamName(ctx.config.stream, ctx.config.streams, p);
    this.hdrs = headers();
    this.hdrs.set("Edgelearn-Worker", ctx.worker);
    // Which ownership published an output: partition and the revision that created the lease.
    this.lease = ctx.leases.held.get(p);
    this.hdrs.set("Edgelearn-Lease", `${p}.${this.lease?.epoch ?? 0}`);
    this.reader = new PartitionReader(
      { p, worker: ctx.worker, config: ctx.config, nc: ctx.nc, jsm: ctx.jsm, stream: this.stream, filter: ctx.subjects.partition(p), log: ctx.log },
      {
        handle: (m) => this.handle(m),
        mayAct: () => this.leaseValid(),
        expired: () => void this.lost("its lease expired before this reading (the worker was paused or cut off)"),
        resumeFrom: () => this.lastSeq + 1,
        gapFound: () => {
          ctx.counters.deliveryGaps++;
        },
      },
    );
  }

  /** Learning, acknowledging, publishing and writing are allowed (see LeaseTable.holds). */
  private leaseValid(): boolean {
    return this.ctx.leases.holds(this.lease);
  }

  /**
   * Loads checkpoints, creates this owner's consumer at the floor, starts learning. Loading is
   * retried while the lease holds and the consumer by the reader's watchdog, so a JetStream hiccup does
   * not hand the partition back (after a NATS node is lost, leaders are elected again and an old
   * nats-server may place a new consumer on the lost node: see retrying, PartitionReader). A loading
   * failure that outlasts the lease is thrown (the worker logs it and gives the partition back).
   */
  async start(): Promise<void> {
    try {
      await retrying(
        () => this.loadCheckpoints(),
        (e) => {
          if (this.closed || !this.leaseValid() || e instanceof DevicePoolFull) return false;
          this.ctx.log.warn(`partition ${this.p}: loading its checkpoints failed (${(e as Error).message}); trying again`);
          return true;
        },
      );
    } catch (e) {
      if (this.closed) return;
      if (e instanceof DevicePoolFull) throw e;
      throw new Error(`loading its checkpoints: ${(e as Error).message}`);
    }
    if (this.closed) return;
    const floor = this.lastSeq;
    const failed = await this.reader.begin(floor + 1);
    const pending = failed ? `; its consumer is not created yet (${failed.message}), trying again` : "";
    this.ctx.log.info(`partition ${this.p}: owned; ${this.devices.size} device checkpoints loaded, reading from stream sequence ${floor + 1}${pending}`);
  }

  /** The partition's floor and its devices' checkpoints, loaded into the pool. */
  private async loadCheckpoints(): Promise<void> {
    const { models, learner, log } = this.ctx;
    const floorEntry = await models.get(floorKey(this.p));
    const floor = floorEntry && floorEntry.operation === "PUT" ? decodeFloor(floorEntry.string()) : 0;
    const keys = await this.checkpointKeys();
    // Every checkpointed device must be in the pool before any reading is learned: one left out
    // would have its readings refused while the floor moves past them, and, created fresh once
    // there is room, its new model would replace the stored one.
    const pool = learner.pool;
    const toAdd = keys.reduce((n, k) => (pool.get(deviceOfKey(k)) ? n : n + 1), 0);
    if (toAdd > pool.maxDevices - pool.size) throw new DevicePoolFull(this.p, toAdd, pool.maxDevices - pool.size, pool.maxDevices);
    for (let i = 0; i < keys.length; i += WRITE_CONCURRENCY) {
      const entries = await Promise.all(keys.slice(i, i + WRITE_CONCURRENCY).map((k) => models.get(k)));
      for (const e of entries) {
        if (this.closed) return;
        if (!e || e.operation !== "PUT") continue;
        const name = deviceOfKey(e.key);
        const cp = decodeCheckpoint(e.value);
        const d = learner.device(name, this.p);
        if (!d) {
          // Partitions loading at the same time took the room counted above.
          if (pool.full) throw new DevicePoolFull(this.p, toAdd, 0, pool.maxDevices);
          continue; // a device the configuration no longer accepts: its readings are refused too
        }
        this.devices.add(d);
        d.meta.revision = e.revision;
        if (typeof cp !== "string" && cp.blob.length === 0) {
          // A forgotten device: no model, and its readings up to cp.seq stay forgotten.
          d.meta.seq = d.meta.savedSeq = cp.seq;
          continue;
        }
        const why = typeof cp === "string" ? cp : learner.restore(d, cp.blob, cp.features);
        if (typeof cp === "string" || why !== undefined) {
          log.warn(`device ${name}: checkpoint refused (${why}); it starts fresh from the partition floor`);
          continue;
        }
        d.meta.seq = d.meta.savedSeq = cp.seq;
        // Health names the checkpoint the device came back from, as on a single host after a restart.
        const readings = modelFacts(learner.pool, d)?.readings ?? 0;
        d.meta.lastCheckpoint = { device: name, seq: e.revision, time: e.created.getTime(), readings, crc: 0, bytes: e.value.length, knownGood: true };
      }
    }
    if (this.closed) return;
    this.lastSeq = floor;
    this.loadedDevices = this.devices.size;
    this.loadedAt = performance.now();
  }

  /**
   * The partition's keys in the models bucket, from the bucket stream's subjects (answered by the
   * stream's leader). The KV client's key listing creates a one-replica consumer for it, which an
   * old nats-server may place on a lost node (see start).
   */
  private async checkpointKeys(): Promise<string[]> {
    const bucket = this.ctx.config.modelsBucket;
    const prefix = `$KV.${bucket}.`;
    const info = await this.ctx.jsm.streams.info(`KV_${bucket}`, { subjects_filter: `${prefix}d.${this.p}.>` });
    return Object.keys(info.state.subjects ?? {}).map((s) => s.slice(prefix.length));
  }

  private readonly outputs: Outputs = {
    prediction: (d, json) => {
      this.ctx.nc.publish(this.ctx.subjects.prediction(d.name), json, { headers: this.hdrs });
      this.ctx.counters.published++;
    },
    drift: (d, json) => {
      this.ctx.nc.publish(this.ctx.subjects.drift(d.name), json, { headers: this.hdrs });
    },
  };

  private handle(m: JsMsg): void {
    const { learner, counters, config } = this.ctx;
    if (m.seq > this.lastSeq) this.lastSeq = m.seq;
    const parsed = parseReadingSubject(m.subject);
    if (!parsed) return;
    const name = parsed.device;
    if (badDeviceName(name)) {
      counters.badName++;
      return;
    }
    if (partitionOf(name, config.partitions) !== this.p) {
      counters.wrongPartition++;
      if (!this.warnedMapping) {
        this.warnedMapping = true;
        this.ctx.log.error(
          `partition ${this.p}: device ${name} hashes to partition ${partitionOf(name, config.partitions)} with cluster.partitions=${config.partitions}: ` +
            `nats-server's mapping uses another partition count; its readings are refused until both agree`,
        );
      }
      return;
    }
    const known = learner.pool.get(name);
    if (known) {
      this.devices.add(known);
      if (m.seq <= known.meta.seq) {
        counters.skipped++;
        return;
      }
      learner.reading(known, m.data, m.seq, Date.now(), this.outputs);
      this.dirty.add(known);
      return;
    }
    // A device is created only for a payload that parses (junk must not use up the pool).
    const created = learner.firstReading(name, this.p, m.data, m.seq, Date.now(), this.outputs);
    if (!created) return;
    this.devices.add(created);
    this.dirty.add(created);
  }

  /** Writes the changed devices' checkpoints, then the floor. One round at a time. */
  checkpoint(): Promise<void> {
    this.writing = this.writing.then(() => this.writeRound()).catch((e) => this.ctx.log.error(`partition ${this.p}: checkpoint failed: ${(e as Error).message}`));
    return this.writing;
  }

  private async writeRound(): Promise<void> {
    const { learner, models } = this.ctx;
    if (!this.leaseValid() || this.loadedAt === 0) return;
    const floor = this.lastSeq;
    const items: CheckpointItem[] = [];
    // Taken now: a device that learns while this round waits for its turn of the event loop is
    // marked again, for the next round.
    const dirty = this.dirty;
    this.dirty = new Set();
    for (const d of dirty) {
      if (eventLoopTurns.spent()) {
        await eventLoopTurns.nextTurn();
        if (this.closed) return;
      }
      const blob = learner.pool.snapshot(d);
      if (!blob) continue;
      // Counted with the snapshot, not when its write is confirmed (readings go on being learned
      // meanwhile), and by the model itself whether the device is hot or at rest, as on a single
      // host (service/checkpoints.ts): the worker's count (d.meta.readings) starts at 0 in each
      // worker that loads the device, counts payloads refused before the model, and does not go
      // back with a reset.
      const readings = modelFacts(learner.pool, d)?.readings ?? 0;
      items.push({ d, seq: d.meta.seq, readings, value: encodeCheckpoint(d.meta.seq, blob, d.meta.featureNames()) });
    }
    // The floor may move only past readings that are in a stored checkpoint: a device whose
    // write is not confirmed (the lease in doubt, a failed or timed-out request, conflicts that
    // did not settle) stays dirty for the next round and holds the floor back for this one.
    let failed = 0;
    const write = async (it: CheckpointItem): Promise<void> => {
      if (!(await this.store(it))) {
        failed++;
        if (!this.closed) this.dirty.add(it.d);
      }
    };
    for (let i = 0; i < items.length; i += WRITE_CONCURRENCY) {
      const writes: Promise<void>[] = [];
      for (const it of items.slice(i, i + WRITE_CONCURRENCY)) {
        if (eventLoopTurns.spent()) await eventLoopTurns.nextTurn();
        writes.push(write(it));
      }
      await Promise.all(writes);
    }
    if (failed === 0 && this.leaseValid()) await models.put(floorKey(this.p), encodeFloor(floor));
  }

  /**
   * Writes one device's checkpoint: true once the models bucket holds it, or holds a checkpoint
   * of the same readings or newer; false when that is not certain (the caller keeps the device
   * dirty). Never throws.
   */
  private async store(it: CheckpointItem): Promise<boolean> {
    const { models, counters } = this.ctx;
    const st = it.d.meta;
    const key = modelKey(this.p, it.d.name);
    for (let attempt = 0; attempt < 3; attempt++) {
      if (!this.leaseValid()) return false;
      try {
        st.revision = st.revision > 0 ? await models.update(key, it.value, st.revision) : await models.create(key, it.value);
        st.savedSeq = it.seq;
        st.lastCheckpoint = { device: it.d.name, seq: st.revision, time: Date.now(), readings: it.readings, crc: 0, bytes: it.value.length, knownGood: true };
        counters.checkpoints++;
        return true;
      } catch (e) {
        if (!/wrong last sequence|key exists/i.test((e as Error).message)) return false;
      }
      // Someone else wrote this key: a previous owner that had not yet noticed it lost the
      // partition, or an earlier write of ours whose reply was lost. A blob at the same stream
      // sequence is the same readings in the same order, so the same bytes, unless the device was
      // reset since (then ours is the one to keep): keep the newer, and ours on a tie that differs.
      counters.conflicts++;
      let cur;
      try {
        cur = await models.get(key);
      } catch {
        return false;
      }
      st.revision = cur?.revision ?? 0;
      if (!cur || cur.operation !== "PUT") continue;
      const cp = decodeCheckpoint(cur.value);
      if (typeof cp !== "string" && (cp.seq > it.seq || (cp.seq === it.seq && sameBytes(cur.value, it.value)))) return true;
    }
    return false;
  }

  /** Clean hand-back: stop reading, last checkpoints, acknowledge, delete the lease. */
  async release(): Promise<void> {
    if (this.closed) return;
    await this.reader.stop();
    await this.checkpoint();
    this.reader.ack();
    this.closed = true;
    await this.ctx.leases.release(this.lease);
    this.forget();
    this.ctx.log.info(`partition ${this.p}: released`);
  }

  /** The lease is gone: stop at once, write nothing, forget the devices (the new owner has them). */
  async lost(why: string): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.ctx.leases.drop(this.lease);
    this.ctx.log.warn(`partition ${this.p}: lost (${why}); stopped learning it, nothing more is written or published for it`);
    this.reader.dropUnacked();
    await this.reader.stop();
    this.forget();
  }

  private forget(): void {
    this.reader.close();
    // The partition's devices are shared by name in the pool: once a newer owner holds the
    // partition (a newer lease of it in this worker) they are its own, not this owner's to drop.
    const current = this.ctx.leases.held.get(this.p);
    const superseded = current !== undefined && current !== this.lease;
    if (!superseded) for (const d of this.devices) this.ctx.learner.pool.remove(d);
    this.devices.clear();
    this.dirty.clear();
  }

  get size(): number {
    return this.devices.size;
  }

  /** True while this worker may act for the partition (lease valid, checkpoints loaded). */
  get live(): boolean {
    return !this.closed && this.loadedAt > 0 && this.leaseValid();
  }

  /** A device of this partition that this owner holds, or undefined. */
  device(name: string): ClusterDevice | undefined {
    const d = this.ctx.learner.pool.get(name);
    return d && this.devices.has(d) ? d : undefined;
  }

  /**
   * Retained health of the devices that changed since their last one, while the lease holds,
   * paced by the bridge's acknowledgements (a device not reached stays marked for the next round).
   */
  async publishHealth(): Promise<void> {
    const { bridge, learner, worker } = this.ctx;
    if (!bridge) return;
    for (const d of [...this.devices]) {
      if (!d.meta.dirty || !d.hasModel) continue;
      if (!bridge.ready && !(await bridge.whenReady())) return;
      if (!this.live || !this.devices.has(d)) return;
      d.meta.dirty = false;
      bridge.retained(d.meta.topicHealth, JSON.stringify(clusterDeviceHealth(learner, d, worker, Date.now())));
    }
  }

  /** Writes the device's checkpoint now (with every other changed device): true once it is stored. */
  async checkpointNow(d: ClusterDevice): Promise<boolean> {
    const seq = d.meta.seq;
    this.dirty.add(d);
    await this.checkpoint();
    return this.devices.has(d) && d.meta.savedSeq >= seq && d.meta.lastCheckpoint !== undefined;
  }

  /** Forgets what the device learned (configuration kept) and stores that at once. */
  async reset(d: ClusterDevice): Promise<boolean> {
    if (d.hasModel) this.ctx.learner.pool.use(d).reset();
    d.meta.stats.restart(true);
    d.meta.dirty = true;
    return this.checkpointNow(d);
  }

  /**
   * Drops the device: its model, its retained health, and in the models bucket a checkpoint with
   * no blob at its stream sequence, so a later owner replaying the partition does not learn the
   * forgotten readings again. A later reading starts it afresh.
   */
  forgetDevice(d: ClusterDevice): Promise<boolean> {
    // In turn with the checkpoint rounds: a round storing this device meanwhile would take the
    // forgotten record for a conflicting write of the same readings and put the model back over it
    // (on such a tie the writer keeps its own), so a later owner would load what was forgotten.
    const forgotten = this.writing.then(() => this.writeForgotten(d));
    this.writing = forgotten.then(() => undefined);
    return forgotten;
  }

  private async writeForgotten(d: ClusterDevice): Promise<boolean> {
    const { learner, models, bridge } = this.ctx;
    const st = d.meta;
    const key = modelKey(this.p, d.name);
    // Readings of the device go on being learned while the record is on its way, into the model
    // about to be dropped. The record must cover them: at the sequence before them, a later owner
    // replaying the partition from an older floor would learn them into a new model, where this
    // worker forgot them. So it is written again at their sequence until no reading came during
    // a write; the device is dropped in the same turn as that check, so none slips in between.
    for (let written = -1, writes = 0; ; writes++) {
      // Given up or lost meanwhile: the partition's devices are already dropped, and a device of
      // the same name in the pool now would be a newer owner's (the pool removes by name).
      if (!this.leaseValid() || !this.devices.has(d)) return false;
      if (written === st.seq) break;
      // A forget not stored, after a record was: the device keeps its model and is dirty (readings
      // came), so the next round writes the model over the record.
      if (writes === MAX_FORGET_WRITES) {
        this.ctx.log.warn(`device ${d.name}: forget not stored: its readings kept arriving during ${writes} writes`);
        return false;
      }
      written = st.seq;
      const value = encodeCheckpoint(written, new Uint8Array(0));
      try {
        st.revision = await (st.revision > 0 ? models.update(key, value, st.revision) : models.put(key, value));
      } catch (e) {
        this.ctx.log.warn(`device ${d.name}: forget not stored: ${(e as Error).message}`);
        return false;
      }
    }
    this.devices.delete(d);
    this.dirty.delete(d);
    learner.pool.remove(d);
    bridge?.retained(st.topicHealth, "");
    return true;
  }
}
