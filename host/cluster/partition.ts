// One partition while this worker owns it: load its devices' checkpoints, read its readings from
// the oldest checkpointed point, learn each one not yet in its device's state, publish outputs,
// acknowledge, and write checkpoints; give it back cleanly (release) or drop it at once (lost).
//
// Exactly-once learning, per device: a checkpoint records the stream sequence of the last reading
// in its state. On takeover the partition restarts at its floor (every reading at or below it is
// in some checkpoint) and each device skips readings at or below its own sequence. Learning is a
// pure function of the readings in order, so any writer's blob at sequence s is the same bytes.

import { headers, type MsgHdrs, type NatsConnection } from "@nats-io/transport-node";
import { AckPolicy, DeliverPolicy, jetstream, type ConsumerMessages, type JetStreamManager, type JsMsg } from "@nats-io/jetstream";
import type { KV } from "@nats-io/kv";
import type { ClusterConfig } from "../config/types.js";
import type { Logger } from "../logger.js";
import { decodeCheckpoint, decodeFloor, encodeCheckpoint, encodeFloor } from "./checkpoint.js";
import type { ClusterDevice, ClusterLearner, Outputs } from "./learn.js";
import type { Lease, LeaseTable } from "./leases.js";
import type { MqttBridge } from "./bridge.js";
import { clusterDeviceHealth } from "./device-health.js";
import { retrying } from "./nats.js";
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

const ACK_EVERY = 64;
const WRITE_CONCURRENCY = 64;
const NS = 1_000_000;

export class PartitionOwner {
  private readonly devices = new Set<ClusterDevice>();
  private dirty = new Set<ClusterDevice>();
  private lastSeq = 0;
  private msgs: ConsumerMessages | undefined;
  private loop: Promise<void> | undefined;
  private consumerName = "";
  private closed = false;
  private writing: Promise<void> = Promise.resolve();
  private unacked: JsMsg | undefined;
  /** Consumer (delivery) sequence of the last reading taken from the current consumer (0: none yet). */
  private lastDelivery = 0;
  private unackedCount = 0;
  private ackTimer: NodeJS.Timeout | undefined;
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
  }

  /** Learning, acknowledging, publishing and writing are allowed (see LeaseTable.holds). */
  private leaseValid(): boolean {
    return this.ctx.leases.holds(this.lease);
  }

  /**
   * Loads checkpoints, creates this owner's consumer at the floor, starts learning. Loading is
   * retried while the lease holds and the consumer by the watchdog, so a JetStream hiccup does
   * not hand the partition back (after a NATS node is lost, leaders are elected again and an old
   * nats-server may place a new consumer on the lost node: see retrying, openConsumer). A loading
   * failure that outlasts the lease is thrown (the worker logs it and gives the partition back).
   */
  async start(): Promise<void> {
    try {
      await retrying(
        () => this.loadCheckpoints(),
        (e) => {
          if (this.closed || !this.leaseValid()) return false;
          this.ctx.log.warn(`partition ${this.p}: loading its checkpoints failed (${(e as Error).message}); trying again`);
          return true;
        },
      );
    } catch (e) {
      if (this.closed) return;
      throw new Error(`loading its checkpoints: ${(e as Error).message}`);
    }
    if (this.closed) return;
    const floor = this.lastSeq;
    // From here the watchdog keeps a consumer open: a creation that fails is retried by it.
    this.watchdog ??= setInterval(() => void this.checkProgress(), 2000);
    let pending = "";
    this.reopening = true; // the watchdog waits for this first creation
    try {
      await this.openConsumer(floor + 1);
    } catch (e) {
      pending = `; its consumer is not created yet (${(e as Error).message}), trying again`;
    } finally {
      this.reopening = false;
    }
    this.ctx.log.info(`partition ${this.p}: owned; ${this.devices.size} device checkpoints loaded, reading from stream sequence ${floor + 1}${pending}`);
  }

  /** The partition's floor and its devices' checkpoints, loaded into the pool. */
  private async loadCheckpoints(): Promise<void> {
    const { models, learner, log } = this.ctx;
    const floorEntry = await models.get(floorKey(this.p));
    const floor = floorEntry && floorEntry.operation === "PUT" ? decodeFloor(floorEntry.string()) : 0;
    const keys = await this.checkpointKeys();
    for (let i = 0; i < keys.length; i += WRITE_CONCURRENCY) {
      const entries = await Promise.all(keys.slice(i, i + WRITE_CONCURRENCY).map((k) => models.get(k)));
      for (const e of entries) {
        if (this.closed) return;
        if (!e || e.operation !== "PUT") continue;
        const name = deviceOfKey(e.key);
        const cp = decodeCheckpoint(e.value);
        const d = learner.device(name, this.p);
        if (!d) continue;
        this.devices.add(d);
        d.meta.revision = e.revision;
        if (typeof cp !== "string" && cp.blob.length === 0) {
          // A forgotten device: no model, and its readings up to cp.seq stay forgotten.
          d.meta.seq = d.meta.savedSeq = cp.seq;
          continue;
        }
        if (typeof cp === "string" || learner.pool.load(d, cp.blob) !== 0) {
          log.warn(`device ${name}: checkpoint refused (${typeof cp === "string" ? cp : "module validation"}); it starts fresh from the partition floor`);
          continue;
        }
        d.meta.seq = d.meta.savedSeq = cp.seq;
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

  private async openConsumer(startSeq: number): Promise<void> {
    const c = this.ctx.config;
    this.consumerName = `${this.ctx.worker}-p${this.p}-${Date.now().toString(36)}`;
    await this.ctx.jsm.consumers.add(this.stream, {
      name: this.consumerName,
      filter_subject: this.ctx.subjects.partition(this.p),
      deliver_policy: DeliverPolicy.StartSequence,
      opt_start_seq: startSeq,
      ack_policy: AckPolicy.All,
      max_ack_pending: c.maxInflight,
      ack_wait: 60_000 * NS,
      // The consumer is a cursor, not state: the checkpoints are. One in-memory replica is
      // enough; if its server goes away it is recreated from the last reading learned. After a
      // creation failed, as many replicas as the stream: nats-server before 2.9.12 may have
      // placed the single replica on a lost node, and would again one time in three, while a
      // replica on every peer of the stream works with one of three lost. (Measured on 2.9.10
      // with one node of three down: one replica 4 of 8 created, 0 = "as the stream" 2 of 8,
      // three replicas 8 of 8 in 0.2–6.3 s.)
      mem_storage: true,
      num_replicas: this.consumerFailed ? c.replicas : 1,
      inactive_threshold: Math.max(30_000, c.leaseSeconds * 3000) * NS,
    }).catch((e: unknown) => {
      this.consumerFailed = true;
      throw e;
    });
    const consumer = await jetstream(this.ctx.nc).consumers.get(this.stream, this.consumerName);
    const msgs = await consumer.consume({ max_messages: Math.min(c.maxInflight, 1024) });
    if (this.closed) {
      // Given back or lost while the consumer was being created: nobody reads it.
      msgs.stop();
      await this.ctx.jsm.consumers.delete(this.stream, this.consumerName).catch(() => undefined);
      return;
    }
    this.msgs = msgs;
    this.lastDelivery = 0;
    this.lastMessageAt = performance.now();
    this.loop = this.run(msgs);
    void (async () => {
      for await (const s of msgs.status()) {
        if (this.closed || this.msgs !== msgs) return;
        if (s.type === "consumer_not_found" || s.type === "consumer_deleted" || (s.type === "heartbeats_missed" && s.count >= 3)) {
          await this.restartConsumer(msgs, `consumer gone (${s.type})`);
          return;
        }
      }
    })();
  }

  private lastMessageAt = 0;
  /** A consumer creation of this owner failed (its next consumers are replicated). */
  private consumerFailed = false;
  private watchdog: NodeJS.Timeout | undefined;

  /**
   * A consumer whose server went away may stay silent instead of reporting it, and a live one
   * has been seen to stop delivering: after a few seconds without a reading, ask for it; gone,
   * or readings pending and nothing delivered, means a new consumer from the last reading learned.
   */
  private async checkProgress(): Promise<void> {
    const msgs = this.msgs;
    if (this.closed || this.reopening) return;
    if (!msgs) {
      // A recreation failed (its server was electing a leader): try again.
      if (this.loadedAt > 0) await this.restartConsumer(undefined, "no consumer");
      return;
    }
    if (performance.now() - this.lastMessageAt < 5000) return;
    let stuck = false;
    try {
      const info = await this.ctx.jsm.consumers.info(this.stream, this.consumerName);
      // Readings waiting and none delivered for seconds is stuck, whatever the server counts as
      // unacknowledged: seen with 2 "ack pending", 3 pull requests waiting and thousands of
      // readings pending, for minutes (nats-server 2.9.10, two workers draining a backlog).
      // Deliveries still unacknowledged after seconds of silence are stuck too: this owner
      // acknowledges what it handled within 20 ms, so the server sent readings that never
      // arrived, and they would come back only after the ack wait (a minute).
      stuck = info.num_pending > 0 || info.num_ack_pending > 0;
    } catch {
      stuck = true;
    }
    if (!stuck || this.closed || this.msgs !== msgs) return;
    await this.restartConsumer(msgs, "no progress from its consumer");
  }

  private reopening = false;

  /** Stops `msgs` and opens a new consumer from the last reading learned; one at a time, retried by the watchdog. */
  private async restartConsumer(msgs: ConsumerMessages | undefined, why: string): Promise<void> {
    if (this.reopening || this.closed) return;
    this.reopening = true;
    try {
      this.ctx.log.warn(`partition ${this.p}: ${why}; recreating it from stream sequence ${this.lastSeq + 1}`);
      this.msgs = undefined;
      if (msgs) {
        msgs.stop();
        await this.loop;
      }
      this.lastMessageAt = performance.now();
      if (!this.closed) await this.openConsumer(this.lastSeq + 1);
    } catch (e) {
      this.ctx.log.error(`partition ${this.p}: cannot recreate its consumer: ${(e as Error).message}; trying again in a few seconds`);
    } finally {
      this.reopening = false;
    }
  }

  private async run(msgs: ConsumerMessages): Promise<void> {
    const { log } = this.ctx;
    // No await inside this loop: a pause between readings (tried: setImmediate every 10 ms, so
    // timers could run during a backlog) left consumers with readings pending and nothing
    // delivered, in 4 of 4 two-worker drains. Lease renewals have their own connection instead.
    for await (const m of msgs) {
      this.lastMessageAt = performance.now();
      if (this.closed || this.msgs !== msgs) break;
      if (!this.leaseValid()) {
        void this.lost("its lease expired before this reading (the worker was paused or cut off)");
        break;
      }
      // Acknowledgement is cumulative (AckAll): taking a reading after a lost delivery and
      // acknowledging it would tell the server the lost ones were handled too, and nobody would
      // ever learn them. The consumer numbers its deliveries 1, 2, 3, … (redeliveries included),
      // so a jump means deliveries went missing (as when the worker's connection to a NATS node
      // goes down with readings in flight): stop before this reading and read again from the last
      // one handled.
      const dseq = m.info.deliverySequence;
      if (dseq !== this.lastDelivery + 1) {
        this.ctx.counters.deliveryGaps++;
        const first = this.lastDelivery + 1;
        const gap =
          dseq < first ? `its consumer numbered a delivery ${dseq} after ${this.lastDelivery}`
          : dseq === first + 1 ? `delivery ${first} of its consumer never arrived`
          : `deliveries ${first}–${dseq - 1} of its consumer never arrived`;
        void this.restartConsumer(msgs, gap);
        break;
      }
      this.lastDelivery = dseq;
      try {
        this.handle(m);
      } catch (e) {
        log.error(`partition ${this.p}: internal error on stream sequence ${m.seq}: ${(e as Error).stack ?? e}`);
      }
      this.unacked = m;
      if (++this.unackedCount >= ACK_EVERY) this.ack();
      else this.ackTimer ??= setTimeout(() => this.ack(), 20);
    }
  }

  /** Acknowledges everything up to the last reading handled (AckAll). */
  private ack(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    this.ackTimer = undefined;
    const m = this.unacked;
    this.unacked = undefined;
    this.unackedCount = 0;
    if (m && this.leaseValid()) m.ack();
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
    const d = learner.device(name, this.p);
    if (!d) return;
    this.devices.add(d);
    if (m.seq <= d.meta.seq) {
      counters.skipped++;
      return;
    }
    learner.reading(d, m.data, m.seq, Date.now(), this.outputs);
    this.dirty.add(d);
  }

  /** Writes the changed devices' checkpoints, then the floor. One round at a time. */
  checkpoint(): Promise<void> {
    this.writing = this.writing.then(() => this.writeRound()).catch((e) => this.ctx.log.error(`partition ${this.p}: checkpoint failed: ${(e as Error).message}`));
    return this.writing;
  }

  private async writeRound(): Promise<void> {
    const { learner, models, counters } = this.ctx;
    if (!this.leaseValid() || this.loadedAt === 0) return;
    const floor = this.lastSeq;
    const items: { d: ClusterDevice; seq: number; value: Uint8Array }[] = [];
    for (const d of this.dirty) {
      const blob = learner.pool.snapshot(d);
      if (blob) items.push({ d, seq: d.meta.seq, value: encodeCheckpoint(d.meta.seq, blob) });
    }
    this.dirty = new Set();
    let failed = 0;
    const write = async (it: (typeof items)[number]): Promise<void> => {
      const st = it.d.meta;
      const key = modelKey(this.p, it.d.name);
      for (let attempt = 0; attempt < 2; attempt++) {
        if (!this.leaseValid()) {
          failed++;
          return;
        }
        try {
          st.revision = st.revision > 0 ? await models.update(key, it.value, st.revision) : await models.create(key, it.value);
          st.savedSeq = it.seq;
          st.lastCheckpoint = { device: it.d.name, seq: st.revision, time: Date.now(), readings: st.readings, crc: 0, bytes: it.value.length, knownGood: true };
          counters.checkpoints++;
          return;
        } catch (e) {
          if (!/wrong last sequence|key exists/i.test((e as Error).message)) {
            failed++;
            this.dirty.add(it.d);
            return;
          }
          // Someone else wrote this key: a previous owner that had not yet noticed it lost the
          // partition. Its blob is a state of the same readings in the same order; keep the newer.
          counters.conflicts++;
          const cur = await models.get(key);
          if (!cur) continue;
          st.revision = cur.revision;
          const cp = decodeCheckpoint(cur.value);
          if (typeof cp !== "string" && cp.seq >= it.seq) return;
        }
      }
    };
    for (let i = 0; i < items.length; i += WRITE_CONCURRENCY) await Promise.all(items.slice(i, i + WRITE_CONCURRENCY).map(write));
    if (failed === 0 && this.leaseValid()) await models.put(floorKey(this.p), encodeFloor(floor));
  }

  /** Clean hand-back: stop reading, last checkpoints, acknowledge, delete the lease. */
  async release(): Promise<void> {
    if (this.closed) return;
    await this.stopReading();
    await this.checkpoint();
    this.ack();
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
    this.unacked = undefined;
    await this.stopReading();
    this.forget();
  }

  private async stopReading(): Promise<void> {
    const msgs = this.msgs;
    this.msgs = undefined;
    if (msgs) {
      msgs.stop();
      await this.loop;
    }
    if (this.consumerName) await this.ctx.jsm.consumers.delete(this.stream, this.consumerName).catch(() => undefined);
  }

  private forget(): void {
    if (this.ackTimer) clearTimeout(this.ackTimer);
    if (this.watchdog) clearInterval(this.watchdog);
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
  async forgetDevice(d: ClusterDevice): Promise<boolean> {
    const { learner, models, bridge } = this.ctx;
    if (!this.leaseValid()) return false;
    const st = d.meta;
    const key = modelKey(this.p, d.name);
    const value = encodeCheckpoint(st.seq, new Uint8Array(0));
    try {
      await (st.revision > 0 ? models.update(key, value, st.revision) : models.put(key, value));
    } catch (e) {
      this.ctx.log.warn(`device ${d.name}: forget not stored: ${(e as Error).message}`);
      return false;
    }
    this.devices.delete(d);
    this.dirty.delete(d);
    learner.pool.remove(d);
    bridge?.retained(st.topicHealth, "");
    return true;
  }
}
