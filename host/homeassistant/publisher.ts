// Publishes Home Assistant discovery for every device the service learns for, over its own MQTT
// connection (so the service's session and subscriptions stay as they are):
//   - a device's config goes out (retained) after its first reading, when its task is known;
//   - all configs go out again on every connect and whenever HA announces `online` on
//     <prefix>/status (HA restarted and may have lost them);
//   - a forgotten device's config is cleared with an empty retained payload.
// Entities are available while edgelearn/status says `online` (the service's own retained status
// and Last Will).

import { readFileSync } from "node:fs";
import { connect, type MqttClient } from "mqtt";
import type { Config } from "../config/types.js";
import type { Logger } from "../logger.js";
import type { Service } from "../service/service.js";
import { clientOptions } from "../mqtt/connection.js";
import { configTopic, devicePayload, type DiscoveryTopics } from "./discovery.js";

const VERSION: string = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;

/**
 * The discovery connection's client id: the service's with `-ha`, within the 64 characters
 * mqtt.clientId may have, and never the service's own (the broker would drop one connection for
 * the other, over and over). Cutting `<id>-ha` at 64 gave back a 64-character id unchanged.
 */
export function discoveryClientId(serviceId: string): string {
  const id = `${serviceId.slice(0, 61)}-ha`;
  // Only a 64-character id that itself ends in -ha comes back as itself.
  return id !== serviceId ? id : `${serviceId.slice(0, 60)}-ha2`;
}

export class DiscoveryPublisher {
  private readonly client: MqttClient;
  private readonly announced = new Set<string>();
  private readonly topics: DiscoveryTopics;
  private readonly statusTopic: string;
  /** output.predictions: without them, no entity of the prediction topic is announced. */
  private readonly predictions: boolean;
  /** Configs published (for tests and logs). */
  published = 0;

  constructor(
    private readonly service: Service,
    config: Config,
    private readonly log: Logger,
  ) {
    this.topics = { prefix: config.homeassistant.prefix, output: config.topics.output };
    this.statusTopic = `${config.homeassistant.prefix}/status`;
    this.predictions = config.output.predictions;
    const opts = clientOptions(config.mqtt);
    this.client = connect(config.mqtt.url, {
      ...opts,
      clientId: discoveryClientId(config.mqtt.clientId),
      clean: true,
      properties: undefined,
      reconnectPeriod: config.mqtt.reconnect.minDelayMs,
      manualConnect: true,
    });
    this.client.on("connect", () => {
      this.client.subscribe(this.statusTopic, { qos: 1 }, (err) => {
        if (err) this.log.error(`cannot subscribe to ${this.statusTopic}: ${err.message}`);
      });
      this.announceAll("connected");
    });
    this.client.on("message", (topic, payload) => {
      if (topic === this.statusTopic && payload.toString().trim() === "online") this.announceAll("Home Assistant came online");
    });
    this.client.on("error", (e) => this.log.warn(`discovery connection: ${e.message}`));
    const ev = service.events;
    ev.on("reading", (device) => {
      if (!this.announced.has(device)) this.announce(device);
    });
    ev.on("forget", (device) => this.remove(device));
  }

  start(): this {
    this.client.connect();
    return this;
  }

  private announce(device: string): void {
    const d = this.service.pool.get(device);
    if (!d) return;
    this.announced.add(device);
    if (!this.client.connected) return; // announceAll on connect sends it
    const payload = devicePayload(this.topics, device, d.meta.model.task, VERSION, { predictions: this.predictions, publish: d.meta.gate.rule });
    this.client.publish(configTopic(this.topics, device), JSON.stringify(payload), { qos: 1, retain: true });
    this.published++;
  }

  /** Every known device (learning, or restored from the store). */
  private announceAll(why: string): void {
    for (const name of this.service.pool.names()) this.announce(name);
    this.log.info(`Home Assistant discovery: ${this.service.pool.size} devices announced (${why})`);
  }

  private remove(device: string): void {
    this.announced.delete(device);
    this.client.publish(configTopic(this.topics, device), "", { qos: 1, retain: true });
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.client.end(false, {}, () => resolve()));
  }
}
