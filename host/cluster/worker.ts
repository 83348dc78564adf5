// A cluster worker: joins the cluster (stream, buckets, P agreed), then every third of a lease
// renews its partitions and, in a round of its own, counts the live workers and takes or gives
// back partitions so each holds about P / workers; writes checkpoints on a timer; on stop gives
// everything back.

import { hostname } from "node:os";
import { redactUrl } from "../mqtt/connection.js";
import type { NatsConnection } from "@nats-io/transport-node";
import { compileLearner, DEFAULT_WASM } from "../learner/index.js";
import type { Config } from "../config/types.js";
import type { Logger } from "../logger.js";
import { connectCluster, joinCluster, retrying, within, type ClusterHandles } from "./nats.js";
import { LeaseTable } from "./leases.js";
import { ClusterLearner } from "./learn.js";
import { DevicePoolFull, PartitionOwner, type PartitionCounters } from "./partition.js";
import { Subjects, partitionOf } from "./names.js";
import { MqttBridge } from "./bridge.js";
import { ClusterCommands } from "./commands.js";

export interface WorkerOptions {
  logger: Logger;
  module?: WebAssembly.Module;
}

/** How many lease lengths a closing owner may hold its partition back (see retire). */
const CLOSE_WAIT_LEASES = 10;
/** How many lease lengths a worker waits before taking partitions again after one did not fit its device pool. */
const NO_ROOM_LEASES = 3;

export class ClusterWorker {
  readonly name: string;
  readonly owners = new Map<number, PartitionOwner>();
  readonly counters: PartitionCounters = { skipped: 0, wrongPartition: 0, badName: 0, checkpoints: 0, conflicts: 0, published: 0, deliveryGaps: 0 };
  readonly learner: ClusterLearner;
  /** Retained device health and the status with its last will (cluster.mqtt). */
  readonly bridge: MqttBridge | undefined;
  readonly commands: ClusterCommands;
  private readonly subjects: Subjects;
  readonly leases: LeaseTable;
  private timers: NodeJS.Timeout[] = [];
  private renewing = false;
  private sharing = false;
  private stopping: Promise<void> | undefined;
  private readonly started = Date.now();

  private constructor(
    readonly config: Config,
    private readonly h: ClusterHandles,
    private readonly log: Logger,
    name: string,
    module: WebAssembly.Module,
  ) {
    this.name = name;
    this.learner = new ClusterLearner(config, log.child("learn"), module);
    this.subjects = new Subjects(config.cluster.subject, config.topics.output.replaceAll("/", "."));
    this.leases = new LeaseTable(h.leases, name, config.cluster.leaseSeconds);
    this.bridge = config.cluster.mqtt ? new MqttBridge(config, name, h.nc, log.child("mqtt")) : undefined;
    this.commands = new ClusterCommands(config, this, h.nc, log.child("cmd"));
  }

  /** Connects and joins; an Error when NATS is unreachable or JetStream does not answer (exit 1), ConfigError when the cluster disagrees or has no JetStream (exit 2). */
  static async start(config: Config, o: WorkerOptions): Promise<ClusterWorker> {
    const c = config.cluster;
    const name = c.name || `${hostname().replace(/[^-_a-zA-Z0-9]/g, "_")}-${process.pid}`;
    const module = o.module ?? compileLearner(DEFAULT_WASM);
    const nc: NatsConnection = await connectCluster(c, name);
    let h: ClusterHandles;
    try {
      // Leases share the data connection on purpose: a worker whose connection stops carrying
      // its readings must also stop renewing, so another worker takes its partitions. (Leases on
      // a connection of their own were tried: a worker kept its leases while a partition made no
      // progress.)
      h = await joinCluster(nc, c, config.topics.input.replaceAll("/", "."));
    } catch (e) {
      await nc.close();
      throw e;
    }
    const w = new ClusterWorker(config, h, o.logger, name, module);
    await w.leases.heartbeat().catch(() => undefined); // retried every renewal round
    try {
      await retrying(() => w.leases.watch(), within(30_000));
    } catch (e) {
      await nc.close();
      throw new Error(`cannot follow the leases bucket ${c.leasesBucket}: ${(e as Error).message}`);
    }
    w.bridge?.start();
    w.commands.start();
    w.log.info(
      `cluster worker ${name}: ${c.partitions} partitions on ${c.streams > 1 ? `${c.streams} streams ${c.stream}_<p mod ${c.streams}>` : `stream ${c.stream}`} (${c.subject}.<p>.<device>), models in ${c.modelsBucket}, ` +
        `leases of ${c.leaseSeconds} s in ${c.leasesBucket}; outputs on ${w.subjects.output}.<device>.prediction` +
        (w.bridge ? `, retained health and ${w.bridge.topicStatus} through MQTT at ${redactUrl(config.mqtt.url)}` : " (cluster.mqtt off: no retained health or status)"),
    );
    const roundMs = (c.leaseSeconds * 1000) / 3;
    w.timers.push(setInterval(() => void w.renewRound(), roundMs));
    w.timers.push(setInterval(() => void w.shareRound(), roundMs));
    w.timers.push(setInterval(() => void w.checkpointAll(), c.checkpointSeconds * 1000));
    w.timers.push(setInterval(() => w.publishHealth(), config.output.healthIntervalSeconds * 1000));
    void w.shareRound();
    nc.closed().then((e) => {
      if (!w.stopping) w.log.error(`NATS connection closed${e ? `: ${e.message}` : ""}`);
    });
    return w;
  }

  /**
   * Heartbeat and renewals, never two rounds at once. A round of its own, beside the sharing
   * round: taking partitions is a request per partition, one after another, each of which may
   * wait behind a backlog being learned or time out while a NATS node is down, and leases renewed
   * only after it (as they were) passed their deadlines while the worker was still taking others.
   */
  private async renewRound(): Promise<void> {
    if (this.renewing || this.stopping) return;
    this.renewing = true;
    try {
      await Promise.all([this.leases.heartbeat().catch(() => undefined), this.renewLeases()]);
      if (this.leases.watcherBehind()) this.followLeasesAgain();
    } catch (e) {
      this.log.warn(`lease renewal round failed: ${(e as Error).message}`);
    } finally {
      this.renewing = false;
    }
  }

  /** Count, take or give back. Never two at once. */
  private async shareRound(): Promise<void> {
    if (this.sharing || this.stopping) return;
    this.sharing = true;
    try {
      const P = this.config.cluster.partitions;
      const share = (workers: number) => Math.ceil(P / workers);
      const { workers, taken } = this.leases.survey();
      const target = share(workers);
      if (this.owners.size < target && !this.learner.pool.full && performance.now() >= this.noRoomUntil) {
        // Start looking at a place of our own, so workers joining together try different partitions.
        const from = partitionOf(this.name, P);
        // The share is counted again before each take: a worker seen joining meanwhile lowers it.
        // Taken past it, a partition is given back a round later and its next owner reads it from
        // the middle of the stream, which nats-server 2.9.10 delivers at tens of readings a
        // second while a backlog lasts (docs/SCALING.md, "Leases under load").
        for (let i = 0; i < P && this.owners.size < share(this.leases.survey().workers) && !this.stopping; i++) {
          const p = (from + i) % P;
          if (taken.has(p) || this.owners.has(p) || this.closing.has(p)) continue;
          if (await this.leases.acquire(p)) this.take(p);
        }
      } else if (this.owners.size > target && taken.size >= P) {
        // Everything is owned and we hold more than our share: give the excess back (highest
        // numbers first); the workers short of their share take them on their next round.
        const give = [...this.owners.keys()].sort((a, b) => b - a).slice(0, this.owners.size - target);
        for (const p of give) {
          const o = this.owners.get(p)!;
          this.owners.delete(p);
          this.retire(p, o.release());
        }
      }
    } catch (e) {
      this.log.warn(`partition sharing round failed: ${(e as Error).message}`);
    } finally {
      this.sharing = false;
    }
  }

  /**
   * Renews every lease this worker holds: its owners' (one that cannot be renewed is lost) and
   * those of partitions still being given back, whose last checkpoints must be written under a
   * current lease; a lease allowed to run out meanwhile would turn a clean hand-back into the next
   * owner waiting for it to expire and reading again from an older floor.
   */
  private async renewLeases(): Promise<void> {
    // The owners' partitions too: an owner that dropped its lease itself (it expired before a
    // reading) is no longer held, and its failed renewal is what retires it here.
    const partitions = new Set([...this.owners.keys(), ...this.leases.held.keys()]);
    await Promise.all(
      [...partitions].map(async (p) => {
        const renewed = await this.leases.renew(p);
        const o = this.owners.get(p);
        if (renewed || !o) return; // a closing partition's release sees the lost lease itself
        this.owners.delete(p);
        this.retire(p, o.lost("another worker holds its lease now"));
      }),
    );
  }

  /** Until then no partition is taken: one could not be loaded for want of room in the device pool. */
  private noRoomUntil = 0;

  /**
   * Hand-backs and drops run beside the lease rounds, never inside one: a release writes its
   * partition's checkpoints first, and a round waiting for that would renew nothing else meanwhile
   * (under load the other partitions' leases expired that way).
   */
  /**
   * Partitions whose previous owner in this worker is still closing (writing its last
   * checkpoints, stopping its consumer, forgetting its devices). The partition is not taken
   * again until that is done: the two owners would share the partition's devices, and the old
   * one's forgetting them would pull them from under the new one. So a partition has at most
   * one closing owner, and stop() waits for all of them here. An owner that has not closed
   * after CLOSE_WAIT_LEASES leases stops holding the partition back: its lease, renewed while it
   * closed, is dropped, so it can write or publish nothing more and leaves the devices to a newer
   * owner; a hung request must not keep the partition unowned.
   */
  private readonly closing = new Map<number, Promise<void>>();
  private retire(p: number, work: Promise<void>): void {
    const wait = setTimeout(() => {
      if (this.closing.get(p) !== w) return;
      this.log.warn(`partition ${p}: its previous owner is still closing after ${CLOSE_WAIT_LEASES} leases; it may be taken again`);
      this.closing.delete(p);
      if (!this.owners.has(p)) this.leases.drop(this.leases.held.get(p));
    }, CLOSE_WAIT_LEASES * this.config.cluster.leaseSeconds * 1000);
    const w = work
      .catch((e) => this.log.error(`giving partition ${p} back failed: ${(e as Error).message}`))
      .finally(() => {
        clearTimeout(wait);
        if (this.closing.get(p) === w) this.closing.delete(p);
      });
    this.closing.set(p, w);
  }

  private take(p: number): void {
    const o = new PartitionOwner(p, {
      worker: this.name,
      config: this.config.cluster,
      nc: this.h.nc,
      jsm: this.h.jsm,
      models: this.h.models,
      leases: this.leases,
      learner: this.learner,
      subjects: this.subjects,
      bridge: this.bridge,
      log: this.log.child(`p${p}`),
      counters: this.counters,
    });
    this.owners.set(p, o);
    o.start().catch((e) => {
      this.log.error(`partition ${p}: cannot start: ${(e as Error).message}; giving it back`);
      if (e instanceof DevicePoolFull) this.noRoomUntil = performance.now() + NO_ROOM_LEASES * this.config.cluster.leaseSeconds * 1000;
      // Not ours any more (lost or given back meanwhile): that path is already retiring it.
      if (this.owners.get(p) !== o) return;
      this.owners.delete(p);
      this.retire(p, o.release());
    });
  }

  private async checkpointAll(): Promise<void> {
    await Promise.all([...this.owners.values()].map((o) => o.checkpoint()));
  }

  health(): Record<string, unknown> {
    return {
      ts: Date.now(),
      worker: this.name,
      status: this.stopping ? "stopping" : "online",
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      partitions: [...this.owners.keys()].sort((a, b) => a - b),
      devices: this.learner.pool.size,
      readings: this.learner.readings,
      learned: this.learner.learned,
      refused: { ...this.learner.refused, bad_name: this.counters.badName, wrong_partition: this.counters.wrongPartition },
      skipped_replayed: this.counters.skipped,
      checkpoints: this.counters.checkpoints,
      checkpoint_conflicts: this.counters.conflicts,
      delivery_gaps: this.counters.deliveryGaps,
      published: this.counters.published,
      commands: this.commands.handled,
      mqtt: this.bridge ? (this.bridge.connected ? "connected" : "disconnected") : "off",
    };
  }

  private healthRound: Promise<void> | undefined;

  /** Device health of every owned partition (one round at a time), then this worker's own. */
  private publishHealth(): void {
    this.healthRound ??= (async () => {
      for (const o of [...this.owners.values()]) await o.publishHealth();
    })()
      .catch((e) => this.log.error(`device health round failed: ${(e as Error).message}`))
      .finally(() => (this.healthRound = undefined));
    try {
      this.h.nc.publish(this.subjects.workerHealth(this.name), JSON.stringify(this.health()));
    } catch {
      /* closed */
    }
  }

  /**
   * Replaces a leases watcher that fell behind (see LeaseTable.watcherBehind), beside the lease
   * rounds: creating a consumer can take a 10-s timeout while a NATS node is down, and a round
   * waiting for it would renew nothing meanwhile. Until it is replaced, rounds see no other
   * worker: they try to take every free partition (the bucket's create decides, as always) and
   * give none back.
   */
  private refollowing = false;
  private followLeasesAgain(): void {
    if (this.refollowing || this.stopping) return;
    this.refollowing = true;
    this.log.warn(`the leases bucket's watcher has not shown this worker's heartbeats for over ${this.config.cluster.leaseSeconds} s; following the bucket again`);
    this.leases
      .watch()
      .then(
        () => (this.stopping ? this.leases.stopWatch() : this.log.info("following the leases bucket again")),
        (e) => this.log.warn(`cannot follow the leases bucket again yet (${(e as Error).message}); trying next round`),
      )
      .finally(() => (this.refollowing = false));
  }

  /** Gives every partition back (last checkpoints written), leaves, closes. */
  stop(): Promise<void> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    while (this.renewing || this.sharing) await new Promise((r) => setTimeout(r, 20));
    // The leases stay renewed while the partitions are given back (see renewLeases).
    let renewing = false;
    const keep = setInterval(() => {
      if (renewing) return;
      renewing = true;
      void this.renewLeases()
        .catch(() => undefined)
        .finally(() => (renewing = false));
    }, (this.config.cluster.leaseSeconds * 1000) / 3);
    let given = 0;
    try {
      await Promise.all([...this.closing.values()]);
      const owners = [...this.owners.values()];
      this.owners.clear();
      await Promise.all(owners.map((o) => o.release().catch((e) => this.log.error(`release failed: ${(e as Error).message}`))));
      given = owners.length;
    } finally {
      clearInterval(keep);
    }
    this.publishHealth();
    this.commands.stop();
    await this.bridge?.stop();
    await this.leases.leave();
    this.leases.stopWatch();
    await this.h.nc.drain().catch(() => undefined);
    this.log.info(`stopped: ${given} partitions given back, ${this.counters.checkpoints} checkpoints written`);
  }
}
