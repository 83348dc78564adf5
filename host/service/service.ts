// The edgelearn service: MQTT readings in, one model per device, predictions, drift and health out.
//
// Data flow per message (all synchronous, inside MQTT.js's handleMessage, so a QoS 1 reading is
// acknowledged only after it was learned, in order, one at a time):
//   topic → device (pool, cap) → codec → features straight into the learner's input view →
//   learn_one → prediction/drift publish (bounded outbox) → checkpoint policy → ack.
// Nothing keeps the reading: the input view is overwritten by the next one.
//
// Extension points for durable state and health guards (issue 5): the StateStore and checkpoint
// policy are injected; `events` reports every reading's flags, drifts, checkpoints, rollbacks and
// resets (a throwing listener is logged and isolated); `snapshotDevice`, `loadDevice`,
// `resetDevice`, `rollbackDevice`, `checkpointDevice` work on any device, hot or at rest; `stop`
// is the shutdown sequence: stop taking readings → drain → final health → flush checkpoints →
// status offline → disconnect → close the store.

import { EventEmitter } from "node:events";
import type { IPublishPacket } from "mqtt";
import { Flag, REJECT_MASK, LearnerError, ErrorCode, Count, compileLearner, DEFAULT_WASM, errorName, type Learner } from "../learner/index.js";
import { extract, inferFeatures, parsePayload, GLOBAL_REASONS, MODULE_REASONS, MODULE_REASON_MASK, type Extracted, type FieldPlan, type GlobalReason } from "../codecs/index.js";
import { modelFor, mergeRule, ConfigError } from "../config/load.js";
import { SUPERVISED, type Config, type ModelConfig } from "../config/types.js";
import { DevicePool, type PoolDevice } from "../devices/pool.js";
import { modelSpec, KIND_TASK } from "../devices/model.js";
import { MqttConnection } from "../mqtt/connection.js";
import { Outbox, type Publisher } from "../mqtt/outbox.js";
import { createLogger, RateLimitedLog, type Logger } from "../logger.js";
import type { CheckpointMeta, StateStore } from "../store/types.js";
import { CheckpointPolicy } from "../store/policy.js";
import { pickValid, restoreAll } from "../store/restore.js";
import { StoreWriteState } from "../store/write-state.js";
import { DeviceState } from "./device.js";
import { deviceHealthRecord, type ModelFacts } from "./health-record.js";
import { publishRuleFor } from "./publish-rule.js";
import { predictionJson } from "./format.js";
import { publishableMetrics } from "./released-metrics.js";
import { handleCommand, type CommandContext } from "./commands.js";
import { commandRefusal } from "./command-access.js";

export type Device = PoolDevice<DeviceState>;

/** Handed to MQTT.js for a message that arrives while stopping: it is left unacknowledged. */
const STOPPING = new Error("stopping: not acknowledged");

/** Stands in for the connection when the service runs without MQTT: outputs wait in the bounded outbox. */
const OFFLINE = { connected: false, publish(): void {} };

export interface ServiceEvents {
  /** Every reading that reached the module: its flags; the learner holds the output record. */
  reading: [device: string, flags: number, learner: Learner];
  drift: [device: string, ts: number];
  checkpoint: [meta: CheckpointMeta];
  rollback: [device: string, meta: CheckpointMeta];
  reset: [device: string];
  /** A device's health was published (the object that went out). */
  health: [device: string, health: Record<string, unknown>];
  connected: [];
  offline: [];
  /** A device was forgotten (its state, checkpoints and retained health are gone). */
  forget: [device: string];
  /** One MQTT message was handled, in `ms` (emitted only while someone listens: metrics). */
  handled: [ms: number];
}

export interface ServiceOptions {
  logger?: Logger;
  /** Durable state; default none (no checkpoints, no rollback). */
  store?: StateStore;
  /** Default: from config.store.checkpoint. */
  policy?: CheckpointPolicy;
  /** Decides whether a checkpoint is known-good (default: always, until a health guard says otherwise). */
  knownGood?: (device: string) => boolean;
  /** Compiled learner (default build/learner.wasm). */
  module?: WebAssembly.Module;
  now?: () => number;
  /** false: no MQTT connection (tests and benchmarks drive `handle` directly). Default true. */
  connect?: boolean;
  /** Where outputs go instead of the connection (tests, benchmarks). */
  publisher?: Publisher;
}

export interface HostCounters {
  readings: number;
  learned: number;
  refused: Record<GlobalReason, number>;
  internalErrors: number;
}

export class Service {
  readonly config: Config;
  readonly log: Logger;
  readonly events = new EventEmitter<ServiceEvents>();
  readonly pool: DevicePool<DeviceState>;
  readonly store: StateStore | undefined;
  readonly policy: CheckpointPolicy | undefined;
  readonly counters: HostCounters = {
    readings: 0,
    learned: 0,
    refused: Object.fromEntries(GLOBAL_REASONS.map((r) => [r, 0])) as Record<GlobalReason, number>,
    internalErrors: 0,
  };
  connection: MqttConnection | undefined;
  readonly outbox: Outbox;
  private readonly now: () => number;
  private readonly knownGood: (device: string) => boolean;
  private readonly badInput: RateLimitedLog;
  private readonly inPrefix: string;
  private readonly out: string;
  private readonly topicStatus: string;
  private readonly topicHostHealth: string;
  private readonly topicCmd: string;
  private readonly res: Extracted = { y: NaN, ts: 0 };
  /**
   * The message being handled is a redelivery (MQTT DUP flag: the broker sent it before and saw
   * no PUBACK, e.g. it restarted after we learned it). With its own timestamp not after the
   * device's last learned one it is a reading already learned: refused as `duplicate`.
   */
  private redelivered = false;
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private timers: NodeJS.Timeout[] = [];
  private readonly started = Date.now();
  private readyResolve!: () => void;
  /** Resolves after the first connection's subscriptions were granted. */
  readonly ready: Promise<void>;
  private hostDirty = true;
  private lastCheckpointTime = 0;
  /** Checkpoint writes failing (a full disk): learning goes on in memory, retried now and then. */
  readonly storeWrites: StoreWriteState;

  constructor(config: Config, opts: ServiceOptions = {}) {
    this.config = config;
    this.log = opts.logger ?? createLogger("edgelearn", { level: config.log.level, format: config.log.format });
    this.now = opts.now ?? Date.now;
    this.store = opts.store;
    this.knownGood = opts.knownGood ?? (() => true);
    this.policy =
      opts.policy ??
      (this.store && (config.store.checkpoint.everyReadings > 0 || config.store.checkpoint.everySeconds > 0)
        ? new CheckpointPolicy({ everyReadings: config.store.checkpoint.everyReadings, everyMs: config.store.checkpoint.everySeconds * 1000 })
        : undefined);
    this.storeWrites = new StoreWriteState(this.log.child("store"));
    this.badInput = new RateLimitedLog(this.log.child("input"), config.log.rateLimitSeconds * 1000);
    this.pool = new DevicePool<DeviceState>({
      maxDevices: config.pool.maxDevices,
      hotInstances: config.pool.hotInstances,
      module: opts.module ?? compileLearner(DEFAULT_WASM),
    });
    this.inPrefix = `${config.topics.input}/`;
    this.out = config.topics.output;
    this.topicStatus = `${this.out}/status`;
    this.topicHostHealth = `${this.out}/health`;
    this.topicCmd = `${this.out}/cmd`;
    this.ready = new Promise((r) => (this.readyResolve = r));
    this.checkModels();
    if (opts.connect !== false) {
      const conn = new MqttConnection(config.mqtt, {
        log: this.log.child("mqtt"),
        will: { topic: this.topicStatus, payload: "offline" },
        handleMessage: (packet, done) => this.onPacket(packet, done),
      });
      this.connection = conn;
      conn.on("connect", () => void this.onConnect());
      conn.on("offline", () => this.safeEmit("offline"));
    }
    this.outbox = new Outbox(opts.publisher ?? this.connection ?? OFFLINE, { predictionCap: config.output.offlineQueue });
  }

  /** Every configured model must be one this learner.wasm can create (else: ConfigError before connecting). */
  private checkModels(): void {
    const problems: string[] = [];
    const l = this.pool.spare();
    const tryModel = (path: string, m: ModelConfig) => {
      const spec = modelSpec(m, m.features, path);
      if (Array.isArray(spec)) return problems.push(...spec);
      try {
        // Inferred features: try the model on one feature; the count is checked per device later.
        l.create(spec.kind, Math.max(1, spec.nFeatures), spec.config);
      } catch (e) {
        const code = e instanceof LearnerError ? e.code : NaN;
        problems.push(
          code === -3
            ? `${path}.task: "${m.task}" is not supported by this learner module`
            : `${path}: the module refused this model: ${(e as Error).message}`,
        );
      }
    };
    tryModel("model", this.config.model);
    this.config.devices.forEach((r, i) => tryModel(`devices[${i}]`, mergeRule(this.config.model, r)));
    if (problems.length) throw new ConfigError(problems);
  }

  /** Restores devices from the store, connects, starts timers. Returns at once; await `ready` for the broker. */
  start(): this {
    const c = this.config;
    this.log.info(() => {
      const m = c.model;
      const st = c.store;
      const store = this.store ? `${st.type}${st.type === "sqlite" ? ` ${st.path}` : ""} (checkpoint every ${st.checkpoint.everyReadings} readings / ${st.checkpoint.everySeconds} s)` : "none";
      return (
        `input ${c.topics.input}/+ (QoS ${c.input.qos}, ${c.input.format}), output ${c.topics.output}/; ` +
        `default model ${m.task}${m.target ? ` → ${m.target}` : ""} on ${m.features.length ? m.features.join(", ") : "inferred features"}, ${c.devices.length} device rules; ` +
        `pool ≤ ${c.pool.maxDevices} devices (${c.pool.hotInstances} hot); store ${store}`
      );
    });
    if (this.store) this.restore();
    const healthMs = this.config.output.healthIntervalSeconds * 1000;
    this.timers.push(setInterval(() => this.publishHealth(false), Math.min(healthMs, 1000)));
    const tick = this.policy?.tickMs() ?? 0;
    if (tick > 0) this.timers.push(setInterval(() => this.checkpointDue(), tick));
    for (const t of this.timers) t.unref();
    this.connection?.start();
    return this;
  }

  private restore(): void {
    const store = this.store!;
    const log = this.log.child("store");
    const spare = this.pool.spare();
    const results = restoreAll(store, (b) => spare.validate(b), (m) => log.warn(m));
    let n = 0;
    for (const r of results) {
      if (!r.restored) continue;
      const d = this.deviceFor(r.device, true);
      if (!d) {
        log.warn(`device ${r.device}: not restored (${this.pool.full ? "pool.maxDevices reached" : "no rule accepts it"})`);
        continue;
      }
      if (this.fits(d, r.restored.blob) !== 0 || this.pool.load(d, r.restored.blob) !== 0) {
        log.warn(`device ${r.device}: starts fresh`);
        continue;
      }
      d.meta.lastCheckpoint = r.restored.meta;
      n++;
    }
    if (results.length) log.info(`restored ${n} of ${results.length} devices from the store`);
  }

  /**
   * Whether a valid blob fits the device's configuration (same task, same feature count): 0, or
   * ERR_KIND / ERR_FEATURES with a log line saying why. With inferred features the count is
   * checked again against the next reading.
   */
  private fits(d: Device, blob: Uint8Array): number {
    const spare = this.pool.spare();
    const r = spare.load(blob);
    if (r !== 0) return r;
    const st = d.meta;
    const task = KIND_TASK[spare.kind];
    if (task !== st.model.task) {
      this.log.warn(`device ${d.name}: the checkpoint is a ${task ?? "unknown"} model, the configuration says ${st.model.task}; not loaded`);
      return ErrorCode.Kind;
    }
    const n = st.plan ? st.plan.features.length : st.model.features.length || -1;
    if (n >= 0 && spare.nFeatures !== n) {
      this.log.warn(`device ${d.name}: the checkpoint has ${spare.nFeatures} features, the configuration ${n}; not loaded`);
      return ErrorCode.Features;
    }
    st.restoredFeatures = n < 0 ? spare.nFeatures : -1;
    return 0;
  }

  private async onConnect(): Promise<void> {
    const c = this.config;
    this.outbox.retained(this.topicStatus, "online");
    this.outbox.flush();
    const rh = c.input.skipRetained ? 2 : 0; // MQTT 5: do not even send retained readings
    try {
      const commands = c.commands.enabled ? { [`${this.out}/+/cmd`]: { qos: 1 as const, rh: 2 }, [this.topicCmd]: { qos: 1 as const, rh: 2 } } : {};
      await this.connection!.subscribe({ [`${c.topics.input}/+`]: { qos: c.input.qos, rh }, ...commands });
      this.log.info(`subscribed to ${c.topics.input}/+ (QoS ${c.input.qos}) and ${c.commands.enabled ? `commands on ${this.out}/+/cmd, ${this.topicCmd}` : "no commands (commands.enabled: false)"}`);
      this.readyResolve();
      this.safeEmit("connected");
    } catch (e) {
      this.log.error(`subscribe failed: ${(e as Error).message}`);
    }
  }

  // ---- the hot path -------------------------------------------------------------------------

  private onPacket(packet: IPublishPacket, done: (err?: Error) => void): void {
    // While stopping: not learned and not acknowledged (the broker redelivers it to the next
    // session). `done` with an error makes MQTT.js move on without a PUBACK; returning without
    // `done` would stop it reading the socket, and the PUBACKs of the shutdown messages with it.
    if (this.stopping) return done(STOPPING);
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const timed = this.events.listenerCount("handled") > 0;
    const t0 = timed ? performance.now() : 0;
    this.redelivered = packet.dup;
    this.handle(packet.topic, payload, packet.retain, packet.properties);
    this.redelivered = false;
    if (timed) this.safeEmit("handled", performance.now() - t0);
    const conn = this.connection;
    if (conn && conn.bufferedBytes() > this.config.output.maxBufferedBytes) conn.whenWritable(this.config.output.maxBufferedBytes, () => done());
    else done();
  }

  /** Handles one message as if it came from the broker (public for tests and benchmarks). */
  handle(topic: string, payload: Uint8Array, retain = false, properties?: IPublishPacket["properties"]): void {
    try {
      if (topic.startsWith(this.inPrefix)) {
        const name = topic.slice(this.inPrefix.length);
        if (name.length === 0 || name.length > 128 || name.includes("/")) return this.refuse("unknown_topic", topic);
        if (retain && this.config.input.skipRetained) return this.refuse("retained", topic);
        this.reading(name, payload);
      } else if (topic === this.topicCmd || (topic.startsWith(`${this.out}/`) && topic.endsWith("/cmd"))) {
        const device = topic === this.topicCmd ? undefined : topic.slice(this.out.length + 1, -4);
        const refused = commandRefusal(this.config.commands, properties);
        if (refused !== undefined) return this.commandContext().badCommand(() => `command on ${topic.slice(0, 200)} refused: ${refused}`);
        handleCommand(this.commandContext(), device, payload, properties);
      } else {
        this.refuse("unknown_topic", topic);
      }
    } catch (e) {
      this.counters.internalErrors++;
      this.log.error(`internal error handling a message on ${topic}: ${(e as Error).stack ?? e}`);
    }
  }

  private refuse(reason: GlobalReason, topic: string): void {
    this.counters.refused[reason]++;
    this.hostDirty = true;
    this.badInput.warn(`${reason}`, () => `refused a message on ${topic.slice(0, 200)}: ${reason}`);
  }

  /** The device for a name, created if a rule accepts it and the pool has room. */
  private deviceFor(name: string, restoring = false): Device | undefined {
    const d = this.pool.get(name);
    if (d) return d;
    const { model, rule } = modelFor(this.config, name);
    if (rule < 0 && !this.config.pool.acceptUnknown) {
      if (!restoring) this.refuse("unknown_topic", this.inPrefix + name);
      return undefined;
    }
    const added = this.pool.add(name, new DeviceState(name, model, this.out, publishRuleFor(this.config, rule)));
    if (!added) {
      if (!restoring) this.refuse("device_cap", this.inPrefix + name);
      return undefined;
    }
    this.hostDirty = true;
    this.log.debug(() => `new device ${name} (${model.task}${rule >= 0 ? `, rule ${rule}` : ""})`);
    return added;
  }

  private reading(name: string, payload: Uint8Array): void {
    const d = this.deviceFor(name);
    if (!d) return;
    const now = this.now();
    const c = this.config.input;
    const parsed = parsePayload(payload, c.format, c.maxPayloadBytes, now);
    if (typeof parsed === "string") return this.rejectReading(d, parsed);
    if (parsed.kind === "flat") this.learnOne(d, parsed.obj, now, undefined);
    else for (const r of parsed.readings) this.learnOne(d, r.fields, now, r.ts, r.names);
  }

  private rejectReading(d: Device, reason: string): void {
    d.meta.reject(reason);
    this.counters.readings++;
    this.hostDirty = true;
    this.badInput.warn(`${d.name}:${reason}`, () => `device ${d.name}: reading refused: ${reason}`);
  }

  private learnOne(d: Device, src: Record<string, unknown> | Map<string, number | string>, now: number, senmlTs: number | undefined, names?: string[]): void {
    const st = d.meta;
    if (st.failed !== undefined) return this.rejectReading(d, "model_error");
    if (st.plan === null && !this.plan(d, src, names)) return;
    const l = this.pool.use(d);
    const res = this.res;
    const why = extract(src, st.plan!, l.input, res, now, senmlTs);
    if (why !== null) return this.rejectReading(d, why);
    if (this.redelivered && res.explicitTs && res.ts <= st.lastTs) return this.rejectReading(d, "duplicate");
    const flags = l.raw.learn_one(res.y);
    this.counters.readings++;
    this.hostDirty = true;
    st.readings++;
    st.dirty = true;
    if (flags < 0) {
      st.reject("model_error");
      st.readings--;
      this.log.error(`device ${d.name}: learn_one failed: ${errorName(flags)}`);
      return;
    }
    st.lastTs = res.ts;
    if (flags & MODULE_REASON_MASK) {
      st.moduleRejects(flags);
      if (flags & REJECT_MASK) {
        this.badInput.warn(`${d.name}:guard`, () => {
          const why = MODULE_REASONS.filter(([bit]) => flags & bit).map(([, n]) => n);
          return `device ${d.name}: reading rejected by the guard: ${why.join(", ")}`;
        });
      }
    }
    if (flags & Flag.Learned) {
      st.learned++;
      this.counters.learned++;
      st.stats.observe(publishableMetrics, l);
    }
    if (this.config.output.predictions && st.gate.pass(flags, l)) {
      this.outbox.prediction(st.topicPrediction, predictionJson(res.ts, l, flags, (flags & Flag.Predicted) !== 0), this.config.output.qos, st.topicPredictionBytes);
    }
    if (flags & Flag.Drift) this.drift(d, res.ts);
    if (this.events.listenerCount("reading") > 0) this.safeEmit("reading", d.name, flags, l);
    if (flags & Flag.Learned && this.policy?.learned(d.name, now)) this.checkpointDevice(d.name);
  }

  /** Fixes the device's features (configured, or inferred from this first reading) and creates its model. */
  private plan(d: Device, src: Record<string, unknown> | Map<string, number | string>, names?: string[]): boolean {
    const st = d.meta;
    const m = st.model;
    const features = m.features.length ? m.features : inferFeatures(src, m.target, this.config.input.timestampField, names);
    if (features.length === 0 && m.task !== "forecast") {
      this.rejectReading(d, "no_features");
      return false;
    }
    st.plan = { features, target: SUPERVISED.has(m.task) ? m.target : undefined, tsField: this.config.input.timestampField } satisfies FieldPlan;
    if (d.hasModel && (st.restoredFeatures < 0 || st.restoredFeatures === features.length)) {
      if (st.restoredFeatures >= 0) this.log.info(`device ${d.name}: restored model continues with features ${features.join(", ")}`);
      return true;
    }
    if (d.hasModel) this.log.warn(`device ${d.name}: restored model had ${st.restoredFeatures} features, the readings now have ${features.length}; starting fresh`);
    const spec = modelSpec(m, features, `device ${d.name}`);
    try {
      if (Array.isArray(spec)) throw new Error(spec.join("; "));
      this.pool.create(d, spec.kind, spec.nFeatures, spec.config);
      this.log.info(`device ${d.name}: new ${m.task} model on ${features.length} features (${features.join(", ") || "none"})${st.plan.target ? `, target ${st.plan.target}` : ""}`);
      return true;
    } catch (e) {
      st.failed = (e as Error).message;
      this.log.error(`device ${d.name}: cannot create its ${m.task} model: ${st.failed}; its readings are refused (model_error)`);
      this.rejectReading(d, "model_error");
      return false;
    }
  }

  private drift(d: Device, ts: number): void {
    const st = d.meta;
    st.drifts++;
    const payload = JSON.stringify({ ts, reading: st.readings, drifts: st.drifts, metrics: st.stats.value ?? {} });
    this.outbox.event(st.topicDrift, payload);
    this.log.info(`device ${d.name}: drift detected at reading ${st.readings} (drift ${st.drifts})`);
    this.safeEmit("drift", d.name, ts);
  }

  // ---- health -------------------------------------------------------------------------------

  /** The health object of a device (reads the model's metrics; a device at rest is read through the spare instance). */
  deviceHealth(name: string): Record<string, unknown> | undefined {
    const d = this.pool.get(name);
    if (!d) return undefined;
    let model: ModelFacts | null = null;
    if (d.hasModel) {
      let l: Learner;
      if (d.slot >= 0) l = this.pool.use(d);
      else {
        l = this.pool.spare();
        l.load(d.blob);
      }
      model = { readings: l.count(Count.Readings), learned: l.count(Count.Learned), stateBytes: l.stateLength };
    }
    let extra: Record<string, unknown> = {};
    for (const fn of this.healthFields) {
      try {
        extra = { ...extra, ...fn(name) };
      } catch (e) {
        this.log.error(`a health field provider failed: ${(e as Error).message}`);
      }
    }
    return deviceHealthRecord(d.meta, this.now(), model, extra);
  }

  hostHealth(): Record<string, unknown> {
    return {
      ts: this.now(),
      status: this.stopping ? "stopping" : "online",
      uptime_s: Math.round((Date.now() - this.started) / 1000),
      devices: this.pool.size,
      max_devices: this.pool.maxDevices,
      hot: this.pool.hot,
      swaps: this.pool.swaps,
      readings: this.counters.readings,
      learned: this.counters.learned,
      refused: { ...this.counters.refused },
      internal_errors: this.counters.internalErrors,
      dropped_predictions: this.outbox.droppedPredictions,
      dropped_events: this.outbox.droppedEvents,
      queued: this.outbox.queued,
      store: this.store
        ? {
            type: this.config.store.type,
            problems: this.store.problems().length,
            last_checkpoint: this.lastCheckpointTime || null,
            ...(this.storeWrites.failure ? { write_error: this.storeWrites.failure } : {}),
          }
        : null,
    };
  }

  private lastHealthAt = 0;
  private readonly healthFields: ((device: string) => Record<string, unknown>)[] = [];

  /** Adds fields to every device's health object (e.g. the rollback guard's state). */
  addHealthFields(fn: (device: string) => Record<string, unknown>): void {
    this.healthFields.push(fn);
  }

  /** Publishes retained health of changed devices (and the host), at most once per interval unless forced. */
  publishHealth(force: boolean): void {
    const t = this.now();
    if (!force && t - this.lastHealthAt < this.config.output.healthIntervalSeconds * 1000) return;
    this.lastHealthAt = t;
    for (const d of this.pool.all()) {
      if (!d.meta.dirty) continue;
      d.meta.dirty = false;
      const h = this.deviceHealth(d.name)!;
      this.outbox.retained(d.meta.topicHealth, JSON.stringify(h));
      this.safeEmit("health", d.name, h);
    }
    if (this.hostDirty || force) {
      this.hostDirty = false;
      this.outbox.retained(this.topicHostHealth, JSON.stringify(this.hostHealth()));
    }
  }

  // ---- state operations (commands, issue 5's guard) -----------------------------------------

  /** A copy of the device's state blob, or undefined (unknown device, or no model yet). */
  snapshotDevice(name: string): Uint8Array | undefined {
    const d = this.pool.get(name);
    return d ? this.pool.snapshot(d) : undefined;
  }

  /** Replaces a device's state with a blob (validated by the module): 0 or an ABI error code. */
  loadDevice(name: string, blob: Uint8Array): number {
    const d = this.deviceFor(name, true);
    if (!d) return ErrorCode.Capacity;
    const fit = this.fits(d, blob);
    if (fit !== 0) return fit;
    const r = this.pool.load(d, blob);
    if (r === 0) {
      d.meta.failed = undefined;
      d.meta.stats.restart(true);
      d.meta.dirty = true;
    }
    return r;
  }

  /** Forgets what the device learned (keeps its configuration); `purge` also deletes its checkpoints. */
  resetDevice(name: string, purge = false): boolean {
    const d = this.pool.get(name);
    if (!d) return false;
    if (d.hasModel) this.pool.use(d).reset();
    d.meta.stats.restart(true);
    if (purge && this.store) {
      this.store.remove(name);
      d.meta.lastCheckpoint = undefined;
    }
    this.policy?.saved(name);
    d.meta.dirty = true;
    this.log.info(`device ${name}: reset${purge ? " and checkpoints purged" : ""}`);
    this.safeEmit("reset", name);
    return true;
  }

  /** Drops the device: its model, its checkpoints, its retained health. A later reading starts it afresh. */
  forgetDevice(name: string): boolean {
    const d = this.pool.get(name);
    if (!d) return false;
    this.pool.remove(d);
    this.store?.remove(name);
    this.policy?.saved(name);
    this.outbox.retained(d.meta.topicHealth, "");
    this.hostDirty = true;
    this.log.info(`device ${name}: forgotten`);
    this.safeEmit("forget", name);
    return true;
  }

  /** Writes the device's state to the store now. */
  checkpointDevice(name: string, knownGood?: boolean): CheckpointMeta | undefined {
    const d = this.pool.get(name);
    if (!d || !this.store || !this.storeWrites.mayTry(this.now())) return undefined;
    const blob = this.pool.snapshot(d);
    if (!blob) return undefined;
    let meta: CheckpointMeta;
    try {
      meta = this.store.checkpoint(name, blob, this.modelReadings(d), knownGood ?? this.knownGood(name));
    } catch (e) {
      this.storeFailed(e);
      return undefined;
    }
    this.storeWrites.succeeded(this.now());
    this.afterCheckpoint(d, meta);
    return meta;
  }

  private storeFailed(e: unknown): void {
    this.storeWrites.failed(e, this.now());
    this.hostDirty = true;
  }

  private afterCheckpoint(d: Device, meta: CheckpointMeta): void {
    d.meta.lastCheckpoint = meta;
    d.meta.dirty = true;
    this.lastCheckpointTime = meta.time;
    this.policy?.saved(d.name);
    this.safeEmit("checkpoint", meta);
  }

  private modelReadings(d: Device): number {
    return d.slot >= 0 ? this.pool.use(d).count(Count.Readings) : d.meta.readings;
  }

  /** Checkpoints several devices in one store transaction. */
  checkpointMany(names: Iterable<string>, force = false): number {
    if (!this.store || !this.storeWrites.mayTry(this.now(), force)) return 0;
    const items: { device: string; blob: Uint8Array; readings: number; knownGood: boolean }[] = [];
    const devs: Device[] = [];
    for (const n of names) {
      const d = this.pool.get(n);
      const blob = d && this.pool.snapshot(d);
      if (!d || !blob) continue;
      items.push({ device: n, blob, readings: this.modelReadings(d), knownGood: this.knownGood(n) });
      devs.push(d);
    }
    if (items.length === 0) return 0;
    let metas: CheckpointMeta[];
    try {
      metas = this.store.checkpointMany(items);
    } catch (e) {
      this.storeFailed(e);
      return 0;
    }
    this.storeWrites.succeeded(this.now());
    metas.forEach((m, i) => this.afterCheckpoint(devs[i], m));
    return metas.length;
  }

  private checkpointDue(): void {
    if (!this.policy) return;
    try {
      const due = this.policy.dueByTime(this.now());
      if (due.length) this.checkpointMany(due);
    } catch (e) {
      this.log.child("store").error(`checkpoint failed: ${(e as Error).message}`);
    }
  }

  /** Back to the newest known-good checkpoint (or a given seq): the checkpoint, or an error message. */
  rollbackDevice(name: string, seq?: number): CheckpointMeta | string {
    if (!this.store) return "no store configured (store.type is none)";
    const d = this.pool.get(name);
    if (!d) return `unknown device ${name}`;
    const spare = this.pool.spare();
    let target;
    if (seq !== undefined) {
      target = this.store.candidates(name).find((c) => c.meta.seq === seq);
      if (!target) return `device ${name} has no checkpoint ${seq}`;
    } else {
      target = pickValid(this.store, name, (b) => spare.validate(b), (m) => this.log.warn(m), true).restored;
      if (!target) return `device ${name} has no known-good checkpoint`;
    }
    const fit = this.fits(d, target.blob);
    const r = fit !== 0 ? fit : this.pool.load(d, target.blob);
    if (r !== 0) return `checkpoint ${target.meta.seq} refused: ${errorName(r)}`;
    this.policy?.saved(name);
    d.meta.stats.restart(false);
    d.meta.dirty = true;
    this.log.info(`device ${name}: rolled back to checkpoint ${target.meta.seq} (${target.meta.readings} readings)`);
    this.safeEmit("rollback", name, target.meta);
    return target.meta;
  }

  private commandContext(): CommandContext {
    return {
      service: this,
      log: this.log.child("cmd"),
      reply: (topic, payload, props) => this.outbox.event(topic, payload, props),
      replyAllowed: (topic) => !topic.startsWith(this.inPrefix),
      defaultReply: (device) => this.config.topics.reply || (device ? `${this.out}/${device}/reply` : `${this.out}/reply`),
      badCommand: (why) => {
        this.counters.refused.bad_command++;
        this.hostDirty = true;
        this.badInput.warn("bad_command", why);
      },
    };
  }

  private safeEmit<K extends keyof ServiceEvents>(event: K, ...args: ServiceEvents[K]): void {
    try {
      (this.events.emit as (e: K, ...a: ServiceEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error(`a '${event}' listener failed: ${(e as Error).message}`);
    }
  }

  // ---- shutdown -----------------------------------------------------------------------------

  /** Stop taking readings → final health → flush checkpoints → status offline → disconnect → close the store. */
  stop(): Promise<void> {
    this.stopped ??= this.doStop();
    return this.stopped;
  }

  private async doStop(): Promise<void> {
    this.stopping = true;
    this.log.info("stopping: readings still arriving are left unacknowledged for the next start");
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    if (this.store) {
      try {
        const pending = this.policy ? this.policy.pending() : [...this.pool.names()];
        const n = this.checkpointMany(pending, true);
        this.log.info(`shutdown: ${n} device checkpoints flushed`);
        const f = this.storeWrites.failure;
        if (f) this.log.error(`shutdown: the store cannot take checkpoints (${f.error}); what was learned since each device's last checkpoint is lost`);
      } catch (e) {
        this.log.error(`shutdown checkpoint failed: ${(e as Error).message}`);
      }
    }
    try {
      this.publishHealth(true);
    } catch (e) {
      this.log.error(`final health failed: ${(e as Error).message}`);
    }
    this.outbox.retained(this.topicStatus, "offline");
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
