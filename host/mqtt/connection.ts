// One MQTT.js client with the options edgelearn needs, and nothing about learning.
//
// - Fixed client id, persistent session (clean: false; MQTT 5 sessionExpiryInterval), so QoS 1
//   readings published while the host is away are delivered when it returns.
// - Inputs go through MQTT.js's `handleMessage` hook: a QoS 1 message is acknowledged only when
//   the hook calls back, and MQTT.js reads no further packet until then. That gives in-order
//   processing and backpressure to the broker for free (MQTT 5 receiveMaximum bounds what the
//   broker sends ahead).
// - Reconnects with exponential backoff and full jitter (MQTT.js's own fixed-period reconnect is
//   off), keeping the outgoing store so in-flight QoS 1 outputs are resent.
// - Last Will: <output>/status = "offline", retained.

import { readFileSync } from "node:fs";
import { EventEmitter } from "node:events";
import { connect, type MqttClient, type IClientOptions, type IPublishPacket, type IClientPublishOptions } from "mqtt";
import type { MqttConfig } from "../config/types.js";
import { MQTT_PASSWORD_MIN_LENGTH } from "../config/schema.js";
import { resolveSecret } from "../config/secret-setting.js";
import type { Logger } from "../logger.js";
import { TurnBatch } from "./turn-batch.js";
import { publishQos0 } from "./publish-packet.js";

export interface ConnectionOptions {
  log: Logger;
  /** Last Will (retained, QoS 1). */
  will?: { topic: string; payload: string };
  /** Called for every incoming publish; call `done` once the message is fully handled. */
  handleMessage: (packet: IPublishPacket, done: (err?: Error) => void) => void;
}

export interface ConnectionEvents {
  /** After every successful CONNACK. */
  connect: [sessionPresent: boolean];
  /** The connection dropped (a reconnect is scheduled unless stopping). */
  offline: [];
  /** `stop` began: acknowledgements held back for backpressure go out now. */
  stopping: [];
}

/**
 * Client options from the configuration (also used by tests and benchmarks to connect alike).
 * Throws ConfigError naming mqtt.passwordFile when that file is unreadable, empty or blank.
 */
export function clientOptions(cfg: MqttConfig, will?: { topic: string; payload: string }): IClientOptions {
  const o: IClientOptions = {
    clientId: cfg.clientId,
    protocolVersion: cfg.protocolVersion,
    clean: cfg.clean,
    keepalive: cfg.keepalive,
    connectTimeout: cfg.connectTimeoutMs,
    reconnectPeriod: 0, // our own jittered backoff, see MqttConnection
    resubscribe: false, // we subscribe on every connect ourselves
    queueQoSZero: false, // offline outputs are bounded by the Outbox, not queued here
    rejectUnauthorized: cfg.rejectUnauthorized,
    // MQTT.js formats a debug line for every packet unless given its own logger: measured at
    // ~40% of a publish's cost (59 → 37 µs); our logger reports what matters.
    log: () => {},
  };
  if (cfg.username !== undefined) o.username = cfg.username;
  const password = resolveSecret(cfg.password, "mqtt.passwordFile", cfg.passwordFile, MQTT_PASSWORD_MIN_LENGTH);
  if (password !== undefined) o.password = password;
  if (cfg.ca !== undefined) o.ca = readFileSync(cfg.ca);
  if (cfg.cert !== undefined) o.cert = readFileSync(cfg.cert);
  if (cfg.key !== undefined) o.key = readFileSync(cfg.key);
  if (cfg.protocolVersion === 5) {
    o.properties = { sessionExpiryInterval: cfg.sessionExpiryInterval, receiveMaximum: cfg.receiveMaximum };
  }
  if (will) o.will = { topic: will.topic, payload: Buffer.from(will.payload), qos: 1, retain: true };
  return o;
}

/** Full-jitter exponential backoff: uniform in [min, min(max, min·2^attempt)]. */
export function backoffDelay(attempt: number, minMs: number, maxMs: number, rnd: () => number = Math.random): number {
  const cap = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(minMs + rnd() * Math.max(0, cap - minMs));
}

/** URL with any password removed, for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = "***";
    return u.toString();
  } catch {
    return "(invalid url)";
  }
}

export class MqttConnection extends EventEmitter<ConnectionEvents> {
  readonly client: MqttClient;
  private attempt = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private lastError = "";
  private everConnected = false;
  private started = false;
  private readonly batch = new TurnBatch();

  constructor(
    private readonly cfg: MqttConfig,
    private readonly opts: ConnectionOptions,
  ) {
    super();
    const log = opts.log;
    this.client = connect(cfg.url, { ...clientOptions(cfg, opts.will), manualConnect: true });
    this.client.handleMessage = (packet, done) => {
      this.batch.hold(this.client.stream);
      opts.handleMessage(packet, done);
    };
    this.client.on("connect", (connack) => {
      // Node's sockets wait for the peer's ACK before sending another small segment (Nagle);
      // outputs are already coalesced per turn (TurnBatch), so send them at once.
      (this.client.stream as { setNoDelay?: (on: boolean) => void }).setNoDelay?.(true);
      this.attempt = 0;
      this.lastError = "";
      this.everConnected = true;
      log.info(`connected to ${redactUrl(cfg.url)} as ${cfg.clientId} (MQTT ${cfg.protocolVersion === 5 ? "5" : "3.1.1"}, session ${connack.sessionPresent ? "resumed" : "new"})`);
      this.emit("connect", connack.sessionPresent);
    });
    this.client.on("error", (err) => {
      const msg = describeError(err);
      if (msg !== this.lastError) log.error(`broker ${redactUrl(cfg.url)}: ${msg}`);
      this.lastError = msg;
    });
    this.client.on("close", () => {
      if (this.stopping) return;
      this.emit("offline");
      this.scheduleReconnect();
    });
  }

  get connected(): boolean {
    return this.client.connected;
  }

  /** Bytes waiting in the socket. */
  bufferedBytes(): number {
    const s = this.client.stream as { writableLength?: number } | undefined;
    return s?.writableLength ?? 0;
  }

  /** Calls `cb` once the socket has drained below `limit` bytes, or the connection closed. */
  whenWritable(limit: number, cb: () => void): void {
    if (!this.client.connected || this.bufferedBytes() <= limit) return cb();
    const stream = this.client.stream;
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      stream.removeListener("drain", finish);
      stream.removeListener("close", finish);
      this.removeListener("stopping", finish);
      cb();
    };
    stream.on("drain", finish);
    stream.on("close", finish);
    // A held-back acknowledgement would keep MQTT.js from reading the PUBACKs `stop` waits for.
    this.once("stopping", finish);
  }

  start(): void {
    this.opts.log.info(`connecting to ${redactUrl(this.cfg.url)}`);
    this.started = true;
    this.client.connect();
  }

  private scheduleReconnect(): void {
    if (this.timer || this.stopping) return;
    const delay = backoffDelay(this.attempt++, this.cfg.reconnect.minDelayMs, this.cfg.reconnect.maxDelayMs);
    const log = this.opts.log;
    if (this.everConnected && this.attempt === 1) log.warn(`connection lost; reconnecting in ${delay} ms`);
    else log.debug(() => `reconnect attempt ${this.attempt} in ${delay} ms`);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.stopping) return;
      this.client.reconnect({
        incomingStore: this.client.incomingStore as never,
        outgoingStore: this.client.outgoingStore as never,
      });
    }, delay);
  }

  publish(topic: string, payload: string | Buffer, opts: IClientPublishOptions, cb?: (err?: Error) => void): void {
    this.client.publish(topic, payload, opts, cb ? (err) => cb(err ?? undefined) : undefined);
  }

  /** A QoS 0 publish without properties, written straight to the socket (see publish-packet.ts); only while connected. */
  publishQos0(topic: Buffer, payload: string): void {
    this.client.stream.write(publishQos0(topic, payload, this.cfg.protocolVersion));
  }

  subscribe(topics: Record<string, { qos: 0 | 1; rh?: number; nl?: boolean }>): Promise<void> {
    return new Promise((resolve, reject) => {
      this.client.subscribe(topics, (err, granted) => {
        if (err) return reject(err);
        const refused = (granted ?? []).filter((g) => g.qos === 128).map((g) => g.topic);
        if (refused.length) return reject(new Error(`subscription refused by the broker: ${refused.join(", ")}`));
        resolve();
      });
    });
  }

  /**
   * Disconnects: outputs in flight get `timeoutMs` to be acknowledged, then DISCONNECT. Past the
   * timeout (a broker that stopped answering) the socket is ended (what was written still goes
   * out) and destroyed a second later; when not connected, at once. MQTT.js's end(true) returns
   * early while a graceful end is under way, so it cannot be the fallback.
   */
  async stop(timeoutMs = 2000): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.started) return;
    this.emit("stopping");
    const c = this.client;
    await new Promise<void>((resolve) => {
      let t: NodeJS.Timeout | undefined;
      const finish = () => {
        if (t) clearTimeout(t);
        t = undefined;
        resolve();
      };
      const force = () => {
        const st = c.stream;
        if (st && !st.destroyed && c.connected) {
          // FIN after what is already written (the PUBACKs of learned readings among it), then
          // destroy if the broker does not close its side within a second
          st.end();
          setTimeout(() => st.destroy(), 1000);
          st.once("close", finish);
        } else {
          st?.destroy();
          finish();
        }
        c.end(true, {}, () => {});
      };
      if (!c.connected) return force();
      t = setTimeout(() => {
        this.opts.log.warn(`the broker did not acknowledge the last outputs within ${timeoutMs} ms; closing the connection`);
        force();
      }, timeoutMs);
      c.end(false, {}, finish);
    });
  }
}

function describeError(err: Error & { code?: string | number }): string {
  const c = err.code;
  if (c === 4 || c === 5 || c === 0x86 || c === 0x87) return `refused the credentials (${err.message}); check mqtt.username / mqtt.password`;
  if (c === "ECONNREFUSED") return "connection refused (is the broker running?)";
  if (c === "ENOTFOUND" || c === "EAI_AGAIN") return "host not found";
  if (typeof c === "string" && c.startsWith("ERR_TLS") || /certificate|self.signed/i.test(err.message)) {
    return `TLS: ${err.message} (check mqtt.ca, or mqtt.rejectUnauthorized for testing)`;
  }
  return err.message;
}
