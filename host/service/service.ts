// The edgelearn service: MQTT readings in, one model per device, predictions, drift and health out.
//
// This class composes the service's parts and is its public face; each part does one job:
//   readings.ts     routing and the per-reading path (topic → device → codec → learn_one → outputs)
//   lifecycle.ts    which devices exist: created, planned, restored, replaced, reset, forgotten
//   checkpoints.ts  the store, the checkpoint policy and rollback
//   health.ts       the device and host health objects and their retained publication
//   commands.ts     commands on MQTT, through the narrow CommandTarget this class implements
//   core.ts         what they share: config, log, pool, outbox, counters, events, topics
//
// Extension points for durable state and health guards: the StateStore and checkpoint policy are
// injected; `events` reports every reading's flags, drifts, checkpoints, rollbacks and resets (a
// throwing listener is logged and isolated); `snapshotDevice`, `loadDevice`, `resetDevice`,
// `rollbackDevice`, `checkpointDevice` work on any device, hot or at rest, and return a Result
// (result.ts: the one convention of the public operations); `stop` is the shutdown
// sequence: stop taking readings → final health → flush checkpoints → status offline →
// disconnect → close the store.

import type { IPublishPacket } from "mqtt";
import { compileLearner, DEFAULT_WASM } from "../learner/index.js";
import type { Config } from "../config/types.js";
import { DevicePool } from "../devices/pool.js";
import { MqttConnection } from "../mqtt/connection.js";
import { Outbox, type Publisher } from "../mqtt/outbox.js";
import { createLogger, type Logger } from "../logger.js";
import type { CheckpointMeta, StateStore } from "../store/types.js";
import type { CheckpointPolicy } from "../store/policy.js";
import type { StoreWriteState } from "../store/write-state.js";
import type { DeviceState } from "./device.js";
import { ServiceCore, type HostCounters, type ServiceEvents } from "./core.js";
import { DeviceLifecycle, checkModels } from "./lifecycle.js";
import { Checkpoints, defaultPolicy } from "./checkpoints.js";
import { ALWAYS_GOOD, type CheckpointJudge } from "./checkpoint-judge.js";
import { Health } from "./health.js";
import { Readings } from "./readings.js";
import { commandHandler, type CommandContext, type CommandTarget } from "./commands.js";
import type { Result } from "./result.js";

export type { Device, ServiceEvents, HostCounters } from "./core.js";

/** Stands in for the connection when the service runs without MQTT: outputs wait in the bounded outbox. */
const OFFLINE = { connected: false, publish(): void {} };

export interface ServiceOptions {
  logger?: Logger;
  /** Durable state; default none (no checkpoints, no rollback). */
  store?: StateStore;
  /** Default: from config.store.checkpoint. */
  policy?: CheckpointPolicy;
  /**
   * The rollback guard as the checkpoints see it: known-good or not, and its state kept beside
   * each checkpoint (host/health/monitor.ts). Default: every checkpoint is known-good.
   */
  judge?: CheckpointJudge;
  /** Shorthand for a judge that only decides whether a checkpoint is known-good (ignored with `judge`). */
  knownGood?: (device: string) => boolean;
  /** Compiled learner (default build/learner.wasm). */
  module?: WebAssembly.Module;
  now?: () => number;
  /** false: no MQTT connection (tests and benchmarks drive `handle` directly). Default true. */
  connect?: boolean;
  /** Where outputs go instead of the connection (tests, benchmarks). */
  publisher?: Publisher;
}

export class Service implements CommandTarget {
  readonly config: Config;
  readonly log: Logger;
  readonly events: ServiceCore["events"];
  readonly pool: DevicePool<DeviceState>;
  readonly counters: HostCounters;
  readonly outbox: Outbox;
  connection: MqttConnection | undefined;
  /** Resolves after the first connection's subscriptions were granted. */
  readonly ready: Promise<void>;
  private readyResolve!: () => void;
  private readonly core: ServiceCore;
  private readonly lifecycle: DeviceLifecycle;
  private readonly checkpoints: Checkpoints;
  private readonly health: Health;
  private readonly readings: Readings;
  private readonly judge: CheckpointJudge;
  private stopped: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(config: Config, opts: ServiceOptions = {}) {
    this.config = config;
    this.log = opts.logger ?? createLogger("edgelearn", { level: config.log.level, format: config.log.format });
    this.pool = new DevicePool<DeviceState>({
      maxDevices: config.pool.maxDevices,
      hotInstances: config.pool.hotInstances,
      module: opts.module ?? compileLearner(DEFAULT_WASM),
    });
    this.ready = new Promise((r) => (this.readyResolve = r));
    checkModels(config, this.pool);
    const status = `${config.topics.output}/status`;
    if (opts.connect !== false) {
      const conn = new MqttConnection(config.mqtt, {
        log: this.log.child("mqtt"),
        will: { topic: status, payload: "offline" },
        handleMessage: (packet, done) => this.onPacket(packet, done),
      });
      this.connection = conn;
      conn.on("connect", () => void this.onConnect());
      conn.on("offline", () => this.core.emit("offline"));
    }
    this.outbox = new Outbox(opts.publisher ?? this.connection ?? OFFLINE, { predictionCap: config.output.offlineQueue });
    const core = new ServiceCore(config, this.log, this.pool, this.outbox, opts.now ?? Date.now);
    this.core = core;
    this.events = core.events;
    this.counters = core.counters;
    const store = opts.store;
    const policy = opts.policy ?? defaultPolicy(config, store);
    this.lifecycle = new DeviceLifecycle(core, store, policy);
    this.judge = opts.judge ?? (opts.knownGood ? { knownGood: opts.knownGood } : ALWAYS_GOOD);
    this.checkpoints = new Checkpoints(core, this.lifecycle, store, policy, this.judge);
    this.health = new Health(core, this.checkpoints);
    this.readings = new Readings(core, this.lifecycle, this.checkpoints, commandHandler(this.commandContext(), config.commands));
  }

  get store(): StateStore | undefined {
    return this.checkpoints.store;
  }

  get policy(): CheckpointPolicy | undefined {
    return this.checkpoints.policy;
  }

  /** Checkpoint writes failing (a full disk): learning goes on in memory, retried now and then. */
  get storeWrites(): StoreWriteState {
    return this.checkpoints.writes;
  }

  /** Restores devices from the store, connects, starts timers. Returns at once; await `ready` for the broker. */
  start(): this {
    this.log.info(() => startLine(this.config, this.store !== undefined));
    if (this.store) {
      const log = this.log.child("guard");
      this.lifecycle.restore((device, from) => this.judge.resume?.(device, from.guard, (m) => log.warn(m)));
    }
    const healthMs = this.config.output.healthIntervalSeconds * 1000;
    this.timers.push(setInterval(() => this.health.publish(false), Math.min(healthMs, 1000)));
    const tick = this.policy?.tickMs() ?? 0;
    if (tick > 0) this.timers.push(setInterval(() => this.checkpoints.due(), tick));
    for (const t of this.timers) t.unref();
    this.connection?.start();
    return this;
  }

  private async onConnect(): Promise<void> {
    const c = this.config;
    const { status, out, cmd } = this.core.topics;
    this.outbox.retained(status, "online");
    this.outbox.flush();
    try {
      await this.connection!.subscribe(this.readings.subscriptions());
      this.log.info(`subscribed to ${c.topics.input}/+ (QoS ${c.input.qos}) and ${c.commands.enabled ? `commands on ${out}/+/cmd, ${cmd}` : "no commands (commands.enabled: false)"}`);
      this.readyResolve();
      this.core.emit("connected");
    } catch (e) {
      this.log.error(`subscribe failed: ${(e as Error).message}`);
    }
  }

  /** MQTT.js's handleMessage (the tests call it with fake packets). */
  private onPacket(packet: IPublishPacket, done: (err?: Error) => void): void {
    this.readings.onPacket(packet, done, this.connection);
  }

  /** Handles one message as if it came from the broker (public for tests and benchmarks). */
  handle(topic: string, payload: Uint8Array, retain = false, properties?: IPublishPacket["properties"]): void {
    this.readings.handle(topic, payload, retain, properties);
  }

  // ---- health -------------------------------------------------------------------------------

  /** The health object of a device (reads the model's metrics; a device at rest is read through the spare instance). */
  deviceHealth(name: string): Result<Record<string, unknown>> {
    return this.health.device(name);
  }

  hostHealth(): Record<string, unknown> {
    return this.health.host();
  }

  /** Adds fields to every device's health object (e.g. the rollback guard's state). */
  addHealthFields(fn: (device: string) => Record<string, unknown>): void {
    this.health.addFields(fn);
  }

  /** Publishes retained health of changed devices (and the host), at most once per interval unless forced. */
  publishHealth(force: boolean): void {
    this.health.publish(force);
  }

  // ---- device state (commands, the rollback guard, the dashboard) ---------------------------
  // Each returns a Result (host/service/result.ts): { ok: true, value } or { ok: false, reason, error }.

  /** A copy of the device's state blob (fails for an unknown device or one without a model yet). */
  snapshotDevice(name: string): Result<Uint8Array> {
    return this.lifecycle.snapshot(name);
  }

  /** Replaces a device's state with a blob (validated by the module, checked against the device's configuration). */
  loadDevice(name: string, blob: Uint8Array): Result<void> {
    const r = this.lifecycle.load(name, blob);
    if (r.ok) this.checkpoints.replaced(name);
    return r;
  }

  /** Forgets what the device learned (keeps its configuration); `purge` also deletes its checkpoints. */
  resetDevice(name: string, purge = false): Result<{ purged: boolean }> {
    // Deleted first: a store that cannot delete now leaves the device untouched.
    const purged = purge ? this.checkpoints.purge(name) : undefined;
    if (purged && !purged.ok) return purged;
    const r = this.lifecycle.reset(name, purge);
    if (r.ok && !r.value.purged) this.checkpoints.replaced(name);
    return r;
  }

  /** Drops the device: its model, its checkpoints, its retained health. A later reading starts it afresh. */
  forgetDevice(name: string): Result<void> {
    const purged = this.checkpoints.purge(name);
    return purged.ok ? this.lifecycle.forget(name) : purged;
  }

  /** Writes the device's state to the store now. */
  checkpointDevice(name: string, knownGood?: boolean): Result<CheckpointMeta> {
    return this.checkpoints.checkpoint(name, knownGood);
  }

  /** Checkpoints several devices in one store transaction: how many were written. */
  checkpointMany(names: Iterable<string>, force = false): Result<number> {
    return this.checkpoints.checkpointMany(names, force);
  }

  /** Back to the newest known-good checkpoint (or a given seq): the checkpoint gone back to. */
  rollbackDevice(name: string, seq?: number): Result<CheckpointMeta> {
    return this.checkpoints.rollback(name, seq);
  }

  private commandContext(): CommandContext {
    const { out, inPrefix } = this.core.topics;
    return {
      service: this,
      log: this.log.child("cmd"),
      reply: (topic, payload, props) => this.outbox.event(topic, payload, props),
      replyAllowed: (topic) => !topic.startsWith(inPrefix),
      defaultReply: (device) => this.config.topics.reply || (device ? `${out}/${device}/reply` : `${out}/reply`),
      badCommand: (why) => this.core.refuse("bad_command", why),
    };
  }

  // ---- shutdown -----------------------------------------------------------------------------

  /** Stop taking readings → final health → flush checkpoints → status offline → disconnect → close the store. */
  stop(): Promise<void> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  private async doStop(): Promise<void> {
    this.core.stopping = true;
    this.log.info("stopping: readings still arriving are left unacknowledged for the next start");
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    this.checkpoints.flush();
    try {
      this.health.publish(true);
    } catch (e) {
      this.log.error(`final health failed: ${(e as Error).message}`);
    }
    this.outbox.retained(this.core.topics.status, "offline");
    if (this.connection) await this.connection.stop();
    if (this.store) {
      try {
        this.store.close();
      } catch (e) {
        this.log.error(`closing the store failed: ${(e as Error).message}`);
      }
    }
    this.log.info("stopped");
  }
}

/** What the service runs with, in one log line at start. */
function startLine(c: Config, withStore: boolean): string {
  const m = c.model;
  const st = c.store;
  const store = withStore ? `${st.type}${st.type === "sqlite" ? ` ${st.path}` : ""} (checkpoint every ${st.checkpoint.everyReadings} readings / ${st.checkpoint.everySeconds} s)` : "none";
  return (
    `input ${c.topics.input}/+ (QoS ${c.input.qos}, ${c.input.format}), output ${c.topics.output}/; ` +
    `default model ${m.task}${m.target ? ` → ${m.target}` : ""} on ${m.features.length ? m.features.join(", ") : "inferred features"}, ${c.devices.length} device rules; ` +
    `pool ≤ ${c.pool.maxDevices} devices (${c.pool.hotInstances} hot); store ${store}`
  );
}
