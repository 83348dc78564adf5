// The outputs a plain NATS publish cannot give an MQTT subscriber: retained messages and a last
// will. nats-server's MQTT listener keeps a retained message only when an MQTT client publishes
// it with the retain flag (it stores it in its `$MQTT_rmsgs` stream); a NATS publish on the same
// subject reaches live MQTT subscribers but is never retained. So each worker also holds one MQTT
// 3.1.1 connection to the listener (`mqtt` settings; nats-server refuses MQTT 5) for:
//   - retained device health, published by the partition owner;
//   - `<output>/status`: "online" (retained) on every connect, and a last will "offline"
//     (retained) that the server publishes when the worker dies. With several workers a dying
//     worker's will says "offline" although others still run: every worker watches the status
//     subject and answers an "offline" with its own "online" at once, so a subscriber sees
//     offline → online within milliseconds, and "offline" stays only when the last worker is gone.

import type { NatsConnection, Subscription } from "@nats-io/transport-node";
import type { Config } from "../config/types.js";
import type { Logger } from "../logger.js";
import { MqttConnection } from "../mqtt/connection.js";
import { bridgeClientId } from "./bridge-client-id.js";

/**
 * Retained publishes not yet acknowledged past which health waits for the next round. Each is a
 * JetStream write on the server: a short queue keeps lease renewals and checkpoints from waiting
 * behind a burst of health (10,000 devices at once starved 3 s leases with 2,048 in flight).
 */
const MAX_IN_FLIGHT = 64;

export class MqttBridge {
  readonly topicStatus: string;
  private readonly conn: MqttConnection;
  private readonly statusSub: Subscription;
  private inFlight = 0;
  private stopping = false;

  constructor(
    config: Config,
    worker: string,
    nc: NatsConnection,
    private readonly log: Logger,
  ) {
    const out = config.topics.output;
    this.topicStatus = `${out}/status`;
    const clientId = bridgeClientId(config.mqtt.clientId, worker);
    this.conn = new MqttConnection(
      { ...config.mqtt, protocolVersion: 4, clean: true, clientId },
      {
        log,
        will: { topic: this.topicStatus, payload: "offline" },
        handleMessage: (_p, done) => done(), // nothing is subscribed over MQTT
      },
    );
    this.conn.on("connect", () => this.online());
    this.statusSub = nc.subscribe(this.topicStatus.replaceAll("/", "."), {
      callback: (_e, m) => {
        if (!this.stopping && m.string() === "offline") {
          this.log.info(`${this.topicStatus} went offline (a worker stopped or died); this worker is online`);
          this.online();
        }
      },
    });
  }

  start(): void {
    this.conn.start();
  }

  get connected(): boolean {
    return this.conn.connected;
  }

  /** True when the bridge takes another retained publish now (connected, not too far behind). */
  get ready(): boolean {
    return this.conn.connected && this.inFlight < MAX_IN_FLIGHT;
  }

  /** Publishes `payload` retained at QoS 1 (an empty payload clears the topic); false when not ready. */
  retained(topic: string, payload: string): boolean {
    if (!this.ready) return false;
    this.inFlight++;
    this.conn.publish(topic, payload, { qos: 1, retain: true }, () => {
      this.inFlight--;
      if (this.inFlight <= MAX_IN_FLIGHT / 2) this.wake();
    });
    return true;
  }

  private waiters: (() => void)[] = [];
  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when the bridge takes publishes again: true, or false when it is not connected (give up the round). */
  async whenReady(): Promise<boolean> {
    while (this.conn.connected && !this.ready) {
      // Acknowledgements wake it; a lost connection (its publishes never acknowledged) is seen by the timeout.
      await new Promise<void>((r) => {
        const t = setTimeout(r, 1000);
        this.waiters.push(() => {
          clearTimeout(t);
          r();
        });
      });
    }
    return this.ready;
  }

  private online(): void {
    if (this.conn.connected) this.conn.publish(this.topicStatus, "online", { qos: 1, retain: true });
  }

  /**
   * Leaves: "offline" (retained), then a clean disconnect (no will). Any worker still running
   * answers it with "online"; two workers stopping at once still leave "offline" behind.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.statusSub.unsubscribe();
    if (this.conn.connected) this.conn.publish(this.topicStatus, "offline", { qos: 1, retain: true });
    await this.conn.stop();
  }
}
