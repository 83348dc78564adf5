// Routing and the per-reading path, all synchronous inside MQTT.js's handleMessage, so a QoS 1
// reading is acknowledged only after it was learned, in order, one at a time:
//   topic → codec → device (pool, cap; created only for a payload that parses) → features
//   straight into the learner's input view → learn_one → prediction/drift publish (bounded
//   outbox) → checkpoint policy → ack.
// Nothing keeps the reading: the input view is overwritten by the next one. Command topics are
// handed to the command handler the service wires in (commands.ts).

import type { IPublishPacket } from "mqtt";
import { Flag, REJECT_MASK, errorName } from "../learner/index.js";
import { extract, parsePayload, MODULE_REASONS, MODULE_REASON_MASK, type Extracted } from "../codecs/index.js";
import type { Config } from "../config/types.js";
import type { DevicePool } from "../devices/pool.js";
import type { MqttConnection } from "../mqtt/connection.js";
import type { Outbox } from "../mqtt/outbox.js";
import { predictionJson } from "./format.js";
import { publishableMetrics } from "./released-metrics.js";
import type { DeviceState } from "./device.js";
import type { Device, HostCounters, ServiceCore } from "./core.js";
import type { DeviceLifecycle } from "./lifecycle.js";
import type { Checkpoints } from "./checkpoints.js";
import type { CommandHandler } from "./commands.js";

/** Handed to MQTT.js for a message that arrives while stopping: it is left unacknowledged. */
const STOPPING = new Error("stopping: not acknowledged");

export class Readings {
  // The core's members the hot path reads on every reading, held directly.
  private readonly config: Config;
  private readonly pool: DevicePool<DeviceState>;
  private readonly outbox: Outbox;
  private readonly counters: HostCounters;
  private readonly res: Extracted = { y: NaN, ts: 0 };
  /**
   * The message being handled is a redelivery (MQTT DUP flag: the broker sent it before and saw
   * no PUBACK, e.g. it restarted after we learned it). With its own timestamp not after the
   * device's last learned one it is a reading already learned: refused as `duplicate`.
   */
  private redelivered = false;

  constructor(
    private readonly core: ServiceCore,
    private readonly lifecycle: DeviceLifecycle,
    private readonly checkpoints: Checkpoints,
    private readonly command: CommandHandler,
  ) {
    this.config = core.config;
    this.pool = core.pool;
    this.outbox = core.outbox;
    this.counters = core.counters;
  }

  /** What the service subscribes to on each connection: the readings and, when enabled, the command topics. */
  subscriptions(): Record<string, { qos: 0 | 1; rh: number }> {
    const c = this.config;
    const { out, cmd } = this.core.topics;
    const rh = c.input.skipRetained ? 2 : 0; // MQTT 5: do not even send retained readings
    const commands = c.commands.enabled ? { [`${out}/+/cmd`]: { qos: 1 as const, rh: 2 }, [cmd]: { qos: 1 as const, rh: 2 } } : {};
    return { [`${c.topics.input}/+`]: { qos: c.input.qos, rh }, ...commands };
  }

  /** MQTT.js's handleMessage: handles the message, then acknowledges it (after the outbox drained below its limit). */
  onPacket(packet: IPublishPacket, done: (err?: Error) => void, conn: MqttConnection | undefined): void {
    // While stopping: not learned and not acknowledged (the broker redelivers it to the next
    // session). `done` with an error makes MQTT.js move on without a PUBACK; returning without
    // `done` would stop it reading the socket, and the PUBACKs of the shutdown messages with it.
    const { core } = this;
    if (core.stopping) return done(STOPPING);
    const payload = typeof packet.payload === "string" ? Buffer.from(packet.payload) : packet.payload;
    const timed = core.events.listenerCount("handled") > 0;
    const t0 = timed ? performance.now() : 0;
    this.redelivered = packet.dup;
    this.handle(packet.topic, payload, packet.retain, packet.properties);
    this.redelivered = false;
    if (timed) core.emit("handled", performance.now() - t0);
    const max = this.config.output.maxBufferedBytes;
    if (conn && conn.bufferedBytes() > max) conn.whenWritable(max, () => done());
    else done();
  }

  /** Routes one message by its topic: a reading, a command, or refused. */
  handle(topic: string, payload: Uint8Array, retain = false, properties?: IPublishPacket["properties"]): void {
    const { core } = this;
    const { inPrefix, cmd, out } = core.topics;
    try {
      if (topic.startsWith(inPrefix)) {
        const name = topic.slice(inPrefix.length);
        if (name.length === 0 || name.length > 128 || name.includes("/")) return core.refuseTopic("unknown_topic", topic);
        if (retain && this.config.input.skipRetained) return core.refuseTopic("retained", topic);
        this.reading(name, payload);
      } else if (topic === cmd || (topic.startsWith(`${out}/`) && topic.endsWith("/cmd"))) {
        this.command(topic, topic === cmd ? undefined : topic.slice(out.length + 1, -4), payload, properties);
      } else {
        core.refuseTopic("unknown_topic", topic);
      }
    } catch (e) {
      this.counters.internalErrors++;
      core.log.error(`internal error handling a message on ${topic}: ${(e as Error).stack ?? e}`);
    }
  }

  private reading(name: string, payload: Uint8Array): void {
    const now = this.core.now();
    const c = this.config.input;
    const parsed = parsePayload(payload, c.format, c.maxPayloadBytes, now);
    if (typeof parsed === "string") return this.unparsed(name, parsed);
    const d = this.lifecycle.deviceFor(name);
    if (!d) return;
    if (parsed.kind === "flat") this.learnOne(d, parsed.obj, now, undefined);
    else for (const r of parsed.readings) this.learnOne(d, r.fields, now, r.ts, r.names);
  }

  private learnOne(d: Device, src: Record<string, unknown> | Map<string, number | string>, now: number, senmlTs: number | undefined, names?: string[]): void {
    const { core } = this;
    const st = d.meta;
    if (st.failed !== undefined) return this.reject(d, "model_error");
    if (st.plan === null) {
      const refused = this.lifecycle.plan(d, src, names);
      if (refused !== undefined) return this.reject(d, refused);
    }
    const l = this.pool.use(d);
    const res = this.res;
    const why = extract(src, st.plan!, l.input, res, now, senmlTs);
    if (why !== null) return this.reject(d, why);
    if (this.redelivered && res.explicitTs && res.ts <= st.lastTs) return this.reject(d, "duplicate");
    const flags = l.raw.learn_one(res.y);
    this.counters.readings++;
    core.hostDirty = true;
    st.readings++;
    st.dirty = true;
    if (flags < 0) {
      st.reject("model_error");
      st.readings--;
      core.log.error(`device ${d.name}: learn_one failed: ${errorName(flags)}`);
      return;
    }
    st.lastTs = res.ts;
    if (flags & MODULE_REASON_MASK) {
      st.moduleRejects(flags);
      if (flags & REJECT_MASK) {
        core.badInput.warn(`${d.name}:guard`, () => {
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
    const published = this.config.output.predictions && st.gate.pass(flags, l);
    if (published) {
      this.outbox.prediction(st.topicPrediction, predictionJson(res.ts, l, flags, (flags & Flag.Predicted) !== 0), this.config.output.qos, st.topicPredictionBytes);
    }
    if (flags & Flag.Drift) this.drift(d, res.ts);
    if (core.events.listenerCount("reading") > 0) core.emit("reading", d.name, flags, l, published, res.ts);
    if (flags & Flag.Learned) this.checkpoints.learned(d.name, now);
  }

  /**
   * A payload that does not parse: counted on its device's health, or, for a device that does not
   * exist yet, on the host's (no device is created, so junk on new topics cannot fill the pool).
   */
  private unparsed(name: string, reason: string): void {
    const d = this.pool.get(name);
    if (d) return this.reject(d, reason);
    const topic = this.core.topics.inPrefix + name;
    const refused = this.lifecycle.refusal(name);
    if (refused) return this.core.refuseTopic(refused, topic);
    this.core.refuse("bad_payload", () => `refused a message on ${topic.slice(0, 200)}: ${reason} (no device created)`);
  }

  /** Counts a reading of the device as refused (its health) and logs why, rate-limited. */
  private reject(d: Device, reason: string): void {
    d.meta.reject(reason);
    this.counters.readings++;
    this.core.hostDirty = true;
    this.core.badInput.warn(`${d.name}:${reason}`, () => `device ${d.name}: reading refused: ${reason}`);
  }

  private drift(d: Device, ts: number): void {
    const st = d.meta;
    st.drifts++;
    const payload = JSON.stringify({ ts, reading: st.readings, drifts: st.drifts, metrics: st.stats.value ?? {} });
    this.outbox.event(st.topicDrift, payload);
    this.core.log.info(`device ${d.name}: drift detected at reading ${st.readings} (drift ${st.drifts})`);
    this.core.emit("drift", d.name, ts);
  }
}
