// What every part of the service shares: configuration, log, the device pool, the outbox, the
// host-wide counters, the event emitter and the topics. The parts (readings.ts, lifecycle.ts,
// checkpoints.ts, health.ts) each hold one ServiceCore and never each other's private state, so
// the arrows between them stay one-way: readings → lifecycle/checkpoints, health → checkpoints.

import { EventEmitter } from "node:events";
import type { Learner } from "../learner/index.js";
import { GLOBAL_REASONS, type GlobalReason } from "../codecs/index.js";
import type { Config } from "../config/types.js";
import type { DevicePool, PoolDevice } from "../devices/pool.js";
import type { Outbox } from "../mqtt/outbox.js";
import { RateLimitedLog, type Logger } from "../logger.js";
import type { CheckpointMeta } from "../store/types.js";
import type { DeviceState } from "./device.js";

export type Device = PoolDevice<DeviceState>;

export interface ServiceEvents {
  /**
   * Every reading that reached the module: its flags; the learner holds the output record;
   * `published`: its prediction went out (output.predictions and the device's publish rule);
   * `ts`: the reading's timestamp (ms), its own or, when it had none, its time of arrival.
   */
  reading: [device: string, flags: number, learner: Learner, published: boolean, ts: number];
  drift: [device: string, ts: number];
  checkpoint: [meta: CheckpointMeta];
  rollback: [device: string, meta: CheckpointMeta];
  reset: [device: string];
  /** A device's state was replaced by a blob (`loadDevice`): a different model from here on. */
  load: [device: string];
  /** A device's health was published (the object that went out). */
  health: [device: string, health: Record<string, unknown>];
  connected: [];
  offline: [];
  /** A device was forgotten (its state, checkpoints and retained health are gone). */
  forget: [device: string];
  /** One MQTT message was handled, in `ms` (emitted only while someone listens: metrics). */
  handled: [ms: number];
}

export interface HostCounters {
  readings: number;
  learned: number;
  refused: Record<GlobalReason, number>;
  internalErrors: number;
}

/** The service's MQTT topics, derived once from `config.topics`. */
export interface ServiceTopics {
  /** `<input>/`: a reading's topic is this prefix and the device name. */
  readonly inPrefix: string;
  /** `<output>`: the device topics hang below it. */
  readonly out: string;
  readonly status: string;
  readonly hostHealth: string;
  /** The host-wide command topic (device commands are `<output>/<device>/cmd`). */
  readonly cmd: string;
}

export class ServiceCore {
  readonly events = new EventEmitter<ServiceEvents>();
  readonly counters: HostCounters = {
    readings: 0,
    learned: 0,
    refused: Object.fromEntries(GLOBAL_REASONS.map((r) => [r, 0])) as Record<GlobalReason, number>,
    internalErrors: 0,
  };
  readonly topics: ServiceTopics;
  /** Bad input is logged at most once per key and interval (config.log.rateLimitSeconds). */
  readonly badInput: RateLimitedLog;
  /** Something host-wide changed since the host's health was last published. */
  hostDirty = true;
  /** Set by the shutdown sequence: readings are no longer taken, health says "stopping". */
  stopping = false;

  constructor(
    readonly config: Config,
    readonly log: Logger,
    readonly pool: DevicePool<DeviceState>,
    readonly outbox: Outbox,
    readonly now: () => number,
  ) {
    const out = config.topics.output;
    this.topics = { inPrefix: `${config.topics.input}/`, out, status: `${out}/status`, hostHealth: `${out}/health`, cmd: `${out}/cmd` };
    this.badInput = new RateLimitedLog(log.child("input"), config.log.rateLimitSeconds * 1000);
  }

  /** Emits an event; a throwing listener is logged and does not reach the caller. */
  emit<K extends keyof ServiceEvents>(event: K, ...args: ServiceEvents[K]): void {
    try {
      (this.events.emit as (e: K, ...a: ServiceEvents[K]) => boolean)(event, ...args);
    } catch (e) {
      this.log.error(`a '${event}' listener failed: ${(e as Error).message}`);
    }
  }

  /** Counts a refused message (host health) and logs why, rate-limited per reason. */
  refuse(reason: GlobalReason, why: () => string): void {
    this.counters.refused[reason]++;
    this.hostDirty = true;
    this.badInput.warn(reason, why);
  }

  /** A message on `topic` refused for `reason`. */
  refuseTopic(reason: GlobalReason, topic: string): void {
    this.refuse(reason, () => `refused a message on ${topic.slice(0, 200)}: ${reason}`);
  }
}
